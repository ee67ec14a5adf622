"""Children, their court timelines, placements and family time for a large agency's history
(``seed_scale``).

Each placement goes to a household approved (as adopters, and as foster carers for
Concurrency; under a reg 25A temporary approval for Fostering for Adoption) before
the placement began, one at a time per household. The child's care proceedings run
from issue to a final hearing within the 26 weeks or an extension (Children Act 1989
s32), with an interim care order at issue and the final order at the end: a placement
order (the placement becomes one for adoption on the reg 35(5) notice, and the
adoption order follows), or a return home or to kin (the placement ends). Reviews and
visits are held before the clocks in ``clocks`` say they fall due; family time follows
the plan three days a week until the final order, sessions generated four weeks ahead
as the beat job does; an open placement carries the ``PlacementDeadline`` rows its
clocks give (``clocks.placement_clocks``).
"""

from dataclasses import replace
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from carers.models import Household
from portal.roles import Role
from portal.scale import History

from . import clocks
from .models import (
    BirthRelative,
    Child,
    CourtOrder,
    FamilyTimePlan,
    FamilyTimeSession,
    HealthAssessment,
    Hearing,
    LocalAuthority,
    LookedAfterReview,
    Placement,
    PlacementChild,
    PlacementDeadline,
    Proceedings,
    ProceedingsExtension,
    SocialWorkerVisit,
    TemporaryApproval,
)

AUTHORITIES = ("Oakshire County Council", "Ashby Borough Council", "Elmbridge City Council")
FamilyStatus = FamilyTimeSession.Status
# How a past session went, and how often (the rest took place).
SESSION_OUTCOMES = [
    (FamilyStatus.PARENT_LATE, 0.06),
    (FamilyStatus.PARENT_DID_NOT_ATTEND, 0.08),
    (FamilyStatus.CANCELLED_BY_PARENT, 0.05),
    (FamilyStatus.CANCELLED_BY_AUTHORITY, 0.02),
    (FamilyStatus.CHILD_UNWELL, 0.02),
]
MODELS = (
    LocalAuthority,
    Child,
    Proceedings,
    ProceedingsExtension,
    Hearing,
    Placement,
    TemporaryApproval,
    PlacementChild,
    CourtOrder,
    LookedAfterReview,
    SocialWorkerVisit,
    HealthAssessment,
    BirthRelative,
    FamilyTimePlan,
    FamilyTimeSession,
    PlacementDeadline,
)


def build(history: History) -> None:
    rows: dict[type, list] = {model: [] for model in MODELS if model is not LocalAuthority}
    links: dict[str, list] = {"proceedings_children": [], "plan_relatives": []}
    authorities = _authorities(history)
    approved = [h for h in history.households if h.status == Household.Status.APPROVED]
    wanted = history.amount(1300)
    # Households take placements in turn; each begins after its approval and the last ended.
    free_from = {h.pk: h.adopter_approved_on + timedelta(days=14) for h in approved}
    made = 0
    recent = history.amount(130)
    for n in range(wanted * 3):
        if made >= wanted or not approved:
            break
        household = approved[n % len(approved)]
        start = free_from[household.pk]
        if start > history.today - timedelta(days=7):
            continue
        placed_on = history.day_between(start, min(start + timedelta(days=400), history.today))
        if made < recent:
            # Some placements of this year: still open, with their clocks running.
            placed_on = max(start, history.today - timedelta(days=history.rng.randint(20, 200)))
        ended_on = _placement(history, household, placed_on, authorities, rows, links)
        free_from[household.pk] = (ended_on or date.max - timedelta(days=1)) + timedelta(days=1)
        made += 1
    # A few children referred and not yet placed.
    for _ in range(history.amount(200, least=0)):
        child = _child(
            history, history.today - timedelta(days=history.rng.randint(5, 60)), authorities
        )
        rows[Child].append(child)
    Household.objects.bulk_update(
        [h for h in approved if h.placed_for_adoption_since], ["placed_for_adoption_since"]
    )
    for model in MODELS:
        if model is not LocalAuthority:
            history.write(model, rows[model])
    history.write(
        Proceedings.children.through, links["proceedings_children"], label="proceedings children"
    )
    history.write(FamilyTimePlan.relatives.through, links["plan_relatives"], label="plan relatives")


