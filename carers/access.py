"""Who sees a carer household and its records (``portal.access``).

A household is in the caseload of its social worker (and of their team managers). A
household whose applicant has the email address of a member of staff is restricted by
itself: only staff named on its restriction open it, and never that member of staff.
"""

from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import Lower

from portal import access
from portal.models import User

from .models import (
    Applicant,
    Deadline,
    Document,
    DocumentRequest,
    Household,
    HouseholdMember,
    HouseholdNote,
    SupportNetworkMember,
)


def _staff_applicant(**filters) -> Q:
    applicants = Applicant.objects.annotate(address=Lower("email")).filter(
        household=OuterRef("pk"), **filters
    )
    return Q(Exists(applicants))


def _staff_family(scope) -> Q:
    staff = User.objects.filter(is_staff=True).exclude(email="").values("email")
    return _staff_applicant(address__in=staff)


def _own_family(scope) -> Q:
    return _staff_applicant(address=scope.user.email.lower())


def register_policies() -> None:
    access.register(Household, lambda scope: scope.worker("social_worker"))
    access.register_restrictable(Household, auto=_staff_family, own=_own_family)
    for model in (
        Applicant,
        Document,
        DocumentRequest,
        Deadline,
        HouseholdMember,
        HouseholdNote,
        SupportNetworkMember,
    ):
        access.follows(model, Household, "household")
