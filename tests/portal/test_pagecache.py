"""The public page cache (portal/pagecache.py): what is stored, what is served, and when
a change is seen."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.http import HttpResponse
from django.template import engines
from django.test import RequestFactory

from portal import pagecache
from portal.pagecache import HIT_HEADER, Generation, public_page

factory = RequestFactory()
FORM = engines["django"].from_string(
    '<form method="post">{% csrf_token %}<button>Go</button></form><p>{{ n }}</p>'
)


class Clock:
    """Stands in for time.monotonic and time.time in portal.pagecache."""

    def __init__(self):
        self.now = 1_000_000.0

    def __call__(self):
        return self.now


@pytest.fixture
def clock(monkeypatch):
    clock = Clock()
    monkeypatch.setattr(pagecache.time, "monotonic", clock)
    monkeypatch.setattr(pagecache.time, "time", clock)
    return clock


@pytest.fixture
def generation():
    return Generation("tests:pagecache:generation")


def get(view, path="/page/", **extra):
    request = factory.get(path, **extra)
    request.user = AnonymousUser()
    return request, view(request)


def counting_view(calls, *, body=b"<p>page</p>", **headers):
    def view(request):
        calls.append(request.get_full_path())
        response = HttpResponse(body + str(len(calls)).encode())
        for name, value in headers.items():
            response[name.replace("_", "-")] = value
        return response

    return view


# -- generations ------------------------------------------------------------------------


def test_a_change_made_elsewhere_is_seen_after_the_recheck_interval(settings, clock, generation):
    settings.PUBLIC_CACHE_RECHECK_SECONDS = 2
    first = generation.current()
    cache.set(generation.key, "changed-by-another-process", timeout=None)
    clock.now += 1.9
    assert generation.current() == first
    clock.now += 0.2
    assert generation.current() == "changed-by-another-process"


def test_a_change_made_here_is_seen_at_once(settings, clock, generation):
    settings.PUBLIC_CACHE_RECHECK_SECONDS = 2
    first = generation.current()
    generation.bump()
    assert generation.current() != first
    assert generation.current() == cache.get(generation.key)


def test_fresh_always_reads_the_shared_cache(settings, clock, generation):
    settings.PUBLIC_CACHE_RECHECK_SECONDS = 60
    generation.current()
    cache.set(generation.key, "changed-by-another-process", timeout=None)
    assert generation.fresh() == "changed-by-another-process"


def test_an_emptied_cache_starts_a_new_generation(generation):
    first = generation.current()
    cache.clear()
    assert generation.current() not in (None, first)


# -- what is stored and served ------------------------------------------------------------


def test_a_page_is_served_from_memory_until_its_generation_changes(
    settings, clock, generation, monkeypatch
):
    settings.PUBLIC_CACHE_RECHECK_SECONDS = 2
    calls = []
    view = public_page(generations=(generation,), seconds=lambda: 300)(counting_view(calls))
    _, first = get(view)
    assert HIT_HEADER not in first

    # A hit asks the shared cache nothing: it is not even there to be asked.
    shared_reads = []
    monkeypatch.setattr(pagecache.cache, "get", lambda *a, **k: shared_reads.append(a))
    _, second = get(view)
    assert second[HIT_HEADER] == "hit"
    assert second.content == first.content
    assert shared_reads == []
    monkeypatch.undo()

    generation.bump()
    _, third = get(view)
    assert HIT_HEADER not in third
    assert len(calls) == 2


def test_another_process_serves_the_page_from_the_shared_cache(generation):
    calls = []
    view = public_page(generations=(generation,), seconds=lambda: 300)(counting_view(calls))
    _, first = get(view)
    pagecache.local_clear()  # as if a new web process
    _, second = get(view)
    assert second[HIT_HEADER] == "hit"
    assert second.content == first.content
    assert len(calls) == 1


def test_a_page_expires_when_its_view_says(clock, generation):
    calls = []

    def soon(request):
        response = counting_view(calls)(request)
        response.public_cache_seconds = 30
        return response

    view = public_page(generations=(generation,), seconds=lambda: 300)(soon)
    get(view)
    clock.now += 29
    assert get(view)[1][HIT_HEADER] == "hit"
    clock.now += 2
    assert HIT_HEADER not in get(view)[1]
    pagecache.local_clear()
    clock.now += 31
    assert HIT_HEADER not in get(view)[1], "the shared copy expires too"


@pytest.mark.parametrize(
    "headers",
    [
        {"Cache_Control": "no-store"},
        {"Cache_Control": "private, max-age=0"},
    ],
)
def test_pages_that_say_so_are_never_stored(generation, headers):
    calls = []
    view = public_page(generations=(generation,), seconds=lambda: 300)(
        counting_view(calls, **headers)
    )
    get(view)
    assert HIT_HEADER not in get(view)[1]
    assert len(calls) == 2


def test_pages_that_set_a_cookie_or_fail_are_never_stored(generation):
    def with_cookie(request):
        response = HttpResponse("hello")
        response.set_cookie("seen", "1")
        return response

    def not_found(request):
        return HttpResponse("nothing here", status=404)

    for plain in (with_cookie, not_found):
        view = public_page(generations=(generation,), seconds=lambda: 300)(plain)
        get(view)
        assert HIT_HEADER not in get(view)[1]


def test_signed_in_people_and_posts_always_reach_the_view(generation, make_staff):
    calls = []
    view = public_page(generations=(generation,), seconds=lambda: 300)(counting_view(calls))
    get(view)
    request = factory.get("/page/")
    request.user = make_staff()
    assert HIT_HEADER not in view(request)
    post = factory.post("/page/")
    post.user = AnonymousUser()
    assert HIT_HEADER not in view(post)
    assert len(calls) == 3


def test_only_the_query_parameters_a_page_reads_make_a_new_page(generation):
    calls = []
    view = public_page(generations=(generation,), seconds=lambda: 300, query=("kind",))(
        counting_view(calls)
    )
    get(view, "/events/?kind=online")
    assert get(view, "/events/?kind=online&utm_source=mail")[1][HIT_HEADER] == "hit"
    assert HIT_HEADER not in get(view, "/events/?kind=in_person")[1]
    assert len(calls) == 2


def test_a_returning_browser_is_told_its_copy_is_current(generation):
    view = public_page(generations=(generation,), seconds=lambda: 300)(counting_view([]))
    _, first = get(view)
    etag = first["ETag"]
    _, again = get(view, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again["ETag"] == etag
    generation.bump()
    _, changed = get(view, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert changed["ETag"] != etag


# -- pages with a form --------------------------------------------------------------------


def form_view(calls):
    def view(request):
        calls.append(1)
        return HttpResponse(FORM.render({"n": len(calls)}, request))

    return view


def token_in(response) -> str:
    match = pagecache.CSRF_INPUT.search(response.content)
    assert match, response.content
    return match.group(1).decode()


def test_a_page_with_a_form_is_stored_only_when_its_view_allows_it(generation):
    calls = []
    view = public_page(generations=(generation,), seconds=lambda: 300)(form_view(calls))
    get(view)
    assert HIT_HEADER not in get(view)[1]
    assert len(calls) == 2


def test_a_stored_form_carries_each_visitors_own_token(generation):
    calls = []
    view = public_page(generations=(generation,), seconds=lambda: 300, csrf=True)(form_view(calls))
    _, first = get(view)
    second_request, second = get(view)
    assert second[HIT_HEADER] == "hit"
    assert len(calls) == 1
    assert "ETag" not in second, "a page with a token differs for every visitor"
    assert token_in(first) != token_in(second)
    assert b"csrf-" not in second.content, "no placeholder is left in the page"
    # The middleware sends the visitor the cookie the token belongs to (the event page's
    # tests post such a form back through the real CSRF checks).
    assert second_request.META["CSRF_COOKIE_NEEDS_UPDATE"]


def test_a_cache_emptied_while_a_generation_starts_still_gives_a_token(generation, monkeypatch):
    real_add = cache.add

    def add_then_emptied(*args, **kwargs):
        added = real_add(*args, **kwargs)
        cache.clear()  # another process empties the cache at that very moment
        return added

    monkeypatch.setattr(pagecache.cache, "add", add_then_emptied)
    token = generation.current()
    assert isinstance(token, str) and token


def test_recent_values_are_remembered_for_the_recheck_interval(settings, clock):
    settings.PUBLIC_CACHE_RECHECK_SECONDS = 2
    assert pagecache.recent_value("tests:pointer") is None
    cache.set("tests:pointer", "first", timeout=60)
    assert pagecache.recent_value("tests:pointer") == "first", "a miss is not remembered"
    cache.set("tests:pointer", "second", timeout=60)
    assert pagecache.recent_value("tests:pointer") == "first"
    clock.now += 2.1
    assert pagecache.recent_value("tests:pointer") == "second"
    pagecache.recent_value_set("tests:pointer", "third", timeout=60)
    assert pagecache.recent_value("tests:pointer") == "third"
    assert cache.get("tests:pointer") == "third"


def test_a_query_string_the_page_does_not_read_makes_no_new_page(generation):
    """2,000 GETs with ?utm=<random> once filled Redis with copies of one page."""
    calls = []
    view = public_page(generations=(generation,), seconds=lambda: 300)(counting_view(calls))
    answers = [get(view, f"/page/?utm={n}&fbclid=x{n}")[1] for n in range(50)]
    assert len(calls) == 1
    assert [HIT_HEADER in answer for answer in answers] == [False] + [True] * 49
    assert len(pagecache._local._pages) == 1


def test_while_the_shared_cache_is_unreachable_pages_are_served_uncached(generation, monkeypatch):
    calls = []
    view = public_page(generations=(generation,), seconds=lambda: 300)(counting_view(calls))
    get(view)
    assert get(view)[1][HIT_HEADER] == "hit"
    monkeypatch.setattr(pagecache, "_shared_cache_reachable", lambda: False)
    answers = [get(view)[1] for _ in range(3)]
    assert [HIT_HEADER in answer for answer in answers] == [False, False, False]
    assert len(calls) == 4


def test_when_the_shared_cache_is_back_every_generation_starts_anew(generation):
    before = generation.fresh()
    pagecache._generations_restart()
    assert generation.fresh() != before
