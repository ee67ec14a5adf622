"""Starting a placement and moving it through its statuses.

A placement's status moves only through the transition functions below, on the core
engine (``portal.workflow``). Each locks the placement, checks the move against
``ALLOWED_TRANSITIONS`` and its guard (``PLACEMENT``), saves with ``update_fields``,
writes a dotted audit entry and brings the placement's clocks and reminders up to
date, all in one transaction. A refused move raises ``Refused`` (``TransitionRefused``
here) whose messages say plainly what is missing.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from django.db import IntegrityError, transaction

from carers import services as carers_services
from carers.models import Household
from portal import audit
from portal.formats import day
from portal.workflow import Action, Offered, Table, Workflow, lock_all

from .. import clocks
from ..models import Child, CourtOrder, Placement, PlacementChild, TemporaryApproval
from .approvals import (
    _end_approval,
    _is_approved_adopter,
    _is_approved_foster_carer,
    terms_of_approval_problems,
)
from .common import (
    CHANGE_PERMISSION,
    Outcome,
    Status,
    TransitionRefused,
    _lock,
    _not_in_future,
    _placement_children,
)
from .consent import authority_to_place
from .court import _legal_status_set, court_order_record
from .deadlines import deadlines_refresh
from .family_time import family_time_plans_end
from .matching import adoption_match_needed, referral_placement_problems, referrals_placed

# Where a placement may go from each status: to another status, or to an end with an
# outcome. Each target has exactly one service function below.
ALLOWED_TRANSITIONS: dict[str, tuple[str, ...]] = {
    Status.FOSTERING: (
        Status.PLACED_FOR_ADOPTION,
        Outcome.RETURNED_HOME,
        Outcome.PLACED_WITH_KIN,
        Outcome.OTHER,
    ),
    Status.PLACED_FOR_ADOPTION: (Outcome.ADOPTED, Outcome.OTHER),
    Status.ENDED: (),
}


# The status a placement has once it goes to each target: an outcome ends it.
def _status_after(target: str) -> str:
    return Status.PLACED_FOR_ADOPTION if target == Status.PLACED_FOR_ADOPTION else Status.ENDED


# The engine's table is of statuses; which outcome may end it from where is said by
# each ending action's ``states`` (from ``ALLOWED_TRANSITIONS``).
TABLE = Table(
    {
        status: tuple(dict.fromkeys(_status_after(target) for target in targets))
        for status, targets in ALLOWED_TRANSITIONS.items()
    }
)


def _require_note(note: str, what: str) -> str:
    note = (note or "").strip()
    if not note:
        raise TransitionRefused([f"Say why {what}."])
    return note[:2000]


# ---------------------------------------------------------------------------
# Starting a placement: the guard
# ---------------------------------------------------------------------------


def _current_placement_of(child: Child) -> PlacementChild | None:
    return (
        PlacementChild.objects.filter(child=child, is_current=True)
        .select_related("placement")
        .first()
    )


def placement_start_problems(
    *,
    household: Household,
    children: Sequence[Child],
    route: str,
    placed_on: date,
) -> tuple[list[str], dict[int, TemporaryApproval]]:
    """What stops this placement, and the reg 25A approval that allows each child (FfA)."""
    problems: list[str] = []
    approvals: dict[int, TemporaryApproval] = {}
    if not children:
        problems.append("Choose the child, or the brothers and sisters, placed.")
    if route not in Placement.Route.values:
        problems.append("Choose the route: Concurrency or Fostering for Adoption.")
    problems += _not_in_future(placed_on)
    when = day(placed_on)
    if not _is_approved_adopter(household, placed_on):
        problems.append(f"{household} were not approved as adopters on {when}.")
    fostering_ok = _is_approved_foster_carer(household, placed_on)
    if route == Placement.Route.CONCURRENCY and not fostering_ok:
        problems.append(
            f"Concurrency needs carers approved as foster carers as well as adopters: "
            f"{household} were not approved foster carers on {when}. For Fostering for "
            "Adoption, record a reg 25A approval for each child first."
        )
    if route == Placement.Route.FFA and not fostering_ok and children:
        open_approvals = {
            approval.child_id: approval
            for approval in TemporaryApproval.objects.filter(
                household=household,
                child__in=[c.pk for c in children],
                ends_on__isnull=True,
                approved_on__lte=placed_on,
            )
        }
        for child in children:
            if child.pk in open_approvals:
                approvals[child.pk] = open_approvals[child.pk]
            else:
                problems.append(
                    f"{child}: no reg 25A temporary approval with {household} in force on "
                    f"{when}, and they are not approved foster carers."
                )
    for child in children:
        if child.date_of_birth is None:
            problems.append(f"{child} is not born yet: add the date of birth first.")
        elif child.date_of_birth > placed_on:
            problems.append(f"{child} was born after {when}.")
        current = _current_placement_of(child)
        if current is not None:
            problems.append(f"{child} is already placed ({current.placement}).")
    problems += terms_of_approval_problems(
        household=household, children=children, placed_on=placed_on, fostering=fostering_ok
    )
    problems += referral_placement_problems(household=household, children=children)
    return problems, approvals


def placement_start(
    *,
    household: Household,
    children: Sequence[Child],
    route: str,
    placed_on: date,
    came_from: str,
    by,
) -> Placement:
    """Record that a child (or brothers and sisters) came to live with approved carers."""
    if not by.has_perm("placements.add_placement"):
        raise TransitionRefused(["You do not have permission to record placements."])
    if came_from not in Placement.CameFrom.values:
        raise TransitionRefused(["Say where the child came from."])
    with transaction.atomic():
        # Lock the household and the children: two placements of one child cannot race.
        household, *children = lock_all(
            household, *[(Child, pk) for pk in sorted({c.pk for c in children})]
        )
        problems, approvals = placement_start_problems(
            household=household, children=children, route=route, placed_on=placed_on
        )
        if problems:
            raise TransitionRefused(problems)
        placement = Placement.objects.create(
            household=household,
            route=route,
            placed_on=placed_on,
            came_from=came_from,
            status=Status.FOSTERING,
            status_changed_on=placed_on,
            created_by=by,
        )
        placement.reference = f"PL{placement.pk:05d}"
        with audit.silenced():
            placement.save(update_fields=["reference"])
        try:
            for child in children:
                PlacementChild.objects.create(
                    placement=placement, child=child, temporary_approval=approvals.get(child.pk)
                )
        except IntegrityError as clash:
            # Only without row locks (SQLite): the database's one-current-placement rule.
            raise TransitionRefused(
                ["A child on this placement was placed by someone else a moment ago."]
            ) from clash
        audit.record(
            placement,
            "placements.placement.started",
            by=by,
            changes={
                "reference": [None, placement.reference],
                "route": [None, route],
                "placed_on": [None, placed_on],
                "children": [None, ", ".join(c.reference for c in children)],
            },
        )
        referrals_placed(placement=placement, children=children, by=by)
        deadlines_refresh(placement=placement)
    return placement


# ---------------------------------------------------------------------------
# Transitions: one function per move
# ---------------------------------------------------------------------------


def _placement_guard_place_for_adoption(placement: Placement, children, on: date) -> list[str]:
    """Each child needs an authority to place (a placement order, or the parents'
    consent: ``consent.authority_to_place``); the carers must be approved adopters."""
    problems = []
    for child in Child.objects.filter(pk__in=[c.pk for c in children]).prefetch_related("consents"):
        problems += authority_to_place(child=child, on=on).problems
    if not _is_approved_adopter(placement.household, on):
        problems.append(f"{placement.household} were not approved adopters on {day(on)}.")
    problems += adoption_match_needed(placement, on)
    return problems


def _placement_guard_adoption_order(placement: Placement, children, on: date) -> list[str]:
    if placement.adoption_application_on is None:
        return ["Record the carers' adoption order application first."]
    if on < placement.adoption_application_on:
        return [
            f"The order cannot come before the application ({day(placement.adoption_application_on)})."
        ]
    return []


def _guard_adoption_application(placement: Placement, children, on: date) -> list[str]:
    earliest = clocks.adoption_application_from(placement.placed_on)
    problems = []
    if placement.adoption_application_on is not None:
        problems.append(
            f"The application was recorded on {day(placement.adoption_application_on)}."
        )
    if on < earliest:
        problems.append(
            f"The carers may apply from {day(earliest)}, once the child has lived with them "
            "for 10 weeks."
        )
    return problems


@dataclass(frozen=True)
class Context:
    """What the guards read: the placement's children and the day of the move."""

    children: list[Child]
    on: date