def _authorities(history: History) -> list[LocalAuthority]:
    known = {a.name: a for a in LocalAuthority.objects.filter(name__in=AUTHORITIES)}
    new = [
        LocalAuthority(pk=history.pk(LocalAuthority), name=name)
        for name in AUTHORITIES
        if name not in known
    ]
    history.write(LocalAuthority, new, label="placing local authorities")
    return [*known.values(), *new]


def _child(history: History, entered: date, authorities) -> Child:
    rng = history.rng
    pk = history.pk(Child)
    born = entered - timedelta(days=rng.choice((0, 1, 2, 3, 5, 10, 30, 90, 200)))
    return Child(
        pk=pk,
        reference=f"C{pk:05d}",
        first_name=rng.choice(("Ava", "Leo", "Mia", "Noah", "Isla", "Theo", "Ivy", "Max")),
        last_name=rng.choice(("Smith", "Jones", "Taylor", "Brown", "Wilson", "Davies")),
        date_of_birth=born,
        sex=rng.choice((Child.Sex.FEMALE, Child.Sex.MALE)),
        legal_status=Child.LegalStatus.ACCOMMODATED,
        entered_care_on=entered,
        looked_after_basis=Child.LookedAfterBasis.ACCOMMODATED,
        placing_authority=rng.choice(authorities),
        created_at=history.moment(entered),
        updated_at=history.moment(entered),
    )


