"""Demo carer households at every stage, some with overdue items (``seed_demo``).

Everything goes through the services, with dates in the past, so the clocks,
checks, deadlines and reminders are the real ones. Idempotent: a household
whose first applicant's demo email exists is left alone.
"""

from datetime import date, timedelta

from django.core.files.base import ContentFile
from django.utils import timezone

from portal.calendar import add_working_days, is_working_day
from portal.demo import demo_colleague, demo_staff
from portal.roles import Role

from . import services
from .models import (
    Applicant,
    Assessment,
    Document,
    FastTrackBasis,
    PanelAttendance,
    PanelMember,
    PanelSitting,
    StatutoryCheck,
    TrainingRecord,
)

# (surname, first names, stage to reach, days ago the Registration of Interest came in)
HOUSEHOLDS = [
    ("Okafor", ("Ada", "Ben"), "roi_received", 9),
    ("Lindqvist", ("Maja",), "roi_accepted", 3),
    ("Patel", ("Ravi", "Nisha"), "stage_1_overdue", 75),
    ("Hughes", ("Carys", "Owen"), "stage_1", 21),
    ("Nowak", ("Ola", "Tomasz"), "paused", 110),
    ("Campbell", ("Fiona",), "stage_2", 120),
    ("Adeyemi", ("Tolu", "Sade"), "panel_booked", 170),
    ("Murphy", ("Sean", "Aoife"), "awaiting_decision", 180),
    ("Clarke", ("Dana",), "proposed_refusal", 200),
    ("Evans", ("Gwen", "Rhys"), "approved_both", 500),
    ("Rahman", ("Farah", "Imran"), "approved_adopters", 260),
    ("Brooks", ("Jess",), "withdrawn", 60),
    # Approved foster carers who want to adopt: the fast track, straight to Stage 2.
    ("Kowalski", ("Dana", "Lee"), "fast_track", 20),
]

# The households allocated to the second demo social worker.
SECOND_WORKERS = ("Rahman", "Brooks")

NO_STAFF = "Carers: no demo social worker or team manager, so no demo households."

# The central list of panel members: a quorum on either panel (carers/quorum.py), the
# medical adviser (adoption panel), and Pat, whose sign-in reads the papers.
# (name, role, three years' post-qualifying social work, independent, adoption, fostering)
PANEL = [
    ("Helen Ashdown", PanelMember.Role.CHAIR, False, True, True, True),
    ("Victor Marsh", PanelMember.Role.VICE_CHAIR, False, True, True, True),
    ("Sunita Rao", PanelMember.Role.MEMBER, True, False, True, True),
    ("Ines Halloran", PanelMember.Role.MEMBER, False, True, True, True),
    ("Pat Panel-Member", PanelMember.Role.MEMBER, False, True, True, True),
    ("Dr Omar Farouk", PanelMember.Role.MEDICAL_ADVISER, False, False, True, False),
]
# The demo panel member signs in with a code from an authenticator app, as staff do: this
# published demo key (never a real one) gives the codes, e.g. ``oathtool --totp -b KEY``.
DEMO_PANEL_TOTP_KEY = "JBSWY3DPEHPK3PXP"


def seed(*, stdout) -> None:
    staff = demo_staff(Role.SOCIAL_WORKERS, Role.TEAM_MANAGERS, stdout=stdout, missing=NO_STAFF)
    if staff is None:
        return
    worker, manager = staff
    colleague = demo_colleague()
    today = timezone.localdate()
    _panel_sittings(today)
    made = 0
    for surname, first_names, stage, days_ago in HOUSEHOLDS:
        email = f"{first_names[0].lower()}.{surname.lower()}@demo.example"
        if Applicant.objects.filter(email=email).exists():
            continue
        household = services.household_create(
            by=worker,
            # The second worker's caseload: households only they (and the manager) see.
            social_worker=colleague if colleague and surname in SECOND_WORKERS else worker,
            address_line_1=f"{len(surname) + 3} {surname} Gardens",
            town="Oakford",
            postcode="OK1 4DQ",
            local_authority="Oakshire",
            has_pets=surname in ("Hughes", "Evans"),
            applicants=[
                {
                    "first_name": name,
                    "last_name": surname,
                    "date_of_birth": date(1984 + n * 3, 5 + n, 10 + n),
                    "email": email if n == 0 else f"{name.lower()}.{surname.lower()}@demo.example",
                    "occupation": ["Nurse", "Engineer", "Teacher"][n % 3],
                }
                for n, name in enumerate(first_names)
            ],
            roi_received_on=today - timedelta(days=days_ago),
        )
        _advance(household, stage, today - timedelta(days=days_ago), today, worker, manager)
        made += 1
    stdout.write(f"Carers: {made} demo households added ({len(HOUSEHOLDS)} in the demo set).")


