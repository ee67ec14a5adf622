"""The adoption leave letter: the agency's written confirmation of the placement date.

Carers placed with under Fostering for Adoption or Concurrency may take adoption leave
and pay from the day the child comes to live with them (since April 2015), on the
agency's written notice. The letter is for the carers' employer, so it names the
carers, the date and the route, and nothing about the child. It names people, so it is
rendered when asked for and never cached (``portal.pdf.render_pdf(cache=False)``).
"""

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
