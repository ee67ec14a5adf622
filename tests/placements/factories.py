"""Approved households (made through the carers services), children and placements."""

from datetime import UTC, date, datetime, time, timedelta

from django.core.files.uploadedfile import SimpleUploadedFile

from carers import services as carers_services
from carers.models import (
    Assessment,
    Document,
    PanelSitting,
    StatutoryCheck,
    Track,
    TrainingCourse,
    TrainingRecord,
)
from placements import services
from placements.models import Child, LocalAuthority, Placement
from tests.carers import factories as carer_factories


def _applicants(surname: str, count: int) -> list[dict]:
    first_names = ["Alex", "Jordan"]
    return [
        {
            "first_name": first_names[n],
            "last_name": surname,
            "date_of_birth": date(1986, 5, 1) + timedelta(days=500 * n),
            "email": f"{first_names[n].lower()}.{surname.lower()}@example.com",
        }
        for n in range(count)
    ]


def _receive_checks(household, on: date) -> None:
    for n, check in enumerate(household.checks.all()):
        check.requested_on = on
        check.received_on = on
        check.outcome = StatutoryCheck.Outcome.SATISFACTORY
        if check.kind == StatutoryCheck.Kind.PERSONAL_REFERENCE:
            check.referee_name = f"Referee {n}"
        check.save()
    carers_services.household_after_edit(household=household)


def _complete_training(household, on: date) -> None:
    carers_services.training_records_sync(household=household)
    for applicant in household.applicants.all():
        for course in TrainingCourse.objects.exclude(complete_before=""):
            TrainingRecord.objects.update_or_create(
                applicant=applicant,
                course=course,
                defaults={"household": household, "completed_on": on},
            )
    carers_services.household_after_edit(household=household)


def _upload(household, kind, by) -> None:
    carers_services.document_upload(
        household=household,
        kind=kind,
        title=Document.Kind(kind).label,
        file=SimpleUploadedFile("report.pdf", b"%PDF-1.4 test", content_type="application/pdf"),
        by=by,
    )


def _through_panel(
    assessment,
    *,
    panel,
    on,
    by,
    manager,
    children: int,
    ages: tuple[int, int] = (0, 4),
    ages_in: str = "years",
) -> None:
    carers_services.assessment_share_report(assessment=assessment, on=on, by=by)
    carers_services.assessment_record_observations(assessment=assessment, on=on, by=by)
    carer_factories.quorum(panel)
    carers_services.assessment_book_panel(assessment=assessment, panel=panel, on=on, by=by)
    carers_services.assessment_record_recommendation(
        assessment=assessment, recommendation=Assessment.Recommendation.SUITABLE, by=by
    )
    carer_factories.record_minutes(assessment, by, on=on)
    carers_services.assessment_record_decision(
        assessment=assessment,
        decision=Assessment.Decision.APPROVED,
        on=on,
        by=manager,
        approved_age_from=ages[0],
        approved_age_to=ages[1],
        approved_number_of_children=children,
        approved_ages_in=ages_in,
    )


def approved_household(
    *,
    by,
    manager,
    on: date,
    fostering: bool = True,
    surname: str = "Rivers",
    applicants: int = 2,
    children: int = 2,
    ages: tuple[int, int] = (0, 4),
    social_worker="by",
):
    """A household approved as adopters on ``on`` (and as foster carers too, by default),
    walked through every step of the carers services."""
    household = carers_services.household_create(
        by=by,
        social_worker=by if social_worker == "by" else social_worker,
        applicants=_applicants(surname, applicants),
        roi_received_on=on,
        address_line_1="1 Test Street",
        town="Oakford",
        postcode="OK1 2AB",
        local_authority="Oakshire",
    )
    adoption = household.assessments.get(track=Track.ADOPTION)
    carers_services.assessment_accept_roi(assessment=adoption, on=on, by=by)
    carers_services.assessment_start_stage_1(assessment=adoption, on=on, by=by)
    carers_services.assessment_record_stage_1_plan(assessment=adoption, agreed_on=on, by=by)
    _receive_checks(household, on)
    _complete_training(household, on)
    carers_services.assessment_complete_stage_1(assessment=adoption, on=on, by=by)
    carers_services.assessment_start_stage_2(assessment=adoption, on=on, by=by)
    _upload(household, Document.Kind.PAR, by)
    panel, _ = PanelSitting.objects.get_or_create(sits_on=on, kind=PanelSitting.Kind.JOINT)
    _through_panel(
        adoption, panel=panel, on=on, by=by, manager=manager, children=children, ages=ages
    )
    if fostering:
        fostering_track = household.assessments.get(track=Track.FOSTERING)
        carers_services.assessment_start_form_f(assessment=fostering_track, on=on, by=by)
        _upload(household, Document.Kind.FORM_F, by)
        _through_panel(
            fostering_track,
            panel=panel,
            on=on,
            by=by,
            manager=manager,
            children=children,
            ages=ages,
        )
    household.refresh_from_db()
    return household


