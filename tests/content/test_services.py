"""Publishing, its audit trail, and the caches it empties."""

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType

from content import services
from content.caching import content_generation
from content.models import EligibilityCompletionCount, PublicationStatus

pytestmark = pytest.mark.django_db


def _entries(obj):
    return LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk
    ).order_by("timestamp", "pk")


@pytest.mark.parametrize(
    ("factory", "publish", "unpublish"),
    [
        ("make_page", services.page_publish, services.page_unpublish),
        ("make_faq", services.faq_publish, services.faq_unpublish),
        ("make_story", services.story_publish, services.story_unpublish),
    ],
)
def test_publish_and_unpublish_are_audited(request, factory, publish, unpublish):
    item = request.getfixturevalue(factory)(draft=True)
    name = item._meta.model_name
    publish(**{name: item})
    item.refresh_from_db()
    assert item.status == PublicationStatus.PUBLISHED
    assert item.published_at is not None
    unpublish(**{name: item})
    item.refresh_from_db()
    assert item.status == PublicationStatus.DRAFT

    entries = list(_entries(item))[-2:]
    assert [e.additional_data["action"] for e in entries] == [
        f"content.{name}.published",
        f"content.{name}.unpublished",
    ]
    assert entries[0].changes_dict["status"] == ["draft", "published"]


def test_a_move_that_is_not_allowed_is_refused(make_page):
    page = make_page()  # published already
    with pytest.raises(services.TransitionNotAllowed, match="already published"):
        services.page_publish(page=page)
    page.refresh_from_db()
    assert page.status == PublicationStatus.PUBLISHED


def test_a_page_waits_for_its_section_to_be_published(make_page):
    section = make_page(draft=True)
    page = make_page(parent=section, draft=True)
    with pytest.raises(services.TransitionNotAllowed, match="Publish the section"):
        services.page_publish(page=page)
    services.page_publish(page=section)
    services.page_publish(page=page)
    page.refresh_from_db()
    assert page.is_published


def test_the_publish_button_of_a_page_says_it_waits_for_its_section(make_page):
    section = make_page(draft=True)
    page = make_page(parent=section, draft=True)
    workflow = services.WORKFLOWS[type(page)]
    (publish,) = workflow.actions_for(page, user=None)
    assert (publish.name, publish.blocked_by) == (
        "publish",
        [f"Publish the section “{section}” before the pages inside it."],
    )
    assert [o.name for o in workflow.actions_for(section, user=None)] == ["publish"]
    assert workflow.actions_for(section, user=None)[0].enabled


def test_publishing_refreshes_the_public_caches_after_commit(
    make_faq, django_capture_on_commit_callbacks, monkeypatch
):
    queued = []
    monkeypatch.setattr(services, "_queue_information_pack_build", lambda: queued.append(1))
    faq = make_faq(draft=True)
    before = content_generation()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.faq_publish(faq=faq)
    assert content_generation() == before, "nothing changes before the commit"
    for callback in callbacks:
        callback()
    assert content_generation() != before
    assert queued == [1]


def test_editing_a_draft_leaves_the_caches_alone(make_faq, django_capture_on_commit_callbacks):
    faq = make_faq(draft=True)
    with django_capture_on_commit_callbacks() as callbacks:
        faq.answer = "A better answer."
        services.content_save(item=faq)
    assert callbacks == []


def test_editing_published_content_refreshes_the_caches(
    make_faq, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr(services, "_queue_information_pack_build", lambda: None)
    faq = make_faq()
    before = content_generation()
    with django_capture_on_commit_callbacks(execute=True):
        faq.answer = "A better answer."
        services.content_save(item=faq)
    assert content_generation() != before
    assert _entries(faq).last().additional_data == {"action": "content.faq.edited"}


def test_deleting_published_content_refreshes_the_caches(
    make_story, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr(services, "_queue_information_pack_build", lambda: None)
    story = make_story()
    pk = story.pk
    before = content_generation()
    with django_capture_on_commit_callbacks(execute=True):
        services.content_delete(item=story)
    assert content_generation() != before
    deleted = LogEntry.objects.filter(content_type__model="story", object_pk=str(pk)).latest("pk")
    assert deleted.additional_data == {"action": "content.story.deleted"}


def test_a_broker_that_is_down_does_not_stop_a_publish(make_faq, monkeypatch, caplog):
    from content import tasks

    def broken(*args, **kwargs):
        raise ConnectionError("broker down")

    monkeypatch.setattr(tasks.build_information_pack, "apply_async", broken)
    services._queue_information_pack_build()
    assert "Could not queue a task; the next request builds the information pack" in caplog.text


def test_completions_are_counted_per_day():
    from datetime import date

    services.eligibility_completion_record(day=date(2026, 3, 1))
    services.eligibility_completion_record(day=date(2026, 3, 1))
    services.eligibility_completion_record(day=date(2026, 3, 2))
    counts = dict(EligibilityCompletionCount.objects.values_list("day", "completions"))
    assert counts == {date(2026, 3, 1): 2, date(2026, 3, 2): 1}
