"""Matching: a placing authority's referral, the households linked with it, the Early
Permanence match, and the placement that starts from it.

A referral's status moves through ``REFERRAL`` on the core engine (``portal.workflow``):
open, linking (once a household is linked), matched (once the placing authority agrees
the match), placed (once the placement starts), or closed as withdrawn or placed
elsewhere. The clocks on a referral are agency policy (settings ``MATCHING_*``), kept as
``ReferralDeadline`` rows by the core's deadline engine.

A placement for a referred child starts from the agreed match with the same carers, or
from an emergency recorded on the referral with its reason and who agreed it
(``referral_placement_problems``, called by ``placements.placement_start_problems``).
"""

import csv
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db import transaction

from carers.models import Household, PanelSitting
from carers.quorum import not_quorate_to_recommend
from carers.services import sat_on_the_panel
from portal import audit, dates, deadlines
from portal.formats import day
from portal.workflow import Action, Table, Workflow, lock_all

from .. import clocks, reminders
from ..models import (
    AdoptionMatch,
    Child,
    ChildDocument,
    Link,
    Match,
    Placement,
    PostcodeDistrict,
    Referral,
    ReferralDeadline,
)
from ..selectors.matching import family_finders
from ..travel import district_of
from .approvals import _is_approved_foster_carer, temporary_approval_grant
from .common import APPROVAL_PERMISSION, TransitionRefused
from .consent import authority_to_place
from .documents import child_document_add

RStatus = Referral.Status
OPEN_STATUSES = (RStatus.OPEN, RStatus.LINKING, RStatus.MATCHED)
ADD_PERMISSION = "placements.add_referral"
CHANGE_PERMISSION = "placements.change_referral"

REFERRAL = Workflow(
    table=Table(
        {
            RStatus.OPEN: (
                RStatus.LINKING,
                RStatus.PLACED,
                RStatus.WITHDRAWN,
                RStatus.PLACED_ELSEWHERE,
            ),
            RStatus.LINKING: (
                RStatus.OPEN,
                RStatus.MATCHED,
                RStatus.PLACED,
                RStatus.WITHDRAWN,
                RStatus.PLACED_ELSEWHERE,
            ),
            RStatus.MATCHED: (RStatus.PLACED, RStatus.WITHDRAWN, RStatus.PLACED_ELSEWHERE),
            RStatus.PLACED: (),
            RStatus.WITHDRAWN: (),
            RStatus.PLACED_ELSEWHERE: (),
        }
    ),
    audit_prefix="placements.referral",
    permission=CHANGE_PERMISSION,
    permission_refused="You do not have permission to change referrals.",
    actions=[
        Action(
            "withdraw", "Withdrawn by the placing authority", (RStatus.WITHDRAWN,), needs_note=True
        ),
        Action(
            "placed_elsewhere",
            "The child was placed elsewhere",
            (RStatus.PLACED_ELSEWHERE,),
            needs_note=True,
        ),
    ],
)


def _refuse(problems: list) -> None:
    if problems:
        raise TransitionRefused(problems)


def _require(text: str, what: str) -> str:
    text = (text or "").strip()
    if not text:
        raise TransitionRefused([f"Give {what}."])
    return text


def _happened(on: date | None, label: str) -> list[str]:
    if on is None:
        return [f"Give {label[0].lower()}{label[1:]}."]
    return dates.messages(dates.happened(on, label=label))


def _after(later: date | None, earlier: date | None, label: str, earlier_label: str) -> list[str]:
    return dates.messages(dates.in_order(later, earlier, label=label, earlier_label=earlier_label))


def _in_sequence(*steps: tuple[date | None, str]) -> list[str]:
    """Each date has happened and comes on or after the one before it (``(date, label)``
    pairs, labels as sentences start: "The date of the decision")."""
    problems = []
    for value, label in steps:
        problems += _happened(value, label)
    for (earlier, earlier_label), (later, label) in zip(steps, steps[1:], strict=False):
        problems += _after(later, earlier, label, earlier_label[0].lower() + earlier_label[1:])
    return problems


# ---------------------------------------------------------------------------
# Clocks
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ReferralClock:
    kind: str
    label: str
    due_on: date
    link_id: int | None = None
    worker_id: int | None = None


