"""The content that ships with the portal is there after a fresh install, once."""

import pytest
from django.apps import apps

from content import shipped
from content.markdown import render_markdown
from content.models import FAQ, ContentInstall, FAQTopic, Page, Story

pytestmark = pytest.mark.django_db

# Every topic the brief asks for, by the slug of the page that covers it.
TOPICS = {
    "what-is-early-permanence": "what EP is",
    "concurrent-planning": "Concurrent Planning",
    "fostering-for-adoption": "Fostering for Adoption",
    "how-it-differs": "how EP differs (no bridging move)",
    "what-it-means-for-the-child": "what it means for the child",
    "becoming-an-ep-carer": "who can be an EP carer",
    "qualities": "the qualities it asks for",
    "from-enquiry-to-approval": "the journey with its timescales",
    "support": "support",
    "family-and-friends": "a group for family and friends",
    "training": "training",
    "matching": "matching",
    "money-and-work": "money and work",
    "birth-parents": "a section for birth parents",
    "relinquishment": "relinquishment",
}


def test_every_topic_is_published_after_migrate():
    published = set(Page.objects.published().values_list("slug", flat=True))
    assert set(TOPICS) <= published, set(TOPICS) - published


@pytest.mark.parametrize(
    ("slug", "phrases"),
    [
        ("how-it-differs", ["bridging"]),
        ("from-enquiry-to-approval", ["Stage 1", "Stage 2", "four months", "six months", "panel"]),
        ("money-and-work", ["adoption leave", "fostering allowance", "9 to 12 months"]),
        ("support", ["social worker", "peer support group"]),
        ("family-and-friends", ["group for the family and friends"]),
        ("relinquishment", ["relinquishment", "six weeks"]),
        ("fostering-for-adoption", ["Regulation 25A", "named child"]),
    ],
)
def test_the_pages_say_what_they_must(slug, phrases):
    text = Page.objects.get(slug=slug).body
    for phrase in phrases:
        assert phrase.lower() in text.lower(), f"{slug}: {phrase!r} missing"


def test_birth_parent_pages_sit_in_their_own_section():
    section = Page.objects.get(slug="birth-parents")
    assert section.parent is None
    assert set(section.children.values_list("slug", flat=True)) >= {"relinquishment", "family-time"}


def test_at_least_twelve_faqs_in_topics():
    assert FAQ.objects.published().count() >= 12
    assert FAQTopic.objects.filter(faqs__isnull=False).distinct().count() >= 3


def test_at_least_three_illustrative_stories():
    stories = Story.objects.published()
    assert stories.count() >= 3
    assert all(story.is_illustrative for story in stories)


def test_every_page_has_a_unique_title_and_meta_description():
    pages = list(Page.objects.values_list("title", "meta_description"))
    titles = [t for t, _ in pages]
    descriptions = [d for _, d in pages]
    assert len(set(titles)) == len(titles)
    assert len(set(descriptions)) == len(descriptions)
    assert all(descriptions)


def test_shipped_markdown_is_plain_markdown():
    """The shipped files need no raw HTML, so the sanitiser never has to drop any of it."""
    bodies = [doc.body for doc in shipped.shipped_pages() + shipped.shipped_stories()]
    bodies += [answer for topic in shipped.shipped_faqs() for _, answer in topic.questions]
    for body in bodies:
        assert "<" not in body
        assert render_markdown(body)


def test_internal_links_in_shipped_content_point_at_shipped_pages():
    import re

    slugs = {doc.meta["slug"] for doc in shipped.shipped_pages()}
    bodies = [doc.body for doc in shipped.shipped_pages() + shipped.shipped_stories()]
    bodies += [answer for topic in shipped.shipped_faqs() for _, answer in topic.questions]
    for body in bodies:
        for slug in re.findall(r"\(/early-permanence/([a-z0-9-]+)/\)", body):
            assert slug in slugs, f"link to missing page {slug}"


def test_installing_again_changes_nothing_and_keeps_editors_deletions():
    Story.objects.filter(slug="waiting-together").delete()
    before = (Page.objects.count(), FAQ.objects.count(), Story.objects.count())
    assert shipped.install(apps) is False
    assert (Page.objects.count(), FAQ.objects.count(), Story.objects.count()) == before


def test_a_fresh_database_gets_everything():
    ContentInstall.objects.all().delete()
    Page.objects.filter(parent__isnull=False).delete()
    Page.objects.all().delete()
    FAQ.objects.all().delete()
    FAQTopic.objects.all().delete()
    Story.objects.all().delete()
    assert shipped.install(apps) is True
    assert Page.objects.count() == len(shipped.shipped_pages())
    assert Story.objects.count() == len(shipped.shipped_stories())
    assert FAQ.objects.count() == sum(len(t.questions) for t in shipped.shipped_faqs())
    assert Page.objects.get(slug="relinquishment").parent.slug == "birth-parents"


