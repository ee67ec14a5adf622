"""Trigram indexes for the bookings list's search by name and email
(``BookingAdmin.get_search_results``, ``portal/trigram.py``)."""

from django.db import migrations

from portal.trigram import trigram_indexes


class Migration(migrations.Migration):
    dependencies = [("enquiries", "0008_enquiry_search_indexes")]

    operations = [trigram_indexes("enquiries_booking", ("name", "email"))]
