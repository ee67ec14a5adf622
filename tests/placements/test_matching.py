"""Matching: referrals, the linking rules and page, links, the EP match, the placement
that starts from it, the referral clocks, travel times and the postcode loader."""

import io
import math
import re
from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from carers.models import Assessment, Household, PanelAttendance, Stage, Track
from placements import clocks, services
from placements.models import (
    Link,
    Match,
    MatchingPause,
    Placement,
    PostcodeDistrict,
    Referral,
    ReferralDeadline,
    TemporaryApproval,
)
from placements.selectors.linking import linking_for
from placements.services.matching import postcode_districts_load
from placements.travel import distance_km, district_of, travel_minutes
from portal.roles import Role
from portal.workflow import Refused
from tests.carers.helpers import form_data

from . import factories

pytestmark = pytest.mark.django_db

CENTRES = {
    "OK1": ("52.00000", "-1.50000"),
    "OK4": ("52.10000", "-1.40000"),
    "OK6": ("52.40000", "-1.00000"),
}
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"


@pytest.fixture(autouse=True)
def _centres(db):
    for district, (lat, lon) in CENTRES.items():
        PostcodeDistrict.objects.create(district=district, latitude=lat, longitude=lon)


_numbers = iter(range(1, 100_000))


def household(
    *,
    postcode="OK1 2AB",
    adopters_on=date(2025, 1, 2),
    fostering_on: date | None = date(2025, 1, 2),
    ages=(0, 2),
    number=1,
    foster_ages=None,
    ages_in="years",
):
    """An approved household, made directly (its assessments approved with these terms)."""
    n = next(_numbers)
    made = Household.objects.create(
        reference=f"EP9{n:04d}",
        address_line_1=f"{n} Test Road",
        town="Oakford",
        postcode=postcode,
        local_authority="Oakshire",
        status=Household.Status.APPROVED,
        adopter_approved_on=adopters_on,
        foster_carer_approved_on=fostering_on,
    )
    tracks = [(Track.ADOPTION, ages)]
    if fostering_on:
        tracks.append((Track.FOSTERING, foster_ages or ages))
    for track, (low, high) in tracks:
        Assessment.objects.create(
            household=made,
            track=track,
            stage=Stage.APPROVED,
            stage_entered_on=adopters_on,
            agency_decision=Assessment.Decision.APPROVED,
            agency_decision_on=adopters_on,
            approved_age_from=low,
            approved_age_to=high,
            approved_number_of_children=number,
            approved_ages_in=ages_in,
        )
    return made


def referral(by, *, child=None, route=Placement.Route.CONCURRENCY, **fields) -> Referral:
    child = child or factories.child(by, born=None, expected_on=date(2027, 1, 20))
    values = {
        "received_on": date(2026, 11, 2),
        "needed_by": date(2027, 1, 20),
        "route": route,
        "legal_position": Referral.LegalPosition.PRE_BIRTH,
        "family_time_town": "Family centre, Oakford",
        "family_time_district": "OK1",
        **fields,
    }
    return services.referral_receive(referral=Referral(child=child, **values), by=by)


# -- travel time, worked by hand --------------------------------------------------------------


def test_travel_time_between_two_centres_worked_by_hand():
    # Half a degree of latitude on one meridian: 0.5 x pi/180 = 0.0087266 radians, times
    # the Earth's mean radius 6371.0088 km = 55.5975 km. With the road factor 1.3 that is
    # 72.277 km; at 40 km/h, 1.80692 hours = 108.4 minutes, so 108.
    distance = distance_km((52.0, -1.5), (52.5, -1.5))
    assert math.isclose(distance, 55.5975, abs_tol=0.0005)
    assert travel_minutes(distance, road_factor=1.3, speed_kmh=40) == 108
    assert travel_minutes(0.0, road_factor=1.3, speed_kmh=40) == 0


def test_district_of_a_postcode():
    assert district_of("OK1 4DQ") == "OK1"
    assert district_of("ok14dq") == "OK1"
    assert district_of("SW1A 1AA") == "SW1A"


# -- the loader ---------------------------------------------------------------------------------


SAMPLE = """pcd,pcds,doterm,lat,long
OK2 1AA,OK2 1AA,,52.04000,-1.46000
OK2 1AB,OK2 1AB,,52.06000,-1.44000
OK3 1AA,OK3 1AA,,51.95000,-1.58000
OK3 9ZZ,OK3 9ZZ,,99.999999,0.000000
XX,XX,,52.00000,-1.50000
OK3 1AC,OK3 1AC,,not a number,-1.58000
OK9 1AA,OK9 1AA,200001,52.60000,-0.80000
"""


def test_the_loader_averages_each_district_and_refuses_bad_rows_counting_them():
    result = postcode_districts_load(lines=io.StringIO(SAMPLE))
    # OK2 from two postcodes (mean), OK3 from one; three rows refused (no location in the
    # UK, no district, a latitude that is not a number); the terminated postcode skipped.
    assert (result.loaded, result.refused, result.refused_lines) == (2, 3, [5, 6, 7])
    ok2 = PostcodeDistrict.objects.get(district="OK2")
    assert (str(ok2.latitude), str(ok2.longitude)) == ("52.05000", "-1.45000")
    assert not PostcodeDistrict.objects.filter(district="OK9").exists()


def test_the_load_command_reads_a_file_and_says_what_it_refused(tmp_path):
    sample = tmp_path / "onspd.csv"
    sample.write_text(SAMPLE)
    out = io.StringIO()
    call_command("load_postcode_districts", str(sample), stdout=out)
    assert "2 postcode district(s) loaded." in out.getvalue()
    assert "3 row(s) refused" in out.getvalue()
    assert "line(s) 5, 6, 7" in out.getvalue()


def test_the_load_command_ships_the_demo_districts():
    out = io.StringIO()
    call_command("load_postcode_districts", stdout=out)
    assert "9 postcode district(s) loaded." in out.getvalue()
    assert PostcodeDistrict.objects.filter(district__startswith="OK").count() == 9


