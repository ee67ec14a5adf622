"""Case notes on a household: written once, dated when it happened, corrected by a new
note that keeps the old wording, management oversight only from team managers."""

from datetime import timedelta

import pytest
from auditlog.models import LogEntry
from django.contrib import admin
from django.urls import reverse
from django.utils import timezone

from carers import services
from carers.admin.inlines import HouseholdNoteInline
from carers.models import Household, HouseholdNote
from portal.audit import MASK
from portal.casenotes import NoteKind
from portal.roles import Role
from portal.workflow import Refused
from tests.carers import factories as f

pytestmark = pytest.mark.django_db


def add(household, by, **fields):
    values = {
        "kind": NoteKind.CALL,
        "happened_on": timezone.localdate(),
        "text": "Spoke to both applicants about the training dates.",
    }
    values.update(fields)
    return services.note_add(case=household, by=by, **values)


# -- the service ------------------------------------------------------------------------


def test_a_note_may_be_back_dated_to_the_day_the_case_began(social_worker):
    today = timezone.localdate()
    household = f.household(social_worker, roi_received_on=today - timedelta(days=30))
    note = add(household, social_worker, happened_on=today - timedelta(days=30))
    assert note.household == household and note.written_by == social_worker
    assert not note.is_management_oversight
    assert add(household, social_worker, happened_on=today).happened_on == today


def test_a_note_dated_in_the_future_is_refused(social_worker):
    household = f.household(social_worker)
    with pytest.raises(Refused, match="The date cannot be in the future."):
        add(household, social_worker, happened_on=timezone.localdate() + timedelta(days=1))
    assert not HouseholdNote.objects.exists()


def test_a_note_dated_before_the_case_began_is_refused(social_worker):
    today = timezone.localdate()
    household = f.household(social_worker, roi_received_on=today - timedelta(days=10))
    with pytest.raises(Refused, match="cannot be before the day the household's case began"):
        add(household, social_worker, happened_on=today - timedelta(days=11))
    assert not HouseholdNote.objects.exists()


def test_an_empty_note_is_refused(social_worker):
    household = f.household(social_worker)
    with pytest.raises(Refused, match="Write the note."):
        add(household, social_worker, text="   ")


def test_only_team_managers_write_management_oversight(social_worker, manager, make_staff):
    household = f.household(social_worker)
    with pytest.raises(Refused, match="Only team managers write management oversight notes."):
        add(household, social_worker, kind=NoteKind.MANAGEMENT_OVERSIGHT)
    superuser = make_staff(superuser=True)
    with pytest.raises(Refused, match="Only team managers"):
        add(household, superuser, kind=NoteKind.MANAGEMENT_OVERSIGHT)
    note = add(household, manager, kind=NoteKind.MANAGEMENT_OVERSIGHT, text="Agreed the plan.")
    assert note.is_management_oversight
    # A team manager's ordinary note is not oversight.
    assert not add(household, manager, kind=NoteKind.MEETING).is_management_oversight


def test_a_correction_keeps_the_original_words_unchanged(social_worker):
    household = f.household(social_worker)
    original = add(household, social_worker, text="Visited on Tuesday.")
    written_at = original.written_at
    correction = services.note_correct(
        note=original,
        kind=NoteKind.VISIT,
        happened_on=original.happened_on,
        text="Visited on Wednesday.",
        by=social_worker,
    )
    original.refresh_from_db()
    assert original.text == "Visited on Tuesday." and original.written_at == written_at
    assert original.kind == NoteKind.CALL
    assert correction.corrects == original and correction.household == household
    assert HouseholdNote.objects.filter(household=household).count() == 2


def test_a_note_is_corrected_once_and_its_correction_may_be_corrected(social_worker):
    household = f.household(social_worker)
    original = add(household, social_worker)
    kwargs = {"kind": NoteKind.CALL, "happened_on": original.happened_on, "by": social_worker}
    first = services.note_correct(note=original, text="Second wording.", **kwargs)
    with pytest.raises(Refused, match="correct its latest correction instead"):
        services.note_correct(note=original, text="Third wording.", **kwargs)
    second = services.note_correct(note=first, text="Third wording.", **kwargs)
    assert second.corrects == first
    assert [n.text for n in HouseholdNote.objects.order_by("pk")] == [
        "Spoke to both applicants about the training dates.",
        "Second wording.",
        "Third wording.",
    ]


def test_a_social_worker_cannot_correct_oversight_into_their_own_oversight(social_worker, manager):
    household = f.household(social_worker)
    note = add(household, manager, kind=NoteKind.MANAGEMENT_OVERSIGHT)
    with pytest.raises(Refused, match="Only team managers"):
        services.note_correct(
            note=note,
            kind=NoteKind.MANAGEMENT_OVERSIGHT,
            happened_on=note.happened_on,
            text="Changed.",
            by=social_worker,
        )