_child_counter = iter(range(1, 100_000))


def oakshire() -> LocalAuthority:
    return LocalAuthority.objects.get_or_create(name="Oakshire")[0]


def child(by, *, born: date | None = date(2024, 1, 10), entered_care_on=None, **fields) -> Child:
    n = next(_child_counter)
    defaults = {
        "first_name": fields.pop("first_name", "Robin"),
        "last_name": fields.pop("last_name", f"Testchild{n}"),
        "date_of_birth": born,
        "expected_on": fields.pop("expected_on", None if born else date(2027, 1, 1)),
        "sex": Child.Sex.FEMALE,
        "entered_care_on": entered_care_on if entered_care_on is not None else born,
        "placing_authority": fields.pop("placing_authority", None) or oakshire(),
    }
    defaults.update(fields)
    return services.child_register(child=Child(**defaults), by=by)


def placement(
    by,
    household,
    *,
    children=None,
    route=Placement.Route.CONCURRENCY,
    placed_on: date,
    came_from=Placement.CameFrom.HOSPITAL,
):
    children = children if children is not None else [child(by, born=placed_on)]
    return services.placement_start(
        household=household,
        children=children,
        route=route,
        placed_on=placed_on,
        came_from=came_from,
        by=by,
    )


def issue(placement, *, issued_on: date, by, **fields):
    """Proceedings for the children of ``placement``, heard together."""
    return services.proceedings_open(
        children=list(placement.children.all()), issued_on=issued_on, by=by, **fields
    )


def proceedings_of(placement):
    """The latest proceedings about the children of ``placement``."""
    from placements.models import Proceedings

    return (
        Proceedings.objects.filter(children__placement_links__placement=placement)
        .distinct()
        .order_by("-pk")
        .first()
    )


def family_time_plan(by, child, *, starts_on: date, today: date | None = None, **fields):
    """A plan for ``child`` through the service, its sessions generated from ``today``
    (the day it starts, unless given)."""
    values = {
        "source": "court_direction",
        "source_dated": starts_on,
        "starts_on": starts_on,
        "weekdays": "024",
        "start_time": time(10, 0),
        "length_minutes": 90,
        "venue": "Family centre",
        "supervision": "supervised",
        "handover": "contact_worker",
        "transport": "carers_drive",
    }
    values.update(fields)
    return services.family_time_plan_set(
        child=child, by=by, today=today or values["starts_on"], **values
    )


def family_time_record(by, child, *, status: str = "took_place", **fields):
    """Record the child's earliest session still open (a daily plan from Mon 3 Mar 2025
    is set first when the child has none), generating more when all are recorded."""
    from placements.models import FamilyTimeSession

    if not child.family_time_plans.exists():
        family_time_plan(by, child, starts_on=date(2025, 3, 3), weekdays="0123456")
    open_sessions = child.family_time_sessions.filter(status__in=FamilyTimeSession.OPEN)
    session = open_sessions.order_by("held_on").first()
    if session is None:
        last = child.family_time_sessions.order_by("-held_on").first().held_on
        services.family_time_sessions_generate(today=last + timedelta(days=1))
        session = open_sessions.order_by("held_on").first()
    later = datetime(2025, 12, 1, 12, 0, tzinfo=UTC)
    return services.family_time_session_record(
        session=session, status=status, by=by, now=later, **fields
    )


def agreed_match(by, household, child, **fields):
    """An Early Permanence match of ``household`` and ``child`` agreed through the matching
    services: referral received 2 November 2026, carers linked and chosen, the match agreed
    at a meeting on 10 November, the carers told on 12 November, the baby expected on the
    20th."""
    from placements.models import Match, Referral

    referral = services.referral_receive(
        referral=Referral(
            child=child,
            received_on=date(2026, 11, 2),
            needed_by=date(2026, 11, 20),
            route=Placement.Route.CONCURRENCY,
            legal_position=Referral.LegalPosition.PRE_BIRTH,
            family_time_town="Family centre, Oakford",
            family_time_district="OK1",
        ),
        by=by,
    )
    link = services.link_propose(
        referral=referral, household=household, reasons="Near.", on=date(2026, 11, 3), by=by
    )
    services.link_record_decision(link=link, decision="yes", on=date(2026, 11, 4), by=by)
    services.link_choose(link=link, on=date(2026, 11, 6), by=by)
    values = {
        "meeting_on": date(2026, 11, 10),
        "attended": "Child's social worker, carers, family finder",
        "support_plan": "Weekly visits.",
        "family_time_transport_plan": "Carers drive to the family centre.",
        "decided_on": date(2026, 11, 11),
        "deciding_officer": "Head of service",
        "carers_told_on": date(2026, 11, 12),
        "expected_placement_on": date(2026, 11, 20),
        **fields,
    }
    return services.match_agree(
        link=link,
        match=Match(**values),
        report_file=SimpleUploadedFile(
            "report.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"
        ),
        by=by,
    )
