"""A trigram index for searching the audit log by a record's name or reference.

Django's ``icontains`` on PostgreSQL is ``UPPER(column::text) LIKE UPPER('%term%')``; a
GIN trigram index on that same expression answers it without reading a million entries
(``portal/admin_audit.py``). pg_trgm is a trusted extension: the database's owner may
create it. Other databases (SQLite for ``make run``) keep the plain search.
"""

from django.db import migrations

INDEX = "auditlog_object_repr_trgm"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON auditlog_logentry "
            "USING gin (UPPER(object_repr::text) gin_trgm_ops)"
        )


def drop(apps, schema_editor):
    # The extension stays: other indexes may use it.
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("auditlog", "0017_add_actor_email"),
        ("portal", "0011_access_teams_shares_restrictions_break_glass"),
    ]

    operations = [migrations.RunPython(create, drop)]