def referral_clocks(referral: Referral, links) -> list[ReferralClock]:
    """The referral's open clocks (agency policy): acknowledge it, each linked carers'
    decision once they have heard about the child, and the match agreed before the day
    the carers are needed. Met clocks drop out."""
    if referral.status not in OPEN_STATUSES:
        return []
    found = []
    if referral.acknowledged_on is None:
        found.append(
            ReferralClock(
                ReferralDeadline.Kind.ACKNOWLEDGE,
                "Acknowledge the referral",
                clocks.referral_acknowledge_by(
                    referral.received_on, working_days=settings.MATCHING_ACKNOWLEDGE_WORKING_DAYS
                ),
            )
        )
    for link in links:
        if link.outcome == Link.Outcome.OPEN and link.shared_on and not link.carers_decision:
            found.append(
                ReferralClock(
                    ReferralDeadline.Kind.CARERS_DECISION,
                    f"The decision of {link.household}",
                    clocks.carers_decision_by(
                        link.shared_on,
                        working_days=settings.MATCHING_CARERS_DECISION_WORKING_DAYS,
                    ),
                    link.pk,
                )
            )
    if referral.status != RStatus.MATCHED:
        found.append(
            ReferralClock(
                ReferralDeadline.Kind.MATCH_AGREED,
                "Match agreed by the placing authority",
                clocks.match_agreed_by(
                    referral.needed_by, days_before=settings.MATCHING_AGREED_DAYS_BEFORE_NEEDED
                ),
            )
        )
    return found


def referral_deadlines_refresh(*, referral: Referral) -> None:
    """Make the referral's deadline rows match its clocks (inside the caller's
    transaction, with the referral locked)."""
    deadlines.deadlines_refresh(
        source=reminders.REFERRAL_DEADLINES,
        owner=referral,
        clocks=[
            replace(clock, worker_id=referral.social_worker_id)
            for clock in referral_clocks(referral, list(referral.links.select_related("household")))
        ],
        worker=referral.social_worker,
    )


# ---------------------------------------------------------------------------
# Referrals
# ---------------------------------------------------------------------------


def referral_problems(referral: Referral) -> list[str]:
    """What is wrong with a referral's own facts, in words."""
    problems = _happened(referral.received_on, "The date it was received")
    if referral.needed_by and referral.received_on and referral.needed_by < referral.received_on:
        problems.append("The date the carers are needed cannot come before the referral.")
    if not (referral.family_time_district or "").strip():
        problems.append("Give the postcode district of the family-time venue (e.g. OK1).")
    if (
        referral.social_worker_id is not None
        and not family_finders().filter(pk=referral.social_worker_id).exists()
    ):
        problems.append(
            f"{referral.social_worker} cannot find a family for the referral: choose a social "
            "worker or team manager who holds casework."
        )
    child = referral.child if referral.child_id else None
    if child is not None and child.placement_links.filter(is_current=True).exists():
        problems.append(f"{child} is already placed.")
    if (
        child is not None
        and Referral.objects.filter(child=child, status__in=OPEN_STATUSES)
        .exclude(pk=referral.pk)
        .exists()
    ):
        problems.append(f"{child} already has an open referral.")
    return problems


def referral_receive(*, referral: Referral, by) -> Referral:
    """Save a new referral (built by a form or a caller), give it its reference and start
    its clocks."""
    if not by.has_perm(ADD_PERMISSION):
        raise TransitionRefused(["You do not have permission to record referrals."])
    if referral.pk is not None:
        raise ValueError("referral_receive is for new referrals")
    referral.family_time_district = (referral.family_time_district or "").strip().upper()
    with transaction.atomic():
        lock_all((Child, referral.child_id))
        _refuse(referral_problems(referral))
        referral.status = RStatus.OPEN
        referral.status_changed_on = referral.received_on
        referral.created_by = by
        if referral.social_worker_id is None and family_finders().filter(pk=by.pk).exists():
            # Whoever records it finds the family unless another worker is named: it is in
            # their caseload (portal.access) and its clocks remind them.
            referral.social_worker = by
        referral.save()
        referral.reference = f"RF{referral.pk:05d}"
        with audit.silenced():
            referral.save(update_fields=["reference"])
        audit.record(
            referral,
            "placements.referral.received",
            by=by,
            changes={"reference": [None, referral.reference], "route": [None, referral.route]},
        )
        referral_deadlines_refresh(referral=referral)
    return referral


