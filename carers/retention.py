"""The carers app's classes of the retention schedule (``portal.retention``).

Carer records are casework: the job lists the households due for a manager's review and
never deletes them (households are closed, not deleted).
"""

from django.conf import settings

from portal.calendar import add_months
from portal.retention import REVIEW, RetentionClass, years

from .models import Household

# The Fostering Services (England) Regulations 2011, reg 32(1): a foster parent's records
# (reg 30(1)) and register entry (reg 31) are kept for at least 10 years from the date
# on which their approval is terminated.
FOSTER_CARER_RECORD_YEARS = 10
# The same regulations, reg 32(3): the records of an application to foster that was
# refused or withdrawn (reg 30(5)) are kept for at least 3 years from the refusal or the
# withdrawal. For adoption applicants, the Adoption Agencies Regulations 2005 reg 40
# leave the period to the agency: CARERS_NOT_APPROVED_RETENTION_YEARS (policy), never
# shorter than the fostering minimum, since one household may have applied for both.
FOSTERING_APPLICATION_RECORD_YEARS = 3


def not_approved_years() -> int:
    return max(settings.CARERS_NOT_APPROVED_RETENTION_YEARS, FOSTERING_APPLICATION_RECORD_YEARS)


def foster_carers_due(today):
    """Households once approved as foster carers, closed 10 years before ``today``."""
    return Household.objects.filter(
        status=Household.Status.CLOSED,
        foster_carer_approved_on__isnull=False,
        closed_on__lt=add_months(today, -12 * FOSTER_CARER_RECORD_YEARS),
    ).order_by()


def not_approved_due(today):
    """Households closed without ever being approved (refused, or they withdrew)."""
    return Household.objects.filter(
        status=Household.Status.CLOSED,
        adopter_approved_on__isnull=True,
        foster_carer_approved_on__isnull=True,
        closed_on__lt=add_months(today, -12 * not_approved_years()),
    ).order_by()


CLASSES = (
    RetentionClass(
        key="carers.not_approved",
        title="Applicants not approved",
        covers="the assessment records of applicants who were refused or withdrew",
        period=lambda: years(not_approved_years()),
        runs_from="the refusal or withdrawal (the household is closed)",
        action=REVIEW,
        due=not_approved_due,
        law="Fostering Services (England) Regulations 2011 reg 32(3) for fostering "
        "applicants (at least 3 years); for adoption applicants the Adoption Agencies "
        "Regulations 2005 reg 40 leave the period to the agency (policy)",
        setting="CARERS_NOT_APPROVED_RETENTION_YEARS",
    ),
    RetentionClass(
        key="carers.foster_carers",
        title="Foster carers' records",
        covers="the case record and register entry of carers approved as foster carers",
        period=lambda: years(FOSTER_CARER_RECORD_YEARS),
        runs_from="the end of their approval (the household is closed)",
        action=REVIEW,
        due=foster_carers_due,
        law="Fostering Services (England) Regulations 2011 reg 32(1)",
    ),
)
