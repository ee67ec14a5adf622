from django import forms
from django.test import RequestFactory

from portal.forms import HoneypotFormMixin
from portal.ratelimit import RateLimit, client_ip


def request(ip="203.0.113.5", forwarded=""):
    meta = {"REMOTE_ADDR": ip}
    if forwarded:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().post("/", **meta)


def test_allows_up_to_the_limit_then_refuses():
    limit = RateLimit("test", limit=3, period=60)
    results = [limit.hit(request()) for _ in range(5)]
    assert results == [True, True, True, False, False]


def test_each_client_has_its_own_count():
    limit = RateLimit("test", limit=1, period=60)
    assert limit.hit(request("203.0.113.1"))
    assert not limit.hit(request("203.0.113.1"))
    assert limit.hit(request("203.0.113.2"))


def test_scopes_are_separate():
    assert RateLimit("a", limit=1, period=60).hit(request())
    assert RateLimit("b", limit=1, period=60).hit(request())


def test_client_ip_is_the_address_the_middleware_settled_never_a_forwarded_header():
    # ClientAddressMiddleware has already replaced REMOTE_ADDR where a trusted proxy
    # forwarded the request; a header still present here was written by the client.
    assert client_ip(request(forwarded="198.51.100.1, 203.0.113.9")) == "203.0.113.5"
    assert client_ip(request()) == "203.0.113.5"


class ContactForm(HoneypotFormMixin, forms.Form):
    name = forms.CharField()


def test_honeypot_filled_in_is_caught():
    form = ContactForm(data={"name": "Jo", "website": "http://spam.example"})
    assert not form.is_valid()
    assert form.caught_spam


def test_honeypot_empty_passes():
    form = ContactForm(data={"name": "Jo", "website": ""})
    assert form.is_valid()
    assert not form.caught_spam
