"""The child at the centre, through the services: the authority to place (a placement
order, the parents' consent, or a baby's written agreement), the clocks of each child of a
placement and whose duty each is, reviews that follow the child, health assessments and
proceedings shared by brothers and sisters. Every expected date is worked out by hand."""

from datetime import date

import pytest

from placements import selectors, services
from placements.models import (
    CourtOrder,
    Duty,
    HealthAssessment,
    ParentConsent,
    PlacementDeadline,
)
from portal.roles import Role

from . import factories

pytestmark = pytest.mark.django_db
Kind = PlacementDeadline.Kind
Mother, Father = ParentConsent.Parent.MOTHER, ParentConsent.Parent.FATHER


def _deadline(placement, kind, child):
    return placement.deadlines.get(kind=kind, child=child)


def _baby(social_worker, **fields):
    # Born Saturday 1 February 2025; six weeks later is Saturday 15 March 2025.
    fields.setdefault("social_worker", social_worker)  # theirs to open (portal.access)
    return factories.child(social_worker, born=date(2025, 2, 1), **fields)


def _consent(child, by, *, parent=Mother, witnessed_on, **fields):
    return services.consent_record(
        child=child,
        by=by,
        parent=parent,
        cafcass_officer="A. Officer",
        witnessed_on=witnessed_on,
        **fields,
    )


# -- consent: the six weeks and what each consent allows -----------------------------------


def test_a_mothers_consent_five_weeks_after_the_birth_is_refused(social_worker):
    baby = _baby(social_worker)
    # 1 Feb + 5 weeks = Sat 8 Mar 2025: less than six weeks after the birth.
    with pytest.raises(services.TransitionRefused) as refused:
        _consent(baby, social_worker, witnessed_on=date(2025, 3, 8))
    assert "six weeks old (on 15 March 2025)" in refused.value.message
    assert "section 52(3)" in refused.value.message
    # Advance consent to the adoption order is refused the same way (s52(2)(b), (3)).
    with pytest.raises(services.TransitionRefused):
        _consent(
            baby,
            social_worker,
            witnessed_on=date(2025, 3, 14),
            to_placement=False,
            to_adoption_order=True,
        )
    assert not ParentConsent.objects.exists()


def test_a_mothers_consent_on_the_day_the_baby_is_six_weeks_old_counts(social_worker):
    baby = _baby(social_worker)
    consent = _consent(baby, social_worker, witnessed_on=date(2025, 3, 15))
    assert consent.pk
    # A father's consent is not limited by the six weeks.
    assert _consent(baby, social_worker, parent=Father, witnessed_on=date(2025, 3, 1)).pk


def test_consent_needs_a_cafcass_witness_and_cannot_be_withdrawn_before_it_was_given(
    social_worker,
):
    baby = _baby(social_worker)
    with pytest.raises(services.TransitionRefused) as refused:
        services.consent_record(
            child=baby, by=social_worker, parent=Mother, witnessed_on=date(2025, 4, 1)
        )
    assert "Cafcass officer" in refused.value.message
    with pytest.raises(services.TransitionRefused) as refused:
        _consent(baby, social_worker, witnessed_on=date(2025, 4, 1), withdrawn_on=date(2025, 3, 31))
    assert "withdrawn before it was given" in refused.value.message


def _fostering(social_worker, household, child, *, placed_on=date(2025, 3, 3)):
    return factories.placement(social_worker, household, children=[child], placed_on=placed_on)