def _panel_members() -> list[PanelMember]:
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP

    from portal.demo import demo_email
    from portal.models import User

    account = User.objects.filter(email=demo_email(Role.PANEL_MEMBERS)).first()
    if (
        account
        and not Authenticator.objects.filter(user=account, type=Authenticator.Type.TOTP).exists()
    ):
        TOTP.activate(account, DEMO_PANEL_TOTP_KEY)
    members = []
    for name, role, experienced, independent, adoption, fostering in PANEL:
        member, _ = PanelMember.objects.get_or_create(
            name=name,
            defaults={
                "role": role,
                "social_worker_three_years": experienced,
                "independent": independent,
                "sits_on_adoption": adoption,
                "sits_on_fostering": fostering,
                "account": account if name == "Pat Panel-Member" else None,
            },
        )
        members.append(member)
    return members


def seat_panel(sitting: PanelSitting) -> PanelSitting:
    """Every demo member who sits on this kind of panel, present (placements' demo too)."""
    for member in _panel_members():
        if member.sits_on(sitting.kind):
            PanelAttendance.objects.get_or_create(sitting=sitting, member=member)
    return sitting


def _sitting_day(day: date) -> date:
    """A panel meets on a working day: ``day``, or the next one (not Christmas week's
    bank holidays)."""
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def _panel_sittings(today: date) -> None:
    for weeks in (2, 6, 10):
        sitting, _ = PanelSitting.objects.get_or_create(
            sits_on=_sitting_day(today + timedelta(weeks=weeks)), kind=PanelSitting.Kind.JOINT
        )
        seat_panel(sitting)
    # Two adoption panels on one day: a morning and an afternoon sitting.
    for part in (PanelSitting.Part.MORNING, PanelSitting.Part.AFTERNOON):
        sitting, _ = PanelSitting.objects.get_or_create(
            sits_on=_sitting_day(today + timedelta(weeks=4)),
            kind=PanelSitting.Kind.ADOPTION,
            part=part,
        )
        seat_panel(sitting)


def _receive_checks(household, on: date, *, all_of_them: bool = True) -> None:
    checks = list(household.checks.order_by("id"))
    for n, check in enumerate(checks):
        check.requested_on = on
        if all_of_them or n % 2 == 0:
            check.received_on = on + timedelta(days=14)
            check.outcome = StatutoryCheck.Outcome.SATISFACTORY
        if check.kind == StatutoryCheck.Kind.PERSONAL_REFERENCE:
            check.referee_name = f"Referee {n + 1}"
        check.save()
    services.household_after_edit(household=household)


def _complete_training(household, on: date) -> None:
    services.training_records_sync(household=household)
    TrainingRecord.objects.filter(household=household, completed_on__isnull=True).exclude(
        course__due_from__in=["foster_approval", "adopter_approval"]
    ).update(completed_on=on)
    services.household_after_edit(household=household)


def _report(household, kind: str, worker) -> Document:
    return services.document_upload(
        household=household,
        kind=kind,
        title=f"{Document.Kind(kind).label} (demo)",
        file=ContentFile(b"Demo report: a placeholder for the real document.\n", name="report.txt"),
        by=worker,
    )


def _report_shared(assessment, worker, on: date) -> None:
    """The report sent to the applicants; their observations came back the same day."""
    services.assessment_share_report(assessment=assessment, on=on, by=worker)
    services.assessment_record_observations(assessment=assessment, on=on, by=worker)


def _refusal_proposed(household, tracks, sent_on: date, manager) -> None:
    """The decision maker proposes not to approve; the applicants' window is open."""
    for assessment in tracks:
        reasons = services.document_upload(
            household=household,
            kind=Document.Kind.REFUSAL_REASONS,
            title=f"Proposed refusal: {assessment.get_track_display().lower()} (demo)",
            file=ContentFile(b"Demo notice: the reasons would be here.\n", name="notice.txt"),
            by=manager,
        )
        services.determination_propose(
            assessment=assessment, on=sent_on, reasons=reasons, by=manager
        )