def test_the_audit_trail_names_the_note_and_hides_its_words(social_worker):
    household = f.household(social_worker)
    note = add(household, social_worker, text="Private words about the family.")
    entry = LogEntry.objects.get_for_object(note).get()
    assert entry.additional_data == {"action": "carers.householdnote.added"}
    assert entry.changes_dict["text"][1] == MASK
    assert "Private words" not in str(entry.changes)


# -- the household page and the one staff form page -------------------------------------


def change_url(household):
    """The household page's section that lists its notes."""
    return reverse("admin:carers_household_section", args=[household.pk, "timeline"])


def add_url(household):
    return reverse("admin:carers_household_note_add", args=[household.pk])


def test_the_household_page_lists_notes_newest_first_with_corrections_beside_them(
    client, social_worker
):
    household = f.household(social_worker)
    today = timezone.localdate()
    older = add(household, social_worker, text="The older note.", happened_on=today)
    services.note_correct(
        note=older, kind=NoteKind.CALL, happened_on=today, text="Put right.", by=social_worker
    )
    client.force_login(social_worker)
    html = client.get(change_url(household)).content.decode()
    assert f'href="{add_url(household)}"' in html
    assert html.index("Put right.") < html.index("Corrects the note of")
    assert "Corrected by the note written" in html
    # Read-only: no input of the note table, no delete box.
    assert 'name="notes-0-text"' not in html and "notes-0-DELETE" not in html


def test_a_note_is_added_through_the_staff_form_page(client, social_worker):
    household = f.household(social_worker)
    client.force_login(social_worker)
    assert client.get(add_url(household)).status_code == 200
    response = client.post(
        add_url(household),
        {"kind": "visit", "happened_on": timezone.localdate().isoformat(), "text": "Home visit."},
    )
    assert response.status_code == 302 and response["Location"] == change_url(household)
    note = HouseholdNote.objects.get()
    assert (note.kind, note.text, note.written_by) == ("visit", "Home visit.", social_worker)


def test_a_refused_note_shows_the_error_summary_and_saves_nothing(client, social_worker):
    household = f.household(social_worker)
    client.force_login(social_worker)
    for data, words in (
        ({"kind": "management_oversight"}, "Only team managers write management oversight"),
        (
            {"happened_on": (timezone.localdate() + timedelta(days=2)).isoformat()},
            "The date cannot be in the future.",
        ),
    ):
        post = {"kind": "call", "happened_on": timezone.localdate().isoformat(), "text": "x"}
        post.update(data)
        response = client.post(add_url(household), post)
        assert response.status_code == 200
        html = response.content.decode()
        assert "staff-error-summary" in html and words in html
    assert not HouseholdNote.objects.exists()


def test_a_note_is_corrected_through_the_staff_form_page(client, manager, social_worker):
    household = f.household(social_worker)
    note = add(household, social_worker, text="First words.")
    url = reverse("admin:carers_household_note_correct", args=[household.pk, note.pk])
    client.force_login(manager)
    page = client.get(url)
    assert page.status_code == 200 and "First words." in page.content.decode()
    response = client.post(
        url,
        {
            "kind": "management_oversight",
            "happened_on": note.happened_on.isoformat(),
            "text": "Words put right.",
        },
    )
    assert response.status_code == 302
    correction = HouseholdNote.objects.get(corrects=note)
    assert correction.is_management_oversight and correction.text == "Words put right."
    assert HouseholdNote.objects.get(pk=note.pk).text == "First words."


def test_other_roles_cannot_add_or_see_notes(client, make_staff, social_worker):
    household = f.household(social_worker)
    note = add(household, social_worker)
    correct = reverse("admin:carers_household_note_correct", args=[household.pk, note.pk])
    for role in (Role.EVENTS_TEAM, Role.RECRUITMENT_TEAM, Role.CONTENT_EDITORS):
        client.force_login(make_staff(role))
        assert client.get(add_url(household)).status_code == 403
        assert client.post(correct, {"kind": "call", "text": "x"}).status_code == 403
    assert HouseholdNote.objects.count() == 1


def test_no_one_may_change_or_delete_a_note(make_staff):
    superuser = make_staff(superuser=True)
    inline = HouseholdNoteInline(Household, admin.site)

    class Request:
        user = superuser

    assert not inline.has_add_permission(Request())
    assert not inline.has_change_permission(Request())
    assert not inline.has_delete_permission(Request())
    for role in Role.ALL:
        granted = make_staff(role)
        assert not granted.has_perm("carers.change_householdnote")
        assert not granted.has_perm("carers.delete_householdnote")