def _guard(check: Callable[[Placement, list[Child], date], list[str]]):
    """A guard above, as the engine calls it: ``(placement, context)``."""
    return lambda placement, context: check(placement, context.children, context.on)


def _ending(outcome: str) -> dict:
    """An action that ends the placement with ``outcome``, from where the table allows it."""
    return {
        "targets": (Status.ENDED,),
        "states": tuple(s for s, targets in ALLOWED_TRANSITIONS.items() if outcome in targets),
    }


PLACEMENT = Workflow(
    table=TABLE,
    audit_prefix="placements.placement",
    permission=CHANGE_PERMISSION,
    permission_refused="You do not have permission to change placements.",
    not_open=lambda action, placement: (
        f"{action.label} is not possible: the placement is “{placement.get_status_display()}”."
    ),
    actions=[
        Action(
            "place_for_adoption",
            "Placed for adoption (placement order made)",
            (Status.PLACED_FOR_ADOPTION,),
            guards=(_guard(_placement_guard_place_for_adoption),),
        ),
        Action(
            "record_adoption_application",
            "Record the adoption order application",
            states=(Status.PLACED_FOR_ADOPTION,),
            guards=(_guard(_guard_adoption_application),),
        ),
        Action(
            "record_adoption_order",
            "Record the adoption order",
            **_ending(Outcome.ADOPTED),
            guards=(_guard(_placement_guard_adoption_order),),
        ),
        Action(
            "record_return_home",
            "Returned to the birth family",
            **_ending(Outcome.RETURNED_HOME),
            needs_note=True,
        ),
        Action(
            "record_kin_placement",
            "Placed with kin (e.g. special guardianship)",
            **_ending(Outcome.PLACED_WITH_KIN),
            needs_note=True,
        ),
        Action(
            "end_other",
            "End the placement (other)",
            **_ending(Outcome.OTHER),
            warning=True,
            needs_note=True,
        ),
        Action(
            "record_court_order",
            "Record a court order",
            states=(Status.FOSTERING, Status.PLACED_FOR_ADOPTION),
            fields=("kind", "children"),
        ),
    ],
)

