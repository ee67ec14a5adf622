"""Reads for the public pages and the information pack, each a bounded number of queries."""

import itertools
from dataclasses import dataclass, field
from datetime import datetime

from django.urls import NoReverseMatch
from django.utils import timezone

from .models import FAQ, Page, ServedPostcodeArea, Story

NAV_FIELDS = ("id", "title", "slug", "summary", "parent_id", "order", "status")


@dataclass
class Section:
    page: Page
    children: list[Page] = field(default_factory=list)


@dataclass
class Navigation:
    """Published pages shown in navigation: sections in order, each with its pages."""

    sections: list[Section]

    @property
    def reading_order(self) -> list[Page]:
        return [page for s in self.sections for page in (s.page, *s.children)]

    def section_for(self, page: Page) -> Section | None:
        section_id = page.parent_id or page.pk
        return next((s for s in self.sections if s.page.pk == section_id), None)

    def neighbours(self, page: Page) -> tuple[Page | None, Page | None]:
        order = self.reading_order
        ids = [p.pk for p in order]
        if page.pk not in ids:
            return None, None
        index = ids.index(page.pk)
        previous = order[index - 1] if index > 0 else None
        following = order[index + 1] if index + 1 < len(order) else None
        return previous, following


def _sections(pages: list[Page]) -> list[Section]:
    """Pages in reading order: each section, then the pages inside it."""
    sections = {p.pk: Section(page=p) for p in pages if p.parent_id is None}
    for page in pages:
        if page.parent_id in sections:
            sections[page.parent_id].children.append(page)
    return list(sections.values())


def navigation() -> Navigation:
    """One query. Pages inside an unpublished section are not public, so not listed."""
    pages = list(
        Page.objects.published()
        .filter(show_in_navigation=True)
        .only(*NAV_FIELDS)
        .order_by("order", "title")
    )
    return Navigation(sections=_sections(pages))


def page_for_view(*, slug: str, preview: bool) -> Page | None:
    """A page the visitor may see: published in a published section, or any for editors."""
    page = Page.objects.select_related("parent").filter(slug=slug).first()
    if page is None or preview:
        return page
    if page.is_published and (page.parent is None or page.parent.is_published):
        return page
    return None


@dataclass
class FAQGroup:
    topic_title: str
    topic_slug: str
    faqs: list[FAQ]


def faqs_by_topic(*, include_drafts: bool = False) -> list[FAQGroup]:
    """Published FAQs grouped by topic, both in their editors' order. One query.

    ``include_drafts`` is for editors previewing the FAQs page.
    """
    faqs = FAQ.objects.all() if include_drafts else FAQ.objects.published()
    faqs = faqs.select_related("topic").order_by(
        "topic__order", "topic__title", "topic_id", "order", "question"
    )
    return [
        FAQGroup(topic_title=topic.title, topic_slug=topic.slug, faqs=list(group))
        for topic, group in itertools.groupby(faqs, key=lambda faq: faq.topic)
    ]


def stories_published() -> list[Story]:
    return list(
        Story.objects.published().only(
            "id", "title", "slug", "summary", "is_illustrative", "order", "published_at", "status"
        )
    )


def story_for_view(*, slug: str, preview: bool) -> Story | None:
    story = Story.objects.filter(slug=slug).first()
    if story is None or preview or story.is_published:
        return story
    return None


def served_area_for(outward_code: str) -> ServedPostcodeArea | None:
    """The served area an outward code (LS6, HD9) falls in: its district, else its area."""
    letters = "".join(itertools.takewhile(str.isalpha, outward_code))
    matches = {
        a.code: a for a in ServedPostcodeArea.objects.filter(code__in=[outward_code, letters])
    }
    return matches.get(outward_code) or matches.get(letters)


def served_areas_exist() -> bool:
    return ServedPostcodeArea.objects.exists()


# -- information events, from the enquiries app --------------------------------------


@dataclass(frozen=True)
class UpcomingEvent:
    title: str
    starts_at: datetime
    ends_at: datetime
    is_online: bool
    venue: str
    url: str
    when: str  # "Tuesday 3 March 2026, 7pm to 8:30pm", as the events pages write it


def upcoming_information_events(*, limit: int) -> list[UpcomingEvent]:
    """The next scheduled information events (one query), for the home page and the pack.

    Events belong to the enquiries app; content only reads them (the arrows between
    apps point content -> enquiries, never back).
    """
    from enquiries.formats import event_when
    from enquiries.models import InformationEvent

    events = (
        InformationEvent.objects.public()
        .filter(status=InformationEvent.Status.SCHEDULED, starts_at__gt=timezone.now())
        .only("title", "slug", "kind", "starts_at", "ends_at", "venue", "status")
        .order_by("starts_at", "id")[:limit]
    )
    return [
        UpcomingEvent(
            title=event.title,
            starts_at=event.starts_at,
            ends_at=event.ends_at,
            is_online=event.is_online,
            venue=event.venue,
            url=_event_url(event),
            when=event_when(event),
        )
        for event in events
    ]


def _event_url(event) -> str:
    try:
        return event.get_absolute_url()
    except NoReverseMatch:
        # Before the events pages are wired into the URLs, the events list is the way in.
        return "/events/"


# -- the information pack ---------------------------------------------------------------


@dataclass
class PackPage:
    page: Page
    is_section: bool


def information_pack_pages() -> list[PackPage]:
    """Published pages marked for the pack, in reading order. One query."""
    pages = list(Page.objects.published().order_by("order", "title"))
    public_ids = {p.pk for p in pages}
    pages = [p for p in pages if p.parent_id is None or p.parent_id in public_ids]
    ordered: list[PackPage] = []
    for section in _sections(pages):
        if section.page.include_in_pack:
            ordered.append(PackPage(page=section.page, is_section=True))
        ordered.extend(
            PackPage(page=child, is_section=False)
            for child in section.children
            if child.include_in_pack
        )
    return ordered


def latest_content_update(pages: list[PackPage], faq_groups: list[FAQGroup]) -> datetime | None:
    stamps = [p.page.updated_at for p in pages]
    stamps += [faq.updated_at for group in faq_groups for faq in group.faqs]
    return max(stamps, default=None)