def _advance(household, stage: str, start: date, today: date, worker, manager) -> None:  # noqa: C901
    adoption = household.assessments.get(track="adoption")
    fostering = household.assessments.get(track="fostering")
    if stage == "roi_received":
        return
    services.assessment_accept_roi(assessment=adoption, on=start + timedelta(days=2), by=worker)
    if stage == "roi_accepted":
        return
    if stage == "fast_track":
        _receive_checks(household, start + timedelta(days=3))
        services.assessment_fast_track(
            assessment=adoption,
            on=start + timedelta(days=3),
            by=worker,
            basis=FastTrackBasis.APPROVED_FOSTER_CARER,
            since=start - timedelta(days=900),
        )
        return
    s1 = start + timedelta(days=3)
    services.assessment_start_stage_1(assessment=adoption, on=s1, by=worker)
    if stage == "withdrawn":
        services.household_close(
            household=household,
            on=s1 + timedelta(days=20),
            reason="The applicants decided to wait a few years.",
            by=worker,
        )
        return
    services.assessment_record_stage_1_plan(assessment=adoption, agreed_on=s1, by=worker)
    if stage == "stage_1_overdue":
        _receive_checks(household, s1, all_of_them=False)
        return
    if stage == "stage_1":
        _receive_checks(household, s1, all_of_them=False)
        return
    _receive_checks(household, s1)
    _complete_training(household, s1 + timedelta(days=30))
    decided = s1 + timedelta(days=50)
    services.assessment_complete_stage_1(assessment=adoption, on=decided, by=worker)
    if stage == "paused":
        services.assessment_pause(assessment=adoption, on=decided + timedelta(days=7), by=worker)
        return
    notice = decided + timedelta(days=10)
    services.assessment_start_stage_2(assessment=adoption, on=notice, by=worker)
    services.assessment_start_form_f(assessment=fostering, on=notice, by=worker)
    if stage == "stage_2":
        return
    _complete_training(household, notice + timedelta(days=20))
    _report(household, Document.Kind.PAR, worker)
    _report(household, Document.Kind.FORM_F, worker)
    if stage == "panel_booked":
        sitting = PanelSitting.objects.filter(sits_on__gte=today).order_by("sits_on").first()
        for assessment in (adoption, fostering):
            _report_shared(assessment, worker, today)
            services.assessment_book_panel(
                assessment=assessment, panel=sitting, on=today, by=worker
            )
        return
    # Sat in the past: eleven working days ago for the overdue decision (the final minutes
    # came two working days after the panel, and the decision was due seven after them).
    sat_on = {
        "awaiting_decision": add_working_days(today, -11),
        "proposed_refusal": add_working_days(today, -20),
    }.get(stage, notice + timedelta(days=90))
    recommendation = (
        Assessment.Recommendation.NOT_SUITABLE
        if stage == "proposed_refusal"
        else Assessment.Recommendation.SUITABLE
    )
    sitting, _ = PanelSitting.objects.get_or_create(sits_on=sat_on, kind=PanelSitting.Kind.JOINT)
    seat_panel(sitting)
    tracks = (adoption,) if stage == "approved_adopters" else (adoption, fostering)
    booked_on = min(sat_on, notice + timedelta(days=60))
    minutes = _report(household, Document.Kind.PANEL_MINUTES, worker)
    for assessment in tracks:
        _report_shared(assessment, worker, booked_on)
        services.assessment_book_panel(
            assessment=assessment, panel=sitting, on=booked_on, by=worker
        )
        services.assessment_record_recommendation(
            assessment=assessment, recommendation=recommendation, by=worker
        )
        # The final minutes reach the decision maker two working days after the panel.
        services.assessment_record_minutes(
            assessment=assessment,
            minutes=minutes,
            on=add_working_days(sat_on, 2),
            by=worker,
        )
    if stage == "awaiting_decision":
        return
    if stage == "proposed_refusal":
        _refusal_proposed(household, (adoption, fostering), add_working_days(today, -15), manager)
        return
    for assessment in tracks:
        services.assessment_record_decision(
            assessment=assessment,
            decision=Assessment.Decision.APPROVED,
            on=max(sat_on + timedelta(days=5), add_working_days(sat_on, 2)),
            by=manager,
            # An Early Permanence adopter approval in months; fostering in years.
            approved_age_from=0,
            approved_age_to=18 if assessment.track == "adoption" else 2,
            approved_ages_in="months" if assessment.track == "adoption" else "years",
            approved_number_of_children=1 if assessment.track == "adoption" else 2,
        )
    if stage == "approved_adopters":
        services.assessment_withdraw(
            assessment=fostering,
            on=sat_on + timedelta(days=6),
            by=worker,
            note="Fostering for Adoption only: the temporary approval (reg 25A) comes with a "
            "placement.",
        )
