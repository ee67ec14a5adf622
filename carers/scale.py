"""Carer households for a large agency's history (``seed_scale``).

Each converted enquiry becomes a household (the conversion service's link and
reference), with one or two applicants, the checks ``services.records`` asks for, the
mandatory training with its due dates, the two assessment tracks moved stage by stage
(with a ``StageChange`` for each move), panel sittings every four weeks, yearly reviews
of each approval and, for every household still open, the ``Deadline`` rows its clocks
give (``clocks.household_clocks``): the same rows ``services.deadlines_refresh`` keeps.
"""

from datetime import date, timedelta

from django.utils import timezone

from enquiries.models import Enquiry
from portal.dates import add_months
from portal.roles import Role
from portal.scale import History

from . import clocks
from .models import (
    Applicant,
    Assessment,
    Deadline,
    FosterCarerReview,
    Household,
    PanelSitting,
    Stage,
    StageChange,
    StatutoryCheck,
    Track,
    TrainingCourse,
    TrainingRecord,
)
from .services.records import PERSONAL_REFERENCES_NEEDED

Kind = StatutoryCheck.Kind
STREETS = ("Gardens", "Road", "Close", "Lane", "Avenue")
AUTHORITIES = ("Oakshire", "Ashby Borough", "Elmbridge City", "Millbrook")
# The tables this builder fills.
MODELS = (
    PanelSitting,
    Household,
    Applicant,
    Assessment,
    StageChange,
    StatutoryCheck,
    TrainingRecord,
    FosterCarerReview,
    Deadline,
)


def build(history: History) -> None:
    sittings = _panel_sittings(history)
    courses = list(TrainingCourse.objects.filter(is_active=True, is_mandatory=True))
    rows: dict[type, list] = {model: [] for model in MODELS if model is not PanelSitting}
    history.households = []
    workers = history.staff[Role.SOCIAL_WORKERS]
    # A few households whose Stage 1 training falls due this week (the week's deadlines).
    this_week = set(range(history.amount(60)))
    recent_first = sorted(
        history.conversions, key=lambda e: e.roi_received_on or e.received_at.date(), reverse=True
    )
    for n, enquiry in enumerate(recent_first):
        household = _household(history, enquiry, workers[n % len(workers)], rows)
        _journey(history, household, sittings, courses, rows, due_this_week=n in this_week)
        history.households.append(household)
    for model, made in rows.items():
        if model is not Deadline:
            history.write(model, made)
    Enquiry.objects.bulk_update(
        [
            Enquiry(pk=h.enquiry_id, household_reference=h.reference)
            for h in history.households
            if h.enquiry_id
        ],
        ["household_reference"],
        batch_size=2000,
    )
    history.carers_rows = rows


def deadlines_write(history: History) -> None:
    """The open households' clocks as ``Deadline`` rows (after placements have set what
    they change on a household), and a delivered reminder for each clock already past."""
    rows = history.carers_rows
    by_household: dict[int, dict[type, list]] = {}
    for model in (Assessment, StatutoryCheck, TrainingRecord, FosterCarerReview):
        for row in rows[model]:
            by_household.setdefault(row.household_id, {}).setdefault(model, []).append(row)
    deadlines = []
    for household in history.households:
        mine = by_household.get(household.pk, {})
        facts = clocks.HouseholdFacts(
            household=household,
            assessments=mine.get(Assessment, []),
            members=[],
            checks=mine.get(StatutoryCheck, []),
            training=mine.get(TrainingRecord, []),
            open_reviews=[r for r in mine.get(FosterCarerReview, []) if r.completed_on is None],
        )
        for clock in clocks.household_clocks(facts):
            deadline = Deadline(
                pk=history.pk(Deadline),
                household=household,
                kind=clock.kind,
                subject=clock.subject,
                label=clock.label[:200],
                due_on=clock.due_on,
                reminded_to=household.social_worker.email,
                updated_at=history.now,
            )
            deadlines.append(deadline)
    history.write(Deadline, deadlines, label="household deadlines")


def _panel_sittings(history: History) -> list[PanelSitting]:
    """A joint panel every four weeks, from the start of the history to two months ahead
    (the sittings already there on those days are used)."""
    known = {
        s.sits_on: s for s in PanelSitting.objects.filter(kind=PanelSitting.Kind.JOINT, part="")
    }
    sittings, new = [], []
    day = history.start
    while day <= history.today + timedelta(days=60):
        sitting = known.get(day)
        if sitting is None:
            sitting = PanelSitting(
                pk=history.pk(PanelSitting),
                sits_on=day,
                kind=PanelSitting.Kind.JOINT,
                venue="Oakway House",
                places=12,
            )
            new.append(sitting)
        sittings.append(sitting)
        day += timedelta(weeks=4)
    history.write(PanelSitting, new, label="panel sittings")
    return sittings


