"""Households at any stage, made through the services (so clocks and checks are real)."""

from datetime import date, timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from carers import services
from carers.models import (
    Assessment,
    Document,
    PanelAttendance,
    PanelMember,
    PanelSitting,
    Stage,
    StatutoryCheck,
    Track,
    TrainingCourse,
    TrainingRecord,
)


def applicant_data(n: int = 1, **overrides) -> dict:
    data = {
        "first_name": ["Alex", "Jordan", "Sam"][n - 1],
        "last_name": "Rivers",
        "date_of_birth": date(1988, 3, 14) + timedelta(days=400 * n),
        "email": f"applicant{n}@example.com",
        "phone": "07700 900123",
        "occupation": "Teacher",
    }
    data.update(overrides)
    return data


def household(by, *, applicants=2, social_worker="by", roi_received_on=None, **fields):
    defaults = {
        "address_line_1": "12 Orchard Lane",
        "town": "Oakford",
        "postcode": "ok1 2ab",
        "local_authority": "Oakshire",
    }
    defaults.update(fields)
    return services.household_create(
        by=by,
        social_worker=by if social_worker == "by" else social_worker,
        applicants=[applicant_data(n) for n in range(1, applicants + 1)],
        roi_received_on=roi_received_on,
        **defaults,
    )


def adoption(household) -> Assessment:
    return household.assessments.get(track=Track.ADOPTION)


def fostering(household) -> Assessment:
    return household.assessments.get(track=Track.FOSTERING)


def receive_all_checks(household, on=None):
    """Every check received and satisfactory; references from non-relatives."""
    on = on or timezone.localdate()
    for n, check in enumerate(household.checks.all()):
        check.requested_on = on
        check.received_on = on
        check.outcome = StatutoryCheck.Outcome.SATISFACTORY
        if check.kind == StatutoryCheck.Kind.PERSONAL_REFERENCE:
            check.referee_name = f"Referee {n}"
        check.save()
    services.household_after_edit(household=household)


def complete_training(household, milestones=None, on=None):
    on = on or timezone.localdate()
    services.training_records_sync(household=household)
    courses = TrainingCourse.objects.all()
    if milestones is not None:
        courses = courses.filter(complete_before__in=milestones)
    for applicant in household.applicants.all():
        for course in courses:
            TrainingRecord.objects.update_or_create(
                applicant=applicant,
                course=course,
                defaults={"household": household, "completed_on": on},
            )
    services.household_after_edit(household=household)


def upload(household, kind, by, name="report.pdf"):
    return services.document_upload(
        household=household,
        kind=kind,
        title=Document.Kind(kind).label,
        file=SimpleUploadedFile(name, b"%PDF-1.4 test", content_type="application/pdf"),
        by=by,
    )


# A quorum on either panel (carers/quorum.py): five members sitting on both, with the
# chair, a social worker of three years' post-qualifying experience and independents.
QUORUM = (
    ("Chair Person", PanelMember.Role.CHAIR, {"independent": True}),
    ("Vice Chair", PanelMember.Role.VICE_CHAIR, {}),
    ("Senior Social-Worker", PanelMember.Role.MEMBER, {"social_worker_three_years": True}),
    ("Independent One", PanelMember.Role.MEMBER, {"independent": True}),
    ("Independent Two", PanelMember.Role.MEMBER, {"independent": True}),
)


def panel_member(name, role=PanelMember.Role.MEMBER, *, account=None, **facts):
    facts.setdefault("sits_on_adoption", True)
    facts.setdefault("sits_on_fostering", True)
    return PanelMember.objects.create(name=name, role=role, account=account, **facts)


def seat(sitting, members, *, present=True):
    """Put ``members`` on ``sitting`` (present, unless told)."""
    return [
        PanelAttendance.objects.update_or_create(
            sitting=sitting, member=member, defaults={"present": present}
        )[0]
        for member in members
    ]


