"""Dates in the carers staff area: one set of rules (portal.dates), in words, nothing saved.

Applicants must be 21 or over when Stage 1 starts (Adoption and Children Act 2002, s50
and s51); checks, training, members and reviews record what happened, in order.
"""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from carers import services
from carers.models import Household, HouseholdMember, Stage, StatutoryCheck, TrainingRecord
from enquiries.models import Enquiry
from portal.calendar import add_years
from tests.carers import factories as f
from tests.carers.helpers import form_data

pytestmark = pytest.mark.django_db

LAW = "(Adoption and Children Act 2002, sections 50 and 51)"


def day(value):
    return f"{value.day} {value:%B %Y}"


def change_url(household, section=""):
    """The household page, or one of its sections (portal/admin_sections.py)."""
    if section:
        return reverse("admin:carers_household_section", args=[household.pk, section])
    return reverse("admin:carers_household_change", args=[household.pk])


@pytest.fixture
def sw_client(client, social_worker):
    client.force_login(social_worker)
    return client


def young_enquiry():
    return Enquiry.objects.create(
        first_name="Kai",
        last_name="Young",
        email="kai@example.com",
        phone="07700 900456",
        postcode="OK3 9ZZ",
        contact_method=Enquiry.ContactMethod.EMAIL,
        contact_time=Enquiry.ContactTime.ANY,
        household=Enquiry.Household.COUPLE,
        partner_name="Lee Young",
        route=Enquiry.Route.CONCURRENT_PLANNING,
        status=Enquiry.Status.ROI_RECEIVED,
        roi_received_on=timezone.localdate() - timedelta(days=3),
    )


# -- 21 or over when Stage 1 starts --------------------------------------------------------------


def test_conversion_refuses_applicants_under_21_and_saves_nothing(social_worker):
    today = timezone.localdate()
    fourteen, sixteen = add_years(today, -14), add_years(today, -16)
    enquiry = young_enquiry()
    with pytest.raises(services.TransitionRefused) as refusal:
        services.household_create_from_enquiry(
            enquiry=enquiry,
            by=social_worker,
            social_worker=social_worker,
            address_line_1="8 Elm Row",
            town="Oakford",
            local_authority="Oakshire",
            dates_of_birth=[fourteen, sixteen],
        )
    assert refusal.value.messages == [
        f"Kai Young is 14 on {day(today)} (born {day(fourteen)}): applicants must be 21 or "
        f"over when Stage 1 starts {LAW}.",
        f"Lee Young is 16 on {day(today)} (born {day(sixteen)}): applicants must be 21 or "
        f"over when Stage 1 starts {LAW}.",
    ]
    enquiry.refresh_from_db()
    assert enquiry.status == Enquiry.Status.ROI_RECEIVED
    assert not Household.objects.exists()


