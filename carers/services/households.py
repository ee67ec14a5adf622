"""Households: registered, edited, closed, and settled when every track has ended.

The household's own status (assessing, approved, closed) moves on ``HOUSEHOLD``; its
assessments move in ``carers.services.assessments``.
"""

from collections.abc import Sequence
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from portal import audit, dates
from portal.caseloads import CaseloadPart
from portal.validators import postcode_normalise
from portal.workflow import Table, Workflow

from ..models import CLOSED_STAGES, Applicant, Assessment, Household, Stage, StageChange, Track
from .records import (
    TransitionRefused,
    _lock_household,
    _not_in_future,
    applicant_date_problems,
    checks_sync_required,
    checks_update_expiries,
    deadlines_refresh,
    training_records_sync,
)

HOUSEHOLD_TRANSITIONS: dict[str, tuple[str, ...]] = {
    Household.Status.ASSESSING: (Household.Status.APPROVED, Household.Status.CLOSED),
    Household.Status.APPROVED: (Household.Status.CLOSED,),
    Household.Status.CLOSED: (),
}


HOUSEHOLD = Workflow(
    table=Table(HOUSEHOLD_TRANSITIONS),
    actions=(),
    audit_prefix="carers.household",
    target_label=lambda status: Household.Status(status).label,
)


# ---------------------------------------------------------------------------
# Households
# ---------------------------------------------------------------------------


def household_create(
    *,
    by,
    address_line_1: str,
    town: str,
    postcode: str,
    local_authority: str,
    address_line_2: str = "",
    social_worker=None,
    has_pets: bool = False,
    applicants: Sequence[dict] = (),
    roi_received_on: date | None = None,
) -> Household:
    """A new household whose adoption track starts at 'Registration of Interest received'."""
    household = Household(
        address_line_1=address_line_1,
        address_line_2=address_line_2,
        town=town,
        postcode=postcode,
        local_authority=local_authority,
        social_worker=social_worker,
        has_pets=has_pets,
    )
    return household_register(
        household=household, by=by, applicants=applicants, roi_received_on=roi_received_on
    )


def household_register(
    *,
    household: Household,
    by,
    applicants: Sequence[dict] = (),
    roi_received_on: date | None = None,
) -> Household:
    """Save a new household (built by a form or by ``household_create``) and open its tracks."""
    if household.pk is not None:
        raise ValueError("household_register is for new households")
    if len(applicants) > 2:
        raise ValidationError("A household has one or two applicants.")
    on = roi_received_on or timezone.localdate()
    _not_in_future(on)
    problems = [
        problem
        for data in applicants
        for problem in applicant_date_problems(
            name=f"{data.get('first_name', '')} {data.get('last_name', '')}".strip(),
            date_of_birth=data.get("date_of_birth"),
        )
    ]
    if problems:
        raise TransitionRefused(dates.messages(problems))
    with transaction.atomic():
        household.postcode = postcode_normalise(household.postcode)
        household.status = Household.Status.ASSESSING
        household.save()
        household.reference = f"EP{household.pk:05d}"
        with audit.silenced():
            household.save(update_fields=["reference"])
        for position, data in enumerate(applicants, start=1):
            Applicant.objects.create(household=household, position=position, **data)
        adoption = Assessment.objects.create(
            household=household,
            track=Track.ADOPTION,
            stage=Stage.ROI_RECEIVED,
            stage_entered_on=on,
            roi_received_on=on,
        )
        fostering = Assessment.objects.create(
            household=household, track=Track.FOSTERING, stage=Stage.NOT_STARTED, stage_entered_on=on
        )
        for assessment in (adoption, fostering):
            StageChange.objects.create(
                assessment=assessment, to_stage=assessment.stage, effective_on=on, recorded_by=by
            )
        audit.record(
            household,
            "carers.household.created",
            by=by,
            changes={"reference": [None, household.reference]},
        )
        checks_sync_required(household=household)
        deadlines_refresh(household=household)
    return household


HOUSEHOLD_DETAIL_FIELDS = (
    "social_worker",
    "has_pets",
    "address_line_1",
    "address_line_2",
    "town",
    "postcode",
    "local_authority",
)