# -- the copy does not contradict itself on the facts that matter ---------------------------
#
# Each fact is checked in every piece of public copy: the shipped pages, FAQs and stories
# and the public templates (the enquiry form, the eligibility checker, the pack).

TEMPLATE_DIRS = ("templates/content", "templates/enquiries", "templates/emails/enquiries")


def _public_copy() -> list[tuple[str, str]]:
    """(where, text) for every piece of public copy, one sentence at a time."""
    import re
    from pathlib import Path

    from django.conf import settings

    pieces = [(f"page {doc.meta['slug']}", doc.body) for doc in shipped.shipped_pages()]
    pieces += [(f"story {doc.meta['slug']}", doc.body) for doc in shipped.shipped_stories()]
    pieces += [
        (f"FAQ {question}", f"{question} {answer}")
        for topic in shipped.shipped_faqs()
        for question, answer in topic.questions
    ]
    root = Path(settings.BASE_DIR)
    for folder in TEMPLATE_DIRS:
        for path in sorted((root / folder).rglob("*.*")):
            if path.suffix in (".html", ".txt", ".md"):
                pieces.append((str(path.relative_to(root)), path.read_text("utf-8")))
    sentences = []
    for where, text in pieces:
        text = re.sub(r"<[^>]+>|\{[{%].*?[%}]\}", " ", text)
        # A table row is one line: its cells are read together.
        for sentence in re.split(r"(?<=[.!?])\s+|\n", text):
            sentences.append((where, " ".join(sentence.split())))
    assert len(sentences) > 200  # the whole copy was read
    return sentences


def test_family_time_is_decided_by_the_court_and_social_worker_in_all_the_copy():
    import re

    who_decides = re.compile(
        r"\b(arrange[sd]?|arranging|decide[sd]?|deciding|organise[sd]?)\b", re.IGNORECASE
    )
    about_family_time = re.compile(r"family time|contact with (the )?birth", re.IGNORECASE)
    checked = []
    for where, sentence in _public_copy():
        if about_family_time.search(sentence) and who_decides.search(sentence):
            if "how it is arranged" in sentence:  # a birth parent asking about it, not who
                continue
            checked.append(where)
            assert re.search(r"\bcourt\b|social worker", sentence, re.IGNORECASE), (
                f"{where}: who decides family time must be the court and the social worker: "
                f"{sentence!r}"
            )
            assert not re.search(
                r"arranged by (you|the (ep |foster )?carer)", sentence, re.IGNORECASE
            ), f"{where}: carers do not arrange family time: {sentence!r}"
    # At least the comparison table, the family-time page and the FAQ say who decides.
    assert {"page how-it-differs", "page family-time"} <= set(checked), checked
    assert any(where.startswith("FAQ") for where in checked), checked


def test_the_pack_is_said_to_go_straight_after_the_enquiry_everywhere():
    import re

    mentions = []
    for where, sentence in _public_copy():
        if re.search(r"information pack|this pack", sentence, re.IGNORECASE) and re.search(
            r"\bsend|\bemail", sentence, re.IGNORECASE
        ):
            mentions.append((where, sentence))
            # "within ... working days" in the clause that sends the pack.
            assert not re.search(r"pack[^,;]*within[^,;]*working day", sentence, re.IGNORECASE), (
                f"{where}: the pack goes with the acknowledgement, not within days: {sentence!r}"
            )
    assert any("straight after" in sentence for _, sentence in mentions), mentions
    assert any(where == "page from-enquiry-to-approval" for where, _ in mentions), mentions


@pytest.mark.parametrize(
    ("slug", "phrases"),
    [
        ("becoming-an-ep-carer", ["spare bedroom", "fertility treatment", "smoke", "drive"]),
        ("money-and-work", ["national minimum allowance", "mileage"]),
        ("from-enquiry-to-approval", ["experienced Early Permanence carers"]),
    ],
)
def test_the_pages_cover_what_prospective_carers_ask(slug, phrases):
    text = Page.objects.get(slug=slug).body
    for phrase in phrases:
        assert phrase.lower() in text.lower(), f"{slug}: {phrase!r} missing"


def test_the_faqs_answer_the_practical_questions():
    questions = " ".join(FAQ.objects.published().values_list("question", flat=True)).lower()
    for topic in ("fertility treatment", "smoke", "spare bedroom", "drive", "done it"):
        assert topic in questions, topic