def referral_update(*, referral: Referral, by) -> Referral:
    """Save edits to a referral's facts; its clocks follow the dates."""
    if not by.has_perm(CHANGE_PERMISSION):
        raise TransitionRefused(["You do not have permission to change referrals."])
    referral.family_time_district = (referral.family_time_district or "").strip().upper()
    with transaction.atomic():
        lock_all(referral)
        _refuse(referral_problems(referral))
        referral.save()
        referral_deadlines_refresh(referral=referral)
    return referral


def referral_acknowledge(*, referral: Referral, on: date, by) -> Referral:
    if not by.has_perm(CHANGE_PERMISSION):
        raise TransitionRefused(["You do not have permission to change referrals."])
    with transaction.atomic():
        (referral,) = lock_all(referral)
        problems = _happened(on, "The date it was acknowledged") + _after(
            on, referral.received_on, "The date it was acknowledged", "the date it was received"
        )
        if referral.acknowledged_on is not None:
            problems.append(f"It was acknowledged on {day(referral.acknowledged_on)}.")
        _refuse(problems)
        referral.acknowledged_on = on
        with audit.silenced():
            referral.save(update_fields=["acknowledged_on", "updated_at"])
        audit.record(
            referral,
            "placements.referral.acknowledged",
            by=by,
            changes={"acknowledged_on": [None, on]},
        )
        referral_deadlines_refresh(referral=referral)
    return referral


def _close_link(link: Link, *, on: date, reason: str, by) -> None:
    link.outcome, link.outcome_on, link.closed_reason = Link.Outcome.CLOSED, on, reason[:300]
    with audit.silenced():
        link.save(update_fields=["outcome", "outcome_on", "closed_reason"])
    audit.record(
        link,
        "placements.link.closed",
        by=by,
        changes={"outcome": [Link.Outcome.OPEN, Link.Outcome.CLOSED]},
    )


def _close_open_links(referral: Referral, *, on: date, reason: str, by) -> None:
    for link in referral.links.filter(outcome=Link.Outcome.OPEN):
        _close_link(link, on=on, reason=reason, by=by)


def referral_close(*, referral: Referral, action: str, on: date, reason: str, by) -> Referral:
    """The referral ends without a placement from it: withdrawn, or placed elsewhere.
    Open links close with the same reason."""
    reason = _require(reason, "the reason")
    with transaction.atomic():
        (referral,) = lock_all(referral)
        spec = REFERRAL.check(referral, action, user=by)
        _refuse(
            _happened(on, "The date it closed")
            + _after(on, referral.received_on, "The date it closed", "the date it was received")
        )
        _close_open_links(referral, on=on, reason=reason, by=by)
        REFERRAL.move(
            referral,
            to=spec.targets[0],
            by=by,
            what=action,
            fields={"status_changed_on": on, "closed_reason": reason[:300]},
        )
        referral_deadlines_refresh(referral=referral)
    return referral


def referral_record_emergency(
    *, referral: Referral, reason: str, agreed_by: str, on: date, by
) -> Referral:
    """An emergency: the child must be placed before a match can be agreed. The reason and
    who agreed it are kept on the referral; the placement may then start without a match."""
    if not by.has_perm(CHANGE_PERMISSION):
        raise TransitionRefused(["You do not have permission to change referrals."])
    reason = _require(reason, "the reason for the emergency")
    agreed_by = _require(agreed_by, "who agreed the emergency placement")
    with transaction.atomic():
        (referral,) = lock_all(referral)
        problems = _happened(on, "The date it was agreed")
        if referral.status not in OPEN_STATUSES:
            problems.append(f"The referral is “{referral.get_status_display()}”.")
        _refuse(problems)
        referral.emergency_reason = reason[:500]
        referral.emergency_agreed_by = agreed_by[:120]
        referral.emergency_recorded_on = on
        with audit.silenced():
            referral.save(
                update_fields=[
                    "emergency_reason",
                    "emergency_agreed_by",
                    "emergency_recorded_on",
                    "updated_at",
                ]
            )
        audit.record(
            referral,
            "placements.referral.emergency_recorded",
            by=by,
            changes={"emergency_recorded_on": [None, on]},
        )
    return referral