def household_update(*, household: Household, by) -> Household:
    """Staff edited a household's address, pets or social worker (auditlog keeps the diff).

    The people, checks and training are saved with it; ``household_after_edit`` follows.
    """
    if household.pk is None:
        raise ValueError("households are registered with household_register")
    household.postcode = postcode_normalise(household.postcode)
    with transaction.atomic():
        household.save(update_fields=[*HOUSEHOLD_DETAIL_FIELDS, "updated_at"])
    return household


def household_after_edit(*, household: Household, by=None) -> None:
    """After staff edit people, checks or training in the admin: derived facts catch up."""
    with transaction.atomic():
        household = _lock_household(household.pk)
        checks_update_expiries(household=household)
        checks_sync_required(household=household)
        training_records_sync(household=household)
        deadlines_refresh(household=household)


def household_close(*, household: Household, on: date, reason: str, by) -> Household:
    """Close a household: open tracks are withdrawn, approvals end, reminders stop."""
    if not reason.strip():
        raise TransitionRefused(["Say why the household is being closed."])
    _not_in_future(on)
    # Closing withdraws the open assessments, and an assessment that ends settles its
    # household: assessments imports this module, so this one imports it when called.
    from .assessments import _apply_move

    with transaction.atomic():
        household = _lock_household(household.pk)
        _check_household_move(household, Household.Status.CLOSED)
        began_on = (
            household.assessments.filter(track=Track.ADOPTION)
            .values_list("roi_received_on", flat=True)
            .first()
        )
        problems = dates.in_order(
            on,
            began_on,
            label="The date the household closed",
            earlier_label="the date its Registration of Interest was received",
        )
        if problems:
            raise TransitionRefused(dates.messages(problems))
        for assessment in household.assessments.select_for_update().filter(
            stage__in=_open_stages()
        ):
            _apply_move(
                assessment,
                to=Stage.WITHDRAWN,
                on=max(on, assessment.stage_entered_on),
                by=by,
                note=reason,
                fields={"closed_on": on},
                what="withdrawn",
            )
        _household_move(
            household,
            Household.Status.CLOSED,
            by=by,
            fields={"closed_on": on, "closed_reason": reason.strip()[:300]},
            what="closed",
        )
        deadlines_refresh(household=household)
    return household


def _check_household_move(household: Household, to: str) -> None:
    if not HOUSEHOLD.table_of(household).allows(household.status, to):
        raise TransitionRefused(
            [
                f"The household is {household.get_status_display().lower()}: "
                f"it cannot become {Household.Status(to).label.lower()}."
            ]
        )


def _household_move(household: Household, to: str, *, by, fields: dict, what: str) -> None:
    _check_household_move(household, to)
    HOUSEHOLD.move(household, to=to, by=by, what=what, fields=fields)


def _household_settle(household: Household, *, on: date, by) -> None:
    """A household whose every track has ended without approval is closed."""
    if household.status != Household.Status.ASSESSING:
        return
    stages = list(household.assessments.values_list("stage", flat=True))
    if any(stage not in CLOSED_STAGES for stage in stages):
        return
    _household_move(
        household,
        Household.Status.CLOSED,
        by=by,
        fields={"closed_on": on, "closed_reason": "Every assessment track has ended."},
        what="closed",
    )


def _open_stages() -> list[str]:
    return [stage for stage in Stage.values if stage not in CLOSED_STAGES]


# ---------------------------------------------------------------------------
# Caseloads
# ---------------------------------------------------------------------------


def households_follow_worker(households: Sequence[Household], worker) -> None:
    """After the households (locked) were given to ``worker``: their deadlines' reminders
    go to the new worker, those planned for the old one are withdrawn."""
    for household in households:
        household.social_worker = worker
        deadlines_refresh(household=household)


CASELOAD = CaseloadPart(
    model=Household,
    worker_path="social_worker",
    open=~Q(status=Household.Status.CLOSED),
    one="carer household",
    plural="carer households",
    changelist="admin:carers_household_changelist",
    follow=households_follow_worker,
)
