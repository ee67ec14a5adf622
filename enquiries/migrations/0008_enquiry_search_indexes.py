"""Trigram indexes for the enquiries list's search, one per column it searches
(``EnquiryAdmin.search_fields``, ``portal/trigram.py``)."""

from django.db import migrations

from portal.trigram import trigram_indexes


class Migration(migrations.Migration):
    dependencies = [("enquiries", "0007_booking_list_index")]

    operations = [
        trigram_indexes(
            "enquiries_enquiry", ("first_name", "last_name", "email", "postcode", "partner_name")
        )
    ]
