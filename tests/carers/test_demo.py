import pytest
from django.core.management import call_command
from django.utils import timezone

from carers.demo import HOUSEHOLDS
from carers.models import Assessment, Deadline, Household, Stage

pytestmark = pytest.mark.django_db


def test_seed_demo_adds_households_at_every_stage_once(settings, tmp_path):
    settings.DEBUG = True
    call_command("seed_demo")
    emails = [
        f"{names[0].lower()}.{surname.lower()}@demo.example" for surname, names, *_ in HOUSEHOLDS
    ]
    # Other apps' demos (placements) add households of their own through the same services.
    ours = Household.objects.filter(applicants__email__in=emails)
    first = ours.count()
    call_command("seed_demo")
    assert ours.count() == first == len(HOUSEHOLDS) == 13
    assessments = Assessment.objects.filter(household__in=ours)
    adoption = set(assessments.filter(track="adoption").values_list("stage", flat=True))
    assert adoption >= {
        Stage.ROI_RECEIVED,
        Stage.ROI_ACCEPTED,
        Stage.STAGE_1,
        Stage.PAUSED,
        Stage.STAGE_2,
        Stage.PANEL_BOOKED,
        Stage.PANEL_RECOMMENDED,
        Stage.APPROVED,
        Stage.WITHDRAWN,
    }
    fostering = set(assessments.filter(track="fostering").values_list("stage", flat=True))
    assert {Stage.FORM_F, Stage.APPROVED, Stage.NOT_STARTED} <= fostering
    assert ours.approved_for_early_permanence().count() == 1
    assert ours.approved_adopters().count() == 2
    overdue = Deadline.objects.filter(household__in=ours, due_on__lt=timezone.localdate())
    assert set(overdue.values_list("kind", flat=True)) >= {
        "roi_decision",
        "stage_1",
        "agency_decision",
    }
    # Two workers of one team hold the demo caseloads (portal.access).
    assert {h.social_worker.email for h in ours} == {
        "social.worker@oakway.example",
        "second.worker@oakway.example",
    }
    # One fast-tracked household, at Stage 2 without a Stage 1; an adopter approval in months.
    fast = ours.exclude(fast_track_basis="").get()
    assert (fast.adoption.stage, fast.adoption.stage_1_started_on) == (Stage.STAGE_2, None)
    assert assessments.filter(track="adoption", approved_ages_in="months").exists()


def test_without_demo_staff_there_are_no_demo_households(settings):
    settings.DEBUG = False
    call_command("seed_demo")
    assert not Household.objects.exists()


def test_demo_panels_sit_on_working_days():
    from datetime import date

    from carers.demo import _sitting_day

    # Boxing Day 2026 is a Saturday: its bank holiday is Monday 28 December.
    assert _sitting_day(date(2026, 12, 28)) == date(2026, 12, 29)
    # New Year's Day 2027 is a Friday: the next working day is Monday 4 January.
    assert _sitting_day(date(2027, 1, 1)) == date(2027, 1, 4)
    assert _sitting_day(date(2026, 11, 30)) == date(2026, 11, 30)