# ---------------------------------------------------------------------------
# Links
# ---------------------------------------------------------------------------


def link_propose(*, referral: Referral, household: Household, reasons: str, on: date, by) -> Link:
    """Link approved carers with the referral: they must fit (``selectors.linking``)."""
    from ..selectors.linking import linking_for  # the rules are read where the page reads them

    if not by.has_perm("placements.add_link"):
        raise TransitionRefused(["You do not have permission to link carers."])
    reasons = _require(reasons, "the reasons for linking these carers")
    with transaction.atomic():
        household, referral = lock_all(household, referral)
        problems = _happened(on, "The date of the link") + _after(
            on, referral.received_on, "The date of the link", "the date of the referral"
        )
        if referral.status not in (RStatus.OPEN, RStatus.LINKING):
            problems.append(
                f"Carers are linked while the referral is open; it is “{referral.get_status_display()}”."
            )
        page = linking_for(referral=referral, today=on, household=household)
        rows = page.fitting + page.left_out
        if not rows:
            problems.append(f"{household} are not approved adopters.")
        else:
            problems += rows[0].left_out_because
        _refuse(problems)
        link = Link.objects.create(
            referral=referral, household=household, proposed_by=by, proposed_on=on, reasons=reasons
        )
        audit.record(
            link, "placements.link.proposed", by=by, changes={"household": [None, str(household)]}
        )
        if referral.status == RStatus.OPEN:
            REFERRAL.move(
                referral,
                to=RStatus.LINKING,
                by=by,
                what="linking",
                fields={"status_changed_on": on},
            )
        referral_deadlines_refresh(referral=referral)
    return link


def link_update(
    *, link: Link, shared_on: date | None, met_social_worker_on: date | None, agency_view: str, by
) -> Link:
    """What happened on the link: information shared with the carers, their meeting with
    the child's social worker, the agency's view."""
    if not by.has_perm("placements.change_link"):
        raise TransitionRefused(["You do not have permission to change links."])
    with transaction.atomic():
        referral, link = lock_all(link.referral, link)
        problems = []
        for value, label in (
            (shared_on, "The date information was shared"),
            (met_social_worker_on, "The date of the meeting"),
        ):
            if value is not None:
                problems += _happened(value, label) + _after(
                    value, link.proposed_on, label, "the date of the link"
                )
        if link.outcome != Link.Outcome.OPEN and link.outcome != Link.Outcome.CHOSEN:
            problems.append("The link is closed.")
        _refuse(problems)
        changes = {}
        for name, value in (
            ("shared_on", shared_on),
            ("met_social_worker_on", met_social_worker_on),
            ("agency_view", agency_view or ""),
        ):
            if getattr(link, name) != value:
                changes[name] = [getattr(link, name), value]
                setattr(link, name, value)
        if changes:
            with audit.silenced():
                link.save(update_fields=list(changes))
            audit.record(link, "placements.link.updated", by=by, changes=changes)
        referral_deadlines_refresh(referral=referral)
    return link


def link_record_decision(*, link: Link, decision: str, on: date, by) -> Link:
    """The carers say whether they want to go ahead."""
    if not by.has_perm("placements.change_link"):
        raise TransitionRefused(["You do not have permission to change links."])
    if decision not in Link.Decision.values:
        raise TransitionRefused(["Say whether the carers want to go ahead."])
    with transaction.atomic():
        referral, link = lock_all(link.referral, link)
        problems = _happened(on, "The date of the decision") + _after(
            on,
            link.shared_on or link.proposed_on,
            "The date of the decision",
            "the date information was shared" if link.shared_on else "the date of the link",
        )
        if link.outcome != Link.Outcome.OPEN:
            problems.append("The link is no longer open.")
        if link.carers_decision:
            problems.append(f"The carers' decision was recorded on {day(link.carers_decided_on)}.")
        _refuse(problems)
        link.carers_decision, link.carers_decided_on = decision, on
        with audit.silenced():
            link.save(update_fields=["carers_decision", "carers_decided_on"])
        audit.record(
            link,
            f"placements.link.carers_decided.{decision}",
            by=by,
            changes={"carers_decision": ["", decision]},
        )
        if decision == Link.Decision.NO:
            _close_link(link, on=on, reason="The carers decided not to go ahead.", by=by)
        referral_deadlines_refresh(referral=referral)
    return link