def test_placed_for_adoption_on_consent_without_a_placement_order(social_worker, ep_household):
    """s19: the agency decided the child should be placed (AAR reg 19) and the mother,
    the only parent with parental responsibility, consented; no placement order."""
    baby = _baby(social_worker)
    placement = _fostering(social_worker, ep_household, baby)
    baby.should_be_placed_on = date(2025, 3, 10)
    services.child_update(child=baby, by=social_worker)
    _consent(baby, social_worker, witnessed_on=date(2025, 3, 17))
    # A father without parental responsibility: his consent is not needed.
    services.consent_record(
        child=baby,
        by=social_worker,
        parent=Father,
        has_parental_responsibility=False,
        agreed_in_writing_on=date(2025, 2, 20),
        to_placement=False,
    )
    assert not CourtOrder.objects.filter(child=baby, kind=CourtOrder.Kind.PLACEMENT_ORDER)
    services.placement_place_for_adoption(
        placement=placement, on=date(2025, 3, 24), notice_on=date(2025, 3, 24), by=social_worker
    )
    placement.refresh_from_db()
    assert placement.status == "placed_for_adoption"
    # AAR reg 36: the first review within 4 weeks of Mon 24 Mar 2025 is Mon 21 Apr 2025
    # (Easter Monday: a calendar date, not a working day count).
    assert _deadline(placement, Kind.REVIEW, baby).due_on == date(2025, 4, 21)
    # Weekly visits: the first within a week, Mon 31 Mar 2025.
    assert _deadline(placement, Kind.VISIT, baby).due_on == date(2025, 3, 31)


def test_placing_for_adoption_is_refused_without_an_authority_to_place(social_worker, ep_household):
    baby = _baby(social_worker)
    placement = _fostering(social_worker, ep_household, baby)
    with pytest.raises(services.TransitionRefused) as refused:
        services.placement_place_for_adoption(
            placement=placement,
            on=date(2025, 3, 24),
            notice_on=date(2025, 3, 24),
            by=social_worker,
        )
    message = refused.value.message
    assert "has no placement order made by 24 March 2025" in message
    assert "reg 19" in message
    assert "birth mother's consent (s19)" in message
    # Consent given, then withdrawn before the day: still refused.
    baby.should_be_placed_on = date(2025, 3, 10)
    services.child_update(child=baby, by=social_worker)
    _consent(baby, social_worker, witnessed_on=date(2025, 3, 17), withdrawn_on=date(2025, 3, 20))
    with pytest.raises(services.TransitionRefused) as refused:
        services.placement_place_for_adoption(
            placement=placement,
            on=date(2025, 3, 24),
            notice_on=date(2025, 3, 24),
            by=social_worker,
        )
    assert "withdrawn on 20 March 2025" in refused.value.message


def test_a_baby_under_six_weeks_is_placed_on_the_mothers_written_agreement(
    social_worker, ep_household
):
    """s18(1) and AAR reg 35(4): under six weeks old, the parent's written agreement."""
    baby = _baby(social_worker, should_be_placed_on=date(2025, 2, 10))
    placement = _fostering(social_worker, ep_household, baby, placed_on=date(2025, 2, 5))
    services.consent_record(
        child=baby,
        by=social_worker,
        parent=Mother,
        agreed_in_writing_on=date(2025, 2, 12),
        to_placement=False,
    )
    authority = services.authority_to_place(child=baby, on=date(2025, 2, 20))
    assert authority.allowed, authority.problems
    assert "written agreement" in authority.basis
    # From six weeks (Sat 15 Mar 2025) the agreement no longer authorises placing.
    assert not services.authority_to_place(child=baby, on=date(2025, 3, 15)).allowed
    services.placement_place_for_adoption(
        placement=placement, on=date(2025, 2, 20), notice_on=date(2025, 2, 20), by=social_worker
    )
    # From six weeks (Sat 15 Mar 2025) consent or a placement order must authorise leaving
    # the baby with the carers (s18(1)): a deadline that day, cleared by the consent.
    events = [e["what"] for e in selectors.legal_timeline(children=[baby])]
    assert "Birth mother: written agreement to placement (AAR reg 35(4))" in events
    needed = _deadline(placement, Kind.AUTHORITY, baby)
    assert needed.due_on == date(2025, 3, 15)
    assert needed.duty == Duty.PLACING_AUTHORITY
    _consent(baby, social_worker, witnessed_on=date(2025, 3, 15))
    assert not placement.deadlines.filter(kind=Kind.AUTHORITY).exists()


