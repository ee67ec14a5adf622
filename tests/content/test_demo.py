import io

import pytest

from content import demo
from content.models import FAQ, Page, PublicationStatus, ServedPostcodeArea

pytestmark = pytest.mark.django_db


def test_demo_content_is_idempotent_and_leaves_drafts_to_try():
    demo.seed(stdout=io.StringIO())
    counts = (Page.objects.count(), FAQ.objects.count(), ServedPostcodeArea.objects.count())
    demo.seed(stdout=io.StringIO())
    assert (Page.objects.count(), FAQ.objects.count(), ServedPostcodeArea.objects.count()) == counts
    assert ServedPostcodeArea.objects.filter(code="LS").exists()
    assert Page.objects.get(slug="brothers-and-sisters").status == PublicationStatus.DRAFT
    assert FAQ.objects.get(question="Can I apply if I rent my home?").status == (
        PublicationStatus.DRAFT
    )