def _placement(history: History, household, placed_on: date, authorities, rows, links):  # noqa: C901, PLR0915
    """One child's case, from care to its outcome (or today); the day the placement ended."""
    rng = history.rng
    today = history.today
    worker = household.social_worker
    entered = placed_on - timedelta(days=rng.randint(0, 10))
    child = _child(history, entered, authorities)
    child.social_worker = worker
    rows[Child].append(child)
    concurrency = household.foster_carer_approved_on is not None and rng.random() < 0.7
    pk = history.pk(Placement)
    placement = Placement(
        pk=pk,
        reference=f"PL{pk:05d}",
        household=household,
        route=Placement.Route.CONCURRENCY if concurrency else Placement.Route.FFA,
        placed_on=placed_on,
        came_from=rng.choice(Placement.CameFrom.values),
        status=Placement.Status.FOSTERING,
        status_changed_on=placed_on,
        created_by=worker,
        created_at=history.moment(placed_on),
        updated_at=history.moment(placed_on),
    )
    rows[Placement].append(placement)
    approval = None
    if not concurrency:
        approval = TemporaryApproval(
            pk=history.pk(TemporaryApproval),
            household=household,
            child=child,
            approved_on=placed_on,
            approved_by=rng.choice(history.staff[Role.TEAM_MANAGERS]),
            created_at=history.moment(placed_on),
        )
        rows[TemporaryApproval].append(approval)
    link = PlacementChild(
        pk=history.pk(PlacementChild), placement=placement, child=child, temporary_approval=approval
    )
    rows[PlacementChild].append(link)
    history.audit(
        placement,
        "placements.placement.created",
        at=placement.created_at,
        by=worker,
        kind=0,
        changes={"reference": [None, placement.reference], "children": [None, child.reference]},
    )

    # The court: issued soon after the child came into care.
    issued = entered + timedelta(days=rng.randint(1, 20))
    proceedings = Proceedings(
        pk=history.pk(Proceedings),
        court="The family court at Oakford",
        case_number=f"OK{issued.year % 100:02d}C{rng.randint(100, 999)}",
        issued_on=issued,
        target_on=clocks.proceedings_timetable_end(issued_on=issued),
        created_by=worker,
        created_at=history.moment(issued),
        updated_at=history.moment(issued),
    )
    rows[Proceedings].append(proceedings)
    links["proceedings_children"].append(
        Proceedings.children.through(
            pk=history.pk(Proceedings.children.through), proceedings=proceedings, child=child
        )
    )
    ends = proceedings.target_on
    if rng.random() < 0.25:
        granted = ends - timedelta(days=rng.randint(1, 14))
        if granted <= today:
            extended = clocks.extension_latest_end(period_end=ends, granted_on=granted)
            rows[ProceedingsExtension].append(
                ProceedingsExtension(
                    pk=history.pk(ProceedingsExtension),
                    proceedings=proceedings,
                    granted_on=granted,
                    ends_on=extended,
                    reason="Further assessment of a parent.",
                )
            )
            proceedings.extended_to = extended
            ends = extended
    final = ends - timedelta(days=rng.randint(0, 35))

    def order(kind: str, on: date, *, where=placement):
        rows[CourtOrder].append(
            CourtOrder(
                pk=history.pk(CourtOrder),
                child=child,
                proceedings=proceedings if kind != CourtOrder.Kind.ADOPTION_ORDER else None,
                placement=where,
                kind=kind,
                made_on=on,
                recorded_by=worker,
                recorded_at=history.moment(on),
            )
        )

    for kind, on in (
        (Hearing.Kind.CASE_MANAGEMENT, issued + timedelta(days=rng.randint(12, 18))),
        (Hearing.Kind.ISSUES_RESOLUTION, final - timedelta(days=rng.randint(21, 42))),
        (Hearing.Kind.FINAL, final),
    ):
        if on <= today:
            rows[Hearing].append(
                Hearing(pk=history.pk(Hearing), proceedings=proceedings, held_on=on, kind=kind)
            )
    order(CourtOrder.Kind.INTERIM_CARE_ORDER, issued)
    child.legal_status = Child.LegalStatus.INTERIM_CARE_ORDER
    ended_on = None
    outcome = rng.random()
    adoption_from = None
    if final <= today:
        proceedings.concluded_on = final
        if outcome < 0.88:
            order(CourtOrder.Kind.CARE_ORDER, final)
            order(CourtOrder.Kind.PLACEMENT_ORDER, final)
            child.legal_status = Child.LegalStatus.PLACEMENT_ORDER
            child.should_be_placed_on = final - timedelta(days=rng.randint(14, 40))
            placement.status = Placement.Status.PLACED_FOR_ADOPTION
            placement.status_changed_on = final
            placement.placed_for_adoption_on = final
            placement.adoption_notice_on = final
            adoption_from = final
            household.placed_for_adoption_since = final
            history.audit(
                placement,
                "placements.placement.placed_for_adoption",
                at=history.moment(final),
                by=worker,
                changes={"status": ["fostering", "placed_for_adoption"]},
            )
            applied = final + timedelta(days=rng.randint(20, 90))
            adopted = applied + timedelta(days=rng.randint(60, 200))
            if applied <= today:
                placement.adoption_application_on = applied
            if adopted <= today and applied <= today:
                order(CourtOrder.Kind.ADOPTION_ORDER, adopted)
                child.legal_status = Child.LegalStatus.ADOPTED
                child.sealed_on = adopted
                child.adoptive_last_name = household.applicant_rows[0].last_name
                ended_on = adopted
                placement.outcome = Placement.Outcome.ADOPTED
        else:
            returned = outcome < 0.94
            order(
                CourtOrder.Kind.SUPERVISION_ORDER
                if returned
                else CourtOrder.Kind.SPECIAL_GUARDIANSHIP_ORDER,
                final,
            )
            child.legal_status = Child.LegalStatus.LEFT_CARE
            ended_on = final
            placement.outcome = (
                Placement.Outcome.RETURNED_HOME if returned else Placement.Outcome.PLACED_WITH_KIN
            )
    if ended_on is not None:
        placement.status = Placement.Status.ENDED
        placement.status_changed_on = ended_on
        placement.outcome_on = ended_on
        link.is_current = False
        if household.placed_for_adoption_since is not None:
            household.placed_for_adoption_since = None
        if approval is not None:
            approval.ends_on = ended_on
            approval.end_reason = TemporaryApproval.EndReason.PLACEMENT_ENDED
        history.audit(
            placement,
            "placements.placement.ended",
            at=history.moment(ended_on),
            by=worker,
            changes={"outcome": ["", placement.outcome]},
        )
    if approval is not None and approval.ends_on is None and adoption_from is not None:
        # Placed for adoption: the placement no longer rests on the temporary approval.
        approval.ends_on = adoption_from
        approval.end_reason = TemporaryApproval.EndReason.PLACEMENT_ENDED
        link.temporary_approval = approval
    last_day = min(ended_on or today, today)
    facts = _reviews_and_visits(history, child, placement, adoption_from, last_day, rows)
    _family_time(history, child, placement, final, rows, links)
    if placement.is_open:
        facts = replace(
            facts,
            proceedings=[
                clocks.ProceedingsFacts(
                    issued_on=proceedings.issued_on,
                    concluded_on=proceedings.concluded_on,
                    extension_ends=[ends] if proceedings.extended_to else [],
                )
            ],
        )
        for clock in clocks.placement_clocks(clocks.PlacementFacts(placement, [facts])):
            worker_for = clock.worker or worker
            rows[PlacementDeadline].append(
                PlacementDeadline(
                    pk=history.pk(PlacementDeadline),
                    placement=placement,
                    child_id=clock.child_id,
                    kind=clock.kind,
                    label=clock.label,
                    due_on=clock.due_on,
                    duty=clock.duty,
                    worker=clock.worker,
                    reminded_to=worker_for.email,
                    updated_at=history.now,
                )
            )
    return ended_on


