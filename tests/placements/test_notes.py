"""Case notes on a child and on a placement: dated from the day each case began, written
once, corrected by a new note on the same case."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from placements import services
from placements.models import ChildNote, PlacementNote
from portal.casenotes import NoteKind
from portal.roles import Role
from portal.workflow import Refused

from . import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def placement(ep_household, social_worker):
    return factories.placement(social_worker, ep_household, placed_on=date(2025, 3, 3))


def note(case, by, **fields):
    values = {"kind": NoteKind.VISIT, "happened_on": timezone.localdate(), "text": "Visited."}
    values.update(fields)
    return services.note_add(case=case, by=by, **values)


def test_a_placement_note_is_dated_from_the_day_the_child_was_placed(placement, social_worker):
    added = note(placement, social_worker, happened_on=date(2025, 3, 3))
    assert isinstance(added, PlacementNote) and added.placement == placement
    with pytest.raises(Refused, match=r"cannot be before the day the child was placed \(3 March"):
        note(placement, social_worker, happened_on=date(2025, 3, 2))
    with pytest.raises(Refused, match="cannot be in the future"):
        note(placement, social_worker, happened_on=timezone.localdate() + timedelta(days=1))
    assert PlacementNote.objects.count() == 1


def test_a_child_note_is_dated_from_when_the_child_entered_care(social_worker):
    child = factories.child(social_worker, born=date(2025, 1, 5), entered_care_on=date(2025, 1, 6))
    added = note(child, social_worker, happened_on=date(2025, 1, 6), kind=NoteKind.MEETING)
    assert isinstance(added, ChildNote) and added.child == child
    with pytest.raises(Refused, match="before the day the child's case began"):
        note(child, social_worker, happened_on=date(2025, 1, 5))


def test_a_child_correction_stays_on_the_child_and_keeps_the_original(social_worker, manager):
    child = factories.child(social_worker)
    original = note(child, social_worker, text="Met the birth mother.")
    correction = services.note_correct(
        note=original,
        kind=NoteKind.MANAGEMENT_OVERSIGHT,
        happened_on=original.happened_on,
        text="Plan reviewed with the team manager.",
        by=manager,
    )
    assert correction.child == child and correction.is_management_oversight
    assert ChildNote.objects.get(pk=original.pk).text == "Met the birth mother."


def test_the_placement_page_adds_a_note_through_the_staff_form_page(
    client, placement, social_worker
):
    client.force_login(social_worker)
    change = reverse("admin:placements_placement_section", args=[placement.pk, "notes"])
    add = reverse("admin:placements_placement_note_add", args=[placement.pk])
    assert f'href="{add}"' in client.get(change).content.decode()
    refused = client.post(add, {"kind": "call", "happened_on": "2025-03-01", "text": "Too early."})
    assert refused.status_code == 200 and "staff-error-summary" in refused.content.decode()
    assert not PlacementNote.objects.exists()
    done = client.post(add, {"kind": "call", "happened_on": "2025-03-04", "text": "Settled."})
    assert done.status_code == 302 and done["Location"] == change
    html = client.get(change).content.decode()
    assert "Settled." in html and "Correct this note" in html


def test_the_child_page_adds_and_corrects_a_note(client, social_worker):
    child = factories.child(social_worker, social_worker=social_worker)
    client.force_login(social_worker)
    add = reverse("admin:placements_child_note_add", args=[child.pk])
    today = timezone.localdate().isoformat()
    assert (
        client.post(add, {"kind": "email", "happened_on": today, "text": "Sent."}).status_code
        == 302
    )
    first = ChildNote.objects.get()
    correct = reverse("admin:placements_child_note_correct", args=[child.pk, first.pk])
    assert (
        client.post(
            correct, {"kind": "email", "happened_on": today, "text": "Sent twice."}
        ).status_code
        == 302
    )
    assert ChildNote.objects.get(corrects=first).text == "Sent twice."
    # A note of another case is not found through this child.
    other = factories.child(social_worker, social_worker=social_worker)
    wrong = reverse("admin:placements_child_note_correct", args=[other.pk, first.pk])
    assert client.get(wrong).status_code == 404


def test_roles_without_casework_cannot_add_placement_notes(client, make_staff, placement):
    add = reverse("admin:placements_placement_note_add", args=[placement.pk])
    for role in (Role.EVENTS_TEAM, Role.RECRUITMENT_TEAM, Role.CONTENT_EDITORS):
        client.force_login(make_staff(role))
        assert client.post(add, {"kind": "call", "text": "x"}).status_code == 403
    assert not PlacementNote.objects.exists()
