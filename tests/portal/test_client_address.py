"""The client's address comes from the last proxy hop; client-written hops are ignored."""

import pytest
from auditlog.models import LogEntry
from django.utils import timezone

from portal.middleware import ClientAddressMiddleware
from tests.enquiries.factories import InformationEventFactory


def remote_addr_seen(forwarded: str, socket_addr: str = "10.0.0.2") -> str:
    seen = {}

    def view(request):
        seen["addr"] = request.META["REMOTE_ADDR"]
        seen["xff"] = request.META.get("HTTP_X_FORWARDED_FOR")
        return None

    from django.test import RequestFactory

    request = RequestFactory().get("/", REMOTE_ADDR=socket_addr, HTTP_X_FORWARDED_FOR=forwarded)
    ClientAddressMiddleware(view)(request)
    assert seen["xff"] is None
    return seen["addr"]


@pytest.mark.parametrize(
    ("forwarded", "expected"),
    [
        ("203.0.113.7", "203.0.113.7"),
        ("6.6.6.6, 203.0.113.7", "203.0.113.7"),  # the first hop was written by the client
        ("2001:db8::1", "2001:db8::1"),
        ("1", "10.0.0.2"),
        ("<script>", "10.0.0.2"),
        ("203.0.113.7, not-an-ip", "10.0.0.2"),
    ],
)
def test_the_last_valid_hop_is_the_client(forwarded, expected):
    assert remote_addr_seen(forwarded) == expected


@pytest.mark.django_db
def test_a_malformed_forwarded_header_does_not_break_an_audited_booking(client):
    event = InformationEventFactory()
    response = client.post(
        event.get_absolute_url(),
        {
            "name": "Jo Bloggs",
            "email": "jo@example.com",
            "places": "1",
            "heard_about": "",
            "access_needs": "",
            "phone": "",
            "website": "",
        },
        HTTP_X_FORWARDED_FOR="1",
        REMOTE_ADDR="198.51.100.20",
    )
    assert response.status_code == 302
    entry = LogEntry.objects.filter(timestamp__lte=timezone.now()).latest("timestamp")
    assert entry.remote_addr == "198.51.100.20"
