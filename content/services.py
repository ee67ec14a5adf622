"""Every change to public content, the information pack, and the checker's tally.

Publishing is a state change (``portal.workflow``): one table of allowed moves, one
function per move that locks the row, checks the move and its guard, saves only what
changed and names the audit entry.
Any change to what the public sees bumps the content generation (emptying the
anonymous page cache) and asks the worker to rebuild the information pack, both once
the transaction has committed.
"""

import logging
import re
from datetime import date, timedelta
from pathlib import Path

from django.conf import settings
from django.db import models, transaction
from django.db.models import F
from django.utils import timezone

from portal.audit import name_next_save
from portal.pagecache import recent_value, recent_value_set
from portal.pdf import (
    PDFFile,
    pdf_cache_dir,
    pdf_cache_prune,
    pdf_file,
    render_html,
    render_pdf,
)
from portal.queueing import task_queue
from portal.workflow import Action, Refused, Table, Workflow, lock

from . import selectors
from .caching import content_generation, content_generation_bump, content_generation_recent
from .models import (
    FAQ,
    EligibilityCompletionCount,
    FAQTopic,
    Page,
    PublicationStatus,
    Story,
)

logger = logging.getLogger(__name__)

ALLOWED_TRANSITIONS: dict[str, set[str]] = {
    PublicationStatus.DRAFT: {PublicationStatus.PUBLISHED},
    PublicationStatus.PUBLISHED: {PublicationStatus.DRAFT},
}
_ACTION_NAMES = {PublicationStatus.PUBLISHED: "published", PublicationStatus.DRAFT: "unpublished"}


class TransitionNotAllowed(Refused):
    """The item is not in a state it can move from, e.g. publishing what is published."""


def _section_published(item, context) -> list[str]:
    """A page inside a section waits for the section: the navigation starts there."""
    if isinstance(item, Page) and item.parent_id and not item.parent.is_published:
        return [f"Publish the section “{item.parent}” before the pages inside it."]
    return []


def _workflow(model: type[models.Model]) -> Workflow:
    return Workflow(
        table=Table(ALLOWED_TRANSITIONS),
        audit_prefix=f"content.{model._meta.model_name}",
        actions=(
            Action(
                "publish",
                "Publish",
                targets=(PublicationStatus.PUBLISHED,),
                guards=(_section_published,),
            ),
            Action("unpublish", "Unpublish", targets=(PublicationStatus.DRAFT,)),
        ),
    )


WORKFLOWS = {model: _workflow(model) for model in (Page, FAQ, Story)}


# -- publishing -----------------------------------------------------------------------


def _transition(*, model: type[models.Model], pk: int, action: str):
    workflow = WORKFLOWS[model]
    chosen = workflow.actions[action]
    with transaction.atomic():
        item = lock((model, pk))
        if not workflow.is_open(chosen, item):
            raise TransitionNotAllowed(
                f"{model._meta.verbose_name.capitalize()} “{item}” is already "
                f"{PublicationStatus(item.status).label.lower()}."
            )
        problems = workflow.blocked_by(chosen, item, user=None)
        if problems:
            raise TransitionNotAllowed(problems)
        (to,) = chosen.targets
        fields = {"published_at": timezone.now()} if to == PublicationStatus.PUBLISHED else {}
        workflow.move(item, to=to, by=None, what=_ACTION_NAMES[to], fields=fields)
        public_content_changed()
    return item


def page_publish(*, page: Page) -> Page:
    return _transition(model=Page, pk=page.pk, action="publish")


def page_unpublish(*, page: Page) -> Page:
    return _transition(model=Page, pk=page.pk, action="unpublish")


def faq_publish(*, faq: FAQ) -> FAQ:
    return _transition(model=FAQ, pk=faq.pk, action="publish")


def faq_unpublish(*, faq: FAQ) -> FAQ:
    return _transition(model=FAQ, pk=faq.pk, action="unpublish")


def story_publish(*, story: Story) -> Story:
    return _transition(model=Story, pk=story.pk, action="publish")


def story_unpublish(*, story: Story) -> Story:
    return _transition(model=Story, pk=story.pk, action="unpublish")


PUBLISH = {Page: page_publish, FAQ: faq_publish, Story: story_publish}
UNPUBLISH = {Page: page_unpublish, FAQ: faq_unpublish, Story: story_unpublish}


def content_publish(*, item):
    """Publish a page, FAQ or story (for code that handles all three, like the admin)."""
    return PUBLISH[type(item)](**{type(item)._meta.model_name: item})


def content_unpublish(*, item):
    return UNPUBLISH[type(item)](**{type(item)._meta.model_name: item})


# -- editing ----------------------------------------------------------------------------


def _is_public(item) -> bool:
    # A topic has no state of its own: it is public through its published FAQs.
    return isinstance(item, FAQTopic) or getattr(item, "is_published", False)