def link_close(*, link: Link, on: date, reason: str, by) -> Link:
    if not by.has_perm("placements.change_link"):
        raise TransitionRefused(["You do not have permission to change links."])
    reason = _require(reason, "the reason")
    with transaction.atomic():
        referral, link = lock_all(link.referral, link)
        problems = _happened(on, "The date it closed") + _after(
            on, link.proposed_on, "The date it closed", "the date of the link"
        )
        if link.outcome != Link.Outcome.OPEN:
            problems.append("The link is no longer open.")
        _refuse(problems)
        _close_link(link, on=on, reason=reason, by=by)
        if (
            referral.status == RStatus.LINKING
            and not referral.links.exclude(outcome=Link.Outcome.CLOSED).exists()
        ):
            REFERRAL.move(
                referral, to=RStatus.OPEN, by=by, what="reopened", fields={"status_changed_on": on}
            )
        referral_deadlines_refresh(referral=referral)
    return link


def link_choose(*, link: Link, on: date, by) -> Link:
    """The placing authority chose these carers: the other open links close, saying so."""
    if not by.has_perm("placements.change_link"):
        raise TransitionRefused(["You do not have permission to change links."])
    with transaction.atomic():
        referral, link = lock_all(link.referral, link)
        problems = _happened(on, "The date of the choice") + _after(
            on, link.proposed_on, "The date of the choice", "the date of the link"
        )
        if link.outcome != Link.Outcome.OPEN:
            problems.append("Only an open link can be chosen.")
        if link.carers_decision != Link.Decision.YES:
            problems.append("Record the carers' decision to go ahead first.")
        if referral.links.filter(outcome=Link.Outcome.CHOSEN).exists():
            problems.append("The placing authority has already chosen carers for this child.")
        _refuse(problems)
        link.outcome, link.outcome_on = Link.Outcome.CHOSEN, on
        with audit.silenced():
            link.save(update_fields=["outcome", "outcome_on"])
        audit.record(
            link,
            "placements.link.chosen",
            by=by,
            changes={"outcome": [Link.Outcome.OPEN, Link.Outcome.CHOSEN]},
        )
        _close_open_links(
            referral, on=on, reason="The placing authority chose other carers.", by=by
        )
        referral_deadlines_refresh(referral=referral)
    return link


# ---------------------------------------------------------------------------
# The Early Permanence match
# ---------------------------------------------------------------------------


def match_problems(*, link: Link, match: Match, reg_25a_needed: bool) -> list[str]:
    problems = []
    if link.outcome != Link.Outcome.CHOSEN:
        problems.append("The placing authority has not chosen these carers.")
    if link.referral.status != RStatus.LINKING:
        problems.append(f"The referral is “{link.referral.get_status_display()}”.")
    problems += _after(
        match.meeting_on,
        link.outcome_on,
        "The date of the matching meeting",
        "the day the carers were chosen",
    )
    problems += _in_sequence(
        (match.meeting_on, "The date of the matching meeting"),
        (match.decided_on, "The date of the placing authority's decision"),
        (match.carers_told_on, "The date the carers were told"),
    )
    problems += _after(
        match.expected_placement_on,
        match.carers_told_on,
        "The expected placement date",
        "the date the carers were told",
    )
    if reg_25a_needed:
        if match.reg_25a_assessed_on is None or match.reg_25a_approved_by_id is None:
            problems.append(
                "These carers are not approved foster carers: for Fostering for Adoption give "
                "the date of the reg 25A suitability assessment and the approving officer."
            )
        elif not match.reg_25a_approved_by.has_perm(APPROVAL_PERMISSION):
            problems.append(f"{match.reg_25a_approved_by} may not grant a reg 25A approval.")
    return problems