def test_a_file_without_the_columns_is_refused_in_words():
    with pytest.raises(Refused, match="columns district, latitude and longitude"):
        postcode_districts_load(lines=io.StringIO("a,b\n1,2\n"))


# -- the linking rules, one by one -------------------------------------------------------------


def _reasons(page, made) -> list[str]:
    for row in page.fitting + page.left_out:
        if row.household.pk == made.pk:
            return row.left_out_because
    raise AssertionError("household not listed")


def test_concurrency_needs_dual_approval(social_worker):
    adopters = household(fostering_on=None)
    page = linking_for(referral=referral(social_worker), today=date(2026, 11, 29))
    assert _reasons(page, adopters) == [
        "Route: Concurrency needs carers approved as foster carers as well as adopters; "
        "these carers are approved as adopters only."
    ]


def test_ffa_takes_adopters_with_a_reg_25a_approval_to_be_sought(social_worker):
    adopters = household(fostering_on=None)
    page = linking_for(
        referral=referral(social_worker, route=Placement.Route.FFA), today=date(2026, 11, 29)
    )
    [row] = page.fitting
    assert row.household.pk == adopters.pk
    assert row.notes == ["Fostering for Adoption: a reg 25A approval for the child is needed."]


def test_the_age_on_the_needed_by_date_against_each_track(social_worker):
    # Born 10 March 2024: on 20 January 2027 the child is 2 (third birthday 10 March 2027).
    child = factories.child(social_worker, born=date(2024, 3, 10))
    older_only = household(ages=(3, 5))
    foster_older = household(ages=(0, 4), foster_ages=(3, 4))
    fits = household(ages=(2, 2))
    page = linking_for(referral=referral(social_worker, child=child), today=date(2026, 11, 29))
    assert _reasons(page, older_only) == [
        "Age: Approved as adopters for 1 child aged 3 to 5 years; the child would be aged 2 years on "
        "20 January 2027.",
        "Age: Approved as foster carers for 1 child aged 3 to 5 years; the child would be aged 2 years on "
        "20 January 2027.",
    ]
    assert _reasons(page, foster_older) == [
        "Age: Approved as foster carers for 1 child aged 3 to 4 years; the child would be aged 2 years on "
        "20 January 2027."
    ]
    assert _reasons(page, fits) == []


def test_an_approval_in_months_is_compared_in_completed_months(social_worker):
    # Born 10 March 2025: on 20 January 2027 the child is 22 completed months old (22
    # months on 10 January 2027) and 1 completed year. "0 to 18 months" does not take them,
    # though 1 is within 0 to 18; "0 to 24 months" does.
    child = factories.child(social_worker, born=date(2025, 3, 10))
    babies = household(ages=(0, 18), ages_in="months", fostering_on=None)
    toddlers = household(ages=(0, 24), ages_in="months", fostering_on=None)
    page = linking_for(
        referral=referral(social_worker, child=child, route=Placement.Route.FFA),
        today=date(2026, 11, 29),
    )
    assert _reasons(page, babies) == [
        "Age: Approved as adopters for 1 child aged 0 to 18 months; the child would be aged "
        "22 months on 20 January 2027."
    ]
    assert _reasons(page, toddlers) == []


def test_an_unborn_baby_is_aged_0(social_worker):
    babies = household(ages=(0, 0))
    page = linking_for(referral=referral(social_worker), today=date(2026, 11, 29))
    assert _reasons(page, babies) == []


def test_the_number_of_children_counts_brothers_and_sisters_and_those_placed(social_worker):
    one_child = household(number=1)
    two_children = household(number=2)
    page = linking_for(
        referral=referral(social_worker, brothers_and_sisters=1), today=date(2026, 11, 29)
    )
    assert _reasons(page, one_child) == [
        "Number of children: Approved as adopters for 1 child aged 0 to 2 years; this would make 2.",
        "Number of children: Approved as foster carers for 1 child aged 0 to 2 years; this would make 2.",
    ]
    assert _reasons(page, two_children) == []
    factories.placement(social_worker, two_children, placed_on=date(2026, 10, 1))
    page = linking_for(referral=Referral.objects.get(pk=page.referral.pk), today=date(2026, 11, 29))
    assert _reasons(page, two_children)[0] == (
        "Number of children: Approved as adopters for 2 children aged 0 to 2 years; this would make "
        "3, 1 already placed."
    )


def test_carers_on_hold_are_left_out_while_the_hold_lasts(social_worker):
    held = household()
    MatchingPause.objects.create(
        household=held, starts_on=date(2026, 11, 1), ends_on=date(2026, 12, 31), reason="Move"
    )
    made = referral(social_worker)
    assert _reasons(linking_for(referral=made, today=date(2026, 11, 29)), held) == [
        "On hold: the carers are not available for matching now."
    ]
    assert _reasons(linking_for(referral=made, today=date(2027, 1, 1)), held) == []


def test_carers_linked_or_matched_elsewhere_are_left_out(social_worker):
    carers = household()
    first = referral(social_worker)
    services.link_propose(
        referral=first, household=carers, reasons="Near.", on=date(2026, 11, 3), by=social_worker
    )
    second = referral(social_worker)
    assert _reasons(linking_for(referral=second, today=date(2026, 11, 29)), carers) == [
        "Already linked with another child."
    ]
    assert _reasons(linking_for(referral=first, today=date(2026, 11, 29)), carers) == [
        "Already linked with this referral."
    ]


