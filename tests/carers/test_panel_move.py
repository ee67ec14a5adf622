"""A household booked for a joint panel moves to another sitting in one step: both tracks
together or neither, refused in words when the sitting cannot be right, audited, written
in the timeline, with the agency decision's deadline following the new date."""

from datetime import timedelta

import pytest
from auditlog.models import LogEntry
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from carers import clocks, services
from carers.models import Deadline, Document, PanelSitting, Stage, StageChange, StatutoryCheck
from portal.models import Notification
from tests.carers import factories as f

pytestmark = pytest.mark.django_db


def _jointly_booked(by, *, sits_on=None, surname="Rivers"):
    """Both tracks booked for the same joint sitting (today, unless ``sits_on``)."""
    today = timezone.localdate()
    household = f.household(by, roi_received_on=today, address_line_1=f"1 {surname} Road")
    f.to_stage(household, Stage.PANEL_BOOKED, by, on=today)
    adoption = f.adoption(household)
    sitting = f.panel(sits_on=sits_on or today)
    if adoption.panel != sitting:
        services.assessment_defer_panel(assessment=adoption, on=today, by=by, note="Later.")
        services.assessment_book_panel(assessment=adoption, panel=sitting, on=today, by=by)
    fostering = f.fostering(household)
    services.assessment_start_form_f(assessment=fostering, on=today, by=by)
    f.upload(household, Document.Kind.FORM_F, by)
    f.report_shared(fostering, by, today)
    services.assessment_book_panel(assessment=fostering, panel=sitting, on=today, by=by)
    return household


def _panels(household):
    return {a.track: a.panel for a in household.assessments.select_related("panel")}


def test_both_tracks_move_together_and_the_decision_deadline_follows(social_worker):
    household = _jointly_booked(social_worker)
    later = f.panel(sits_on=timezone.localdate() + timedelta(days=14))

    services.household_move_panel(
        household=household, to=later, by=social_worker, note="The chair is away."
    )

    assert set(_panels(household).values()) == {later}
    assert {a.stage for a in household.assessments.all()} == {Stage.PANEL_BOOKED}
    due = clocks.agency_decision_due(later.sits_on)
    decisions = Deadline.objects.filter(household=household, kind="agency_decision")
    assert decisions.count() == 2 and {d.due_on for d in decisions} == {due}
    pending = Notification.objects.pending().filter(key__startswith="carers:deadline:")
    assert pending.filter(due_at__date__gt=timezone.localdate()).exists()
    entries = LogEntry.objects.filter(additional_data__action="carers.assessment.panel_moved")
    assert entries.count() == 2
    moves = StageChange.objects.filter(
        assessment__household=household, from_stage=Stage.PANEL_BOOKED
    )
    assert moves.count() == 2
    assert all(str(later) in m.note and "The chair is away." in m.note for m in moves)


@pytest.mark.parametrize(
    "case, expected",
    [
        ("past", "choose a sitting from today on."),
        ("same", "The household is already booked for the Joint adoption and fostering panel"),
        ("full", "is full: it hears 1 household. Choose another sitting."),
        ("adoption only", "The adoption panel does not hear fostering cases."),
        ("check expires", "expired on"),
        ("no reason", "Say why the household moves to another sitting."),
    ],
)
def test_a_move_that_cannot_be_right_is_refused_and_nothing_moves(social_worker, case, expected):
    today = timezone.localdate()
    household = _jointly_booked(social_worker)
    before = _panels(household)
    target = f.panel(sits_on=today + timedelta(days=14))
    note = "The chair is away."
    if case == "past":
        target = PanelSitting.objects.create(
            sits_on=today - timedelta(days=1), kind=PanelSitting.Kind.JOINT
        )
    elif case == "same":
        target = before["adoption"]
    elif case == "full":
        other = _jointly_booked(social_worker, sits_on=target.sits_on, surname="Brook")
        assert set(_panels(other).values()) == {target}
        target.places = 1
        target.save()
    elif case == "adoption only":
        target = f.panel(kind=PanelSitting.Kind.ADOPTION, sits_on=target.sits_on)
    elif case == "check expires":
        StatutoryCheck.objects.filter(household=household).update(expires_on=today + timedelta(1))
    elif case == "no reason":
        note = " "

    with pytest.raises(services.TransitionRefused) as refused:
        services.household_move_panel(household=household, to=target, by=social_worker, note=note)

    assert expected in refused.value.message
    assert _panels(household) == before
    assert not LogEntry.objects.filter(additional_data__action="carers.assessment.panel_moved")