def match_agree(*, link: Link, match: Match, report_file, by) -> Match:
    """Record the agreed Early Permanence match (built by a form: the meeting, the report,
    the plans, the placing authority's decision, the day the carers were told). For
    Fostering for Adoption by carers not approved as foster carers, the reg 25A approval
    for the child is granted here by the approving officer."""
    if not by.has_perm("placements.add_match"):
        raise TransitionRefused(["You do not have permission to record a match."])
    with transaction.atomic():
        household, child, referral, link = lock_all(
            link.household, (Child, link.referral.child_id), link.referral, link
        )
        reg_25a_needed = referral.route == Placement.Route.FFA and not _is_approved_foster_carer(
            household, match.expected_placement_on or match.decided_on or date.today()
        )
        match.link, match.referral, match.recorded_by = link, referral, by
        _refuse(match_problems(link=link, match=match, reg_25a_needed=reg_25a_needed))
        match.report = child_document_add(
            child=child,
            kind=ChildDocument.Kind.MATCHING_REPORT,
            title="EP matching report",
            file=report_file,
            by=by,
        )
        match.save()
        audit.record(
            match,
            "placements.match.agreed",
            by=by,
            changes={
                "carers_told_on": [None, match.carers_told_on],
                "decided_on": [None, match.decided_on],
            },
        )
        if reg_25a_needed:
            temporary_approval_grant(
                household=household,
                child=child,
                approved_on=match.reg_25a_assessed_on,
                by=match.reg_25a_approved_by,
            )
        REFERRAL.move(
            referral,
            to=RStatus.MATCHED,
            by=by,
            what="matched",
            fields={"status_changed_on": match.decided_on},
        )
        referral_deadlines_refresh(referral=referral)
    return match


def matching_pause_save(*, pause, by):
    """Put carers on hold for matching (or change the hold): the linking page leaves
    them out while it lasts."""
    permission = "change_matchingpause" if pause.pk else "add_matchingpause"
    if not by.has_perm(f"placements.{permission}"):
        raise TransitionRefused(["You do not have permission to put carers on hold."])
    problems = _after(
        pause.ends_on, pause.starts_on, "The date the hold ends", "the date it starts"
    )
    if not (pause.reason or "").strip():
        problems.append("Give the reason.")
    _refuse(problems)
    with transaction.atomic():
        pause.save()
    return pause


# ---------------------------------------------------------------------------
# The placement that starts from a referral
# ---------------------------------------------------------------------------


def _open_referrals(children) -> list[Referral]:
    return list(
        Referral.objects.filter(child__in=[c.pk for c in children], status__in=OPEN_STATUSES)
        .select_related("child", "match__link__household")
        .order_by("pk")
    )


def referral_placement_problems(*, household: Household, children) -> list[str]:
    """A referred child is placed from the agreed match with these carers, or in an
    emergency recorded on the referral (its reason and who agreed it)."""
    problems = []
    for referral in _open_referrals(children):
        match = getattr(referral, "match", None)
        if match is not None and referral.status == RStatus.MATCHED:
            if match.link.household_id != household.pk:
                problems.append(
                    f"{referral.child} is matched with {match.link.household}, not {household}."
                )
        elif not referral.emergency_reason:
            problems.append(
                f"{referral.child} was referred ({referral}): agree the match with the placing "
                "authority first, or record the emergency placement on the referral with its "
                "reason and who agreed it."
            )
    return problems


def referrals_placed(*, placement: Placement, children, by) -> None:
    """The placement has started: each referral for these children is placed (inside the
    placement's transaction; the children are locked)."""
    for referral in _open_referrals(children):
        (referral,) = lock_all(referral)
        match = getattr(referral, "match", None)
        if match is not None:
            match.placement = placement
            match.save(update_fields=["placement"])
        _close_open_links(referral, on=placement.placed_on, reason="The child was placed.", by=by)
        REFERRAL.move(
            referral,
            to=RStatus.PLACED,
            by=by,
            what="placed",
            fields={"status_changed_on": placement.placed_on},
        )
        referral_deadlines_refresh(referral=referral)


# ---------------------------------------------------------------------------
# The adoption match, once there is authority to place
# ---------------------------------------------------------------------------


