"""Checks, training and documents; the dates staff type into the
household page; and the household's deadlines (``deadlines_refresh``).

The bottom of the package: the other modules import from here, never the reverse. The
refusal (``TransitionRefused``), the household lock and the "not in the future" rule live
here because every module uses them.
"""

from collections import Counter
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from portal import audit, dates, deadlines, versions
from portal.dates import DateProblem
from portal.formats import day
from portal.uploads import document_check
from portal.workflow import Refused, lock

from .. import clocks, reminders
from ..models import (
    Applicant,
    Assessment,
    Document,
    Household,
    StatutoryCheck,
    Track,
    TrainingCourse,
    TrainingRecord,
)
from ..selectors import household_facts

Kind = StatutoryCheck.Kind

# ---------------------------------------------------------------------------
# Shared by the whole package: the refusal, the household lock, no future dates
# ---------------------------------------------------------------------------

PERSONAL_REFERENCES_NEEDED = 3
NON_RELATIVE_REFERENCES_NEEDED = 2


# The core's one refusal, under the name callers of this module have always used.
TransitionRefused = Refused


def _lock_household(pk: int) -> Household:
    return lock((Household, pk))


def _not_in_future(on: date) -> None:
    problems = dates.happened(on)
    if problems:
        raise TransitionRefused(dates.messages(problems))


# ---------------------------------------------------------------------------
# Checks, training and reviews
# ---------------------------------------------------------------------------


# The dates staff type into the household page: the forms show these messages, and
# ``household_register`` refuses with them.


def adopter_age_problems(
    *, name: str, date_of_birth: date | None, on: date, field: str | None = None
) -> list[DateProblem]:
    """An applicant must be 21 or over on the day Stage 1 starts (ACA 2002, ss50 and 51)."""
    if date_of_birth is None:
        return [DateProblem(field, f"Give the date of birth of {name}.")]
    minimum = clocks.ADOPTER_MINIMUM_AGE
    if date_of_birth > on:
        return [
            DateProblem(
                field,
                f"{name} was born on {day(date_of_birth)}, after {day(on)}: applicants "
                f"must be {minimum} or over when Stage 1 starts.",
            )
        ]
    age = dates.age_in_years(date_of_birth, on)
    if age >= minimum:
        return []
    return [
        DateProblem(
            field,
            f"{name} is {age} on {day(on)} (born {day(date_of_birth)}): applicants must be "
            f"{minimum} or over when Stage 1 starts (Adoption and Children Act 2002, "
            "sections 50 and 51).",
        )
    ]


def applicant_date_problems(
    *,
    name: str,
    date_of_birth: date | None,
    stage_1_started_on: date | None = None,
    today: date | None = None,
) -> list[DateProblem]:
    """A plausible date of birth for a grown-up; 21 or over once Stage 1 has started."""
    name = name or "the applicant"
    field = "date_of_birth"
    problems = dates.born(
        date_of_birth, label=f"The date of birth of {name}", field=field, today=today
    )
    if problems or date_of_birth is None:
        return problems
    if stage_1_started_on is not None:
        return adopter_age_problems(
            name=name, date_of_birth=date_of_birth, on=stage_1_started_on, field=field
        )
    today = today or timezone.localdate()
    age = dates.age_in_years(date_of_birth, today)
    if age < clocks.ADULT_AGE_YEARS:
        return [
            DateProblem(
                field,
                f"{name} is {age} (born {day(date_of_birth)}): applicants are grown-ups, and "
                f"must be {clocks.ADOPTER_MINIMUM_AGE} or over when Stage 1 starts.",
            )
        ]
    return []


def applicant_stage_1_started_on(*, household_id: int | None) -> date | None:
    """The day the household's adoption assessment (last) started Stage 1, if it has."""
    if household_id is None:
        return None
    return (
        Assessment.objects.filter(household_id=household_id, track=Track.ADOPTION)
        .values_list("stage_1_started_on", flat=True)
        .first()
    )


def member_date_problems(
    *, date_of_birth: date | None, today: date | None = None
) -> list[DateProblem]:
    return dates.born(date_of_birth, field="date_of_birth", today=today)