def test_a_full_sitting_takes_no_new_booking(social_worker):
    today = timezone.localdate()
    sitting = f.panel(sits_on=today + timedelta(days=7))
    _jointly_booked(social_worker, sits_on=sitting.sits_on)
    sitting.places = 1
    sitting.save()
    household = f.household(social_worker, roi_received_on=today, address_line_1="2 Brook Road")
    f.to_stage(household, Stage.STAGE_2, social_worker, on=today)
    f.complete_training(household, ["stage_1_decision", "panel"], today)
    f.upload(household, Document.Kind.PAR, social_worker)
    f.report_shared(f.adoption(household), social_worker, today)

    with pytest.raises(services.TransitionRefused) as refused:
        services.assessment_book_panel(
            assessment=f.adoption(household), panel=sitting, on=today, by=social_worker
        )
    assert "is full" in refused.value.message


def test_the_move_page_moves_both_tracks_from_the_household_page(client, social_worker):
    household = _jointly_booked(social_worker)
    later = f.panel(sits_on=timezone.localdate() + timedelta(days=14))
    client.force_login(social_worker)
    page = reverse("admin:carers_household_change", args=[household.pk])
    url = reverse("admin:carers_household_move_panel", args=[household.pk])
    assert f'href="{url}"' in client.get(page).content.decode()
    form = client.get(url).content.decode()
    assert "The adoption track is booked for the" in form
    assert "The fostering track is booked for the" in form
    assert "(1 booked)" in form  # the sitting it is on, with this household

    refused = client.post(url, {"to": later.pk, "note": ""})
    assert "This field is required" in refused.content.decode()
    done = client.post(url, {"to": later.pk, "note": "The chair is away."})

    assert done.status_code == 302 and done["Location"] == page
    assert set(_panels(household).values()) == {later}
    timeline = reverse("admin:carers_household_section", args=[household.pk, "timeline"])
    assert "The chair is away." in client.get(timeline).content.decode()


def test_a_household_not_booked_offers_no_move(client, social_worker):
    household = f.household(social_worker)
    client.force_login(social_worker)
    url = reverse("admin:carers_household_move_panel", args=[household.pk])
    page = client.get(reverse("admin:carers_household_change", args=[household.pk]))
    assert url not in page.content.decode()
    later = f.panel(sits_on=timezone.localdate() + timedelta(days=14))
    response = client.post(url, {"to": later.pk, "note": "Why not."})
    assert "No track of this household is booked for panel." in response.content.decode()


def test_the_move_page_reads_as_many_queries_with_ten_times_the_sittings(client, social_worker):
    household = _jointly_booked(social_worker)
    client.force_login(social_worker)
    url = reverse("admin:carers_household_move_panel", args=[household.pk])
    today = timezone.localdate()
    counts = []
    for already, wanted in ((0, 2), (2, 20)):
        PanelSitting.objects.bulk_create(
            PanelSitting(sits_on=today + timedelta(days=7 * (n + 1)), kind=PanelSitting.Kind.JOINT)
            for n in range(already, wanted)
        )
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            html = client.get(url).content.decode()
        assert html.count("<option") >= wanted
        counts.append(len(queries))
    assert counts[0] == counts[1]