def test_travel_over_the_limit_is_left_out_nearest_first_then_longest_waiting(social_worker):
    far = household(postcode="OK6 1AA")
    near_new = household(postcode="OK1 5ZZ", adopters_on=date(2025, 6, 1))
    near_old = household(postcode="OK1 6ZZ", adopters_on=date(2024, 6, 1))
    middle = household(postcode="OK4 1AA")
    unknown = household(postcode="ZZ9 9ZZ")
    page = linking_for(referral=referral(social_worker), today=date(2026, 11, 29))
    # OK1 to OK6: 0.4 degrees north is 44.48 km; 0.5 degrees east at the mean latitude
    # 52.2 (cos 0.6129) is 34.08 km; together about 56.03 km in a straight line, so
    # 56.03 x 1.3 / 40 x 60 = 109.3 minutes: 109, over the hour.
    [reason] = _reasons(page, far)
    assert reason.startswith("Travel: about 109 minutes to family time at Family centre, Oakford")
    assert reason.endswith("(estimate), over the limit of 60 minutes.")
    assert [row.household.pk for row in page.fitting] == [
        h.pk for h in (near_old, near_new, middle, unknown)
    ]
    assert page.fitting[3].notes == ["Travel time not known: no centre for the postcode district."]
    assert page.fitting[0].travel == "Same postcode district as the venue"


def test_a_household_left_out_cannot_be_linked(social_worker):
    adopters = household(fostering_on=None)
    with pytest.raises(Refused, match="Route: Concurrency needs"):
        services.link_propose(
            referral=referral(social_worker),
            household=adopters,
            reasons="Near.",
            on=date(2026, 11, 3),
            by=social_worker,
        )
    assert not Link.objects.exists()


# -- links, the match and the placement ---------------------------------------------------------


def _agree(link, by, **fields):
    values = {
        "meeting_on": date(2026, 11, 10),
        "attended": "Child's social worker, carers, family finder",
        "support_plan": "Weekly visits.",
        "family_time_transport_plan": "Carers drive to the family centre.",
        "decided_on": date(2026, 11, 11),
        "deciding_officer": "Head of service",
        "carers_told_on": date(2026, 11, 12),
        "expected_placement_on": date(2026, 11, 20),
        **fields,
    }
    return services.match_agree(
        link=link,
        match=Match(**values),
        report_file=SimpleUploadedFile("report.pdf", PDF),
        by=by,
    )


def test_links_decisions_choice_match_and_placement_from_the_match(social_worker, manager):
    child = factories.child(social_worker, born=date(2026, 11, 1))
    made = referral(social_worker, child=child, route=Placement.Route.FFA)
    chosen_carers, other_carers = household(fostering_on=None), household()
    chosen = services.link_propose(
        referral=made,
        household=chosen_carers,
        reasons="Near.",
        on=date(2026, 11, 3),
        by=social_worker,
    )
    other = services.link_propose(
        referral=made,
        household=other_carers,
        reasons="Wait.",
        on=date(2026, 11, 3),
        by=social_worker,
    )
    made.refresh_from_db()
    assert made.status == Referral.Status.LINKING
    with pytest.raises(Refused, match="Record the carers' decision to go ahead first."):
        services.link_choose(link=chosen, on=date(2026, 11, 5), by=social_worker)
    services.link_update(
        link=chosen,
        shared_on=date(2026, 11, 3),
        met_social_worker_on=date(2026, 11, 4),
        agency_view="A good fit.",
        by=social_worker,
    )
    services.link_record_decision(
        link=chosen, decision="yes", on=date(2026, 11, 4), by=social_worker
    )
    services.link_choose(link=chosen, on=date(2026, 11, 6), by=social_worker)
    other.refresh_from_db()
    assert (other.outcome, other.closed_reason) == (
        Link.Outcome.CLOSED,
        "The placing authority chose other carers.",
    )
    with pytest.raises(Refused, match="reg 25A suitability assessment and the approving officer"):
        _agree(chosen, social_worker)
    match = _agree(
        chosen, social_worker, reg_25a_assessed_on=date(2026, 11, 11), reg_25a_approved_by=manager
    )
    made.refresh_from_db()
    assert made.status == Referral.Status.MATCHED
    assert match.report.kind == "matching_report"
    assert TemporaryApproval.objects.filter(household=chosen_carers, child=child).exists()
    with pytest.raises(Refused, match="matched with"):
        services.placement_start(
            household=other_carers,
            children=[child],
            route=Placement.Route.CONCURRENCY,
            placed_on=date(2026, 11, 20),
            came_from="hospital",
            by=social_worker,
        )
    placement = services.placement_start(
        household=chosen_carers,
        children=[child],
        route=Placement.Route.FFA,
        placed_on=date(2026, 11, 20),
        came_from="hospital",
        by=social_worker,
    )
    made.refresh_from_db()
    match.refresh_from_db()
    assert made.status == Referral.Status.PLACED
    assert match.placement == placement
    assert not made.deadlines.exists()


def test_a_referred_child_is_not_placed_without_a_match_unless_an_emergency_is_recorded(
    social_worker,
):
    carers = household()
    child = factories.child(social_worker, born=date(2026, 11, 1))
    made = referral(social_worker, child=child)
    start = {
        "household": carers,
        "children": [child],
        "route": Placement.Route.CONCURRENCY,
        "placed_on": date(2026, 11, 20),
        "came_from": "hospital",
        "by": social_worker,
    }
    with pytest.raises(Refused, match="agree the match with the placing authority first"):
        services.placement_start(**start)
    assert not Placement.objects.exists()
    with pytest.raises(Refused, match="Give who agreed the emergency placement."):
        services.referral_record_emergency(
            referral=made,
            reason="Discharged early.",
            agreed_by=" ",
            on=date(2026, 11, 19),
            by=social_worker,
        )
    services.referral_record_emergency(
        referral=made,
        reason="Discharged early.",
        agreed_by="Head of service",
        on=date(2026, 11, 19),
        by=social_worker,
    )
    placement = services.placement_start(**start)
    made.refresh_from_db()
    assert made.status == Referral.Status.PLACED
    assert placement.children.get() == child


def test_a_child_never_referred_is_placed_as_before(social_worker):
    carers = household()
    placement = factories.placement(social_worker, carers, placed_on=date(2026, 11, 20))
    assert placement.status == Placement.Status.FOSTERING


