"""Reg 25A temporary approvals, and the terms of approval a placement must fit."""

from collections.abc import Sequence
from datetime import date

from django.db import transaction
from django.utils import timezone

from carers.models import Assessment, Household, Track
from carers.selectors import approval_fits
from carers.terms import terms_text
from portal import audit, dates
from portal.formats import day
from portal.workflow import lock

from ..models import Child, PlacementChild, TemporaryApproval, TermsExemption
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
    """The terms as the decision gave them: "1 child aged 0 to 18 months"."""
    return terms_text(assessment)


def terms_of_approval_problems(
    *, household: Household, children: Sequence[Child], placed_on: date, fostering: bool
) -> list[str]:
    """The placement must fit the terms of each approval it relies on (``carers.terms``).

    Always the adopter approval; the foster carer approval too when the carers foster the
    child under it (Concurrency, or FfA by carers approved as foster carers in full; a
    reg 25A approval is for one named child and has no terms of its own). Numbers count the
    children already placed with the household as well as these. A ``TermsExemption``
    for a child and an approval sets aside that child's misfits on it, and the number when
    that child takes the household past it.
    """
    tracks = [Track.ADOPTION, Track.FOSTERING] if fostering else [Track.ADOPTION]
    already_placed = (
        PlacementChild.objects.filter(placement__household=household, is_current=True)
        .exclude(child__in=[c.pk for c in children])
        .count()
    )
    found = approval_fits(
        household=household,
        children=children,
        on=placed_on,
        already_placed=already_placed,
        tracks=tracks,
    )
    if not found:
        return []
    exempt = set(
        TermsExemption.objects.filter(
            household=household, child__in=[c.pk for c in children], agreed_on__lte=placed_on
        ).values_list("track", "child_id")
    )
    exempt_tracks = {track for track, _ in exempt}
    return [
        str(misfit)
        for misfit in found
        if not (
            (misfit.track, misfit.child.pk) in exempt
            if misfit.child is not None
            else misfit.track in exempt_tracks
        )
    ]


def terms_exemption_record(
    *, household: Household, child: Child, track: str, agreed_on: date, reason: str, by
) -> TermsExemption:
    """A team manager agrees that this child may be placed outside one approval's terms."""
    if not by.has_perm(APPROVAL_PERMISSION):
        raise TransitionRefused(["Only team managers agree an exemption from the terms."])
    reason = (reason or "").strip()
    with transaction.atomic():
        household, child = lock(household, child)
        problems = _not_in_future(agreed_on, "The date it was agreed")
        if track not in Track.values:
            problems.append("Choose the approval: as adopters or as foster carers.")
        elif track == Track.ADOPTION and not _is_approved_adopter(household, agreed_on):
            problems.append(f"{household} were not approved adopters on {day(agreed_on)}.")
        elif track == Track.FOSTERING and not _is_approved_foster_carer(household, agreed_on):
            problems.append(f"{household} were not approved foster carers on {day(agreed_on)}.")
        if not reason:
            problems.append("Say why the child may be placed outside the terms.")
        if TermsExemption.objects.filter(household=household, child=child, track=track).exists():
            problems.append(f"{child} already has an exemption from these terms.")
        if problems:
            raise TransitionRefused(problems)
        exemption = TermsExemption.objects.create(
            household=household,
            child=child,
            track=track,
            agreed_on=agreed_on,
            agreed_by=by,
            reason=reason[:2000],
        )
        audit.record(
            exemption,
            "placements.terms_exemption.agreed",
            by=by,
            changes={"agreed_on": [None, agreed_on], "track": [None, track]},
        )
    return exemption