def check_date_problems(
    *,
    requested_on: date | None,
    received_on: date | None,
    expires_on: date | None = None,
    outcome: str = "",
    for_applicant: bool = False,
    for_member: bool = False,
    today: date | None = None,
) -> list[DateProblem]:
    """A check is requested and received in the past, in that order; it expires after."""
    problems = dates.happened(
        requested_on, label="The date requested", field="requested_on", today=today
    )
    received = dates.happened(
        received_on, label="The date received", field="received_on", today=today
    ) or dates.in_order(
        received_on,
        requested_on,
        label="The date received",
        earlier_label="the date requested",
        field="received_on",
    )
    problems += received
    problems += dates.in_order(
        expires_on,
        received_on,
        label="The expiry date",
        earlier_label="the date received",
        field="expires_on",
    )
    if outcome and received_on is None:
        problems.append(
            DateProblem("outcome", "Give the date received before recording the outcome.")
        )
    if for_applicant and for_member:
        problems.append(
            DateProblem(
                "member",
                "A check is for one person: choose an applicant or a household member, not both.",
            )
        )
    return problems


def check_record_today(
    *, check: StatutoryCheck, what: str, by, today: date | None = None
) -> StatutoryCheck:
    """Record that a check was requested, or received, today (the checks' quick buttons).

    Refused in words when the date is already recorded, or when today would put the
    dates out of order (received before it was requested, or before a date requested
    that is still to come).
    """
    field = {"requested": "requested_on", "received": "received_on"}[what]
    today = today or timezone.localdate()
    with transaction.atomic():
        household = _lock_household(check.household_id)
        check = StatutoryCheck.objects.select_for_update().get(pk=check.pk)
        if household.status == Household.Status.CLOSED:
            raise TransitionRefused(["The household is closed: its checks are not changed."])
        recorded = getattr(check, field)
        if recorded is not None:
            raise TransitionRefused(
                [
                    f"It is already recorded as {what} on {day(recorded)}: change the date "
                    "in the form if that is wrong."
                ]
            )
        if what == "received" and check.requested_on is None:
            raise TransitionRefused(
                [
                    "Record the date it was requested first: a check is received after it "
                    "is requested."
                ]
            )
        dates_after = {
            "requested_on": check.requested_on,
            "received_on": check.received_on,
            field: today,
        }
        problems = check_date_problems(**dates_after, expires_on=check.expires_on, today=today)
        if problems:
            raise TransitionRefused(dates.messages(problems))
        setattr(check, field, today)
        with audit.silenced():
            check.save(update_fields=[field])
        audit.record(check, f"carers.check.{what}", by=by, changes={field: [None, today]})
        checks_update_expiries(household=household, today=today)
        deadlines_refresh(household=household)
    return check


def training_date_problems(
    *, completed_on: date | None, today: date | None = None
) -> list[DateProblem]:
    return dates.happened(
        completed_on, label="The date completed", field="completed_on", today=today
    )


def _required_kinds(applicant: Applicant) -> list[str]:
    kinds = [Kind.DBS, Kind.LOCAL_AUTHORITY, Kind.MEDICAL, Kind.PERSONAL_REFERENCE]
    if applicant.has_employer:
        kinds.append(Kind.EMPLOYER_REFERENCE)
    if applicant.has_former_partners:
        kinds.append(Kind.FORMER_PARTNER_REFERENCE)
    if applicant.has_lived_abroad:
        kinds.append(Kind.OVERSEAS)
    return kinds


def checks_sync_required(*, household: Household, today: date | None = None) -> int:
    """Add a row, not yet requested, for every required check the household lacks.

    Rows are never removed here: a check that stops being required stays on record.
    """
    if household.status == Household.Status.CLOSED:
        return 0
    today = today or timezone.localdate()
    have = Counter(household.checks.values_list("kind", "applicant_id", "member_id").order_by())
    wanted: list[tuple[str, Applicant | None, object, int]] = []
    for applicant in household.applicants.all():
        for kind in _required_kinds(applicant):
            count = PERSONAL_REFERENCES_NEEDED if kind == Kind.PERSONAL_REFERENCE else 1
            wanted.append((kind, applicant, None, count))
    for member in household.members.all():
        if member.is_adult(today):
            wanted.append((Kind.DBS, None, member, 1))
    wanted.append((Kind.HOME_SAFETY, None, None, 1))
    if household.has_pets:
        wanted.append((Kind.PETS, None, None, 1))
    created = 0
    for kind, applicant, member, count in wanted:
        key = (kind, applicant.pk if applicant else None, member.pk if member else None)
        for _ in range(count - have[key]):
            StatutoryCheck.objects.create(
                household=household, kind=kind, applicant=applicant, member=member
            )
            created += 1
    return created


def checks_update_expiries(*, household: Household, today: date | None = None) -> int:
    """DBS checks expire a set number of years after they are received (policy)."""
    today = today or timezone.localdate()
    updated = 0
    for check in household.checks.filter(kind=Kind.DBS):
        received = check.received_on
        # No expiry from a date still to come: the check has not been received.
        expires = clocks.dbs_expires(received) if received and received <= today else None
        if check.expires_on != expires:
            check.expires_on = expires
            check.save(update_fields=["expires_on"])
            updated += 1
    return updated


