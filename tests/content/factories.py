"""Factories for public content. Rows are written straight to the database; tests of
publishing go through content.services."""

import factory
from django.utils import timezone

from content.models import FAQ, FAQTopic, Page, PublicationStatus, ServedPostcodeArea, Story


class PageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Page

    title = factory.Sequence(lambda n: f"Test page {n}")
    slug = factory.Sequence(lambda n: f"test-page-{n}")
    summary = "A page made by a test."
    body = "Some **body** text.\n"
    meta_description = factory.Sequence(lambda n: f"Test page {n} description")
    order = factory.Sequence(lambda n: 1000 + n)
    status = PublicationStatus.PUBLISHED
    published_at = factory.LazyFunction(timezone.now)

    class Params:
        draft = factory.Trait(status=PublicationStatus.DRAFT, published_at=None)


class FAQTopicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FAQTopic

    title = factory.Sequence(lambda n: f"Test topic {n}")
    slug = factory.Sequence(lambda n: f"test-topic-{n}")
    order = factory.Sequence(lambda n: 1000 + n)


class FAQFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FAQ

    question = factory.Sequence(lambda n: f"Test question {n}?")
    answer = "A test answer.\n"
    topic = factory.SubFactory(FAQTopicFactory)
    order = factory.Sequence(lambda n: n)
    status = PublicationStatus.PUBLISHED
    published_at = factory.LazyFunction(timezone.now)

    class Params:
        draft = factory.Trait(status=PublicationStatus.DRAFT, published_at=None)


class StoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Story

    title = factory.Sequence(lambda n: f"Test story {n}")
    slug = factory.Sequence(lambda n: f"test-story-{n}")
    summary = "A story made by a test."
    body = "Once upon a time.\n"
    order = factory.Sequence(lambda n: 1000 + n)
    status = PublicationStatus.PUBLISHED
    published_at = factory.LazyFunction(timezone.now)

    class Params:
        draft = factory.Trait(status=PublicationStatus.DRAFT, published_at=None)


class ServedPostcodeAreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServedPostcodeArea
        django_get_or_create = ("code",)

    code = "LS"
    name = "Leeds"
    travel_note = "About 30 minutes from our Leeds office."
