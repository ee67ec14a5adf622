"""History that is never lost (portal/versions.py): the earlier wording of a record kept
and readable to those who may see the record, and withdrawal in place of deletion."""

from datetime import date

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from placements import services
from placements.models import LookedAfterReview, PlacementDeadline, PlacementNote
from portal.audit import MASK
from portal.casenotes import NoteKind, note_withdraw
from portal.models import RecordVersion
from portal.roles import Role
from portal.workflow import Refused

from . import factories
from .helpers import form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def placement(ep_household, social_worker):
    child = factories.child(
        social_worker, first_name="Willow", last_name="Hartington", born=date(2025, 2, 20)
    )
    return factories.placement(
        social_worker, ep_household, children=[child], placed_on=date(2025, 3, 3)
    )


def reviews_url(placement):
    return f"/admin/placements/placement/{placement.pk}/change/reviews/"


def notes_url(placement):
    return f"/admin/placements/placement/{placement.pk}/change/notes/"


def test_an_edited_review_keeps_its_earlier_wording_for_those_who_may_see_it(
    placement, client, social_worker, staff_client
):
    review = services.review_record(
        placement=placement,
        held_on=date(2025, 3, 28),
        by=social_worker,
        note="Birth mother did not attend",
    )
    client.force_login(social_worker)
    html = client.get(reviews_url(placement)).content.decode()
    response = client.post(
        reviews_url(placement),
        form_data(html, **{"reviews-0-note": "Birth mother joined by video"}),
    )
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.note == "Birth mother joined by video"
    (version,) = RecordVersion.objects.all()
    assert (version.field, version.text, version.changed_by) == (
        "note",
        "Birth mother did not attend",
        social_worker,
    )
    page = client.get(reviews_url(placement)).content.decode()
    assert "Earlier versions" in page
    assert "Birth mother did not attend" in page
    assert "Sam Worker" in page
    # The audit trail says the note changed, never what it said; its label is no name.
    for entry in LogEntry.objects.get_for_object(review):
        assert "Birth mother" not in f"{entry.object_repr} {entry.changes}"
        assert "Hartington" not in entry.object_repr
    edited = LogEntry.objects.get_for_object(review).filter(action=LogEntry.Action.UPDATE).get()
    assert edited.changes["note"] == [MASK, MASK]
    # A role that may not see placements sees neither the record nor its history.
    refused = staff_client(Role.EVENTS_TEAM).get(reviews_url(placement))
    assert refused.status_code == 403
    assert "Birth mother" not in refused.content.decode()


def test_the_history_column_costs_the_same_queries_for_more_rows(
    placement, client, social_worker, manager
):
    def reviews_page_queries(count_from: int, to: int) -> int:
        for day in range(count_from, to):
            review = services.review_record(
                placement=placement, held_on=date(2025, 4, day), by=social_worker, note="First"
            )
            services.review_update(
                review=review, held_on=review.held_on, by=social_worker, note="Second"
            )
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reviews_url(placement)).status_code == 200
        return len(queries)

    client.force_login(manager)
    assert reviews_page_queries(1, 3) == reviews_page_queries(3, 23)


def test_withdrawing_asks_for_a_reason_in_words_and_is_for_team_managers(
    placement, social_worker, manager
):
    review = services.review_record(placement=placement, held_on=date(2025, 3, 28), by=manager)
    for reason in ("", "   "):
        with pytest.raises(Refused, match="Say in words why this is withdrawn."):
            services.placement_record_withdraw(record=review, reason=reason, by=manager)
    with pytest.raises(Refused, match="at most 500 characters"):
        services.placement_record_withdraw(record=review, reason="x" * 501, by=manager)
    with pytest.raises(PermissionDenied):
        services.placement_record_withdraw(record=review, reason="Wrong child", by=social_worker)
    assert LookedAfterReview.objects.filter(pk=review.pk).exists()
    withdrawn = services.placement_record_withdraw(
        record=review, reason="  Recorded on the wrong child  ", by=manager
    )
    assert (withdrawn.withdrawn_by, withdrawn.withdrawn_reason) == (
        manager,
        "Recorded on the wrong child",
    )
    with pytest.raises(Refused, match="This was already withdrawn on"):
        services.placement_record_withdraw(record=review, reason="Again", by=manager)
    entry = LogEntry.objects.get_for_object(review).latest("timestamp")
    assert entry.additional_data["action"] == "placements.lookedafterreview.withdrawn"
    assert entry.changes["withdrawn_reason"] == ["", MASK]


