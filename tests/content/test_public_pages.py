import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from content import services
from content.models import FAQ, FAQTopic, Page, PublicationStatus, Story
from portal.roles import Role

from .factories import ServedPostcodeAreaFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("path", "heading"),
    [
        ("/", "A home from the start, whatever the court decides"),
        ("/accessibility/", "Accessibility statement"),
        ("/privacy/", "Privacy notice"),
    ],
)
def test_core_public_pages(client, path, heading):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    html = response.content.decode()
    assert f">{heading}</h1>" in html
    assert '<meta name="description"' in html
    assert 'href="/accessibility/"' in html
    assert 'href="/privacy/"' in html
    assert len(queries) <= 5


def test_unknown_pages_get_the_styled_404(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_the_500_page_stands_alone(client):
    from django.template.loader import render_to_string

    html = render_to_string("500.html")
    assert "Sorry, there is a problem with the service" in html


# -- Early Permanence pages, FAQs and stories ------------------------------------------

PUBLIC_CONTENT_PAGES = [
    "/",
    "/early-permanence/",
    "/early-permanence/what-is-early-permanence/",
    "/early-permanence/concurrent-planning/",
    "/early-permanence/birth-parents/",
    "/faqs/",
    "/stories/",
    "/stories/waiting-together/",
    "/eligibility/",
]


def _queries(client, path):
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return len(queries)


def _add_ten_times_the_rows():
    sections = Page.objects.bulk_create(
        Page(
            title=f"Extra section {i}",
            slug=f"extra-section-{i}",
            summary="Extra.",
            body="Extra.",
            meta_description=f"Extra section {i}",
            order=500 + i,
            status=PublicationStatus.PUBLISHED,
        )
        for i in range(17)
    )
    Page.objects.bulk_create(
        Page(
            title=f"Extra page {s.pk}-{i}",
            slug=f"extra-page-{s.pk}-{i}",
            summary="Extra.",
            body="Extra.",
            meta_description=f"Extra page {s.pk}-{i}",
            parent=s,
            order=i,
            status=PublicationStatus.PUBLISHED,
        )
        for s in sections
        for i in range(9)
    )
    topics = FAQTopic.objects.bulk_create(
        FAQTopic(title=f"Extra topic {i}", slug=f"extra-topic-{i}", order=100 + i)
        for i in range(10)
    )
    FAQ.objects.bulk_create(
        FAQ(
            question=f"Extra question {t.pk}-{i}?",
            answer="Yes.",
            topic=t,
            status=PublicationStatus.PUBLISHED,
        )
        for t in topics
        for i in range(17)
    )
    Story.objects.bulk_create(
        Story(
            title=f"Extra story {i}",
            slug=f"extra-story-{i}",
            summary="Extra.",
            body="Extra.",
            status=PublicationStatus.PUBLISHED,
        )
        for i in range(27)
    )


@pytest.mark.parametrize(
    "path", [*PUBLIC_CONTENT_PAGES, "/eligibility/age/", "/eligibility/result/"]
)
def test_public_pages_keep_their_query_budget_with_ten_times_the_rows(client, path):
    if path == "/eligibility/result/":
        from content.eligibility import answers_dump

        answers = {"age": "yes", "residence": "no", "area": "LS", "at_home": "yes"}
        answers |= {"applying": "alone", "children": "no"}
        ServedPostcodeAreaFactory(code="LS")
        path += "?answers=" + answers_dump(answers)
    before = _queries(client, path)
    assert before <= 5, f"{path}: {before} queries"
    _add_ten_times_the_rows()
    assert _queries(client, path) == before, path


def test_the_information_pack_keeps_its_query_budget(client, monkeypatch):
    from portal import pdf

    monkeypatch.setattr(pdf, "html_to_pdf", lambda html: b"%PDF-1.7 stand-in")

    def queries(path, status):
        cache.clear()
        with CaptureQueriesContext(connection) as captured:
            response = client.get(path)
        assert response.status_code == status, (path, response.status_code)
        return len(captured), response

    before, response = queries("/information-pack.pdf", 302)
    assert before <= 5
    # The file at its hashed address is served without asking the database anything.
    assert queries(response["Location"], 200)[0] == 0
    _add_ten_times_the_rows()
    assert queries("/information-pack.pdf", 302)[0] == before


def test_every_public_page_has_its_own_title_and_description(client):
    paths = PUBLIC_CONTENT_PAGES + [p.get_absolute_url() for p in Page.objects.published()]
    paths += [s.get_absolute_url() for s in Story.objects.published()]
    seen_titles, seen_descriptions = {}, {}
    for path in sorted(set(paths)):
        html = client.get(path).content.decode()
        title = re.search(r"<title>(.*?)</title>", html, re.S).group(1).strip()
        description = re.search(r'<meta name="description" content="([^"]*)"', html).group(1)
        assert title not in seen_titles, f"{path} and {seen_titles.get(title)} share a title"
        assert description not in seen_descriptions, f"{path} repeats a description"
        seen_titles[title], seen_descriptions[description] = path, path


def test_anonymous_pages_are_cached_until_something_is_published(
    client, make_faq, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr(services, "_queue_information_pack_build", lambda: None)
    first = client.get("/faqs/")
    assert "X-Content-Cache" not in first
    second = client.get("/faqs/")
    assert second["X-Content-Cache"] == "hit"
    assert second.content == first.content

    faq = make_faq(draft=True, question="Can I bring my dog to family time?")
    assert "bring my dog" not in client.get("/faqs/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        services.faq_publish(faq=faq)
    fresh = client.get("/faqs/")
    assert "X-Content-Cache" not in fresh
    assert "Can I bring my dog to family time?" in fresh.content.decode()


def test_signed_in_visitors_are_never_served_from_the_cache(client, staff_client):
    client.get("/early-permanence/")
    client.get("/early-permanence/")
    editor = staff_client(Role.CONTENT_EDITORS)
    assert "X-Content-Cache" not in editor.get("/early-permanence/")


# -- drafts ----------------------------------------------------------------------------


def test_a_draft_page_is_hidden_from_the_public_and_previewed_by_editors(
    client, staff_client, make_page
):
    draft = make_page(draft=True, title="Coming soon")
    assert client.get(draft.get_absolute_url()).status_code == 404
    assert staff_client(Role.EVENTS_TEAM).get(draft.get_absolute_url()).status_code == 404
    editor = staff_client(Role.CONTENT_EDITORS)
    response = editor.get(draft.get_absolute_url())
    html = response.content.decode()
    assert response.status_code == 200
    assert ">Coming soon</h1>" in html
    assert "This is a draft" in html
    editor.logout()
    assert client.get(draft.get_absolute_url()).status_code == 404


def test_a_published_page_in_a_draft_section_is_hidden(client, make_page):
    section = make_page(draft=True)
    page = make_page(parent=section)
    assert client.get(page.get_absolute_url()).status_code == 404
    assert page.title not in client.get("/early-permanence/").content.decode()


def test_draft_faqs_and_stories_stay_hidden(client, staff_client, make_faq, make_story):
    make_faq(draft=True, question="A draft question?")
    story = make_story(draft=True, title="A draft story")
    assert "A draft question?" not in client.get("/faqs/").content.decode()
    assert "A draft story" not in client.get("/stories/").content.decode()
    assert client.get(story.get_absolute_url()).status_code == 404
    editor = staff_client(Role.CONTENT_EDITORS)
    preview = editor.get(story.get_absolute_url())
    assert preview.status_code == 200
    assert "This is a draft" in preview.content.decode()
    faqs = editor.get("/faqs/").content.decode()
    assert "A draft question?" in faqs
    assert faqs.count(">Draft</strong>") == 1


# -- navigation ------------------------------------------------------------------------


def _positions(html, texts):
    return [html.index(text) for text in texts]


def test_the_hub_lists_sections_and_their_pages_in_editors_order(client, make_page):
    html = client.get("/early-permanence/").content.decode()
    sections = [
        "What Early Permanence is",
        "Who can be an Early Permanence carer",
        "Support for carers",
        "For birth parents",
    ]
    positions = _positions(html, sections)
    assert positions == sorted(positions)
    children = ["Concurrent Planning", "Fostering for Adoption", "How it differs"]
    positions = _positions(html, children)
    assert positions == sorted(positions)


def test_reordering_changes_the_navigation(client, django_capture_on_commit_callbacks, monkeypatch):
    monkeypatch.setattr(services, "_queue_information_pack_build", lambda: None)
    client.get("/early-permanence/")  # cached now
    support = Page.objects.get(slug="support")
    support.order = 1
    with django_capture_on_commit_callbacks(execute=True):
        services.content_save(item=support)
    html = client.get("/early-permanence/").content.decode()
    assert html.index("Support for carers") < html.index("What Early Permanence is")


def test_a_page_shows_its_section_and_its_neighbours(client):
    html = client.get("/early-permanence/fostering-for-adoption/").content.decode()
    nav = html[html.index('class="app-section-nav"') :]
    assert 'aria-current="page">Fostering for Adoption</a>' in nav
    in_section = ["Overview", "Concurrent Planning", "Fostering for Adoption", "How it differs"]
    positions = _positions(nav, in_section)
    assert positions == sorted(positions)
    pagination = html[html.index('class="govuk-pagination') :]
    assert 'href="/early-permanence/concurrent-planning/" rel="prev"' in pagination
    assert 'href="/early-permanence/how-it-differs/" rel="next"' in pagination
    assert 'href="/early-permanence/what-is-early-permanence/">What Early Permanence is</a>' in html


def test_reading_order_runs_from_one_section_into_the_next(client):
    html = client.get("/early-permanence/what-it-means-for-the-child/").content.decode()
    assert 'href="/early-permanence/becoming-an-ep-carer/" rel="next"' in html


def test_birth_parents_are_one_click_from_every_page(client):
    for path in ("/", "/faqs/", "/early-permanence/concurrent-planning/"):
        html = client.get(path).content.decode()
        assert 'href="/early-permanence/birth-parents/"' in html.split("</header>")[0], path


def test_the_faqs_are_grouped_by_topic_in_order(client):
    html = client.get("/faqs/").content.decode()
    topics = list(FAQTopic.objects.order_by("order").values_list("title", flat=True))
    headings = re.findall(r'<h2 class="govuk-heading-l[^"]*" id="topic-[^"]+">([^<]+)</h2>', html)
    assert headings == topics
    first_topic = FAQTopic.objects.order_by("order").first()
    questions = [f.question for f in FAQ.objects.filter(topic=first_topic).order_by("order")]
    assert _positions(html, questions) == sorted(_positions(html, questions))
    assert html.count('<details class="govuk-details"') == FAQ.objects.published().count()


def test_stories_say_they_are_illustrative(client):
    html = client.get("/stories/waiting-together/").content.decode()
    assert "This story is illustrative." in html


def test_a_story_image_is_served_with_its_description(client, make_story, settings):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "teal").save(buffer, format="PNG")
    story = make_story(image_alt="A family walking in a park")
    story.image = SimpleUploadedFile("photo.png", buffer.getvalue(), content_type="image/png")
    story.save()
    html = client.get(story.get_absolute_url()).content.decode()
    assert f'src="/stories/{story.slug}/image" alt="A family walking in a park"' in html
    image = client.get(f"/stories/{story.slug}/image")
    assert image.status_code == 200
    assert image["Content-Type"] == "image/png"
    story.status = PublicationStatus.DRAFT
    story.save()
    assert client.get(f"/stories/{story.slug}/image").status_code == 404


def test_the_home_page_lists_the_next_information_events(client):
    from datetime import timedelta

    from django.utils import timezone

    from enquiries.models import InformationEvent
    from tests.enquiries.events.factories import InformationEventFactory

    soon = timezone.localtime().replace(hour=19, minute=0, second=0, microsecond=0)
    soon += timedelta(days=3)
    InformationEventFactory(title="Evening one", starts_at=soon, ends_at=soon + timedelta(hours=1))
    InformationEventFactory(
        title="Cancelled evening",
        starts_at=soon,
        ends_at=soon + timedelta(hours=1),
        status=InformationEvent.Status.CANCELLED,
    )
    html = client.get("/").content.decode()
    assert "Evening one" in html
    assert f"{soon:%A} {soon.day} {soon:%B %Y}, 7pm to 8pm" in html
    assert "Cancelled evening" not in html


def test_the_home_page_shows_a_new_event_at_once_and_drops_one_that_has_started(
    client, django_capture_on_commit_callbacks, monkeypatch
):
    from datetime import timedelta

    from django.utils import timezone

    from enquiries.models import InformationEvent
    from enquiries.services import events as event_services
    from portal import pagecache

    starts = timezone.now() + timedelta(minutes=1)
    first = InformationEvent(
        title="Starting soon", starts_at=starts, ends_at=starts + timedelta(hours=1), places=5
    )
    with django_capture_on_commit_callbacks(execute=True):
        event_services.event_save(event=first)
    assert "Starting soon" in client.get("/").content.decode()
    assert client.get("/")["X-Content-Cache"] == "hit"

    later = starts + timedelta(days=7)
    second = InformationEvent(
        title="Next week", starts_at=later, ends_at=later + timedelta(hours=1), places=5
    )
    with django_capture_on_commit_callbacks(execute=True):
        event_services.event_save(event=second)
    html = client.get("/").content.decode()
    assert "Starting soon" in html and "Next week" in html

    # Two minutes on, the first has started: the page is not served from the cache.
    shift = 120
    real_time, real_now = pagecache.time.time, timezone.now
    monkeypatch.setattr(pagecache.time, "time", lambda: real_time() + shift)
    monkeypatch.setattr(timezone, "now", lambda: real_now() + timedelta(seconds=shift))
    html = client.get("/").content.decode()
    assert "Starting soon" not in html and "Next week" in html