def adoption_match_panel_problems(*, match: AdoptionMatch) -> list[str]:
    """The sitting that heard the match, on the rules of the approval panels
    (``carers.services.panels``): an adoption (or joint) sitting that has met, quorate
    (Adoption Agencies Regulations 2005 reg 6), and a decision maker who did not sit on
    it (Adoption National Minimum Standards 2014, std 17)."""
    if match.panel is None:
        return ["Choose the adoption panel sitting that heard the match."]
    sitting = match.panel
    part = f" ({sitting.get_part_display().lower()})" if sitting.part else ""
    named = f"{sitting.get_kind_display().lower()} on {day(sitting.sits_on)}{part}"
    problems = []
    if not sitting.hears(PanelSitting.Kind.ADOPTION):
        problems.append(
            f"The {named} is not an adoption panel: choose an adoption or joint sitting."
        )
    if dates.happened(sitting.sits_on):
        problems.append(f"The {named} has not sat yet: choose the sitting that heard the match.")
    problems += not_quorate_to_recommend(sitting, named=f"The {named}")
    # A member put on the sitting, present or not (AAR 2005 reg 30B(3)), as for approvals.
    if match.decided_by_id and sat_on_the_panel(sitting_id=sitting.pk, user_id=match.decided_by_id):
        problems.append(
            f"{match.decided_by} is a member of the {named}: the agency decision maker "
            "cannot be a member of the panel that made the recommendation. Another "
            "decision maker records it."
        )
    return problems


def adoption_match_at_sitting(sitting) -> str:
    """Why ``sitting``'s attendance is frozen on our side (registered with
    ``carers.services.register_sitting_recommendations``): an adoption match was
    recommended at it."""
    if AdoptionMatch.objects.filter(panel=sitting).exists():
        return "an adoption match was recommended at it, from the quorum of those present."
    return ""


def adoption_match_problems(*, placement: Placement, match: AdoptionMatch, children) -> list[str]:
    """Adoption Agencies Regulations 2005: the adoption placement report goes to the panel
    (reg 31), which recommends (reg 32) at a quorate sitting (reg 6); the agency decision
    maker decides, taking the recommendation into account (reg 33); the placement plan is
    sent to the carers before the child is placed for adoption (reg 35(2)). There must be
    an authority to place (Adoption and Children Act 2002 s18, s19, s21) on the day of the
    decision."""
    problems = []
    if placement.status != Placement.Status.FOSTERING:
        problems.append(f"The placement is “{placement.get_status_display()}”.")
    problems += adoption_match_panel_problems(match=match)
    panel_on = match.panel.sits_on if match.panel else None
    problems += _after(
        match.decided_on, panel_on, "The date of the decision", "the adoption panel's sitting"
    )
    problems += _in_sequence(
        (match.decided_on, "The date of the decision"),
        (match.plan_sent_on, "The date the placement plan was sent"),
    )
    if match.decided_by_id and not match.decided_by.has_perm(APPROVAL_PERMISSION):
        problems.append(f"{match.decided_by} is not an agency decision maker.")
    if match.decided_on:
        for child in children:
            problems += authority_to_place(child=child, on=match.decided_on).problems
    return problems


def adoption_match_record(
    *, placement: Placement, match: AdoptionMatch, report_file, by
) -> AdoptionMatch:
    """Record the adoption match of a placement that started from an EP match."""
    if not by.has_perm("placements.add_adoptionmatch"):
        raise TransitionRefused(["You do not have permission to record an adoption match."])
    with transaction.atomic():
        if match.panel is not None:
            # The sitting with the placement (lock order: the sitting first), so that its
            # attendance cannot change while the quorum is read (``sitting_attendance_frozen``).
            match.panel, placement = lock_all(match.panel, placement)
        else:
            (placement,) = lock_all(placement)
        children = list(Child.objects.filter(placement_links__placement=placement).order_by("pk"))
        problems = adoption_match_problems(placement=placement, match=match, children=children)
        if AdoptionMatch.objects.filter(placement=placement).exists():
            problems.append("The adoption match is already recorded.")
        _refuse(problems)
        match.placement, match.recorded_by = placement, by
        match.panel_on = match.panel.sits_on
        match.report = child_document_add(
            child=children[0],
            kind=ChildDocument.Kind.ADOPTION_PLACEMENT_REPORT,
            title="Adoption placement report",
            file=report_file,
            by=by,
        )
        match.save()
        audit.record(
            match,
            "placements.adoption_match.recorded",
            by=by,
            changes={
                "panel": [None, str(match.panel)],
                "decision": [None, match.decision],
                "decided_on": [None, match.decided_on],
            },
        )
    return match


