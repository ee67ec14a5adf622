"""Any input to the booking form gets an answer, never a server error or a half-saved booking."""

import pytest
from django.core.cache import cache
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from enquiries.models import Booking
from portal.models import Notification

from .factories import InformationEventFactory

pytestmark = pytest.mark.django_db

text = st.text(max_size=1200)
field_values = st.one_of(text, st.sampled_from(["", "1", "2", "3", "0", "-1", "jo@example.com"]))


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    data=st.fixed_dictionaries(
        {},
        optional={
            "name": field_values,
            "email": st.one_of(field_values, st.emails()),
            "phone": field_values,
            "places": field_values,
            "access_needs": field_values,
            "heard_about": st.one_of(field_values, st.sampled_from(Booking.HeardAbout.values)),
            "website": field_values,
        },
    )
)
def test_the_booking_post_never_fails(client, data):
    cache.clear()  # the per-IP rate limit is tested elsewhere
    event = InformationEventFactory()
    # Text with NUL characters cannot be sent in a form post; browsers never do.
    data = {k: v.replace("\x00", "") for k, v in data.items()}
    response = client.post(event.get_absolute_url(), data)
    assert response.status_code in (200, 302)
    bookings = Booking.objects.filter(event=event)
    # A booking, or (the honeypot filled) the same answer with nothing saved.
    if response.status_code == 302 and not data["website"]:
        booking = bookings.get()
        assert Notification.objects.filter(key__startswith=f"booking:{booking.pk}:").exists()
    else:
        assert not bookings.exists()