def _reviews_and_visits(history, child, placement, adoption_from, last_day, rows):
    """Reviews, visits and health assessments held in time, up to ``last_day``."""
    rng = history.rng
    worker = placement.household.social_worker
    entered = child.entered_care_on
    held: list[date] = []
    while True:
        before = [d for d in held if adoption_from is None or d <= adoption_from]
        after = [d for d in held if adoption_from is not None and d > adoption_from]
        floor = (held[-1] if held else entered) + timedelta(days=1)
        due = clocks.next_review_due(entered_care_on=entered, held=before)
        if adoption_from is not None and (after or due > adoption_from):
            due = clocks.adoption_review_due(placed_for_adoption_on=adoption_from, held=after)
            floor = max(floor, adoption_from + timedelta(days=1))
        day = max(due - timedelta(days=rng.randint(0, 10)), floor)
        if day > last_day:
            break
        held.append(day)
    reviews = []
    for day in held:
        weeks = 6 if adoption_from is not None and day > adoption_from else None
        rows[LookedAfterReview].append(
            LookedAfterReview(
                pk=history.pk(LookedAfterReview),
                child=child,
                placement=placement,
                held_on=day,
                visit_interval_weeks=weeks,
            )
        )
        reviews.append((day, weeks))
        history.outbox(
            f"placements:review:{child.pk}:{day.isoformat()}",
            to=worker.email,
            template="placements/deadline_reminder",
            due_at=history.moment(day - timedelta(days=7), earliest=8, latest=9),
        )
    visits: list[date] = []
    while True:
        before = [d for d in visits if adoption_from is None or d <= adoption_from]
        after = [d for d in visits if adoption_from is not None and d > adoption_from]
        floor = visits[-1] + timedelta(days=1) if visits else placement.placed_on
        due = clocks.next_visit_due(placed_on=placement.placed_on, visited=before)
        if adoption_from is not None and (after or due > adoption_from):
            due = clocks.adoption_visit_due(
                placed_for_adoption_on=adoption_from, visited=visits, reviews=reviews
            )
            floor = max(floor, adoption_from + timedelta(days=1))
        day = max(due - timedelta(days=rng.randint(0, 4)), floor)
        if day > last_day:
            break
        visits.append(day)
    for day in visits:
        rows[SocialWorkerVisit].append(
            SocialWorkerVisit(
                pk=history.pk(SocialWorkerVisit),
                child=child,
                placement=placement,
                visited_on=day,
                seen_alone=False,
            )
        )
        history.outbox(
            f"placements:visit:{placement.pk}:{day.isoformat()}",
            to=worker.email,
            template="placements/deadline_reminder",
            due_at=timezone.make_aware(datetime.combine(day - timedelta(days=3), time(8))),
        )
    health = []
    day = clocks.first_health_assessment_due(entered_care_on=child.entered_care_on) - timedelta(
        days=rng.randint(1, 8)
    )
    kind = HealthAssessment.Kind.INITIAL
    while day <= last_day:
        day = max(day, child.entered_care_on)
        rows[HealthAssessment].append(
            HealthAssessment(pk=history.pk(HealthAssessment), child=child, kind=kind, done_on=day)
        )
        health.append((kind, day))
        kind = HealthAssessment.Kind.REVIEW
        day = clocks.next_health_assessment_due(
            date_of_birth=child.date_of_birth, last_on=day
        ) - timedelta(days=rng.randint(1, 10))
    return clocks.ChildFacts(
        pk=child.pk,
        reference=child.reference,
        entered_care_on=child.entered_care_on,
        date_of_birth=child.date_of_birth,
        reviews=reviews,
        visits=visits,
        health=health,
        social_worker=child.social_worker,
    )