# The buttons by name (the admin's URLs name them).
ACTIONS: dict[str, Action] = PLACEMENT.actions


def actions_for(*, placement: Placement, children: list[Child], user, on: date) -> list[Offered]:
    """The actions open to this user on this placement now, with what blocks each one."""
    return PLACEMENT.actions_for(placement, user=user, context=Context(children, on))


def action_offered(
    *, placement: Placement, name: str, children: list[Child], user, on: date
) -> Offered | None:
    """One action as ``actions_for`` offers it (None when it is not open now)."""
    return PLACEMENT.offered(placement, name, user=user, context=Context(children, on))


def _begin(placement: Placement, action_name: str, *, by, on: date):
    """Lock, then check permission, the move, the date and the guard."""
    locked = _lock(placement)
    action = PLACEMENT.check_open(locked, action_name, user=by)
    problems = _not_in_future(on)
    if on < locked.status_changed_on:
        problems.append(
            f"The date cannot be before {day(locked.status_changed_on)}, when the placement "
            f"became “{locked.get_status_display()}”."
        )
    children = _placement_children(locked)
    problems += PLACEMENT.guard_problems(action, locked, Context(children, on))
    if problems:
        raise TransitionRefused(problems)
    return locked, children


def _move(placement: Placement, *, to: str, on: date, by, what: str, fields: dict) -> None:
    """Apply one allowed move: a new status, or the end with an outcome (``to``)."""
    if to not in ALLOWED_TRANSITIONS[placement.status]:
        raise TransitionRefused([f"“{placement.get_status_display()}” cannot move to “{to}”."])
    if _status_after(to) == Status.ENDED:
        fields = {**fields, "outcome": to, "outcome_on": on}
    placement.status_changed_on = on
    PLACEMENT.move(
        placement,
        to=_status_after(to),
        by=by,
        what=what,
        fields=fields,
        also_save=["status_changed_on"],
    )