def _household(history: History, enquiry: Enquiry, worker, rows) -> Household:
    rng = history.rng
    pk = history.pk(Household)
    created = enquiry.converted_at
    household = Household(
        pk=pk,
        reference=f"EP{pk:05d}",
        address_line_1=f"{rng.randint(1, 120)} {rng.choice(STREETS)}",
        town="Oakford",
        postcode=f"OK{rng.randint(1, 9)} {rng.randint(1, 9)}DQ",
        local_authority=rng.choice(AUTHORITIES),
        social_worker=worker,
        has_pets=rng.random() < 0.4,
        enquiry_id=enquiry.pk,
        created_at=created,
        updated_at=created,
    )
    rows[Household].append(household)
    household.applicant_rows = []
    partner = enquiry.partner_name.split()
    names = [(enquiry.first_name, enquiry.last_name)]
    if enquiry.household == Enquiry.Household.COUPLE and partner:
        names.append((partner[0], partner[-1]))
    for position, (first, last) in enumerate(names, start=1):
        applicant = Applicant(
            pk=history.pk(Applicant),
            household=household,
            position=position,
            first_name=first,
            last_name=last,
            date_of_birth=date(rng.randint(1970, 1995), rng.randint(1, 12), rng.randint(1, 28)),
            email=f"{first}.{last}.{pk}.{position}@example.net".lower(),
            occupation=rng.choice(("Nurse", "Engineer", "Teacher", "Driver", "Accountant")),
            has_employer=rng.random() < 0.85,
            has_former_partners=rng.random() < 0.2,
            has_lived_abroad=rng.random() < 0.1,
        )
        rows[Applicant].append(applicant)
        household.applicant_rows.append(applicant)
    history.audit(
        household,
        "carers.household.created",
        at=created,
        by=worker,
        kind=0,
        changes={"reference": [None, household.reference]},
    )
    return household