def training_records_sync(*, household: Household) -> None:
    """Mandatory courses join each applicant's record once their clock can start; due dates
    follow the course rules."""
    adoption = household.assessments.filter(track=Track.ADOPTION).first()
    courses = list(TrainingCourse.objects.filter(is_active=True, is_mandatory=True))
    applicants = list(household.applicants.all())
    records = {
        (r.applicant_id, r.course_id): r
        for r in TrainingRecord.objects.filter(applicant__household=household).select_related(
            "course"
        )
    }
    if household.status != Household.Status.CLOSED:
        for course in courses:
            basis = clocks.training_basis(course, household, adoption)
            if basis is None:
                continue
            for applicant in applicants:
                if (applicant.pk, course.pk) not in records:
                    records[(applicant.pk, course.pk)] = TrainingRecord.objects.create(
                        household=household,
                        applicant=applicant,
                        course=course,
                        due_on=clocks.training_due(course, basis),
                    )
    for record in records.values():
        due = clocks.training_due(
            record.course, clocks.training_basis(record.course, household, adoption)
        )
        if record.due_on != due:
            record.due_on = due
            record.save(update_fields=["due_on"])


def document_validate(file) -> None:
    """By extension, size and content (portal/uploads.py): HTML named .pdf is refused."""
    document_check(file)


def document_upload(
    *,
    household: Household,
    kind: str,
    title: str,
    file,
    by,
    check_record: StatutoryCheck | None = None,
) -> Document:
    document_validate(file)
    if check_record is not None and check_record.household_id != household.pk:
        raise ValidationError("That check belongs to another household.")
    return _document_save(
        household=household,
        kind=kind,
        title=title,
        file=file,
        by=by,
        check_record=check_record,
        action="carers.document.uploaded",
    )


def _document_save(*, household, kind, title, file, by, check_record, action) -> Document:
    document = Document(
        household=household,
        kind=kind,
        title=title.strip()[:150] or Document.Kind(kind).label,
        file=file,
        check_record=check_record,
        uploaded_by=by,
    )
    audit.name_next_save(document, action)
    with transaction.atomic():
        document.save()
    return document


def document_store_letter(
    *, household: Household, title: str, content: bytes, by, check_record=None
) -> Document:
    """A letter the portal made (``portal.letters``), kept with the household's documents."""
    from django.core.files.base import ContentFile

    return _document_save(
        household=household,
        kind=Document.Kind.LETTER,
        title=title,
        file=ContentFile(content, name="letter.pdf"),
        by=by,
        check_record=check_record,
        action="carers.document.letter_stored",
    )


def document_withdraw(*, document: Document, reason: str, by) -> Document:
    """Withdraw a document uploaded by mistake (``portal.versions``): it leaves the
    household's current documents and stays readable, with the reason, in its history."""
    return versions.withdraw(record=document, reason=reason, by=by)


# ---------------------------------------------------------------------------
# Deadlines
# ---------------------------------------------------------------------------


def deadlines_refresh(*, household: Household) -> None:
    """Make the household's ``Deadline`` rows match its clocks, and its reminders match them.

    Call inside the transaction that changed the facts, with the household locked.
    """
    deadlines.deadlines_refresh(
        source=reminders.DEADLINES,
        owner=household,
        clocks=clocks.household_clocks(household_facts(household=household)),
        worker=household.social_worker,
    )


def training_course_refresh(*, course_pk: int, batch: int = 200) -> int:
    """After a course's rule changes: recompute due dates on every household that has it."""
    household_pks = list(
        Household.objects.filter(applicants__training__course_id=course_pk)
        .exclude(status=Household.Status.CLOSED)
        .values_list("pk", flat=True)
        .distinct()
        .order_by("pk")
    )
    for start in range(0, len(household_pks), batch):
        for pk in household_pks[start : start + batch]:
            with transaction.atomic():
                household = _lock_household(pk)
                training_records_sync(household=household)
                deadlines_refresh(household=household)
    return len(household_pks)


def training_course_save(*, course: TrainingCourse, by) -> TrainingCourse:
    """Save a catalogue entry; due dates on every household follow, in the worker."""
    with transaction.atomic():
        course.save()
        pk = course.pk
        transaction.on_commit(lambda: _queue_course_refresh(pk))
    return course


def _queue_course_refresh(course_pk: int) -> None:
    from portal.queueing import task_queue

    from ..tasks import refresh_training_course

    if not task_queue(
        task=refresh_training_course,
        args=(course_pk,),
        what="training due dates refreshed in the request",
    ):
        training_course_refresh(course_pk=course_pk)
