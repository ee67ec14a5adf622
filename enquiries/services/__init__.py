"""Every write of the enquiries app: ``events`` (information events and bookings) and
``enquiries`` (the public enquiry form, the recruitment pipeline, notes, retention)."""
