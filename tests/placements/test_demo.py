"""seed_demo's placements: both routes, every outcome, open clocks; safe to run twice."""

import io
from datetime import timedelta

import pytest

from carers.models import Household
from placements import demo
from placements.measures import ep_measures
from placements.models import (
    Child,
    ChildProfessional,
    CourtOrder,
    Duty,
    HealthAssessment,
    Placement,
    PlacementDeadline,
    ProceedingsExtension,
    Professional,
    TemporaryApproval,
)
from portal.demo import DEMO_COLLEAGUES, demo_email
from portal.roles import Role

pytestmark = pytest.mark.django_db


def test_the_demo_has_both_routes_every_outcome_and_is_idempotent(make_staff):
    make_staff(Role.SOCIAL_WORKERS, email=demo_email(Role.SOCIAL_WORKERS), first_name="Sam")
    make_staff(Role.TEAM_MANAGERS, email=demo_email(Role.TEAM_MANAGERS), first_name="Morgan")
    out = io.StringIO()
    demo.seed(stdout=out)
    placements = Placement.objects.all()
    assert set(placements.values_list("route", flat=True)) == set(Placement.Route.values)
    assert set(placements.exclude(outcome="").values_list("outcome", flat=True)) == set(
        Placement.Outcome.values
    )
    assert placements.filter(status=Placement.Status.FOSTERING).exists()
    assert placements.filter(status=Placement.Status.PLACED_FOR_ADOPTION).exists()
    assert TemporaryApproval.objects.exists()
    assert PlacementDeadline.objects.filter(kind=PlacementDeadline.Kind.PROCEEDINGS).exists()
    # Children waiting: one born, one not yet born.
    waiting = Child.objects.exclude(placement_links__isnull=False)
    assert waiting.filter(date_of_birth__isnull=True).count() == 1
    assert waiting.filter(date_of_birth__isnull=False).count() == 1
    figures = ep_measures()
    assert figures.placement_to_order[None].count == 3
    counts = (Placement.objects.count(), Child.objects.count())
    demo.seed(stdout=out)
    assert (Placement.objects.count(), Child.objects.count()) == counts
    assert "already there" in out.getvalue()


def test_without_demo_staff_the_demo_adds_nothing():
    out = io.StringIO()
    demo.seed(stdout=out)
    assert not Placement.objects.exists()
    assert "no demo staff" in out.getvalue()


def test_the_demo_shows_the_child_centred_records(make_staff):
    make_staff(Role.SOCIAL_WORKERS, email=demo_email(Role.SOCIAL_WORKERS), first_name="Sam")
    make_staff(Role.TEAM_MANAGERS, email=demo_email(Role.TEAM_MANAGERS), first_name="Morgan")
    colleague = make_staff(Role.SOCIAL_WORKERS, email=DEMO_COLLEAGUES[0][0], first_name="Riley")
    out = io.StringIO()
    demo.seed(stdout=out)
    Kind = PlacementDeadline.Kind
    reviews = PlacementDeadline.objects.filter(kind=Kind.REVIEW)
    # Each regime in an open placement: the CPPCR review while fostering, the AAR reg 36
    # adoption review once placed for adoption.
    assert reviews.filter(
        placement__status=Placement.Status.FOSTERING, label__contains="looked-after child review"
    ).exists()
    assert reviews.filter(
        placement__status=Placement.Status.PLACED_FOR_ADOPTION,
        label__contains="adoption review",
    ).exists()

    # A relinquished baby placed for adoption on the mother's consent: no order, no
    # proceedings; her written agreement before six weeks, her consent from six weeks.
    baby = Child.objects.get(looked_after_basis=Child.LookedAfterBasis.RELINQUISHED)
    placement = Placement.objects.get(placement_children__child=baby)
    six_weeks = baby.date_of_birth + timedelta(days=42)
    assert placement.status == Placement.Status.PLACED_FOR_ADOPTION
    assert placement.adoption_notice_on is not None
    assert baby.entered_care_on == baby.date_of_birth
    assert placement.placed_on < six_weeks
    assert not CourtOrder.objects.filter(child=baby).exists()
    assert not baby.proceedings.exists()
    consent = baby.consents.get()
    assert consent.parent == "mother"
    assert consent.agreed_in_writing_on < six_weeks <= consent.witnessed_on
    assert consent.to_placement and consent.cafcass_officer
    assert baby.should_be_placed_on <= placement.placed_for_adoption_on
    assert consent.witnessed_on <= placement.placed_for_adoption_on

    # The extension was granted after the 26 weeks had ended.
    extension = ProceedingsExtension.objects.get()
    assert extension.granted_on > extension.proceedings.target_on

    # Chase items for the placing authority's duties; the agency's own duties remind the
    # child's own worker here, not the carers' one.
    assert PlacementDeadline.objects.filter(duty=Duty.PLACING_AUTHORITY).exists()
    agency = PlacementDeadline.objects.filter(duty=Duty.AGENCY)
    assert set(agency.values_list("kind", flat=True)) == {Kind.REVIEW, Kind.VISIT}
    assert set(agency.values_list("worker", flat=True)) == {colleague.pk}
    assert agency.first().child.social_worker == colleague

    # Health assessments: an initial assessment still due, a review assessment due.
    assert HealthAssessment.objects.filter(kind=HealthAssessment.Kind.INITIAL).count() == 3
    kinds = set(PlacementDeadline.objects.values_list("kind", flat=True))
    assert {Kind.INITIAL_HEALTH, Kind.REVIEW_HEALTH} <= kinds

    # People around the children, among them a children's guardian from Cafcass.
    links = ChildProfessional.objects.all()
    assert links.filter(professional__role=Professional.Role.CHILD_SOCIAL_WORKER).exists()
    assert links.filter(professional__role=Professional.Role.IRO).exists()
    assert links.filter(
        professional__role=Professional.Role.GUARDIAN,
        professional__organisation="Cafcass",
        professional__local_authority__isnull=True,
    ).exists()
    assert "on the mother's consent" in out.getvalue()


def test_the_demo_refers_an_unborn_baby_with_carers_who_fit_and_carers_who_do_not(make_staff):
    from django.utils import timezone

    from placements.models import Referral
    from placements.selectors.linking import linking_for

    make_staff(Role.SOCIAL_WORKERS, email=demo_email(Role.SOCIAL_WORKERS), first_name="Sam")
    make_staff(Role.TEAM_MANAGERS, email=demo_email(Role.TEAM_MANAGERS), first_name="Morgan")
    demo.seed(stdout=io.StringIO())
    referral = Referral.objects.get()
    assert referral.child.date_of_birth is None
    page = linking_for(referral=referral, today=timezone.localdate())

    def surname(row):
        return Household.objects.get(pk=row.household.pk).applicants.first().last_name

    assert [surname(row) for row in page.fitting] == [
        "Ashworth",
        "Dunmore",
    ]
    reasons = {surname(row): row.left_out_because[0].split(":")[0] for row in page.left_out}
    assert reasons == {
        "Bexley": "On hold",
        "Carrow": "Route",
        "Ellery": "Route",
        "Fairlie": "Travel",
    }
