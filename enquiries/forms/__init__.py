"""Forms of the enquiries app: ``events`` (information events and bookings) and
``enquiries`` (the enquiry form and the recruitment pipeline)."""
