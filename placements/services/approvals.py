"""Reg 25A temporary approvals, and the terms of approval a placement must fit."""

from collections.abc import Sequence
from datetime import date

from django.db import transaction
from django.utils import timezone

from carers.models import Assessment, Household, Track
from portal import audit, dates
from portal.formats import day
from portal.workflow import lock

from ..models import Child, PlacementChild, TemporaryApproval
from .common import APPROVAL_PERMISSION, TransitionRefused, _not_in_future

# ---------------------------------------------------------------------------
# Reg 25A temporary approvals
# ---------------------------------------------------------------------------


def _is_approved_adopter(household: Household, on: date) -> bool:
    return (
        household.status == Household.Status.APPROVED
        and household.adopter_approved_on is not None
        and household.adopter_approved_on <= on
    )


def _is_approved_foster_carer(household: Household, on: date) -> bool:
    return (
        household.status == Household.Status.APPROVED
        and household.foster_carer_approved_on is not None
        and household.foster_carer_approved_on <= on
    )


def temporary_approval_grant(
    *, household: Household, child: Child, approved_on: date, by
) -> TemporaryApproval:
    """Approve adopters, for a reg 25A FfA placement, as foster carers for one named child."""
    if not by.has_perm(APPROVAL_PERMISSION):
        raise TransitionRefused(["Only team managers record a reg 25A temporary approval."])
    with transaction.atomic():
        household, child = lock(household, child)
        problems = _not_in_future(approved_on)
        if not _is_approved_adopter(household, approved_on):
            problems.append(
                f"{household} were not approved adopters on {day(approved_on)}: a reg 25A "
                "approval is only for approved adopters."
            )
        if _is_approved_foster_carer(household, approved_on):
            problems.append(
                f"{household} are already approved foster carers: no temporary approval is needed."
            )
        if TemporaryApproval.objects.filter(
            household=household, child=child, ends_on__isnull=True
        ).exists():
            problems.append(f"{child} already has a reg 25A approval with {household}.")
        if problems:
            raise TransitionRefused(problems)
        approval = TemporaryApproval.objects.create(
            household=household, child=child, approved_on=approved_on, approved_by=by
        )
        audit.record(
            approval,
            "placements.temporary_approval.granted",
            by=by,
            changes={"approved_on": [None, approved_on]},
        )
    return approval


def temporary_approval_end(
    *, approval: TemporaryApproval, on: date, reason: str, by=None
) -> TemporaryApproval:
    if reason not in TemporaryApproval.EndReason.values:
        raise TransitionRefused(["Choose why the temporary approval ends."])
    with transaction.atomic():
        approval = lock(approval)
        if approval.ends_on is not None:
            raise TransitionRefused(["This temporary approval has already ended."])
        problems = dates.happened(on, label="The date it ends") or dates.in_order(
            on,
            approval.approved_on,
            label="The date it ends",
            earlier_label="the date it was approved",
        )
        if problems:
            raise TransitionRefused(dates.messages(problems))
        _end_approval(approval, on=on, reason=reason, by=by)
    return approval


def _end_approval(approval: TemporaryApproval, *, on: date, reason: str, by) -> None:
    ends_on = max(on, approval.approved_on)
    changes = {"ends_on": [None, ends_on], "end_reason": ["", reason]}
    approval.ends_on = ends_on
    approval.end_reason = reason
    with audit.silenced():
        approval.save(update_fields=["ends_on", "end_reason"])
    audit.record(approval, f"placements.temporary_approval.ended.{reason}", by=by, changes=changes)


