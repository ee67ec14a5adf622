"""Demo content for `make run` (called by `seed_demo`). Safe to run again and again.

The shipped pages, FAQs and stories are installed by `migrate` already (content.shipped);
this adds what a demo also needs: the postcode areas the eligibility checker knows, and
a draft page and FAQ so editors can try previews and publishing.
"""

from .models import FAQ, FAQTopic, Page, ServedPostcodeArea

DEMO_AREAS = [
    ("LS", "Leeds", "About 20 to 40 minutes from our Leeds office."),
    ("BD", "Bradford", "About 30 to 45 minutes from our Leeds office."),
    ("WF", "Wakefield", "About 30 to 50 minutes from our Leeds office."),
    ("HX", "Halifax", "About 45 minutes to an hour from our Leeds office."),
    ("HD", "Huddersfield", "About 45 minutes to an hour from our Leeds office."),
    ("HG", "Harrogate", "About 40 minutes to an hour from our Leeds office."),
]

DRAFT_PAGE_BODY = """\
Brothers and sisters often come into care together, or one after another. Where it is
right for them, we look for Early Permanence carers who could care for them together.

## What it involves

This page is a draft: it shows content editors how previews work before anything is
published.
"""


def seed(*, stdout) -> None:
    for code, name, note in DEMO_AREAS:
        ServedPostcodeArea.objects.get_or_create(
            code=code, defaults={"name": name, "travel_note": note}
        )
    section = Page.objects.filter(slug="what-is-early-permanence").first()
    if section is not None:
        Page.objects.get_or_create(
            slug="brothers-and-sisters",
            defaults={
                "title": "Brothers and sisters",
                "summary": "How we think about placing brothers and sisters together.",
                "body": DRAFT_PAGE_BODY,
                "parent": section,
                "order": 50,
                "meta_description": "Early Permanence for brothers and sisters (draft).",
            },
        )
    topic = FAQTopic.objects.filter(slug="applying").first()
    if topic is not None:
        FAQ.objects.get_or_create(
            question="Can I apply if I rent my home?",
            defaults={
                "answer": "Yes. Many carers rent. What matters is a safe, settled home.\n",
                "topic": topic,
                "order": 90,
            },
        )
    stdout.write(
        f"  content: {Page.objects.count()} pages, {FAQ.objects.count()} FAQs, "
        f"{ServedPostcodeArea.objects.count()} served postcode areas"
    )
