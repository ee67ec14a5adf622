"""The adoption leave letter: the agency's written confirmation of the placement date.

Carers placed with under Fostering for Adoption or Concurrency may take adoption leave
and pay from the day the child comes to live with them (since April 2015), on the
agency's written notice. The letter is for the carers' employer, so it names the
carers, the date and the route, and nothing about the child. It names people, so it is
rendered when asked for and never cached (``portal.pdf.render_pdf(cache=False)``).
"""

from django.conf import settings
from django.utils import timezone

from portal.pdf import render_pdf

from .models import Placement


def adoption_leave_letter_context(*, placement: Placement, issued_by) -> dict:
    household = placement.household
    applicants = list(household.applicants.order_by("position"))
    return {
        "placement": placement,
        "carers": [applicant.full_name for applicant in applicants],
        "child_count": placement.placement_children.count(),
        "issued_on": timezone.localdate(),
        "issued_by": issued_by,
    }


def adoption_leave_letter_pdf(*, placement: Placement, issued_by) -> bytes:
    return render_pdf(
        template="placements/adoption_leave_letter.html",
        context=adoption_leave_letter_context(placement=placement, issued_by=issued_by),
        title="Confirmation of placement for adoption leave",
        cache=False,
    )


# ---------------------------------------------------------------------------
# The matching certificate, for Statutory Adoption Pay and adoption leave
# ---------------------------------------------------------------------------
# The Statutory Paternity Pay and Statutory Adoption Pay (General) Regulations 2002
# (SI 2002/2822), reg 24: a person shows entitlement to Statutory Adoption Pay with
# documents from the adoption agency giving "(a) the name and address of the adoption
# agency and of the person claiming payment of statutory adoption pay; (b) the date on
# which the child is expected to be placed for adoption or, where the child has already
# been placed for adoption, the date of placement; and (c) the date on which the person
# claiming payment ... was informed by the adoption agency that the child would be placed
# for adoption with him" (HMRC's Statutory Payments Manual, SPM130500, calls it the
# matching certificate). Since 1 December 2014 this covers local authority foster parents
# who are prospective adopters, the Early Permanence carers (SI 2014/2934). The employee
# tells the employer within 7 days of being told of the match (Paternity and Adoption Leave
# Regulations 2002, reg 17), so the certificate is issued from the match, before the
# placement. It says nothing about the child. The neutral wording leaves out the words
# "Early Permanence", "fostering" and the route, for carers who prefer their employer not
# to know them.


def matching_certificate_context(*, match, issued_by, neutral: bool = False) -> dict:
    household = match.link.household
    placement = match.placement
    return {
        "match": match,
        "carers": [applicant.full_name for applicant in household.applicants.order_by("position")],
        "address": [
            line
            for line in (
                household.address_line_1,
                household.address_line_2,
                household.town,
                household.postcode,
            )
            if line
        ],
        "agency_address": list(settings.AGENCY_ADDRESS),
        "informed_on": match.carers_told_on,
        "placed_on": placement.placed_on if placement else None,
        "expected_on": match.expected_placement_on,
        "route": "" if neutral else match.referral.get_route_display(),
        "neutral": neutral,
        "issued_on": timezone.localdate(),
        "issued_by": issued_by,
    }


def matching_certificate_pdf(*, match, issued_by, neutral: bool = False) -> bytes:
    return render_pdf(
        template="placements/matching_certificate.html",
        context=matching_certificate_context(match=match, issued_by=issued_by, neutral=neutral),
        title="Matching certificate for adoption leave and pay",
        cache=False,
    )