def test_a_withdrawn_review_leaves_the_clocks_and_the_lists_but_stays_readable(
    placement, client, social_worker, manager
):
    services.review_record(placement=placement, held_on=date(2025, 3, 28), by=social_worker)
    second = services.review_record(
        placement=placement, held_on=date(2025, 6, 20), by=social_worker, note="Plan agreed"
    )
    # The Care Planning Regulations 2010 reg 33: the second review within 3 months of the
    # first, later ones within 6 months. With both: Sat 20 Dec 2025 (20 Jun + 6 months).
    deadline = placement.deadlines.get(kind=PlacementDeadline.Kind.REVIEW)
    assert deadline.due_on == date(2025, 12, 20)
    client.force_login(manager)
    html = client.get(reviews_url(placement)).content.decode()
    withdraw = (
        f"/admin/placements/placement/{placement.pk}/withdraw/"
        f"placements.lookedafterreview/{second.pk}/"
    )
    assert withdraw in html
    assert client.post(withdraw, {"reason": ""}).status_code == 200
    response = client.post(withdraw, {"reason": "Held for another child"})
    assert response.status_code == 302
    # Withdrawn, the second review no longer counts: the second is due 3 months after
    # the first, Fri 28 Mar 2025 + 3 months = Sat 28 Jun 2025.
    deadline = placement.deadlines.get(kind=PlacementDeadline.Kind.REVIEW)
    assert deadline.due_on == date(2025, 6, 28)
    assert list(placement.reviews.values_list("held_on", flat=True)) == [date(2025, 3, 28)]
    assert LookedAfterReview.all_objects.filter(placement=placement).count() == 2
    page = client.get(reviews_url(placement)).content.decode()
    assert 'name="reviews-INITIAL_FORMS" value="1"' in page
    assert "Withdrawn" in page and "Held for another child" in page
    assert "Plan agreed" in page  # its words are kept
    # A social worker may read what was withdrawn but not withdraw anything.
    client.force_login(social_worker)
    page = client.get(reviews_url(placement)).content.decode()
    assert "Held for another child" in page and "/withdraw/" not in page
    assert client.post(withdraw, {"reason": "x"}).status_code == 403


def test_nobody_deletes_a_review_and_a_posted_delete_box_removes_nothing(
    placement, client, manager
):
    review = services.review_record(placement=placement, held_on=date(2025, 3, 28), by=manager)
    client.force_login(manager)
    html = client.get(reviews_url(placement)).content.decode()
    assert 'name="reviews-0-DELETE"' not in html
    client.post(reviews_url(placement), form_data(html, **{"reviews-0-DELETE": "on"}))
    assert LookedAfterReview.objects.filter(pk=review.pk).exists()


def test_a_note_on_the_wrong_case_is_withdrawn_and_its_words_kept(
    placement, client, social_worker, manager
):
    note = services.note_add(
        case=placement,
        kind=NoteKind.CALL,
        happened_on=date(2025, 3, 4),
        text="Spoke to the foster carer about contact",
        by=social_worker,
    )
    client.force_login(manager)
    page = client.get(notes_url(placement)).content.decode()
    url = f"/admin/placements/placement/{placement.pk}/withdraw/placements.placementnote/{note.pk}/"
    assert url in page
    assert client.post(url, {"reason": "Written on the wrong placement"}).status_code == 302
    assert not PlacementNote.objects.exists()
    page = client.get(notes_url(placement)).content.decode()
    assert "Written on the wrong placement" in page
    assert "Spoke to the foster carer about contact" in page
    withdrawn = PlacementNote.all_objects.get()
    assert withdrawn.withdrawn_at <= timezone.now()
    # The note stays a note: withdrawn, not corrected, not deleted.
    assert not LogEntry.objects.get_for_object(note).filter(action=LogEntry.Action.DELETE)


def test_a_record_erased_at_the_end_of_retention_takes_its_versions_with_it(
    placement, social_worker
):
    placement_model = type(placement)
    services.review_record(placement=placement, held_on=date(2025, 3, 28), by=social_worker)
    placement_model.objects.filter(pk=placement.pk).update(outcome_note="First words")
    placement.refresh_from_db()
    placement.outcome_note = "Second words"
    placement.save(update_fields=["outcome_note"])
    assert RecordVersion.objects.get().text == "First words"
    placement.delete()
    assert not RecordVersion.objects.exists()


def test_a_note_whose_correction_was_withdrawn_is_not_corrected_twice(
    placement, social_worker, manager
):
    written = {"kind": NoteKind.CALL, "happened_on": date(2025, 3, 4)}
    note = services.note_add(case=placement, text="First words", by=social_worker, **written)
    correction = services.note_correct(
        note=note, text="Corrected words", by=social_worker, **written
    )
    note_withdraw(note=correction, reason="Corrected the wrong note", by=manager)
    with pytest.raises(Refused, match="correction was withdrawn"):
        services.note_correct(note=note, text="Again", by=social_worker, **written)