def content_save(*, item) -> None:
    """Save an editor's change. A change to something published is live at once."""
    with transaction.atomic():
        name_next_save(item, f"content.{item._meta.model_name}.edited")
        item.save()
        if _is_public(item):
            public_content_changed()


def content_delete(*, item) -> None:
    with transaction.atomic():
        was_public = _is_public(item)
        name_next_save(item, f"content.{item._meta.model_name}.deleted")
        item.delete()
        if was_public:
            public_content_changed()


def public_content_changed() -> None:
    """What the public sees has changed: refresh caches and the pack after commit."""
    transaction.on_commit(content_generation_bump, robust=True)
    transaction.on_commit(_queue_information_pack_build)


def _queue_information_pack_build() -> None:
    from .tasks import build_information_pack

    task_queue(task=build_information_pack, what="the next request builds the information pack")


# -- the information pack ---------------------------------------------------------------

PACK_NAMESPACE = "information-pack"
PACK_TEMPLATE = "content/information_pack.html"
# A built pack's name in the file cache, and in its address: the SHA-256 of what it shows.
PACK_DIGEST = re.compile(r"[0-9a-f]{64}")


def _pack_pointer_key(generation: str) -> str:
    return f"content:information-pack:{generation}"


def information_pack_context(*, recipient_name: str = "") -> tuple[dict, int]:
    """What the pack shows, and for how many seconds it stays right (events pass)."""
    pages = selectors.information_pack_pages()
    faq_groups = selectors.faqs_by_topic()
    events = selectors.upcoming_information_events(limit=settings.INFORMATION_PACK_EVENTS)
    max_age = settings.INFORMATION_PACK_MAX_AGE_SECONDS
    if events:
        until_first = (events[0].starts_at - timezone.now()).total_seconds()
        max_age = int(max(60, min(max_age, until_first)))
    updated = selectors.latest_content_update(pages, faq_groups)
    context = {
        "pack_pages": pages,
        # Links between pages in the pack stay inside the PDF; others print their address.
        "pack_slugs": sorted(p.page.slug for p in pages),
        "faq_groups": faq_groups,
        "events": events,
        "content_updated": timezone.localdate(updated) if updated else None,
        "recipient_name": recipient_name,
        "pdf_description": "About Early Permanence: fostering and adoption from the start.",
    }
    return context, max_age


def _pack_document(context: dict) -> dict:
    return {
        "template": PACK_TEMPLATE,
        "context": context,
        "title": f"Early Permanence information pack – {settings.AGENCY_NAME}",
        "author": settings.AGENCY_NAME,
    }


def information_pack_html() -> str:
    """The pack's HTML as it would be rendered now (for measuring and debugging)."""
    context, _ = information_pack_context()
    return render_html(**_pack_document(context), lang="en-GB")


def information_pack_refresh() -> PDFFile:
    """Build the pack if its content has changed (the worker calls this on publish)."""
    generation = content_generation()
    context, max_age = information_pack_context()
    pack = pdf_file(**_pack_document(context), namespace=PACK_NAMESPACE)
    recent_value_set(_pack_pointer_key(generation), pack.digest, timeout=max_age)
    if pack.built:
        pdf_cache_prune(namespace=PACK_NAMESPACE, keep={pack.digest}, older_than=timedelta(days=1))
    return pack


def information_pack_current() -> PDFFile:
    """The pack as it stands: the cached file while content is unchanged, else a new one.

    Read on every download, so the pointer to the file is remembered in the process for
    a moment (portal/pagecache.py): a publish reaches it within PUBLIC_CACHE_RECHECK_SECONDS.
    """
    digest = recent_value(_pack_pointer_key(content_generation_recent()))
    if digest:
        path = pdf_cache_dir(PACK_NAMESPACE) / f"{digest}.pdf"
        if path.is_file():
            return PDFFile(path=path, digest=digest, built=False)
    return information_pack_refresh()


def information_pack_file(digest: str) -> Path | None:
    """The built pack named ``digest`` if the file cache still holds it."""
    if not PACK_DIGEST.fullmatch(digest):
        return None
    path = pdf_cache_dir(PACK_NAMESPACE) / f"{digest}.pdf"
    return path if path.is_file() else None


def information_pack_personalised(*, name: str) -> bytes:
    """The pack with the enquirer's name on the cover, for the enquiry acknowledgement.

    Built when the email goes and never cached: a file with a name in it is personal data.
    """
    context, _ = information_pack_context(recipient_name=name.strip()[:80])
    return render_pdf(**_pack_document(context), cache=False)


# -- the eligibility checker ----------------------------------------------------------


def eligibility_completion_record(*, day: date | None = None) -> None:
    """Count one finished eligibility check. Nothing about the person is kept."""
    day = day or timezone.localdate()
    with transaction.atomic():
        tally, _ = EligibilityCompletionCount.objects.get_or_create(day=day)
        EligibilityCompletionCount.objects.filter(pk=tally.pk).update(
            completions=F("completions") + 1
        )