def quorum(sitting):
    """Seat a quorate panel on ``sitting``: five new members (none if it has members)."""
    if sitting.attendance.exists():
        return []
    n = PanelMember.objects.count()
    members = [
        panel_member(f"{name} {n + i}", role, **facts)
        for i, (name, role, facts) in enumerate(QUORUM)
    ]
    seat(sitting, members)
    return members


def report_shared(assessment, by, on=None):
    """The report sent to the applicants and their observations back, on one day: the
    panel may then be booked at once."""
    on = on or timezone.localdate()
    services.assessment_share_report(assessment=assessment, on=on, by=by)
    services.assessment_record_observations(assessment=assessment, on=on, by=by)


def panel(kind=PanelSitting.Kind.JOINT, sits_on=None, *, quorate=True):
    """A sitting (quorate unless told), made once per day and kind."""
    sits_on = sits_on or timezone.localdate()
    sitting, created = PanelSitting.objects.get_or_create(sits_on=sits_on, kind=kind)
    if created and quorate:
        quorum(sitting)
    return sitting


def to_stage(household, stage, by, *, manager=None, on=None):
    """Move the adoption track (and fostering alongside) to ``stage`` through the services."""
    on = on or timezone.localdate()
    a = adoption(household)
    path = [
        (Stage.ROI_ACCEPTED, lambda: services.assessment_accept_roi(assessment=a, on=on, by=by)),
        (Stage.STAGE_1, lambda: services.assessment_start_stage_1(assessment=a, on=on, by=by)),
        (
            Stage.STAGE_1_COMPLETE,
            lambda: (
                services.assessment_record_stage_1_plan(assessment=a, agreed_on=on, by=by),
                receive_all_checks(household, on),
                complete_training(household, ["stage_1_decision"], on),
                services.assessment_complete_stage_1(assessment=a, on=on, by=by),
            ),
        ),
        (Stage.STAGE_2, lambda: services.assessment_start_stage_2(assessment=a, on=on, by=by)),
        (
            Stage.PANEL_BOOKED,
            lambda: (
                complete_training(household, ["stage_1_decision", "panel"], on),
                upload(household, Document.Kind.PAR, by),
                report_shared(a, by, on),
                services.assessment_book_panel(assessment=a, panel=panel(sits_on=on), on=on, by=by),
            ),
        ),
        (
            Stage.PANEL_RECOMMENDED,
            lambda: (
                services.assessment_record_recommendation(
                    assessment=a, recommendation=Assessment.Recommendation.SUITABLE, by=by
                ),
                record_minutes(a, by, on=on),
            ),
        ),
        (
            Stage.APPROVED,
            lambda: services.assessment_record_decision(
                assessment=a,
                decision=Assessment.Decision.APPROVED,
                on=on,
                by=manager,
                approved_age_from=0,
                approved_age_to=2,
                approved_number_of_children=1,
            ),
        ),
    ]
    order = [Stage.ROI_RECEIVED] + [target for target, _ in path]
    a.refresh_from_db()
    for _target, step in path[order.index(a.stage) :]:
        if a.stage == stage:
            return a
        step()
        a.refresh_from_db()
    return a


def record_minutes(assessment, by, *, on=None):
    """Upload the item's final minutes and record the day they were received."""
    assessment.refresh_from_db()
    minutes = upload(assessment.household, Document.Kind.PANEL_MINUTES, by, name="minutes.pdf")
    return services.assessment_record_minutes(
        assessment=assessment, minutes=minutes, on=on or timezone.localdate(), by=by
    )


def ensure_training_catalogue():
    """Put back the catalogue the migrations install.

    Transactional tests (browser, concurrency) empty every table when they end; data
    from migrations does not come back by itself, unlike the roles (post_migrate).
    """
    import importlib

    courses = importlib.import_module("carers.migrations.0002_training_catalogue").COURSES
    milestones = importlib.import_module(
        "carers.migrations.0003_training_complete_before"
    ).MILESTONES
    for name, description, due_from, months in courses:
        TrainingCourse.objects.get_or_create(
            name=name,
            defaults={
                "description": description,
                "due_from": due_from,
                "due_within_months": months,
                "complete_before": milestones.get(name, ""),
            },
        )