def test_the_written_notice_date_is_required(social_worker, ep_household):
    baby = _baby(social_worker)
    placement = _fostering(social_worker, ep_household, baby)
    services.court_order_record(
        placement=placement,
        children=[baby],
        kind=CourtOrder.Kind.PLACEMENT_ORDER,
        made_on=date(2025, 3, 20),
        by=social_worker,
    )
    with pytest.raises(services.TransitionRefused) as refused:
        services.placement_place_for_adoption(
            placement=placement, on=date(2025, 3, 24), by=social_worker
        )
    assert "reg 35(5)" in refused.value.message


# -- each child's clocks, and whose duty each is ----------------------------------------------


def test_siblings_reviews_run_from_the_day_each_became_looked_after(social_worker, ep_household):
    """CPPCR reg 33(1): Mon 3 Mar 2025 + 20 working days is Mon 31 Mar 2025. From Tue 8 Apr
    2025: 9-11 Apr (3), 14-17 Apr (7), Good Friday 18 and Easter Monday 21 Apr skipped,
    22-25 Apr (11), 28 Apr-2 May (16), the early May bank holiday 5 May skipped, 6-9 May
    (20): Fri 9 May 2025."""
    older = factories.child(social_worker, born=date(2024, 6, 1), entered_care_on=date(2025, 3, 3))
    younger = factories.child(
        social_worker, born=date(2025, 4, 1), entered_care_on=date(2025, 4, 8)
    )
    placement = factories.placement(
        social_worker, ep_household, children=[older, younger], placed_on=date(2025, 4, 10)
    )
    assert _deadline(placement, Kind.REVIEW, older).due_on == date(2025, 3, 31)
    assert _deadline(placement, Kind.REVIEW, younger).due_on == date(2025, 5, 9)
    # The initial health assessment falls on the same days (statutory guidance, 2015).
    assert _deadline(placement, Kind.INITIAL_HEALTH, older).due_on == date(2025, 3, 31)


def test_a_review_held_in_an_earlier_placement_counts(social_worker, ep_household):
    child = factories.child(social_worker, born=date(2024, 9, 2), entered_care_on=date(2024, 9, 2))
    first = factories.placement(
        social_worker, ep_household, children=[child], placed_on=date(2025, 3, 3)
    )
    services.review_record(
        placement=first, child=child, held_on=date(2025, 3, 10), by=social_worker
    )
    services.placement_end_other(
        placement=first, on=date(2025, 4, 1), by=social_worker, note="Carers moved away."
    )
    second = factories.placement(
        social_worker, ep_household, children=[child], placed_on=date(2025, 4, 2)
    )
    # Second review within 3 months of Mon 10 Mar 2025: Tue 10 Jun 2025.
    assert _deadline(second, Kind.REVIEW, child).due_on == date(2025, 6, 10)
    # A visit within one week of the start of this placement (CPPCR reg 28(2)(a)).
    assert _deadline(second, Kind.VISIT, child).due_on == date(2025, 4, 9)


def test_duties_the_placing_authority_holds_are_chased_by_the_carers_worker(
    social_worker, ep_household, make_staff
):
    childs_worker = make_staff(
        Role.SOCIAL_WORKERS, first_name="Chris", email="chris@oakway.example"
    )
    chased = factories.child(social_worker, born=date(2025, 3, 1))
    owned = factories.child(
        social_worker,
        born=date(2025, 3, 1),
        reviews_duty=Duty.AGENCY,
        social_worker=childs_worker,
    )
    placement = factories.placement(
        social_worker, ep_household, children=[chased, owned], placed_on=date(2025, 3, 3)
    )
    review = _deadline(placement, Kind.REVIEW, chased)
    assert review.duty == Duty.PLACING_AUTHORITY
    assert review.worker == social_worker
    assert review.label.startswith(f"{chased.reference}: Confirm with the placing authority")
    own = _deadline(placement, Kind.REVIEW, owned)
    assert (own.duty, own.worker, own.reminded_to) == (
        Duty.AGENCY,
        childs_worker,
        "chris@oakway.example",
    )
    assert own.label == f"{owned.reference}: First looked-after child review"
    # The visits are still the placing authority's: chased by the carers' worker.
    assert _deadline(placement, Kind.VISIT, owned).worker == social_worker
    # Handing the reviews back to the placing authority moves the reminder at once.
    owned.reviews_duty = Duty.PLACING_AUTHORITY
    services.child_update(child=owned, by=social_worker)
    assert _deadline(placement, Kind.REVIEW, owned).worker == social_worker