def _end(placement: Placement, children: list[Child], *, on: date, by, legal_status: str | None):
    """What follows every ending: the children are free to be placed, approvals end."""
    PlacementChild.objects.filter(placement=placement).update(is_current=False)
    for approval in TemporaryApproval.objects.select_for_update().filter(
        household=placement.household_id, child__in=[c.pk for c in children], ends_on__isnull=True
    ):
        _end_approval(approval, on=on, reason=TemporaryApproval.EndReason.PLACEMENT_ENDED, by=by)
    family_time_plans_end(children=children, on=on)
    if legal_status:
        for child in children:
            _legal_status_set(child, legal_status, by=by)
    deadlines_refresh(placement=placement)
    # Each of the carers' approvals is reviewed after a placement ends; the adopter review
    # clock (reg 30D) starts again once no child is placed for adoption with them.
    carers_services.approvals_placement_ended(
        household=placement.household,
        on=on,
        adopted=placement.outcome == Outcome.ADOPTED,
        still_placed_for_adoption=Placement.objects.filter(
            household=placement.household_id, status=Status.PLACED_FOR_ADOPTION
        )
        .exclude(pk=placement.pk)
        .exists(),
        by=by,
    )


def placement_place_for_adoption(
    *, placement: Placement, on: date, by, note: str = "", notice_on: date | None = None
) -> Placement:
    """The child is placed for adoption: the carers now care for them as prospective adopters.

    The child already lives with the carers (an Early Permanence placement begins as
    fostering), so the agency must notify them in writing of the date on which the child
    is placed for adoption (Adoption Agencies Regulations 2005, reg 35(5)); ``notice_on``
    is that notice's date, required. From then the adoption review and visit clocks (AAR
    reg 36) replace the CPPCR ones. Each child needs an authority to place (the guard).
    """
    with transaction.atomic():
        placement, children = _begin(placement, "place_for_adoption", by=by, on=on)
        if notice_on is None:
            raise TransitionRefused(
                [
                    "Give the date of the written notice to the carers of the date the child "
                    "is placed for adoption (Adoption Agencies Regulations 2005, reg 35(5))."
                ]
            )
        problems = _not_in_future(notice_on, "The date of the written notice")
        if notice_on < placement.placed_on:
            problems.append(
                "The written notice cannot come before the child came to live with the "
                f"carers ({day(placement.placed_on)})."
            )
        if problems:
            raise TransitionRefused(problems)
        _move(
            placement,
            to=Status.PLACED_FOR_ADOPTION,
            on=on,
            by=by,
            what="placed_for_adoption",
            fields={"placed_for_adoption_on": on, "adoption_notice_on": notice_on},
        )
        deadlines_refresh(placement=placement)
        # No review of the adopter approval while a child is placed for adoption (reg 30D).
        carers_services.approvals_child_placed_for_adoption(
            household=placement.household, on=on, by=by
        )
    return placement


def placement_record_adoption_application(
    *, placement: Placement, on: date, by, note: str = ""
) -> Placement:
    """Not a move: the carers applied for the adoption order (from 10 weeks after placement)."""
    with transaction.atomic():
        placement, children = _begin(placement, "record_adoption_application", by=by, on=on)
        changes = {"adoption_application_on": [None, on]}
        placement.adoption_application_on = on
        with audit.silenced():
            placement.save(update_fields=["adoption_application_on", "updated_at"])
        audit.record(
            placement, "placements.placement.adoption_application_made", by=by, changes=changes
        )
        deadlines_refresh(placement=placement)
    return placement