def test_the_conversion_form_says_who_is_too_young_and_converts_nothing(sw_client):
    today = timezone.localdate()
    enquiry = young_enquiry()
    response = sw_client.post(
        reverse("admin:enquiries_enquiry_changelist"),
        {
            "action": "convert_to_household",
            "_selected_action": [str(enquiry.pk)],
            "convert": "yes",
            "social_worker": str(sw_client.session["_auth_user_id"]),
            "accepted_on": today.isoformat(),
            "address_line_1": "8 Elm Row",
            "town": "Oakford",
            "postcode": "OK3 9ZZ",
            "local_authority": "Oakshire",
            "date_of_birth_1": add_years(today, -14).isoformat(),
            "partner_first_name": "Lee",
            "partner_last_name": "Young",
            "date_of_birth_2": add_years(today, -16).isoformat(),
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert f"Kai Young is 14 on {day(today)}" in html
    assert f"Lee Young is 16 on {day(today)}" in html
    assert not Household.objects.exists()
    enquiry.refresh_from_db()
    assert enquiry.status == Enquiry.Status.ROI_RECEIVED


def test_the_conversion_form_refuses_an_acceptance_before_the_roi_was_received(sw_client):
    enquiry = young_enquiry()
    received = enquiry.roi_received_on
    response = sw_client.post(
        reverse("admin:enquiries_enquiry_changelist"),
        {
            "action": "convert_to_household",
            "_selected_action": [str(enquiry.pk)],
            "convert": "yes",
            "accepted_on": (received - timedelta(days=1)).isoformat(),
        },
    )
    assert (
        f"The date the Registration of Interest was accepted ({day(received - timedelta(days=1))})"
        f" cannot be before the date it was received ({day(received)})."
    ) in response.content.decode()


def household_with(social_worker, born):
    return services.household_create(
        by=social_worker,
        social_worker=social_worker,
        applicants=[f.applicant_data(1, date_of_birth=born)],
        address_line_1="1 Test Street",
        town="Oakford",
        postcode="OK1 2AB",
        local_authority="Oakshire",
    )


def test_stage_1_starts_on_the_21st_birthday_and_not_the_day_before(social_worker):
    today = timezone.localdate()
    day_before = household_with(social_worker, add_years(today, -21) + timedelta(days=1))
    on_the_day = household_with(social_worker, add_years(today, -21))
    for household in (day_before, on_the_day):
        services.assessment_accept_roi(assessment=f.adoption(household), on=today, by=social_worker)
    with pytest.raises(services.TransitionRefused) as refusal:
        services.assessment_start_stage_1(
            assessment=f.adoption(day_before), on=today, by=social_worker
        )
    assert refusal.value.messages[0].startswith(f"Alex Rivers is 20 on {day(today)}")
    assert f.adoption(day_before).stage == Stage.ROI_ACCEPTED
    services.assessment_start_stage_1(assessment=f.adoption(on_the_day), on=today, by=social_worker)
    assert f.adoption(on_the_day).stage == Stage.STAGE_1


def test_the_start_stage_1_button_shows_the_age_rule_and_refuses(sw_client, social_worker):
    today = timezone.localdate()
    household = household_with(social_worker, add_years(today, -20))
    adoption = f.adoption(household)
    services.assessment_accept_roi(assessment=adoption, on=today, by=social_worker)
    url = reverse(
        "admin:carers_household_action", args=[household.pk, adoption.pk, "start_stage_1"]
    )
    assert "applicants must be 21 or over" in sw_client.get(url).content.decode()
    response = sw_client.post(url, {"on": today.isoformat()})
    assert response.status_code == 200
    assert f"Alex Rivers is 20 on {day(today)}" in response.content.decode()
    assert f.adoption(household).stage == Stage.ROI_ACCEPTED


def test_a_child_cannot_be_registered_as_an_applicant(social_worker):
    born = add_years(timezone.localdate(), -14)
    with pytest.raises(services.TransitionRefused) as refusal:
        household_with(social_worker, born)
    assert refusal.value.messages == [
        f"Alex Rivers is 14 (born {day(born)}): applicants are grown-ups, and must be 21 or "
        "over when Stage 1 starts."
    ]
    assert not Household.objects.exists()


# -- the household page: every date through the same rules ----------------------------------------


def page_data(client, household, section):
    data = form_data(client.get(change_url(household, section)).content.decode(), "household_form")
    data["_continue"] = "Save and continue editing"
    return data


def prefix_of(data, inline, pk):
    return next(
        key.removesuffix("-id")
        for key, value in data.items()
        if key.startswith(f"{inline}-") and key.endswith("-id") and value == str(pk)
    )


def test_a_dbs_check_received_in_the_future_is_refused_and_no_expiry_is_set(
    sw_client, social_worker
):
    household = f.household(social_worker, applicants=1)
    dbs = household.checks.get(kind=StatutoryCheck.Kind.DBS)
    data = page_data(sw_client, household, "checks")
    prefix = prefix_of(data, "checks", dbs.pk)
    today = timezone.localdate()
    data[f"{prefix}-requested_on"] = (today - timedelta(days=10)).isoformat()
    data[f"{prefix}-received_on"] = (today + timedelta(days=30)).isoformat()
    data[f"{prefix}-outcome"] = "satisfactory"
    response = sw_client.post(change_url(household, "checks"), data)
    assert response.status_code == 200
    assert "The date received cannot be in the future." in response.content.decode()
    dbs.refresh_from_db()
    assert (dbs.requested_on, dbs.received_on, dbs.expires_on, dbs.outcome) == (
        None,
        None,
        None,
        "",
    )


def test_received_before_requested_is_explained_in_words_not_as_a_constraint(
    sw_client, social_worker
):
    household = f.household(social_worker, applicants=1)
    check = household.checks.get(kind=StatutoryCheck.Kind.MEDICAL)
    data = page_data(sw_client, household, "checks")
    prefix = prefix_of(data, "checks", check.pk)
    today = timezone.localdate()
    requested, received = today - timedelta(days=5), today - timedelta(days=6)
    data[f"{prefix}-requested_on"] = requested.isoformat()
    data[f"{prefix}-received_on"] = received.isoformat()
    response = sw_client.post(change_url(household, "checks"), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert (
        f"The date received ({day(received)}) cannot be before the date requested "
        f"({day(requested)})."
    ) in html
    assert "Constraint" not in html and "check_received_after_requested" not in html
    check.refresh_from_db()
    assert check.received_on is None


def test_an_outcome_needs_the_date_received(sw_client, social_worker):
    household = f.household(social_worker, applicants=1)
    check = household.checks.get(kind=StatutoryCheck.Kind.MEDICAL)
    data = page_data(sw_client, household, "checks")
    data[f"{prefix_of(data, 'checks', check.pk)}-outcome"] = "satisfactory"
    response = sw_client.post(change_url(household, "checks"), data)
    html = response.content.decode()
    assert "Give the date received before recording the outcome." in html
    assert "Constraint" not in html
    check.refresh_from_db()
    assert check.outcome == ""


def test_training_completed_in_the_future_is_refused(sw_client, social_worker):
    household = f.household(social_worker, applicants=1)
    f.to_stage(household, Stage.STAGE_1, social_worker)
    record = TrainingRecord.objects.filter(household=household).first()
    assert record is not None
    data = page_data(sw_client, household, "training")
    prefix = prefix_of(data, "training", record.pk)
    data[f"{prefix}-completed_on"] = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = sw_client.post(change_url(household, "training"), data)
    assert "The date completed cannot be in the future." in response.content.decode()
    record.refresh_from_db()
    assert record.completed_on is None


def test_a_household_members_date_of_birth_is_plausible(sw_client, social_worker):
    household = f.household(social_worker, applicants=1)
    data = page_data(sw_client, household, "people")
    data.update(
        {
            "members-TOTAL_FORMS": "1",
            "members-0-first_name": "Robin",
            "members-0-last_name": "Rivers",
            "members-0-relationship": "son",
            "members-0-date_of_birth": "1825-06-01",
        }
    )
    response = sw_client.post(change_url(household, "people"), data)
    html = response.content.decode()
    assert "The date of birth (1 June 1825) would make them" in html
    assert not HouseholdMember.objects.exists()
    data["members-0-date_of_birth"] = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = sw_client.post(change_url(household, "people"), data)
    assert "The date of birth cannot be in the future." in response.content.decode()
    assert not HouseholdMember.objects.exists()


def test_an_applicant_cannot_be_made_under_21_once_stage_1_has_started(sw_client, social_worker):
    household = f.household(social_worker, applicants=1)
    f.to_stage(household, Stage.STAGE_1, social_worker)
    started = f.adoption(household).stage_1_started_on
    applicant = household.applicants.get()
    data = page_data(sw_client, household, "people")
    prefix = prefix_of(data, "applicants", applicant.pk)
    born = add_years(started, -16)
    data[f"{prefix}-date_of_birth"] = born.isoformat()
    response = sw_client.post(change_url(household, "people"), data)
    assert f"Alex Rivers is 16 on {day(started)} (born {day(born)})" in response.content.decode()
    applicant.refresh_from_db()
    assert applicant.date_of_birth == f.applicant_data(1)["date_of_birth"]


# -- reviews and closing follow what they come after ------------------------------------------


def test_a_foster_carer_review_cannot_come_before_the_approval(social_worker, manager):
    from tests.placements.factories import approved_household

    on = timezone.localdate() - timedelta(days=40)
    household = approved_household(by=social_worker, manager=manager, on=on)
    review = household.foster_reviews.get(track="fostering")
    with pytest.raises(services.TransitionRefused) as refusal:
        services.approval_review_complete(
            review=review,
            on=on - timedelta(days=1),
            by=social_worker,
            outcome="continue",
            carers_views="Happy to carry on.",
            panel=f.panel(sits_on=on - timedelta(days=1)),
            panel_recommendation="continue",
        )
    assert refusal.value.messages == [
        f"The date of the review ({day(on - timedelta(days=1))}) cannot be before the approval "
        f"as foster carers ({day(on)})."
    ]
    review.refresh_from_db()
    assert review.completed_on is None


def test_a_household_cannot_close_before_its_registration_of_interest(social_worker):
    received = timezone.localdate() - timedelta(days=10)
    household = f.household(social_worker, roi_received_on=received)
    with pytest.raises(services.TransitionRefused) as refusal:
        services.household_close(
            household=household,
            on=received - timedelta(days=1),
            reason="Moved away.",
            by=social_worker,
        )
    assert refusal.value.messages == [
        f"The date the household closed ({day(received - timedelta(days=1))}) cannot be before "
        f"the date its Registration of Interest was received ({day(received)})."
    ]
    household.refresh_from_db()
    assert household.status == Household.Status.ASSESSING


def test_a_check_dated_in_the_future_counts_as_not_received_and_has_no_expiry(social_worker):
    """The services do not trust a date the forms would refuse (e.g. one saved elsewhere)."""
    from carers import selectors

    household = f.household(social_worker, applicants=1)
    f.receive_all_checks(household)
    facts = selectors.household_facts(household=household)
    applicants = selectors.household_applicants(household=household)
    today = timezone.localdate()
    assert services.checks_outstanding(facts=facts, applicants=applicants, on=today) == []
    dbs = household.checks.get(kind=StatutoryCheck.Kind.DBS)
    StatutoryCheck.objects.filter(pk=dbs.pk).update(received_on=today + timedelta(days=1))
    services.household_after_edit(household=household)
    dbs.refresh_from_db()
    assert dbs.expires_on is None
    facts = selectors.household_facts(household=household)
    assert services.checks_outstanding(facts=facts, applicants=applicants, on=today) == [
        "Enhanced DBS check for Alex Rivers: not received."
    ]
