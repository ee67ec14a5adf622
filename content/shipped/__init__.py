"""The content that ships with the portal: pages, FAQs and stories in Markdown files.

``install(apps)`` puts them in the database once per database, after ``migrate`` (see
``ContentConfig.ready``), so a fresh install has every topic and editors can change or
remove any of it afterwards: a marker row remembers that the install happened, so a
later ``migrate`` never brings back what an editor deleted.

Files: ``pages/*.md`` and ``stories/*.md`` start with a front matter block of
``key: value`` lines between ``---`` lines; ``faqs.md`` has ``## Topic`` headings and a
``### Question`` heading above each answer.
"""

from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

HERE = Path(__file__).resolve().parent
MARKER = "shipped-content-v1"


@dataclass
class ShippedDocument:
    meta: dict[str, str]
    body: str


@dataclass
class ShippedFAQTopic:
    title: str
    questions: list[tuple[str, str]] = field(default_factory=list)


def parse_document(text: str) -> ShippedDocument:
    lines = text.strip().splitlines()
    if not lines or lines[0].strip() != "---":
        raise ValueError("a shipped document starts with a --- front matter block")
    end = lines.index("---", 1)
    meta = {}
    for line in lines[1:end]:
        key, _, value = line.partition(":")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] == '"':
            value = value[1:-1]
        meta[key.strip()] = value
    return ShippedDocument(meta=meta, body="\n".join(lines[end + 1 :]).strip() + "\n")


def parse_faqs(text: str) -> list[ShippedFAQTopic]:
    topics: list[ShippedFAQTopic] = []
    question, answer = None, []

    def finish():
        if question is not None:
            topics[-1].questions.append((question, "\n".join(answer).strip() + "\n"))

    for line in text.splitlines():
        if line.startswith("## "):
            finish()
            question, answer = None, []
            topics.append(ShippedFAQTopic(title=line[3:].strip()))
        elif line.startswith("### "):
            finish()
            question, answer = line[4:].strip(), []
        elif question is not None:
            answer.append(line)
    finish()
    return topics


def shipped_pages() -> list[ShippedDocument]:
    return [parse_document(p.read_text("utf-8")) for p in sorted((HERE / "pages").glob("*.md"))]


def shipped_stories() -> list[ShippedDocument]:
    return [parse_document(p.read_text("utf-8")) for p in sorted((HERE / "stories").glob("*.md"))]


def shipped_faqs() -> list[ShippedFAQTopic]:
    return parse_faqs((HERE / "faqs.md").read_text("utf-8"))


def _yes(value: str) -> bool:
    return value.lower() in {"yes", "true", "1"}


def install(apps, using="default") -> bool:
    """Install the shipped content unless this database already had it. True if installed."""
    Marker = apps.get_model("content", "ContentInstall")
    Page = apps.get_model("content", "Page")
    FAQTopic = apps.get_model("content", "FAQTopic")
    FAQ = apps.get_model("content", "FAQ")
    Story = apps.get_model("content", "Story")
    now = timezone.now()
    published = {"status": "published", "published_at": now}

    with transaction.atomic(using=using):
        _, created = Marker.objects.using(using).get_or_create(name=MARKER)
        if not created:
            return False

        documents = shipped_pages()
        by_slug = {}
        # Sections first, so pages inside them can point at them.
        for doc in sorted(documents, key=lambda d: bool(d.meta.get("section"))):
            meta = doc.meta
            page, _ = Page.objects.using(using).get_or_create(
                slug=meta["slug"],
                defaults={
                    "title": meta["title"],
                    "summary": meta["summary"],
                    "meta_description": meta["meta_description"],
                    "body": doc.body,
                    "parent": by_slug.get(meta.get("section") or ""),
                    "order": int(meta.get("order", 0)),
                    "show_in_navigation": _yes(meta.get("navigation", "yes")),
                    "include_in_pack": _yes(meta.get("pack", "yes")),
                    **published,
                },
            )
            by_slug[page.slug] = page

        for topic_order, shipped_topic in enumerate(shipped_faqs(), start=1):
            topic, _ = FAQTopic.objects.using(using).get_or_create(
                slug=slugify(shipped_topic.title)[:80],
                defaults={"title": shipped_topic.title, "order": topic_order * 10},
            )
            for order, (question, answer) in enumerate(shipped_topic.questions, start=1):
                FAQ.objects.using(using).get_or_create(
                    question=question,
                    defaults={"answer": answer, "topic": topic, "order": order * 10, **published},
                )

        for doc in shipped_stories():
            meta = doc.meta
            Story.objects.using(using).get_or_create(
                slug=meta["slug"],
                defaults={
                    "title": meta["title"],
                    "summary": meta["summary"],
                    "body": doc.body,
                    "order": int(meta.get("order", 0)),
                    "is_illustrative": _yes(meta.get("illustrative", "yes")),
                    **published,
                },
            )
    return True