def _journey(history, household, sittings, courses, rows, *, due_this_week: bool) -> None:  # noqa: C901
    """Move both tracks as far as the household's age allows, as the services would."""
    rng = history.rng
    today = history.today
    worker = household.social_worker
    managers = history.staff[Role.TEAM_MANAGERS]
    roi = timezone.localdate(household.created_at)
    adoption = Assessment(
        pk=history.pk(Assessment),
        household=household,
        track=Track.ADOPTION,
        stage=Stage.ROI_RECEIVED,
        stage_entered_on=roi,
        roi_received_on=roi,
        created_at=household.created_at,
    )
    fostering = Assessment(
        pk=history.pk(Assessment),
        household=household,
        track=Track.FOSTERING,
        stage=Stage.NOT_STARTED,
        stage_entered_on=roi,
        created_at=household.created_at,
    )
    rows[Assessment] += [adoption, fostering]

    def move(assessment, to, on):
        rows[StageChange].append(
            StageChange(
                pk=history.pk(StageChange),
                assessment=assessment,
                from_stage=assessment.stage,
                to_stage=to,
                effective_on=on,
                recorded_at=history.moment(on),
                recorded_by=worker,
            )
        )
        history.audit(
            assessment,
            f"carers.assessment.{to}",
            at=history.moment(on),
            by=worker,
            changes={"stage": [assessment.stage, to]},
        )
        assessment.stage = to
        assessment.stage_entered_on = on

    def happened(on: date) -> bool:
        return on <= today

    accepted = roi + timedelta(days=rng.randint(2, 9))
    if due_this_week:
        # Stage 1 began about two months ago: its preparation course is due this week.
        accepted = add_months(today, -2) + timedelta(days=rng.randint(0, 6)) - timedelta(days=3)
        accepted = max(accepted, roi)
    if not happened(accepted):
        return
    adoption.roi_accepted_on = accepted
    move(adoption, Stage.ROI_ACCEPTED, accepted)
    s1 = accepted + timedelta(days=3) if not due_this_week else accepted
    if not happened(s1):
        return
    adoption.stage_1_started_on = s1
    adoption.stage_1_plan_agreed_on = s1
    move(adoption, Stage.STAGE_1, s1)
    decided = s1 + timedelta(days=rng.randint(45, 75))
    withdraws = rng.random() < 0.2
    _checks(history, household, rows, requested=s1, complete=happened(decided) and not withdraws)
    if withdraws or due_this_week:
        closes = s1 + timedelta(days=rng.randint(10, 40))
        if withdraws and happened(closes) and not due_this_week:
            _training(history, household, adoption, courses, rows, finished_by=None)
            _close(history, household, (adoption,), closes, rows, move)
            return
        _training(history, household, adoption, courses, rows, finished_by=None)
        return
    if not happened(decided):
        _training(history, household, adoption, courses, rows, finished_by=None)
        return
    adoption.stage_1_decision_on = decided
    move(adoption, Stage.STAGE_1_COMPLETE, decided)
    notice = decided + timedelta(days=rng.randint(5, 25))
    if not happened(notice):
        _training(history, household, adoption, courses, rows, finished_by=decided)
        return
    adoption.notice_to_proceed_on = notice
    move(adoption, Stage.STAGE_2, notice)
    ffa_only = rng.random() < 0.2
    tracks = (adoption,) if ffa_only else (adoption, fostering)
    if not ffa_only:
        fostering.form_f_started_on = notice
        move(fostering, Stage.FORM_F, notice)
    shared = notice + timedelta(days=rng.randint(60, 95))
    sitting = next((s for s in sittings if s.sits_on >= shared + timedelta(days=14)), None)
    if not happened(shared) or sitting is None:
        _training(history, household, adoption, courses, rows, finished_by=decided)
        return
    booked = shared + timedelta(days=10)
    for assessment in tracks:
        assessment.report_shared_on = shared
        assessment.observations_received_on = shared + timedelta(days=rng.randint(2, 9))
        booked = max(booked, assessment.observations_received_on)
    if not happened(booked):
        _training(history, household, adoption, courses, rows, finished_by=decided)
        return
    for assessment in tracks:
        assessment.panel = sitting
        move(assessment, Stage.PANEL_BOOKED, booked)
    if not happened(sitting.sits_on):
        _training(history, household, adoption, courses, rows, finished_by=decided)
        return
    for assessment in tracks:
        assessment.panel_recommendation = Assessment.Recommendation.SUITABLE
        move(assessment, Stage.PANEL_RECOMMENDED, sitting.sits_on)
    decision_on = sitting.sits_on + timedelta(days=rng.randint(5, 9))
    if not happened(decision_on):
        _training(history, household, adoption, courses, rows, finished_by=decided)
        return
    manager = rng.choice(managers)
    for assessment in tracks:
        assessment.agency_decision = Assessment.Decision.APPROVED
        assessment.agency_decision_on = decision_on
        assessment.agency_decision_by = manager
        if assessment.track == Track.ADOPTION:
            assessment.approved_age_from, assessment.approved_age_to = 0, 18
            assessment.approved_ages_in = "months"
            assessment.approved_number_of_children = 1
        else:
            assessment.approved_age_from, assessment.approved_age_to = 0, 2
            assessment.approved_number_of_children = 2
        move(assessment, Stage.APPROVED, decision_on)
    if ffa_only:
        fostering.closed_on = decision_on
        move(fostering, Stage.WITHDRAWN, decision_on)
    household.status = Household.Status.APPROVED
    household.adopter_approved_on = decision_on
    household.foster_carer_approved_on = None if ffa_only else decision_on
    history.audit(
        household, "carers.household.approved", at=history.moment(decision_on), by=manager
    )
    _training(history, household, adoption, courses, rows, finished_by=decided)
    _renew_dbs(history, household, rows)
    _reviews(history, household, tracks, sittings, rows)


def _close(history, household, tracks, on: date, rows, move) -> None:
    for assessment in tracks:
        assessment.closed_on = on
        move(assessment, Stage.WITHDRAWN, on)
    household.status = Household.Status.CLOSED
    household.closed_on = on
    household.closed_reason = "The applicants decided to wait a few years."
    history.audit(
        household,
        "carers.household.closed",
        at=history.moment(on),
        by=household.social_worker,
        changes={"status": ["assessing", "closed"]},
    )


def _check(history, household, kind, requested, *, applicant=None, complete=True, **fields):
    rng = history.rng
    check = StatutoryCheck(
        pk=history.pk(StatutoryCheck),
        household=household,
        kind=kind,
        applicant=applicant,
        requested_on=requested,
        **fields,
    )
    received = requested + timedelta(days=rng.randint(7, 40))
    if (complete or rng.random() < 0.5) and received <= history.today:
        check.received_on = received
        check.outcome = StatutoryCheck.Outcome.SATISFACTORY
        if kind == Kind.DBS:
            check.expires_on = clocks.dbs_expires(received)
            check.certificate_number = f"{rng.randint(10**11, 10**12 - 1)}"
    return check