def test_a_withdrawn_referral_closes_its_open_links(social_worker):
    made = referral(social_worker)
    link = services.link_propose(
        referral=made,
        household=household(),
        reasons="Near.",
        on=date(2026, 11, 3),
        by=social_worker,
    )
    with pytest.raises(Refused, match="Give the reason."):
        services.referral_close(
            referral=made, action="withdraw", on=date(2026, 11, 5), reason="", by=social_worker
        )
    services.referral_close(
        referral=made,
        action="withdraw",
        on=date(2026, 11, 5),
        reason="Returned home.",
        by=social_worker,
    )
    made.refresh_from_db()
    link.refresh_from_db()
    assert made.status == Referral.Status.WITHDRAWN
    assert (link.outcome, link.closed_reason) == (Link.Outcome.CLOSED, "Returned home.")


def test_a_referral_is_refused_with_dates_out_of_order(social_worker):
    with pytest.raises(Refused, match="cannot come before the referral"):
        referral(social_worker, received_on=date(2026, 11, 2), needed_by=date(2026, 10, 1))
    assert not Referral.objects.exists()


# -- the clocks (agency policy), worked by hand across bank holidays ------------------------


def test_the_referral_clocks_across_christmas(social_worker, settings):
    # Received Wednesday 24 December 2025: 25 and 26 December are bank holidays, then the
    # weekend, so one working day later is Monday 29 December 2025.
    assert clocks.referral_acknowledge_by(date(2025, 12, 24), working_days=1) == date(2025, 12, 29)
    # Shared with the carers Tuesday 23 December 2025: two working days are Wednesday 24
    # and Monday 29 December.
    assert clocks.carers_decision_by(date(2025, 12, 23), working_days=2) == date(2025, 12, 29)
    # Needed by 15 January 2026, agreed 14 days before: 1 January 2026.
    assert clocks.match_agreed_by(date(2026, 1, 15), days_before=14) == date(2026, 1, 1)
    made = referral(
        social_worker,
        received_on=date(2025, 12, 24),
        needed_by=date(2026, 1, 15),
        social_worker=social_worker,
    )
    assert {(d.kind, d.due_on) for d in made.deadlines.all()} == {
        (ReferralDeadline.Kind.ACKNOWLEDGE, date(2025, 12, 29)),
        (ReferralDeadline.Kind.MATCH_AGREED, date(2026, 1, 1)),
    }
    link = services.link_propose(
        referral=made,
        household=household(),
        reasons="Near.",
        on=date(2025, 12, 23 + 1),
        by=social_worker,
    )
    services.link_update(
        link=link,
        shared_on=date(2025, 12, 24),
        met_social_worker_on=None,
        agency_view="",
        by=social_worker,
    )
    # Shared Wednesday 24 December: Monday 29 and Tuesday 30 December.
    assert made.deadlines.get(kind=ReferralDeadline.Kind.CARERS_DECISION).due_on == date(
        2025, 12, 30
    )
    services.referral_acknowledge(referral=made, on=date(2025, 12, 29), by=social_worker)
    services.link_record_decision(
        link=link, decision="yes", on=date(2025, 12, 29), by=social_worker
    )
    assert set(made.deadlines.values_list("kind", flat=True)) == {
        ReferralDeadline.Kind.MATCH_AGREED
    }


# -- the staff pages -------------------------------------------------------------------------


@pytest.fixture
def sw_client(staff_client):
    return staff_client(Role.SOCIAL_WORKERS)


def test_the_linking_page_shows_who_fits_and_why_others_do_not(sw_client):
    made = referral(sw_client.user)
    household(postcode="OK4 1AA")
    household(fostering_on=None)
    response = sw_client.get(f"/admin/placements/referral/{made.pk}/linking/")
    text = response.content.decode()
    assert response.status_code == 200
    assert "Carers who fit (1)" in text
    assert "Carers left out (1)" in text
    assert "these carers are approved as adopters only" in text
    assert "(estimate)" in text


def test_the_linking_page_shows_the_first_carers_of_each_list_and_all_on_asking(
    sw_client, monkeypatch
):
    from placements.admin import matching as matching_admin

    monkeypatch.setattr(matching_admin, "LINKING_ROWS_SHOWN", 1)
    made = referral(sw_client.user)
    near, far = household(postcode="OK1 1AA"), household(postcode="OK1 1AB")
    household(fostering_on=None)
    url = f"/admin/placements/referral/{made.pk}/linking/"

    text = sw_client.get(url).content.decode()
    assert "Carers who fit (2)" in text and "Carers left out (1)" in text
    assert "The first 1 of 2." in text
    assert '<a href="?all=fitting#fitting">Show all 2 carers who fit</a>' in text
    assert (near.reference in text) != (far.reference in text), "one of the two is shown"
    assert "carers left out</a>" not in text, "the left-out list is shown whole"

    whole = sw_client.get(url, {"all": "fitting"}).content.decode()
    assert near.reference in whole and far.reference in whole
    assert "The first 1 of 2." not in whole


def test_the_linking_page_has_a_query_budget_unchanged_with_ten_times_the_households(sw_client):
    made = referral(sw_client.user)
    url = f"/admin/placements/referral/{made.pk}/linking/"

    def add(n):
        for i in range(n):
            household(
                postcode=("OK1 1AA", "OK4 1AA", "OK6 1AA")[i % 3],
                fostering_on=None if i % 4 == 0 else date(2025, 1, 2),
            )

    def count():
        with CaptureQueriesContext(connection) as context:
            assert sw_client.get(url).status_code == 200
        return len(context.captured_queries)

    add(3)
    count()
    small = count()
    add(27)
    assert Household.objects.count() == 30
    assert count() == small


def test_the_referral_list_has_a_query_budget_unchanged_with_ten_times_the_rows(sw_client):
    def count():
        with CaptureQueriesContext(connection) as context:
            assert sw_client.get("/admin/placements/referral/").status_code == 200
        return len(context.captured_queries)

    referral(sw_client.user)
    count()
    small = count()
    for _ in range(9):
        referral(sw_client.user)
    assert count() == small


