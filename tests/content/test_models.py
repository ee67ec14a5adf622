import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from content.models import Page, Story

pytestmark = pytest.mark.django_db


def test_a_story_image_needs_a_description(make_story):
    story = make_story()
    story.image = "content/stories/picture.jpg"
    story.image_alt = ""
    with pytest.raises(IntegrityError), transaction.atomic():
        story.save()
    story.image_alt = "Two adults reading to a toddler on a sofa"
    story.save()
    assert Story.objects.get(pk=story.pk).image_alt


def test_sections_are_one_level_deep(make_page):
    section = make_page()
    inner = make_page(parent=section)
    deeper = make_page.build(parent=inner, slug="deeper")
    with pytest.raises(ValidationError, match="Choose a section"):
        deeper.full_clean()


def test_a_section_with_pages_cannot_move_inside_another(make_page):
    section, other = make_page(), make_page()
    make_page(parent=section)
    section.parent = other
    with pytest.raises(ValidationError, match="must stay a section"):
        section.full_clean()


def test_a_page_cannot_be_its_own_parent(make_page):
    page = make_page()
    Page.objects.filter(pk=page.pk).update(parent=None)
    with pytest.raises(IntegrityError), transaction.atomic():
        Page.objects.filter(pk=page.pk).update(parent=page.pk)


def test_slugs_are_lower_case_words(make_page):
    page = make_page.build(slug="Not_A_Slug")
    with pytest.raises(ValidationError) as error:
        page.full_clean()
    assert "slug" in error.value.message_dict