def _family_time(history, child, placement, final: date, rows, links) -> None:
    """Four or five sessions a week (a baby's family time often is) from the placement to
    the final hearing, generated four weeks ahead."""
    rng = history.rng
    mother = BirthRelative(
        pk=history.pk(BirthRelative),
        child=child,
        relationship=BirthRelative.Relationship.MOTHER,
        name=f"{rng.choice(('Kim', 'Jade', 'Amy', 'Leah'))} {child.last_name}",
        has_parental_responsibility=True,
    )
    rows[BirthRelative].append(mother)
    starts = placement.placed_on + timedelta(days=rng.randint(1, 4))
    ends = final if final <= history.today else None
    plan = FamilyTimePlan(
        pk=history.pk(FamilyTimePlan),
        child=child,
        version=1,
        source=FamilyTimePlan.Source.COURT_DIRECTION,
        source_dated=starts - timedelta(days=1),
        starts_on=starts,
        ends_on=ends if ends is None or ends >= starts else starts,
        weekdays=rng.choice(("0124", "01234", "01234", "01234")),
        start_time=time(rng.choice((10, 13))),
        length_minutes=90,
        venue="Oakford Family Centre",
        supervision=FamilyTimePlan.Supervision.SUPERVISED,
        handover="contact_worker",
        transport=FamilyTimePlan.Transport.CARERS_DRIVE,
        created_at=history.moment(starts),
        created_by=child.social_worker,
    )
    rows[FamilyTimePlan].append(plan)
    links["plan_relatives"].append(
        FamilyTimePlan.relatives.through(
            pk=history.pk(FamilyTimePlan.relatives.through),
            familytimeplan=plan,
            birthrelative=mother,
        )
    )
    horizon = history.today + timedelta(weeks=4)
    last = min(horizon, (plan.ends_on - timedelta(days=1)) if plan.ends_on else horizon)
    if placement.outcome_on:
        last = min(last, placement.outcome_on)
    day = plan.starts_on
    days = set(plan.days)
    while day <= last:
        if day.weekday() in days:
            rows[FamilyTimeSession].append(_session(history, child, placement, plan, day))
        day += timedelta(days=1)


def _session(history, child, placement, plan, day: date) -> FamilyTimeSession:
    rng = history.rng
    session = FamilyTimeSession(
        pk=history.pk(FamilyTimeSession),
        child=child,
        placement=placement,
        plan=plan,
        held_on=day,
        starts_at=plan.start_time,
    )
    starts = timezone.make_aware(datetime.combine(day, plan.start_time))
    if starts + timedelta(hours=3) > history.now:
        return session  # still to come: planned, as the beat job makes it
    roll, status = rng.random(), FamilyStatus.TOOK_PLACE
    for outcome, share in SESSION_OUTCOMES:
        if roll < share:
            status = outcome
            break
        roll -= share
    session.status = status
    session.recorded_at = starts + timedelta(hours=rng.randint(3, 30))
    if status in FamilyTimeSession.CANCELLED:
        session.cancelled_at = starts - timedelta(hours=rng.randint(1, 48))
    else:
        session.miles = rng.choice((4, 6, 8, 12, 15))
        session.claim = FamilyTimeSession.Claim.PAID
    history.audit(
        session,
        "placements.family_time.session_recorded",
        at=min(session.recorded_at, history.now),
        by=child.social_worker,
        changes={"status": ["planned", status]},
    )
    session.recorded_at = min(session.recorded_at, history.now)
    return session