def test_a_referral_is_recorded_on_its_staff_page(sw_client):
    child = factories.child(sw_client.user, born=None, expected_on=date(2027, 1, 20))
    response = sw_client.post(
        "/admin/placements/referral/add/",
        {
            "child": child.pk,
            "received_on": "2026-11-02",
            "needed_by": "2027-01-20",
            "route": "concurrency",
            "legal_position": "pre_birth",
            "brothers_and_sisters": "0",
            "family_time_per_week": "3",
            "family_time_town": "Family centre, Oakford",
            "family_time_district": "ok1",
            "family_time_supervised": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    made = Referral.objects.get()
    # The next steps are on the referral's own page, where saving it leads.
    assert response["Location"] == f"/admin/placements/referral/{made.pk}/change/"
    assert (made.reference, made.family_time_district) == (f"RF{made.pk:05d}", "OK1")
    page = sw_client.get(f"/admin/placements/referral/{made.pk}/change/").content.decode()
    assert "Acknowledge the referral" in page
    assert "Which carers fit" in page
    services.referral_acknowledge(referral=made, on=date(2026, 11, 3), by=sw_client.user)
    page = sw_client.get(f"/admin/placements/referral/{made.pk}/change/").content.decode()
    # Written the portal's way, like every other date on the page.
    assert '<div class="readonly">3 November 2026</div>' in page
    assert timezone.localdate()


# -- the matching certificate ------------------------------------------------------------------


@pytest.fixture
def matched(social_worker):
    child = factories.child(social_worker, first_name="Wren", born=date(2026, 11, 1))
    made = referral(social_worker, child=child)
    carers = household()
    link = services.link_propose(
        referral=made, household=carers, reasons="Near.", on=date(2026, 11, 3), by=social_worker
    )
    services.link_record_decision(link=link, decision="yes", on=date(2026, 11, 4), by=social_worker)
    services.link_choose(link=link, on=date(2026, 11, 6), by=social_worker)
    return _agree(link, social_worker)


def _text(data: bytes) -> str:
    from pypdf import PdfReader

    return " ".join(
        " ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(data)).pages
    )


def test_the_matching_certificate_carries_every_field_and_no_child_detail(matched, social_worker):
    from placements import letters

    carers = matched.link.household
    Household.objects.filter(pk=carers.pk).update(address_line_2="Little Oak")
    matched.link.household.refresh_from_db()
    from carers.models import Applicant

    Applicant.objects.create(
        household=carers, first_name="Alex", last_name="Rowan", date_of_birth=date(1985, 1, 1)
    )
    text = _text(letters.matching_certificate_pdf(match=matched, issued_by=social_worker))
    # SI 2002/2822 reg 24(2): (a) the agency's and the adopter's names and addresses, (b) the
    # expected placement date, (c) the date the adopter was told of the match.
    for expected in (
        "Oakway Adoption and Fostering",
        "Oakway House, 1 Station Road, Oakford, OK1 1AA",
        "Alex Rowan",
        f"{carers.address_line_1}, Little Oak, Oakford, OK1 2AB",
        "Told of the match on 12 November 2026",
        "Child expected to be placed on 20 November 2026",
        "Early Permanence (Concurrency)",
    ):
        assert expected in text, expected
    child = matched.referral.child
    for secret in (child.first_name, child.last_name, child.reference, "1 November 2026"):
        assert secret not in text
    neutral = _text(
        letters.matching_certificate_pdf(match=matched, issued_by=social_worker, neutral=True)
    )
    assert "a child would be placed with them for adoption" in neutral
    for word in ("Early Permanence", "foster", "Concurrency"):
        assert word not in neutral


def test_the_matching_certificate_gives_the_placement_date_once_placed(matched, social_worker):
    from placements import letters

    services.placement_start(
        household=matched.link.household,
        children=[matched.referral.child],
        route=Placement.Route.CONCURRENCY,
        placed_on=date(2026, 11, 21),
        came_from="hospital",
        by=social_worker,
    )
    matched.refresh_from_db()
    text = _text(letters.matching_certificate_pdf(match=matched, issued_by=social_worker))
    assert "Child placed on 21 November 2026" in text
    assert "expected to be placed" not in text


def test_the_matching_certificate_is_a_tagged_accessible_pdf_issued_from_the_referral(
    matched, sw_client
):
    from tests.pdf_checks import assert_accessible_pdf

    url = f"/admin/placements/referral/{matched.referral.pk}/matching-certificate.pdf"
    response = sw_client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert_accessible_pdf(response.content, title="Matching certificate for adoption leave and pay")


def test_a_matched_referral_offers_the_placement_from_the_match_not_an_emergency(
    matched, client, social_worker
):
    client.force_login(social_worker)
    page = client.get(f"/admin/placements/referral/{matched.referral.pk}/change/").content.decode()
    assert "Start the placement from the match" in page
    assert f"/admin/placements/referral/{matched.referral.pk}/emergency/" not in page
    # The chosen carers' row leads to their household.
    household = matched.link.household
    assert f'<a href="{household.get_absolute_url()}">{household}</a>' in page


def test_a_placement_from_a_match_calls_its_letter_the_matching_certificate(
    matched, client, social_worker
):
    carers = matched.link.household
    Household.objects.filter(pk=carers.pk).update(social_worker=social_worker)
    placement = services.placement_start(
        household=carers,
        children=[matched.referral.child],
        route=Placement.Route.CONCURRENCY,
        placed_on=date(2026, 11, 21),
        came_from="hospital",
        by=social_worker,
    )
    client.force_login(social_worker)
    page = client.get(placement.get_absolute_url()).content.decode()
    letter = f"/admin/placements/placement/{placement.pk}/adoption-leave-letter.pdf"
    assert f'<a class="button" href="{letter}">Matching certificate (PDF)</a>' in page
    assert "Adoption leave letter" not in page
    response = client.get(letter)
    assert "Matching certificate" in _text(response.content)
    assert f"matching-certificate-{placement.reference}.pdf" in response["Content-Disposition"]


# -- the measures, on a small data set worked by hand -------------------------------------------


def test_the_matching_measures_worked_by_hand(social_worker):
    from placements.measures import ep_measures, matching_csv_rows

    h1, h2, h3 = household(), household(), household()
    household(adopters_on=date(2026, 10, 1))
    h5 = household()
    MatchingPause.objects.create(household=h5, starts_on=date(2026, 11, 1), reason="Holiday")
    # A: Concurrency, matched with h1 and placed.
    child = factories.child(social_worker, born=date(2026, 11, 1))
    a = referral(social_worker, child=child)
    link = services.link_propose(
        referral=a, household=h1, reasons="Near.", on=date(2026, 11, 3), by=social_worker
    )
    services.link_record_decision(link=link, decision="yes", on=date(2026, 11, 4), by=social_worker)
    services.link_choose(link=link, on=date(2026, 11, 6), by=social_worker)
    _agree(link, social_worker)  # decided 11 November 2026
    services.placement_start(
        household=h1,
        children=[child],
        route=Placement.Route.CONCURRENCY,
        placed_on=date(2026, 11, 20),
        came_from="hospital",
        by=social_worker,
    )
    # B: Concurrency, two links, withdrawn. C: FfA, open, no links.
    b = referral(social_worker)
    for carers in (h2, h3):
        services.link_propose(
            referral=b, household=carers, reasons="Near.", on=date(2026, 11, 3), by=social_worker
        )
    services.referral_close(
        referral=b, action="withdraw", on=date(2026, 11, 5), reason="Home.", by=social_worker
    )
    referral(social_worker, route=Placement.Route.FFA)

    m = ep_measures(year=2026, today=date(2026, 11, 29)).matching
    concurrency, ffa = Placement.Route.CONCURRENCY, Placement.Route.FFA
    # Referrals: Concurrency 1 of 2 matched, FfA 0 of 1, all 1 of 3.
    assert (m.referrals[concurrency].count, m.referrals[concurrency].of) == (1, 2)
    assert (m.referrals[ffa].count, m.referrals[ffa].of) == (0, 1)
    assert (m.referrals[None].count, m.referrals[None].of, m.referrals[None].share) == (1, 3, 33.3)
    # Three links over three referrals.
    assert m.links_per_referral == 1.0
    # Received 2 November, agreed 11 November: 9 days. Approved 2 January 2025 to
    # 11 November 2026: 365 + 304 (2 January to 2 November 2026) + 9 = 678 days. Agreed
    # 11 November, placed 20 November: 9 days.
    assert (m.referral_to_match[None].value, m.referral_to_match[None].count) == (9, 1)
    assert m.approval_to_match[concurrency].value == 678
    assert m.match_to_placement[None].value == 9
    assert m.match_to_placement[ffa].count == 0
    # Waiting on 29 November 2026: h2 and h3 (approved 2 January 2025: 678 + 18 = 696 days)
    # and h4 (approved 1 October 2026: 30 + 29 = 59 days); h1 has a child, h5 is on hold.
    # Median 696; two over 90 days.
    assert (m.waiting.value, m.waiting.count, m.waiting.of) == (696, 2, 3)
    assert m.lost == [("Withdrawn", 1)]
    rows = matching_csv_rows(ep_measures(year=2026, today=date(2026, 11, 29)))
    assert ["Referrals lost (2026): Withdrawn", "All routes", "", "1", ""] in rows
    assert [
        "Approved carers waiting now: median days since approval; how many over 90 days",
        "All routes",
        "696",
        "2",
        "3",
    ] in rows


# -- the adoption match -------------------------------------------------------------------------


@pytest.fixture
def placed(matched, social_worker):
    """The matched child placed on 20 November 2026, a placement order made on the 23rd."""
    from placements.models import CourtOrder

    child = matched.referral.child
    placement = services.placement_start(
        household=matched.link.household,
        children=[child],
        route=Placement.Route.CONCURRENCY,
        placed_on=date(2026, 11, 20),
        came_from="hospital",
        by=social_worker,
    )
    services.court_order_record(
        placement=placement,
        children=[child],
        kind=CourtOrder.Kind.PLACEMENT_ORDER,
        made_on=date(2026, 11, 23),
        by=social_worker,
    )
    return placement


def adoption_panel(sits_on=date(2026, 11, 24), **options):
    from carers.models import PanelSitting
    from tests.carers import factories as carers_factories

    return carers_factories.panel(PanelSitting.Kind.ADOPTION, sits_on, **options)


def _record_adoption_match(placement, by, manager, **fields):
    from placements.models import AdoptionMatch

    values = {
        "panel": fields.pop("panel") if "panel" in fields else adoption_panel(),
        "panel_recommendation": "match",
        "decided_on": date(2026, 11, 25),
        "decision": "match",
        "decided_by": manager,
        "plan_sent_on": date(2026, 11, 26),
        **fields,
    }
    return services.adoption_match_record(
        placement=placement,
        match=AdoptionMatch(**values),
        report_file=SimpleUploadedFile("report.pdf", PDF),
        by=by,
    )


def test_placed_for_adoption_is_refused_without_the_adoption_match(placed, social_worker, manager):
    from placements.models import AdoptionMatch

    place = {"placement": placed, "on": date(2026, 11, 27), "notice_on": date(2026, 11, 27)}
    with pytest.raises(Refused) as caught:
        services.placement_place_for_adoption(by=social_worker, **place)
    assert (
        f"Record the adoption match first, on referral {placed.match.referral}: the adoption "
        "panel's recommendation and the agency decision maker's decision."
    ) in caught.value.messages

    def record(**fields):
        return _record_adoption_match(placed, social_worker, manager, **fields)

    # Before the placement order (23 November) there is no authority to place.
    with pytest.raises(Refused, match="placement order"):
        record(panel=adoption_panel(date(2026, 11, 21)), decided_on=date(2026, 11, 22))
    with pytest.raises(Refused, match="is not an agency decision maker"):
        record(decided_by=social_worker)
    assert not AdoptionMatch.objects.exists()
    made = record()
    assert (made.panel.sits_on, made.panel_on) == (date(2026, 11, 24), date(2026, 11, 24))
    services.placement_place_for_adoption(by=social_worker, **place)
    placed.refresh_from_db()
    assert placed.status == Placement.Status.PLACED_FOR_ADOPTION


def test_the_adoption_match_is_made_at_a_quorate_adoption_sitting_that_has_met(
    placed, social_worker, manager
):
    from carers.models import PanelSitting
    from placements.models import AdoptionMatch
    from tests.carers import factories as carers_factories

    def refused(**fields) -> list[str]:
        with pytest.raises(Refused) as caught:
            _record_adoption_match(placed, social_worker, manager, **fields)
        return caught.value.messages

    assert "Choose the adoption panel sitting that heard the match." in refused(panel=None)
    fostering = carers_factories.panel(PanelSitting.Kind.FOSTERING, date(2026, 11, 24))
    assert (
        "The fostering panel on 24 November 2026 is not an adoption panel: choose an adoption "
        "or joint sitting." in refused(panel=fostering)
    )
    # Four members present: reg 6 asks for five.
    thin = adoption_panel(date(2026, 11, 23), quorate=False)
    carers_factories.seat(thin, [carers_factories.panel_member(f"Member {n}") for n in range(4)])
    assert (
        "The adoption panel on 23 November 2026 was not quorate, so it cannot make a "
        "recommendation. Record who was present under Panel sittings. The adoption panel "
        "needs at least 5 members present; 4 are. The adoption panel needs its chair or a "
        "vice chair present. The adoption panel needs a social worker with at least three "
        "years' relevant post-qualifying experience present. The agency's constitution asks "
        "for at least 1 independent member present at the adoption panel."
    ) in refused(panel=thin)
    later = adoption_panel(timezone.localdate() + timedelta(days=7))
    assert any("has not sat yet" in m for m in refused(panel=later))
    # The decision on 23 November, the sitting on the 24th.
    assert (
        "The date of the decision (23 November 2026) cannot be before the adoption panel's "
        "sitting (24 November 2026)." in refused(decided_on=date(2026, 11, 23))
    )
    # The decision maker sat on the panel that recommended the match.
    sitting = adoption_panel()
    carers_factories.seat(
        sitting, [carers_factories.panel_member("Morgan Manager", account=manager)]
    )
    assert any(
        "the agency decision maker cannot be a member of the panel" in m
        for m in refused(panel=sitting)
    )
    # A member who sent apologies is still a member of the panel (AAR 2005 reg 30B(3)).
    apologies = adoption_panel(date(2026, 11, 20))
    carers_factories.seat(apologies, [manager.panel_member], present=False)
    assert (
        "Morgan Manager is a member of the adoption panel on 20 November 2026: the agency "
        "decision maker cannot be a member of the panel that made the recommendation. "
        "Another decision maker records it."
    ) in refused(panel=apologies, decided_on=date(2026, 11, 25))
    # A joint sitting hears adoption too.
    joint = carers_factories.panel(PanelSitting.Kind.JOINT, date(2026, 11, 24))
    assert _record_adoption_match(placed, social_worker, manager, panel=joint).panel == joint
    assert AdoptionMatch.objects.count() == 1


def test_the_adoption_match_is_recorded_from_the_referral_and_shown_on_it(
    placed, matched, social_worker, manager, client
):
    from carers.models import PanelSitting
    from tests.carers import factories as carers_factories

    client.force_login(social_worker)
    referral_url = f"/admin/placements/referral/{matched.referral.pk}/change/"
    page = client.get(referral_url).content.decode()
    assert "Record the adoption match" in page
    assert "Not recorded yet." in page
    url = f"/admin/placements/referral/{matched.referral.pk}/adoption-match/"
    sitting = adoption_panel()
    fostering = carers_factories.panel(PanelSitting.Kind.FOSTERING, date(2026, 11, 24))
    later = adoption_panel(timezone.localdate() + timedelta(days=7))
    form = client.get(url).content.decode()
    assert str(sitting) in form
    assert str(fostering) not in form
    assert str(later) not in form
    assert "Agrees the match" in form
    values = {
        "panel": sitting.pk,
        "panel_recommendation": "match",
        "decided_on": "2026-11-25",
        "decision": "match",
        "decided_by": manager.pk,
        "plan_sent_on": "2026-11-26",
    }

    def post(**fields):
        report = SimpleUploadedFile("report.pdf", PDF, content_type="application/pdf")
        return client.post(url, {**values, "report_file": report, **fields})

    answer = post(panel=fostering.pk).content.decode()
    assert "Choose an adoption or joint panel sitting that has met, from the list." in answer
    answer = post(panel=later.pk).content.decode()
    assert "Choose an adoption or joint panel sitting that has met, from the list." in answer
    answer = post(decided_on="2026-11-23").content.decode()
    assert (
        "The date of the decision (23 November 2026) cannot be before the adoption panel"
        "&#x27;s sitting (24 November 2026)." in answer
    )
    assert post().status_code == 302
    page = client.get(referral_url).content.decode()
    assert (
        "Adoption panel, 24 November 2026: recommends the match. The agency decision maker, "
        f"{manager}, on 25 November 2026, agreed the match. Adoption placement plan sent to "
        "the carers on 26 November 2026." in page
    )
    assert "Adoption placement report" in page
    assert "Record the adoption match" not in page
    # Its history sits with the EP match: the meeting and the decision, then the adoption match.
    assert page.index("matching meeting 10 November 2026") < page.index("Adoption panel, 24")


# -- the family-finding social worker ------------------------------------------------------------


def test_the_family_finder_is_a_social_worker_or_team_manager(sw_client, manager, make_staff):
    recruiter = make_staff(Role.RECRUITMENT_TEAM, first_name="Rhea", last_name="Recruiter")
    editor = make_staff(Role.CONTENT_EDITORS, first_name="Cole", last_name="Editor")
    gone = make_staff(Role.SOCIAL_WORKERS, first_name="Gwen", last_name="Gone", is_active=False)
    form = sw_client.get("/admin/placements/referral/add/").content.decode()
    offered = re.search(r'<select name="social_worker".*?</select>', form, re.S).group()
    # The worker recording it is offered first, as the service would choose.
    assert f'value="{sw_client.user.pk}" selected' in offered
    assert f'value="{manager.pk}"' in offered
    for other in (recruiter, editor, gone):
        assert f'value="{other.pk}"' not in offered
    child = factories.child(sw_client.user, born=None, expected_on=date(2027, 1, 20))
    values = {
        "child": child.pk,
        "received_on": "2026-11-02",
        "needed_by": "2027-01-20",
        "route": "concurrency",
        "legal_position": "pre_birth",
        "brothers_and_sisters": "0",
        "family_time_per_week": "3",
        "family_time_town": "Family centre, Oakford",
        "family_time_district": "OK1",
        "social_worker": recruiter.pk,
    }
    answer = sw_client.post("/admin/placements/referral/add/", values).content.decode()
    assert "Choose a social worker or team manager who holds casework." in answer
    assert not Referral.objects.exists()
    assert (
        sw_client.post(
            "/admin/placements/referral/add/", {**values, "social_worker": manager.pk}
        ).status_code
        == 302
    )
    assert Referral.objects.get().social_worker == manager
    # The service holds the rule too, whoever calls it.
    with pytest.raises(Refused) as caught:
        referral(sw_client.user, social_worker=editor)
    assert caught.value.messages == [
        "Cole Editor cannot find a family for the referral: choose a social worker or team "
        "manager who holds casework."
    ]
    # The family finder leaves: the referral's page still shows them, and saving it as it
    # is asks for another worker in words instead of dropping them silently.
    found = Referral.objects.get()
    manager.is_active = False
    manager.save(update_fields=["is_active"])
    sw_client.force_login(make_staff(superuser=True, first_name="Sam", last_name="Senior"))
    url = f"/admin/placements/referral/{found.pk}/change/"
    page = sw_client.get(url).content.decode()
    offered = re.search(r'<select name="social_worker".*?</select>', page, re.S).group()
    assert f'value="{manager.pk}" selected' in offered
    answer = sw_client.post(url, form_data(page, "referral_form")).content.decode()
    assert (
        f"{manager} cannot find a family for the referral: choose a social worker or team "
        "manager who holds casework." in answer
    )
    found.refresh_from_db()
    assert found.social_worker == manager


def test_a_sitting_that_recommended_an_adoption_match_keeps_its_members_and_its_date(
    placed, social_worker, manager
):
    """The quorum the adoption match rests on, and the day its decision follows, stand
    once the match is recorded, as for an approval's recommendation."""
    from carers import services as carers_services
    from carers.services import panels as panel_services
    from tests.carers import factories as carers_factories

    sitting = adoption_panel()
    newcomer = carers_factories.panel_member("Nell Newcomer")
    # Before the match the members may change.
    row = carers_factories.seat(sitting, [newcomer])[0]
    panel_services.panel_attendance_remove(attendance=row, by=manager)
    _record_adoption_match(placed, social_worker, manager, panel=sitting)
    frozen = (
        "The members of this sitting can no longer change: an adoption match was "
        "recommended at it, from the quorum of those present."
    )
    assert panel_services.sitting_attendance_frozen(sitting=sitting) == [frozen]
    member = sitting.attendance.select_related("member").first()
    with pytest.raises(Refused) as caught:
        panel_services.panel_attendance_remove(attendance=member, by=manager)
    assert caught.value.messages == [frozen]
    with pytest.raises(Refused):
        panel_services.panel_attendance_save(
            attendance=PanelAttendance(sitting=sitting, member=newcomer, present=True), by=manager
        )
    assert sitting.attendance.count() == 5
    sitting.sits_on = date(2026, 11, 27)
    with pytest.raises(Refused) as caught:
        carers_services.panel_sitting_save(sitting=sitting, by=manager)
    assert caught.value.messages == [
        "The date of this sitting can no longer change: a recommendation was recorded at "
        "it, and its clocks run from them."
    ]
    sitting.refresh_from_db()
    assert sitting.sits_on == date(2026, 11, 24)
    # Its venue and notes may still be put right.
    sitting.venue = "Room 2"
    carers_services.panel_sitting_save(sitting=sitting, by=manager)
    sitting.refresh_from_db()
    assert sitting.venue == "Room 2"


def test_carers_matched_with_another_child_are_left_out_until_that_referral_ends(
    matched, social_worker
):
    """The links and holds are read once for the page (``linking._ties``): a chosen link
    on a matched referral rules the carers out of another referral, and stops doing so
    once that referral is withdrawn; a closed link on another referral leaves its
    carers free."""
    carers = matched.link.household
    free = household()
    first = matched.link.referral
    closed = services.link_propose(
        referral=referral(social_worker), household=free, reasons="Near.",
        on=date(2026, 11, 3), by=social_worker,
    )  # fmt: skip
    services.link_close(link=closed, reason="Not now.", on=date(2026, 11, 5), by=social_worker)
    another = referral(social_worker)
    page = linking_for(referral=another, today=date(2026, 11, 29))
    assert _reasons(page, carers) == ["Already matched with another child."]
    assert _reasons(page, free) == []
    # On the page of the referral they are matched to, they are its own link.
    assert _reasons(linking_for(referral=first, today=date(2026, 11, 29)), carers) == [
        "Already linked with this referral."
    ]
    services.referral_close(
        referral=first, action="withdraw", on=date(2026, 11, 20), reason="Home.", by=social_worker
    )
    assert Link.objects.get(pk=matched.link.pk).outcome == Link.Outcome.CHOSEN
    assert _reasons(linking_for(referral=another, today=date(2026, 11, 29)), carers) == []