def placement_record_adoption_order(
    *, placement: Placement, on: date, by, note: str = ""
) -> Placement:
    """The court made the adoption order: the carers are the child's parents."""
    with transaction.atomic():
        placement, children = _begin(placement, "record_adoption_order", by=by, on=on)
        for child in children:
            CourtOrder.objects.get_or_create(
                child=child,
                kind=CourtOrder.Kind.ADOPTION_ORDER,
                made_on=on,
                defaults={"placement": placement, "recorded_by": by},
            )
        _move(
            placement,
            to=Outcome.ADOPTED,
            on=on,
            by=by,
            what="adopted",
            fields={"outcome_note": (note or "").strip()[:2000]},
        )
        _end(placement, children, on=on, by=by, legal_status=Child.LegalStatus.ADOPTED)
        _children_seal(children, on=on, by=by)
    return placement


def _children_seal(children, *, on: date, by) -> None:
    """The adoption order seals each child's record (portal.access): the child's case
    record is kept secure against unauthorised disclosure and treated as confidential
    (Adoption Agencies Regulations 2005, regs 39 and 41), opened only as reg 42 allows;
    so it opens only to holders of ``view_sealed_child``, each opening audited."""
    for child in children:
        if child.sealed_on is not None:
            continue
        child.sealed_on = on
        with audit.silenced():
            child.save(update_fields=["sealed_on", "updated_at"])
        audit.record(child, "placements.child.sealed", by=by, changes={"sealed_on": [None, on]})
        audit.relabel(child)


def placement_record_return_home(*, placement: Placement, on: date, by, note: str) -> Placement:
    """The court decided the child goes home: a normal outcome, supported by the carers."""
    note = _require_note(note, "the child is returning home (the court's decision)")
    with transaction.atomic():
        placement, children = _begin(placement, "record_return_home", by=by, on=on)
        _move(
            placement,
            to=Outcome.RETURNED_HOME,
            on=on,
            by=by,
            what="returned_home",
            fields={"outcome_note": note},
        )
        _end(placement, children, on=on, by=by, legal_status=Child.LegalStatus.LEFT_CARE)
    return placement


def placement_record_kin_placement(*, placement: Placement, on: date, by, note: str) -> Placement:
    note = _require_note(note, "the child is living with kin (e.g. the order made)")
    with transaction.atomic():
        placement, children = _begin(placement, "record_kin_placement", by=by, on=on)
        _move(
            placement,
            to=Outcome.PLACED_WITH_KIN,
            on=on,
            by=by,
            what="placed_with_kin",
            fields={"outcome_note": note},
        )
        _end(placement, children, on=on, by=by, legal_status=Child.LegalStatus.LEFT_CARE)
    return placement


def placement_end_other(*, placement: Placement, on: date, by, note: str) -> Placement:
    """Any other ending (e.g. the child moved on). The child stays looked after."""
    note = _require_note(note, "the placement ends")
    with transaction.atomic():
        placement, children = _begin(placement, "end_other", by=by, on=on)
        _move(
            placement,
            to=Outcome.OTHER,
            on=on,
            by=by,
            what="ended_other",
            fields={"outcome_note": note},
        )
        _end(placement, children, on=on, by=by, legal_status=None)
    return placement


def placement_record_court_order(
    *, placement: Placement, on: date, by, kind: str, children: Sequence[Child], note: str = ""
) -> list[CourtOrder]:
    """The admin's "Record a court order" button (same as ``court_order_record``)."""
    if not by.has_perm(CHANGE_PERMISSION):
        raise TransitionRefused(["You do not have permission to change placements."])
    return court_order_record(placement=placement, children=children, kind=kind, made_on=on, by=by)


# Every action by its name, for the admin's buttons.
TRANSITION_SERVICES: dict[str, Callable] = {
    "place_for_adoption": placement_place_for_adoption,
    "record_adoption_application": placement_record_adoption_application,
    "record_adoption_order": placement_record_adoption_order,
    "record_return_home": placement_record_return_home,
    "record_kin_placement": placement_record_kin_placement,
    "end_other": placement_end_other,
    "record_court_order": placement_record_court_order,
}
