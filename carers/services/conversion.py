"""A carer household made from an enquiry at "Registration of Interest received"."""

from collections.abc import Sequence
from datetime import date

from django.db import transaction
from django.utils import timezone

from portal import audit, dates, formats
from portal.workflow import lock

from ..models import Household, HouseholdMember, Track
from .assessments import assessment_accept_roi, assessment_start_stage_1
from .households import household_create
from .records import TransitionRefused, adopter_age_problems

# ---------------------------------------------------------------------------
# Converting an enquiry
# ---------------------------------------------------------------------------


def _split_name(full_name: str) -> tuple[str, str]:
    parts = (full_name or "").strip().split()
    if not parts:
        return "", ""
    if len(parts) == 1:
        return parts[0], ""
    return " ".join(parts[:-1]), parts[-1]


# An age as the enquirer gave it may be a year out by the time the household is made.
CHILD_AGE_TOLERANCE_YEARS = 1


def _enquiry_children(enquiry, children: Sequence[dict]) -> list[dict]:
    """The enquiry's children, completed by staff, checked against the ages they gave."""
    ages = list(enquiry.children_ages or [])
    if len(children) != len(ages):
        raise TransitionRefused(
            [f"Give the details of each child the enquiry listed ({len(ages)})."]
        )
    enquired_on = timezone.localdate(enquiry.received_at)
    members, problems = [], []
    for number, (age, child) in enumerate(zip(ages, children, strict=True), start=1):
        member = {
            "first_name": (child.get("first_name") or "").strip(),
            "last_name": (child.get("last_name") or "").strip(),
            "relationship": (child.get("relationship") or "").strip(),
            "date_of_birth": child.get("date_of_birth"),
        }
        what = f"Child {number} (aged {age} on the enquiry)"
        if not (member["first_name"] and member["relationship"] and member["date_of_birth"]):
            problems.append(f"{what}: give their first name, relationship and date of birth.")
            continue
        born = member["date_of_birth"]
        # A child is under 18: 17 is the oldest age the record allows.
        wrong = dates.born(born, label=f"{what}: the date of birth", oldest=17)
        then = dates.age_in_years(born, enquired_on)
        if wrong:
            problems += [problem.message for problem in wrong]
        elif abs(then - age) > CHILD_AGE_TOLERANCE_YEARS:
            problems.append(
                f"{what}: born {formats.day(born)}, they were {then} "
                f"when the enquiry arrived on {formats.day(enquired_on)}, not {age}."
            )
        members.append(member)
    if problems:
        raise TransitionRefused(problems)
    return members


def household_create_from_enquiry(
    *,
    enquiry,
    by,
    social_worker,
    address_line_1: str,
    town: str,
    local_authority: str,
    dates_of_birth: Sequence[date],
    address_line_2: str = "",
    postcode: str = "",
    partner_first_name: str = "",
    partner_last_name: str = "",
    has_pets: bool = False,
    accepted_on: date | None = None,
    children: Sequence[dict] = (),
) -> Household:
    """Turn an enquiry at "Registration of Interest received" into a carer household.

    Creates the household and its applicants from the enquiry (plus what the enquiry form
    never asks: address, dates of birth, the social worker), links the two, moves the
    enquiry to converted and starts Stage 1, all in one transaction: nothing half-done.

    The children the enquiry listed become household members: ``children`` gives, in the
    order of the enquiry's ages, each one's ``first_name``, ``last_name``,
    ``relationship`` and ``date_of_birth``; each must agree with the age given.
    """
    from enquiries.models import Enquiry
    from enquiries.services.enquiries import EnquiryError, enquiry_mark_converted

    accepted_on = accepted_on or timezone.localdate()
    with transaction.atomic():
        locked = lock((Enquiry, enquiry.pk))
        if locked.status != Enquiry.Status.ROI_RECEIVED:
            raise TransitionRefused(
                [
                    "Only an enquiry at “Registration of Interest received” can be converted; "
                    f"this one is at “{locked.get_status_display()}”."
                ]
            )
        couple = locked.household == Enquiry.Household.COUPLE
        if len(dates_of_birth) != (2 if couple else 1):
            raise TransitionRefused(["Give the date of birth of each applicant."])
        # Stage 1 starts on acceptance: both applicants must be 21 or over that day.
        partner = " ".join(filter(None, (partner_first_name, partner_last_name)))
        names = [f"{locked.first_name} {locked.last_name}", partner or locked.partner_name]
        too_young = [
            problem
            for name, born in zip(names, dates_of_birth, strict=False)
            for problem in adopter_age_problems(
                name=name.strip() or "the partner", date_of_birth=born, on=accepted_on
            )
        ]
        if too_young:
            raise TransitionRefused(dates.messages(too_young))
        applicants = [
            {
                "first_name": locked.first_name,
                "last_name": locked.last_name,
                "date_of_birth": dates_of_birth[0],
                "email": locked.email,
                "phone": locked.phone,
            }
        ]
        if couple:
            first, last = _split_name(locked.partner_name)
            first, last = partner_first_name or first, partner_last_name or last
            if not first:
                raise TransitionRefused(["Give the partner's name."])
            applicants.append(
                {"first_name": first, "last_name": last, "date_of_birth": dates_of_birth[1]}
            )
        household = household_create(
            by=by,
            social_worker=social_worker,
            address_line_1=address_line_1,
            address_line_2=address_line_2,
            town=town,
            postcode=postcode or locked.postcode,
            local_authority=local_authority,
            has_pets=has_pets,
            applicants=applicants,
            roi_received_on=locked.roi_received_on or accepted_on,
        )
        for member in _enquiry_children(locked, children):
            HouseholdMember.objects.create(household=household, **member)
        household.enquiry = locked
        with audit.silenced():
            household.save(update_fields=["enquiry", "updated_at"])
        audit.record(
            household,
            "carers.household.converted_from_enquiry",
            by=by,
            changes={"enquiry": [None, locked.pk]},
        )
        try:
            enquiry_mark_converted(enquiry=locked, by=by, household_reference=household.reference)
        except EnquiryError as problem:
            raise TransitionRefused([problem.message]) from problem
        adoption = household.assessments.get(track=Track.ADOPTION)
        assessment_accept_roi(assessment=adoption, on=accepted_on, by=by)
        assessment_start_stage_1(assessment=adoption, on=accepted_on, by=by)
    enquiry.refresh_from_db()
    return household
