"""Address and scheme come from a trusted proxy only; client-written hops are ignored."""

import pytest
from auditlog.models import LogEntry
from django.test import RequestFactory
from django.utils import timezone

from portal.middleware import ClientAddressMiddleware
from tests.enquiries.events.factories import InformationEventFactory

PROXY = "10.0.0.2"


def seen_by_the_view(forwarded: str, socket_addr: str = PROXY, **headers) -> dict:
    seen = {}

    def view(request):
        seen["addr"] = request.META["REMOTE_ADDR"]
        seen["xff"] = request.META.get("HTTP_X_FORWARDED_FOR")
        seen["secure"] = request.is_secure()
        return None

    request = RequestFactory().get(
        "/", REMOTE_ADDR=socket_addr, HTTP_X_FORWARDED_FOR=forwarded, **headers
    )
    ClientAddressMiddleware(view)(request)
    assert seen["xff"] is None
    return seen


def remote_addr_seen(forwarded: str, socket_addr: str = PROXY) -> str:
    return seen_by_the_view(forwarded, socket_addr)["addr"]


@pytest.fixture
def behind_the_proxy(settings):
    settings.TRUSTED_PROXIES = [PROXY]


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
def test_the_last_valid_hop_is_the_client(behind_the_proxy, forwarded, expected):
    assert remote_addr_seen(forwarded) == expected


def test_hops_written_by_trusted_proxies_are_skipped(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/24", "192.0.2.1"]
    assert remote_addr_seen("6.6.6.6, 203.0.113.7, 192.0.2.1") == "203.0.113.7"


@pytest.mark.parametrize("forwarded", ["203.0.113.7", "6.6.6.6, 203.0.113.7", "2001:db8::1"])
def test_forwarded_headers_from_anyone_else_are_ignored(settings, forwarded):
    settings.TRUSTED_PROXIES = [PROXY]
    seen = seen_by_the_view(forwarded, socket_addr="198.51.100.9", HTTP_X_FORWARDED_PROTO="https")
    assert seen == {"addr": "198.51.100.9", "xff": None, "secure": False}


def test_no_proxy_is_trusted_by_default(settings):
    assert settings.TRUSTED_PROXIES == []
    seen = seen_by_the_view("203.0.113.7", HTTP_X_FORWARDED_PROTO="https")
    assert seen == {"addr": PROXY, "xff": None, "secure": False}


def test_the_scheme_is_believed_from_a_trusted_proxy(behind_the_proxy):
    seen = seen_by_the_view("203.0.113.7", HTTP_X_FORWARDED_PROTO="https")
    assert seen == {"addr": "203.0.113.7", "xff": None, "secure": True}


def test_a_rotated_header_does_not_escape_a_per_address_limit(settings):
    """Each request claims a new address; the limit counts the address of the connection."""
    from portal.ratelimit import RateLimit

    settings.TRUSTED_PROXIES = [PROXY]
    limit = RateLimit(scope="test-rotated-header", limit=3, period=3600)
    allowed = []

    def view(request):
        allowed.append(limit.hit(request))
        return None

    for n in range(5):
        request = RequestFactory().post(
            "/", REMOTE_ADDR="198.51.100.9", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}"
        )
        ClientAddressMiddleware(view)(request)
    assert allowed == [True, True, True, False, False]


@pytest.mark.django_db
def test_a_malformed_forwarded_header_does_not_break_an_audited_booking(client, settings):
    settings.TRUSTED_PROXIES = ["198.51.100.20"]
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


def test_a_trusted_proxy_that_is_not_an_address_stops_the_start():
    from tests.portal.test_settings import manage

    result = manage("check", TRUSTED_PROXIES="proxy.internal")
    assert result.returncode != 0
    assert "TRUSTED_PROXIES: 'proxy.internal' is not an address." in result.stderr
    assert manage("check", TRUSTED_PROXIES="10.0.0.2,172.28.0.0/16").returncode == 0
