"""A trigram index for searching the audit log by a record's name or reference
(``portal/admin_audit.py``, ``portal/trigram.py``)."""

from django.db import migrations

from portal.trigram import trigram_indexes


class Migration(migrations.Migration):
    dependencies = [
        ("auditlog", "0017_add_actor_email"),
        ("portal", "0011_access_teams_shares_restrictions_break_glass"),
    ]

    operations = [trigram_indexes("auditlog_logentry", ("object_repr",))]
