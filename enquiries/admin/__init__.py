"""The staff area of the enquiries app: information events and bookings, then enquiries."""

from . import enquiries, events  # noqa: F401 - each module registers its models