def test_health_assessments_move_the_health_clock(social_worker, ep_household):
    child = factories.child(social_worker, born=date(2024, 9, 2), entered_care_on=date(2025, 3, 3))
    placement = _fostering(social_worker, ep_household, child)
    services.health_assessment_record(
        child=child, kind=HealthAssessment.Kind.INITIAL, done_on=date(2025, 3, 20), by=social_worker
    )
    assert not placement.deadlines.filter(kind=Kind.INITIAL_HEALTH).exists()
    # Under five: the review assessment within six months, Sat 20 Sep 2025 (CPPCR reg 7).
    assert _deadline(placement, Kind.REVIEW_HEALTH, child).due_on == date(2025, 9, 20)
    with pytest.raises(services.TransitionRefused):
        services.health_assessment_record(
            child=child,
            kind=HealthAssessment.Kind.INITIAL,
            done_on=date(2025, 3, 21),
            by=social_worker,
        )


def test_proceedings_shared_by_siblings_give_each_the_26_weeks_and_a_late_extension(
    social_worker, ep_household
):
    sister = factories.child(social_worker, born=date(2023, 6, 1))
    brother = factories.child(social_worker, born=date(2023, 12, 1))
    placement = factories.placement(
        social_worker, ep_household, children=[sister, brother], placed_on=date(2025, 3, 3)
    )
    proceedings = services.proceedings_open(
        children=[sister, brother], issued_on=date(2024, 1, 1), by=social_worker
    )
    # 26 weeks beginning with Mon 1 Jan 2024: Sun 30 Jun 2024.
    assert proceedings.target_on == date(2024, 6, 30)
    for child in (sister, brother):
        assert _deadline(placement, Kind.PROCEEDINGS, child).due_on == date(2024, 6, 30)
    # Granted late, on Mon 15 Jul 2024: at most 8 weeks after that day, Mon 9 Sep 2024.
    with pytest.raises(services.TransitionRefused) as refused:
        services.proceedings_extend(
            proceedings=proceedings,
            granted_on=date(2024, 7, 15),
            ends_on=date(2024, 9, 10),
            by=social_worker,
        )
    assert "no later than 9 September 2024" in refused.value.message
    services.proceedings_extend(
        proceedings=proceedings,
        granted_on=date(2024, 7, 15),
        ends_on=date(2024, 9, 9),
        by=social_worker,
    )
    for child in (sister, brother):
        assert _deadline(placement, Kind.PROCEEDINGS, child).due_on == date(2024, 9, 9)


# -- the child's page: one page with the dates, their rules, whose duty, the authority -----