def adoption_match_needed(placement: Placement, on: date) -> list[str]:
    """A placement from an EP match is placed for adoption only after the adoption match
    (the guard of ``placements.placement_place_for_adoption``)."""
    match = Match.objects.filter(placement=placement).select_related("referral").first()
    if match is None:
        return []
    found = AdoptionMatch.objects.filter(placement=placement).first()
    if found is None:
        return [
            f"Record the adoption match first, on referral {match.referral}: the adoption "
            "panel's recommendation and the agency decision maker's decision."
        ]
    if found.decision != AdoptionMatch.Recommendation.MATCH:
        return ["The agency decision maker did not agree the adoption match."]
    if found.decided_on > on:
        return [f"The adoption match was agreed on {day(found.decided_on)}, after {day(on)}."]
    return []


# ---------------------------------------------------------------------------
# Postcode district centres, for the estimated travel times
# ---------------------------------------------------------------------------

# A UK outward code: one or two letters, a digit, then a digit or a letter (or nothing).
DISTRICT = re.compile(r"^[A-Z]{1,2}[0-9][0-9A-Z]?$")
# The United Kingdom lies within these bounds; the postcode directory puts 99.999999
# where a postcode has no location.
LATITUDES, LONGITUDES = (49.0, 61.0), (-9.0, 3.0)


@dataclass
class DistrictsLoaded:
    loaded: int
    refused: int
    refused_lines: list[int]


def _coordinates(latitude: str, longitude: str) -> tuple[float, float] | None:
    try:
        lat, lon = float(latitude), float(longitude)
    except (TypeError, ValueError):
        return None
    if not (LATITUDES[0] <= lat <= LATITUDES[1] and LONGITUDES[0] <= lon <= LONGITUDES[1]):
        return None
    return lat, lon


def postcode_districts_load(*, lines: Iterable[str]) -> DistrictsLoaded:
    """Load postcode district centres from a CSV file's lines, in one transaction.

    Two layouts: a file of districts (``district,latitude,longitude``, as the portal ships
    for the demo area), or the open postcode directory an agency downloads (one row per
    postcode with ``pcds``, ``lat`` and ``long``; postcodes no longer in use, with a
    ``doterm``, are skipped). A district's centre is then the mean of its postcodes.
    Rows without a usable district or a location in the United Kingdom are refused and
    counted (their line numbers are kept); the rest replace the districts they name.
    """
    reader = csv.DictReader(lines)
    header = {name.strip().lower(): name for name in reader.fieldnames or []}
    if {"district", "latitude", "longitude"} <= header.keys():
        columns, by_postcode = ("district", "latitude", "longitude"), False
    elif {"pcds", "lat", "long"} <= header.keys():
        columns, by_postcode = ("pcds", "lat", "long"), True
    else:
        raise TransitionRefused(
            "The file needs the columns district, latitude and longitude, or the postcode "
            "directory's pcds, lat and long."
        )
    sums: dict[str, list[float]] = {}
    refused: list[int] = []
    for line, row in enumerate(reader, start=2):
        if by_postcode and (row.get(header.get("doterm", ""), "") or "").strip():
            continue
        place, lat, lon = (row.get(header[c]) for c in columns)
        district = district_of(place or "") if by_postcode else (place or "").strip().upper()
        found = _coordinates(lat, lon)
        if not DISTRICT.match(district) or found is None:
            refused.append(line)
            continue
        total = sums.setdefault(district, [0.0, 0.0, 0])
        total[0], total[1], total[2] = total[0] + found[0], total[1] + found[1], total[2] + 1
    rows = [
        PostcodeDistrict(
            district=district,
            latitude=Decimal(str(round(lat / n, 5))),
            longitude=Decimal(str(round(lon / n, 5))),
        )
        for district, (lat, lon, n) in sorted(sums.items())
    ]
    with transaction.atomic():
        PostcodeDistrict.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["district"],
            update_fields=["latitude", "longitude"],
        )
    return DistrictsLoaded(loaded=len(rows), refused=len(refused), refused_lines=refused)