def _checks(history, household, rows, *, requested: date, complete: bool) -> None:
    made = []
    for applicant in household.applicant_rows:
        kinds = [Kind.DBS, Kind.LOCAL_AUTHORITY, Kind.MEDICAL]
        if applicant.has_employer:
            kinds.append(Kind.EMPLOYER_REFERENCE)
        if applicant.has_former_partners:
            kinds.append(Kind.FORMER_PARTNER_REFERENCE)
        if applicant.has_lived_abroad:
            kinds.append(Kind.OVERSEAS)
        for kind in kinds:
            made.append(
                _check(history, household, kind, requested, applicant=applicant, complete=complete)
            )
        for n in range(PERSONAL_REFERENCES_NEEDED):
            made.append(
                _check(
                    history,
                    household,
                    Kind.PERSONAL_REFERENCE,
                    requested,
                    applicant=applicant,
                    complete=complete,
                    referee_name=f"Referee {n + 1}",
                    referee_is_relative=n == 0,
                )
            )
    made.append(_check(history, household, Kind.HOME_SAFETY, requested, complete=complete))
    if household.has_pets:
        made.append(_check(history, household, Kind.PETS, requested, complete=complete))
    rows[StatutoryCheck] += made
    household.check_rows = made
    for check in made:
        if check.received_on:
            history.audit(
                check,
                "carers.check.received",
                at=history.moment(check.received_on),
                by=household.social_worker,
                changes={"received_on": [None, check.received_on]},
            )


def _reminded(history, household, subject: str, due_on: date) -> None:
    """The reminder ``portal.deadlines`` sent the worker before a clock that has since been
    met (its row is gone; the delivered email stays in the outbox)."""
    if due_on - timedelta(days=7) >= history.today:
        return
    history.outbox(
        f"carers:deadline:{subject}:reminder",
        to=household.social_worker.email,
        template="carers/deadline_reminder",
        due_at=history.moment(due_on - timedelta(days=7), earliest=8, latest=9),
    )


def _renew_dbs(history, household, rows) -> None:
    """An approved household's DBS checks are renewed before they expire."""
    latest = {
        c.applicant_id: c
        for c in getattr(household, "check_rows", [])
        if c.kind == Kind.DBS and c.expires_on
    }
    for first in latest.values():
        check = first
        while check.expires_on - timedelta(days=60) <= history.today:
            requested = check.expires_on - timedelta(days=60)
            renewal = _check(
                history,
                household,
                Kind.DBS,
                requested,
                applicant=check.applicant,
                complete=True,
            )
            rows[StatutoryCheck].append(renewal)
            if renewal.expires_on is None:
                break
            check = renewal


def _training(history, household, adoption, courses, rows, *, finished_by: date | None) -> None:
    """Each applicant's mandatory courses once their clock can start (``training_records_sync``);
    those due before ``finished_by`` done by then, later ones done in time when past."""
    rng = history.rng
    for course in courses:
        basis = clocks.training_basis(course, household, adoption)
        if basis is None:
            continue
        due = clocks.training_due(course, basis)
        for applicant in household.applicant_rows:
            record = TrainingRecord(
                pk=history.pk(TrainingRecord),
                household=household,
                applicant=applicant,
                course=course,
                due_on=due,
            )
            done = basis + timedelta(days=rng.randint(10, max(11, (due - basis).days - 5)))
            if finished_by is not None and course.due_from == "stage_1_start":
                record.completed_on = min(done, finished_by)
            elif done < history.today - timedelta(days=7):
                record.completed_on = done
            elif household.status != Household.Status.CLOSED:
                record.booked_for = max(history.today + timedelta(days=7), basis)
            rows[TrainingRecord].append(record)
            if record.completed_on and record.due_on:
                _reminded(history, household, f"training:{record.pk}", record.due_on)


def _reviews(history, household, tracks, sittings, rows) -> None:
    """Yearly reviews of each approval; the first foster carer review went to panel."""
    rng = history.rng
    for assessment in tracks:
        last = assessment.agency_decision_on
        first = True
        while True:
            due = clocks.review_due(assessment.track, last)
            review = FosterCarerReview(
                pk=history.pk(FosterCarerReview),
                household=household,
                track=assessment.track,
                due_on=due,
                goes_to_panel=first and assessment.track == Track.FOSTERING,
            )
            held = due - timedelta(days=rng.randint(0, 30))
            if held > history.today - timedelta(days=3):
                rows[FosterCarerReview].append(review)
                break
            review.completed_on = held
            _reminded(history, household, f"review:{review.pk}", due)
            review.outcome = FosterCarerReview.Outcome.CONTINUE
            if review.goes_to_panel:
                review.panel = next((s for s in sittings if s.sits_on >= held), None)
                review.panel_recommendation = FosterCarerReview.Outcome.CONTINUE
            rows[FosterCarerReview].append(review)
            history.audit(
                review,
                "carers.review.completed",
                at=history.moment(held),
                by=household.social_worker,
                changes={"outcome": ["", review.outcome]},
            )
            last, first = held, False