def test_the_childs_page_shows_each_date_with_its_rule_duty_authority_and_timeline(
    client, social_worker, ep_household
):
    baby = _baby(
        social_worker,
        looked_after_basis="relinquished",
        should_be_placed_on=date(2025, 3, 10),
    )
    _fostering(social_worker, ep_household, baby)
    _consent(baby, social_worker, witnessed_on=date(2025, 3, 17))
    services.health_assessment_record(
        child=baby, kind=HealthAssessment.Kind.INITIAL, done_on=date(2025, 2, 20), by=social_worker
    )
    client.force_login(social_worker)
    html = client.get(f"/admin/placements/child/{baby.pk}/change/").content.decode()
    # The review health assessment: six months after Thu 20 Feb 2025, Wed 20 Aug 2025.
    assert "Wednesday 20 August 2025" in html
    assert "CPPCR 2010 reg 7: every 6 months under 5, every 12 months from 5" in html
    assert "The placing authority's: this agency chases it" in html
    assert "Parents&#x27; consent to placement (Adoption and Children Act 2002, s19)." in html
    for event in (
        "Became looked after (Relinquished for adoption (accommodated under s20))",
        "Agency decision: should be placed for adoption (AAR reg 19)",
        "Birth mother: consent witnessed",
    ):
        assert event in html, event


def test_a_consent_recorded_on_the_childs_page_is_checked_in_words(client, social_worker):
    baby = _baby(social_worker)
    client.force_login(social_worker)
    url = f"/admin/placements/child/{baby.pk}/change/legal/"
    from .helpers import form_data

    data = form_data(
        client.get(url).content.decode(),
        **{
            "consents-TOTAL_FORMS": "1",
            "consents-0-parent": "mother",
            "consents-0-has_parental_responsibility": "on",
            "consents-0-to_placement": "on",
            "consents-0-cafcass_officer": "A. Officer",
            "consents-0-witnessed_on": "2025-03-08",
        },
    )
    response = client.post(url, data)
    assert response.status_code == 200
    assert "six weeks old (on 15 March 2025)" in response.content.decode()
    assert not ParentConsent.objects.exists()
    data["consents-0-witnessed_on"] = "2025-03-15"
    response = client.post(url, data)
    assert response.status_code == 302
    assert ParentConsent.objects.get().witnessed_on == date(2025, 3, 15)


def test_a_mothers_agreement_then_her_consent_as_two_records_authorise_placing(
    social_worker,
):
    """Each parent's records together: the written agreement (under six weeks) and, as a
    second record, her s19 consent once the baby is six weeks old."""
    baby = _baby(social_worker, should_be_placed_on=date(2025, 2, 10))
    services.consent_record(
        child=baby,
        by=social_worker,
        parent=Mother,
        agreed_in_writing_on=date(2025, 2, 3),
        to_placement=False,
    )
    assert not services.authority_to_place(child=baby, on=date(2025, 3, 20)).allowed
    _consent(baby, social_worker, witnessed_on=date(2025, 3, 17))
    authority = services.authority_to_place(child=baby, on=date(2025, 3, 20))
    assert authority.allowed, authority.problems
    assert "s19" in authority.basis


def test_consent_does_not_authorise_placing_while_care_proceedings_are_open(
    social_worker, ep_household
):
    """s19(3)(a); and (b): a care order made after the consent overtakes it."""
    baby = _baby(social_worker, should_be_placed_on=date(2025, 3, 10))
    placement = _fostering(social_worker, ep_household, baby)
    _consent(baby, social_worker, witnessed_on=date(2025, 3, 17))
    proceedings = services.proceedings_open(
        children=[baby], issued_on=date(2025, 3, 18), by=social_worker
    )
    authority = services.authority_to_place(child=baby, on=date(2025, 3, 24))
    assert not authority.allowed
    assert "s19(3)(a)" in " ".join(authority.problems)
    services.court_order_record(
        placement=placement,
        children=[baby],
        kind=CourtOrder.Kind.CARE_ORDER,
        made_on=date(2025, 4, 1),
        by=social_worker,
    )
    services.proceedings_conclude(proceedings=proceedings, on=date(2025, 4, 1), by=social_worker)
    authority = services.authority_to_place(child=baby, on=date(2025, 4, 2))
    assert not authority.allowed
    assert "consent (s19) for" in " ".join(authority.problems)
    # Consent given again after the care order counts.
    _consent(baby, social_worker, witnessed_on=date(2025, 4, 2))
    assert services.authority_to_place(child=baby, on=date(2025, 4, 3)).allowed