def temporary_approvals_reconcile(*, today: date | None = None) -> int:
    """End open reg 25A approvals the carers' approval has overtaken (beat sweep).

    The carers app never imports placements, so it cannot end them itself when a household
    is approved as foster carers or its adopter approval ends.
    """
    today = today or timezone.localdate()
    ended = 0
    open_approvals = TemporaryApproval.objects.filter(ends_on__isnull=True).select_related(
        "household"
    )
    foster_approved = open_approvals.filter(
        household__status=Household.Status.APPROVED,
        household__foster_carer_approved_on__isnull=False,
        household__foster_carer_approved_on__lte=today,
    )
    adopter_ended = open_approvals.exclude(
        household__status=Household.Status.APPROVED,
        household__adopter_approved_on__isnull=False,
    )
    for queryset, reason in (
        (foster_approved, TemporaryApproval.EndReason.FOSTER_APPROVAL),
        (adopter_ended, TemporaryApproval.EndReason.ADOPTER_APPROVAL_ENDED),
    ):
        for pk in list(queryset.values_list("pk", flat=True).order_by("pk")[:500]):
            with transaction.atomic():
                approval = (
                    TemporaryApproval.objects.select_for_update()
                    .select_related("household")
                    .get(pk=pk)
                )
                if approval.ends_on is not None:
                    continue
                household = approval.household
                if reason == TemporaryApproval.EndReason.FOSTER_APPROVAL:
                    on = household.foster_carer_approved_on
                else:
                    on = household.closed_on or today
                _end_approval(approval, on=on, reason=reason, by=None)
                ended += 1
    return ended


# ---------------------------------------------------------------------------
# The terms of approval a placement must fit
# ---------------------------------------------------------------------------


def terms_of_approval_text(assessment: Assessment) -> str:
    """The terms as the decision gave them: "1 child aged 0 to 2"."""
    number = assessment.approved_number_of_children
    children = f"{number} child{'ren' if number != 1 else ''}" if number else "children"
    if assessment.approved_age_from is None or assessment.approved_age_to is None:
        return children
    return f"{children} aged {assessment.approved_age_from} to {assessment.approved_age_to}"


def terms_of_approval_problems(
    *, household: Household, children: Sequence[Child], placed_on: date, fostering: bool
) -> list[str]:
    """The placement must fit the terms of each approval it relies on.

    Always the adopter approval; the foster carer approval too when the carers foster the
    child under it (Concurrency, or FfA by carers approved as foster carers in full; a
    reg 25A approval is for one named child and has no terms of its own).

    Numbers count the children already placed with the household as well as these.
    Ages are compared in completed years on the day of placement, inclusive at both ends,
    so a range "0 to 2" takes a newborn and a child up to the day before their third
    birthday, and "1 to 1" does not take a baby under one.
    """
    tracks = [Track.ADOPTION, Track.FOSTERING] if fostering else [Track.ADOPTION]
    approvals = {
        a.track: a
        for a in Assessment.objects.filter(
            household=household, track__in=tracks, agency_decision=Assessment.Decision.APPROVED
        )
    }
    already_placed = (
        PlacementChild.objects.filter(placement__household=household, is_current=True)
        .exclude(child__in=[c.pk for c in children])
        .count()
    )
    in_the_home = already_placed + len(children)
    when = day(placed_on)
    problems = []
    for track in tracks:
        approval = approvals.get(track)
        if approval is None:
            continue
        as_what = "adopters" if track == Track.ADOPTION else "foster carers"
        terms = f"{household} are approved as {as_what} for {terms_of_approval_text(approval)}"
        number = approval.approved_number_of_children
        if number and in_the_home > number:
            placed = (
                f"{already_placed} already placed and {len(children)} in this placement"
                if already_placed
                else f"{len(children)} in this placement"
            )
            problems.append(f"{terms}: this would make {in_the_home} ({placed}).")
        low, high = approval.approved_age_from, approval.approved_age_to
        if low is None or high is None:
            continue
        for child in children:
            if child.date_of_birth is None or child.date_of_birth > placed_on:
                continue
            age = dates.age_in_years(child.date_of_birth, placed_on)
            if not low <= age <= high:
                problems.append(
                    f"{terms}: {child} is aged {age} on {when} "
                    f"({dates.age_words(child.date_of_birth, placed_on)})."
                )
    return problems
