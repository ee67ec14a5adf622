"""Demo placements for ``seed_demo``: both routes, every outcome, open clocks. Idempotent.

Households are walked through the carers services with dates in the past (so their
approvals come before the placements), then every placement event goes through
``placements.services``. Dates are relative to the day the demo is seeded. Names are
invented.
"""

from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from carers import services as carers_services
from carers.demo import seat_panel
from carers.models import (
    Assessment,
    Document,
    FosterCarerReview,
    PanelSitting,
    StatutoryCheck,
    Track,
    TrainingRecord,
)
from portal.calendar import add_weeks
from portal.demo import DEMO_COLLEAGUES, demo_staff
from portal.roles import Role

from . import services
from .management.commands.load_postcode_districts import SHIPPED as POSTCODE_DISTRICTS
from .models import (
    BirthRelative,
    Child,
    ChildProfessional,
    CommunicationBookEntry,
    CourtOrder,
    Duty,
    FamilyTimePlan,
    FamilyTimeSession,
    Handover,
    HealthAssessment,
    Hearing,
    LocalAuthority,
    MatchingPause,
    ParentConsent,
    Placement,
    PlacementDeadline,
    Professional,
    Referral,
    TemporaryApproval,
)

DEMO_LA = "Oakshire County Council (demo)"
NO_STAFF = "  placements: no demo staff (DEBUG is off), no demo placements."

Route = Placement.Route
CameFrom = Placement.CameFrom
Kind = CourtOrder.Kind
HearingKind = Hearing.Kind
Status = FamilyTimeSession.Status


def seed(*, stdout) -> None:
    staff = demo_staff(Role.SOCIAL_WORKERS, Role.TEAM_MANAGERS, stdout=stdout, missing=NO_STAFF)
    if staff is None:
        return
    by, manager = staff
    if Child.objects.filter(placing_authority__name=DEMO_LA).exists():
        stdout.write("  placements: demo placements already there.")
        return
    today = timezone.localdate()

    def ago(days: int) -> date:
        return today - timedelta(days=days)

    demo = _Demo(by=by, manager=manager, today=today)
    ashworth = demo.household("Ashworth", approved=ago(900))
    bexley = demo.household("Bexley", approved=ago(800))
    carrow = demo.household("Carrow", approved=ago(700), fostering=False)
    dunmore = demo.household("Dunmore", approved=ago(500))
    ellery = demo.household("Ellery", approved=ago(400), fostering=False)
    # The Fairlies live further out (OK6), over an hour from family time in Oakford.
    fairlie = demo.household("Fairlie", approved=ago(200), postcode="OK6 2FA")

    # 1. Concurrency, a newborn from hospital, adopted by the carers.
    child = demo.child("Poppy", "Hartley", born=ago(858))
    p1 = demo.place(ashworth, [child], Route.CONCURRENCY, ago(850), CameFrom.HOSPITAL)
    demo.proceedings(p1, issued=ago(855), orders=[(Kind.INTERIM_CARE_ORDER, ago(854))])
    demo.hearing(p1, ago(820), HearingKind.CASE_MANAGEMENT, "Timetable set; assessments directed.")
    demo.hearing(p1, ago(700), HearingKind.ISSUES_RESOLUTION, "Issues narrowed.")
    demo.hearing(p1, ago(640), HearingKind.FINAL, "Care and placement orders made.")
    demo.orders(p1, [(Kind.CARE_ORDER, ago(640)), (Kind.PLACEMENT_ORDER, ago(640))])
    demo.conclude(p1, on=ago(640))
    demo.reviews_and_visits(p1, until=ago(520))
    services.placement_place_for_adoption(placement=p1, on=ago(630), notice_on=ago(630), by=by)
    services.placement_record_adoption_application(placement=p1, on=ago(600), by=by)
    services.placement_record_adoption_order(placement=p1, on=ago(520), by=by)

    # 2. FfA under a reg 25A approval, from a temporary foster carer, adopted.
    child = demo.child("Theo", "Marsh", born=ago(760), entered_care=ago(700))
    demo.approve_25a(carrow, child, ago(651))
    p2 = demo.place(carrow, [child], Route.FFA, ago(650), CameFrom.FOSTER_CARER)
    demo.proceedings(p2, issued=ago(720), orders=[(Kind.INTERIM_CARE_ORDER, ago(719))])
    demo.hearing(p2, ago(600), HearingKind.CASE_MANAGEMENT, "")
    demo.hearing(p2, ago(520), HearingKind.FINAL, "Placement order made.")
    demo.orders(p2, [(Kind.CARE_ORDER, ago(520)), (Kind.PLACEMENT_ORDER, ago(520))])
    demo.conclude(p2, on=ago(520))
    demo.reviews_and_visits(p2, until=ago(400))
    services.placement_place_for_adoption(placement=p2, on=ago(515), notice_on=ago(515), by=by)
    services.placement_record_adoption_application(placement=p2, on=ago(480), by=by)
    services.placement_record_adoption_order(placement=p2, on=ago(400), by=by)

    # 3. Concurrency, returned home: a normal outcome the carers supported.
    child = demo.child("Isla", "Quinn", born=ago(767))
    p3 = demo.place(bexley, [child], Route.CONCURRENCY, ago(760), CameFrom.HOSPITAL)
    demo.proceedings(p3, issued=ago(765), orders=[(Kind.INTERIM_CARE_ORDER, ago(764))])
    demo.family_time(p3, ago(760), sessions_until=ago(605))
    demo.hearing(
        p3, ago(600), HearingKind.FINAL, "Child to return to mother under a supervision order."
    )
    demo.orders(p3, [(Kind.SUPERVISION_ORDER, ago(600))])
    demo.conclude(p3, on=ago(600))
    demo.reviews_and_visits(p3, until=ago(600))
    services.placement_record_return_home(
        placement=p3, on=ago(600), by=by, note="The court decided the child goes home."
    )

    # 4. FfA for a brother and sister, placed with their grandmother (special guardianship).
    group = services.sibling_group_create(by=by, notes="To be placed together.")
    sister = demo.child("Ruby", "Okafor", born=ago(640), sibling_group=group)
    brother = demo.child("Sol", "Okafor", born=ago(395), sibling_group=group)
    for each in (sister, brother):
        demo.approve_25a(ellery, each, ago(381))
    p4 = demo.place(ellery, [sister, brother], Route.FFA, ago(380), CameFrom.BIRTH_FAMILY)
    demo.proceedings(p4, issued=ago(390), orders=[(Kind.INTERIM_CARE_ORDER, ago(389))])
    demo.family_time(p4, ago(380), sessions_until=ago(220))
    demo.hearing(p4, ago(215), HearingKind.FINAL, "Special guardianship order to grandmother.")
    demo.orders(p4, [(Kind.SPECIAL_GUARDIANSHIP_ORDER, ago(215))])
    demo.conclude(p4, on=ago(215))
    demo.reviews_and_visits(p4, until=ago(200))
    services.placement_record_kin_placement(
        placement=p4, on=ago(200), by=by, note="Special guardianship order made."
    )

    # 5 and 6. A placement that ended early ("other"); the child's next placement, with
    # the carers who adopted her.
    child = demo.child("Maya", "Pell", born=ago(520), entered_care=ago(460))
    p5 = demo.place(dunmore, [child], Route.CONCURRENCY, ago(450), CameFrom.FOSTER_CARER)
    demo.reviews_and_visits(p5, until=ago(300))
    services.placement_end_other(
        placement=p5, on=ago(300), by=by, note="The carers' circumstances changed."
    )
    p6 = demo.place(ashworth, [child], Route.CONCURRENCY, ago(299), CameFrom.FOSTER_CARER)
    demo.proceedings(p6, issued=ago(470), orders=[(Kind.INTERIM_CARE_ORDER, ago(469))])
    demo.hearing(p6, ago(150), HearingKind.FINAL, "Placement order made.")
    demo.orders(p6, [(Kind.CARE_ORDER, ago(150)), (Kind.PLACEMENT_ORDER, ago(150))])
    demo.conclude(p6, on=ago(150))
    demo.reviews_and_visits(p6, until=ago(60))
    services.placement_place_for_adoption(placement=p6, on=ago(145), notice_on=ago(145), by=by)
    services.placement_record_adoption_application(placement=p6, on=ago(120), by=by)
    services.placement_record_adoption_order(placement=p6, on=ago(60), by=by)

    # 7. Concurrency now, fostering while the court decides: family time three times a week.
    child = demo.child("", "Lowe", born=ago(47))
    p7 = demo.place(fairlie, [child], Route.CONCURRENCY, ago(40), CameFrom.HOSPITAL)
    demo.proceedings(p7, issued=ago(45), orders=[(Kind.INTERIM_CARE_ORDER, ago(44))])
    demo.hearing(p7, ago(30), HearingKind.CASE_MANAGEMENT, "Parenting assessment directed.")
    demo.hearing(p7, today + timedelta(days=40), HearingKind.ISSUES_RESOLUTION, "")
    demo.family_time(p7, ago(40), sessions_until=ago(1), left_open=2)
    demo.visit(p7, visited_on=ago(36), by=by, seen_alone=False)
    demo.visit(p7, visited_on=ago(5), by=by)
    demo.review(p7, held_on=ago(15), by=by)

    # 8. FfA placed for adoption: the 10-week date has passed, no application yet.
    child = demo.child("Ada", "Finch", born=ago(200), entered_care=ago(140))
    demo.approve_25a(carrow, child, ago(121))
    p8 = demo.place(carrow, [child], Route.FFA, ago(120), CameFrom.FOSTER_CARER)
    demo.proceedings(p8, issued=ago(130), orders=[(Kind.INTERIM_CARE_ORDER, ago(129))])
    demo.hearing(p8, ago(25), HearingKind.FINAL, "Placement order made.")
    demo.orders(p8, [(Kind.PLACEMENT_ORDER, ago(25))])
    demo.conclude(p8, on=ago(25))
    demo.reviews_and_visits(p8, until=ago(21))
    # Placed for adoption 20 days ago, with the reg 35(5) notice that day: weekly visits
    # until the first adoption review, due 4 weeks after (AAR reg 36).
    services.placement_place_for_adoption(placement=p8, on=ago(20), notice_on=ago(20), by=by)
    for days in (14, 7, 1):
        demo.visit(p8, visited_on=ago(days), by=by)

    # 9. Concurrency with overdue clocks: no review since the child became looked after
    # (the first was due 20 working days after that), visits late; the 26 weeks ended
    # 19 days ago and the court extended them late, 4 days after they ended (the latest
    # end it could set is 8 weeks after that day; it set 6 weeks).
    child = demo.child("Jude", "Amos", born=ago(230), entered_care=ago(215))
    p9 = demo.place(bexley, [child], Route.CONCURRENCY, ago(100), CameFrom.FOSTER_CARER)
    demo.proceedings(p9, issued=ago(200), orders=[(Kind.INTERIM_CARE_ORDER, ago(199))])
    services.proceedings_extend(
        proceedings=demo.of(p9),
        granted_on=ago(15),
        ends_on=ago(15) + timedelta(weeks=6),
        by=by,
        reason="Expert report delayed.",
    )
    demo.hearing(p9, ago(170), HearingKind.CASE_MANAGEMENT, "")
    demo.visit(p9, visited_on=ago(95), by=by)

    # 10. A relinquished baby, placed with consent and no proceedings: looked after from
    # birth (accommodated under s20), with the Ashworths from two days old on FfA. Under
    # six weeks the mother's written agreement (AAR reg 35(4)); from six weeks her s19
    # consent, witnessed by a Cafcass officer; the agency decision (AAR reg 19); then
    # placed for adoption with the reg 35(5) notice. The dates follow the birth, so the
    # consent is never earlier than six weeks whatever the day of seeding.
    born = ago(70)
    six_weeks = add_weeks(born, services.MOTHER_CONSENT_WEEKS)
    baby = demo.child(
        "Arlo",
        "Brennan",
        born=born,
        looked_after_basis=Child.LookedAfterBasis.RELINQUISHED,
    )
    p10 = demo.place(ashworth, [baby], Route.FFA, born + timedelta(days=2), CameFrom.HOSPITAL)
    agreement = services.consent_record(
        child=baby,
        by=by,
        parent=ParentConsent.Parent.MOTHER,
        counselling_offered_on=born + timedelta(days=1),
        agreed_in_writing_on=born + timedelta(days=2),
        to_placement=False,
    )
    services.health_assessment_record(
        child=baby, kind=HealthAssessment.Kind.INITIAL, done_on=born + timedelta(days=14), by=by
    )
    demo.reviews_and_visits(p10, until=six_weeks)
    baby.should_be_placed_on = six_weeks - timedelta(days=7)
    services.child_update(child=baby, by=by)
    services.consent_update(
        consent=agreement,
        by=by,
        to_placement=True,
        witnessed_on=six_weeks + timedelta(days=2),
        cafcass_officer="Grace Penhallow",
    )
    placed_for_adoption = six_weeks + timedelta(days=7)
    services.placement_place_for_adoption(
        placement=p10, on=placed_for_adoption, notice_on=placed_for_adoption, by=by
    )
    for days in (6, 13, 20):
        demo.visit(p10, visited_on=placed_for_adoption + timedelta(days=days), by=by)

    # Who holds each duty: the placing authority by default (chase items for the carers'
    # social worker); for Ada the agency holds the reviews and visits, and her own worker
    # here is reminded of them.
    ada = p8.children.get()
    ada.reviews_duty = ada.visits_duty = Duty.AGENCY
    ada.social_worker = demo.colleague or by
    services.child_update(child=ada, by=by)

    # Health assessments (CPPCR reg 7): Ada's review is due in six months; Jude's is
    # overdue; the Lowe baby's initial assessment (none recorded) is overdue.
    services.health_assessment_record(
        child=ada, kind=HealthAssessment.Kind.INITIAL, done_on=ago(128), by=by
    )
    jude = p9.children.get()
    services.health_assessment_record(
        child=jude, kind=HealthAssessment.Kind.INITIAL, done_on=ago(205), by=by
    )

    # People around the children (invented names).
    Who = Professional.Role
    childs_worker = demo.professional("Dana Whitlock", Who.CHILD_SOCIAL_WORKER)
    second_childs_worker = demo.professional("Tomasz Reed", Who.CHILD_SOCIAL_WORKER)
    iro = demo.professional("Marcus Fenwick", Who.IRO)
    guardian = demo.professional("Helen Ashby", Who.GUARDIAN, organisation="Cafcass")
    lowe = p7.children.get()
    for child, people in (
        (lowe, (childs_worker, iro, guardian)),
        (jude, (childs_worker, iro, guardian)),
        (ada, (second_childs_worker, iro)),
        (baby, (second_childs_worker, iro)),
    ):
        for person in people:
            ChildProfessional.objects.create(
                child=child, professional=person, since=child.entered_care_on
            )

    # Waiting to be placed: a newborn in hospital and an unborn baby, referred for
    # Concurrency carers. On the linking page the Ashworths and the Dunmores fit; the
    # Bexleys are on hold, the Carrows and the Ellerys are adopters only, and the Fairlies
    # live too far from family time.
    demo.child("Noah", "Reyes", born=ago(2), entered_care=ago(2))
    unborn = services.child_register(
        child=Child(
            last_name="Sinclair",
            expected_on=today + timedelta(days=30),
            placing_authority=demo.authority,
        ),
        by=by,
    )
    with open(POSTCODE_DISTRICTS, encoding="utf-8", newline="") as lines:
        services.postcode_districts_load(lines=lines)
    MatchingPause.objects.create(
        household=bexley, starts_on=ago(10), ends_on=today + timedelta(days=60), reason="A move"
    )
    referral = services.referral_receive(
        referral=Referral(
            child=unborn,
            hospital="Oakford General Hospital",
            child_social_worker=childs_worker,
            social_worker=by,
            received_on=ago(1),
            needed_by=unborn.expected_on,
            route=Route.CONCURRENCY,
            legal_position=Referral.LegalPosition.PRE_BIRTH,
            exposure_in_pregnancy=True,
            heritage="White British",
            language="English",
            family_time_per_week=3,
            family_time_town="Oakford Family Centre",
            family_time_district="OK1",
        ),
        by=by,
    )
    stdout.write(
        f"  placements: {Placement.objects.filter(household__in=demo.households).count()} "
        "demo placements on both routes, every outcome, fostering and placed for adoption "
        "(one on the mother's consent, no placement order), a late extension, duties held "
        "by the placing authority and by the agency, health assessments and the people "
        f"around the children; the Dunmore household ({dunmore}) is free for a new placement; "
        f"referral {referral} is for an unborn baby."
    )


class _Demo:
    def __init__(self, *, by, manager, today: date):
        self.by = by
        self.manager = manager
        self.today = today
        self.households = []
        self._proceedings = {}
        self.authority = LocalAuthority.objects.get_or_create(
            name=DEMO_LA, defaults={"secure_email": "childrens.services@oakshire.example"}
        )[0]
        # The second demo social worker, the agency's worker for a child (None when absent).
        from portal.models import User

        self.colleague = User.objects.filter(email=DEMO_COLLEAGUES[0][0]).first()

    def professional(self, name: str, role: str, *, organisation: str = "") -> Professional:
        """Someone working with the children: the demo authority's, or (with
        ``organisation``) another organisation's."""
        return Professional.objects.get_or_create(
            name=name,
            role=role,
            defaults={
                "local_authority": None if organisation else self.authority,
                "organisation": organisation,
            },
        )[0]

    def household(
        self, surname: str, *, approved: date, fostering: bool = True, postcode: str = "OK1 4DE"
    ):
        """A household walked through the carers services, approved on ``approved``."""
        on, by = approved, self.by
        household = carers_services.household_create(
            by=by,
            social_worker=by,
            applicants=[
                {
                    "first_name": first,
                    "last_name": surname,
                    "date_of_birth": dob,
                    # So a social worker can invite them to their own area (/my/).
                    "email": f"{first.lower()}.{surname.lower()}@demo.example",
                }
                for first, dob in (("Chris", date(1985, 4, 2)), ("Sasha", date(1987, 9, 14)))
            ],
            roi_received_on=on,
            address_line_1=f"{len(surname)} {surname} Road",
            town="Oakford",
            postcode=postcode,
            local_authority="Oakshire",
        )
        adoption = household.assessments.get(track=Track.ADOPTION)
        carers_services.assessment_accept_roi(assessment=adoption, on=on, by=by)
        carers_services.assessment_start_stage_1(assessment=adoption, on=on, by=by)
        carers_services.assessment_record_stage_1_plan(assessment=adoption, agreed_on=on, by=by)
        for n, check in enumerate(household.checks.all()):
            check.requested_on = check.received_on = on
            check.outcome = StatutoryCheck.Outcome.SATISFACTORY
            check.referee_name = f"Referee {n}" if check.kind == "personal_reference" else ""
            check.save()
        self._complete_training(household, on)
        carers_services.assessment_complete_stage_1(assessment=adoption, on=on, by=by)
        carers_services.assessment_start_stage_2(assessment=adoption, on=on, by=by)
        self._upload(household, Document.Kind.PAR)
        panel, _ = PanelSitting.objects.get_or_create(sits_on=on, kind=PanelSitting.Kind.JOINT)
        seat_panel(panel)
        self._through_panel(adoption, panel, on)
        if fostering:
            track = household.assessments.get(track=Track.FOSTERING)
            carers_services.assessment_start_form_f(assessment=track, on=on, by=by)
            self._upload(household, Document.Kind.FORM_F)
            self._through_panel(track, panel, on)
            self._complete_training(household, on)
        self._reviews_up_to_date(household)
        household.refresh_from_db()
        self.households.append(household)
        return household

    def _reviews_up_to_date(self, household) -> None:
        """Keep the yearly reviews of both approvals up to date, as a real caseload would."""
        for track in (Track.ADOPTION, Track.FOSTERING):
            review = FosterCarerReview.objects.filter(
                household=household, track=track, completed_on__isnull=True
            ).first()
            while review is not None and review.due_on < self.today:
                on = review.due_on - timedelta(days=7)
                panel = None
                if review.goes_to_panel:
                    panel, _ = PanelSitting.objects.get_or_create(
                        sits_on=on, kind=PanelSitting.Kind.JOINT
                    )
                    seat_panel(panel)  # a recommendation needs a quorate sitting
                review = carers_services.approval_review_complete(
                    review=review,
                    on=on,
                    by=self.by,
                    outcome=FosterCarerReview.Outcome.CONTINUE,
                    carers_views="We want to carry on and are ready for a child.",
                    panel=panel,
                    panel_recommendation=FosterCarerReview.Outcome.CONTINUE if panel else "",
                )

    def _complete_training(self, household, on: date) -> None:
        carers_services.training_records_sync(household=household)
        TrainingRecord.objects.filter(household=household, completed_on__isnull=True).update(
            completed_on=on
        )
        carers_services.household_after_edit(household=household)

    def _upload(self, household, kind) -> Document:
        return carers_services.document_upload(
            household=household,
            kind=kind,
            title=Document.Kind(kind).label,
            file=SimpleUploadedFile("report.pdf", b"%PDF-1.4 demo", content_type="application/pdf"),
            by=self.by,
        )

    def _through_panel(self, assessment, panel, on: date) -> None:
        carers_services.assessment_share_report(assessment=assessment, on=on, by=self.by)
        carers_services.assessment_record_observations(assessment=assessment, on=on, by=self.by)
        carers_services.assessment_book_panel(assessment=assessment, panel=panel, on=on, by=self.by)
        carers_services.assessment_record_recommendation(
            assessment=assessment, recommendation=Assessment.Recommendation.SUITABLE, by=self.by
        )
        carers_services.assessment_record_minutes(
            assessment=assessment,
            minutes=self._upload(assessment.household, Document.Kind.PANEL_MINUTES),
            on=on,
            by=self.by,
        )
        carers_services.assessment_record_decision(
            assessment=assessment,
            decision=Assessment.Decision.APPROVED,
            on=on,
            by=self.manager,
            approved_age_from=0,
            approved_age_to=4,
            approved_number_of_children=2,
        )

    def child(self, first: str, last: str, *, born: date, entered_care=None, **fields) -> Child:
        return services.child_register(
            child=Child(
                first_name=first,
                last_name=last,
                date_of_birth=born,
                sex=Child.Sex.FEMALE
                if first in ("Poppy", "Isla", "Ruby", "Maya", "Ada")
                else Child.Sex.MALE,
                entered_care_on=entered_care or born,
                placing_authority=self.authority,
                **fields,
            ),
            by=self.by,
        )

    def approve_25a(self, household, child: Child, on: date) -> TemporaryApproval:
        return services.temporary_approval_grant(
            household=household, child=child, approved_on=on, by=self.manager
        )

    def place(self, household, children, route, placed_on: date, came_from) -> Placement:
        return services.placement_start(
            household=household,
            children=children,
            route=route,
            placed_on=placed_on,
            came_from=came_from,
            by=self.by,
        )

    def proceedings(self, placement, *, issued: date, orders) -> None:
        """Proceedings for the children of the placement, heard together."""
        self._proceedings[placement.pk] = services.proceedings_open(
            children=list(placement.children.all()),
            issued_on=issued,
            court="Oakford Family Court",
            case_number=f"OK{placement.pk:02d}C{issued:%y}",
            by=self.by,
        )
        self.orders(placement, orders)

    def of(self, placement):
        return self._proceedings[placement.pk]

    def conclude(self, placement, *, on: date) -> None:
        services.proceedings_conclude(proceedings=self.of(placement), on=on, by=self.by)

    def orders(self, placement, orders) -> None:
        children = list(placement.children.all())
        for kind, made_on in orders:
            services.court_order_record(
                placement=placement, children=children, kind=kind, made_on=made_on, by=self.by
            )

    def hearing(self, placement, on: date, kind: str, note: str) -> None:
        services.hearing_record(
            proceedings=self.of(placement), held_on=on, kind=kind, outcome_note=note, by=self.by
        )

    def visit(self, placement, *, visited_on: date, by, seen_alone: bool = False) -> None:
        """A visit to each child of the placement."""
        for child in placement.children.all():
            services.visit_record(
                placement=placement,
                child=child,
                visited_on=visited_on,
                seen_alone=seen_alone,
                by=by,
            )

    def review(self, placement, *, held_on: date, by) -> None:
        for child in placement.children.all():
            services.review_record(placement=placement, child=child, held_on=held_on, by=by)

    def family_time(
        self, placement, starts: date, *, sessions_until: date, left_open: int = 0
    ) -> None:
        """``left_open``: the last sessions before ``sessions_until`` stay unrecorded, for
        a worker trying the demo to record what happened (a missed one, a late parent)."""
        children = list(placement.children.all())
        for child in children:
            self._family_time(
                placement, child, starts, sessions_until=sessions_until, left_open=left_open
            )

    def _family_time(
        self, placement, child, starts: date, *, sessions_until: date, left_open: int
    ) -> None:
        mother = services.birth_relative_record(
            child=child,
            relationship=BirthRelative.Relationship.MOTHER,
            name=f"Dana {child.last_name}",
            has_parental_responsibility=True,
            by=self.by,
        )
        # A baby at the start of proceedings: three sessions a week, and the carers and
        # the parents never meet (the carers' address and car must not be learned).
        services.family_time_plan_set(
            child=child,
            by=self.by,
            source=FamilyTimePlan.Source.COURT_DIRECTION,
            source_dated=starts,
            starts_on=starts,
            relatives=[mother],
            weekdays="024",
            start_time=time(10, 0),
            length_minutes=90,
            venue="Oakford Family Centre",
            supervision=FamilyTimePlan.Supervision.SUPERVISED,
            supervising_organisation="Oakford Contact Service",
            handover=Handover.NEVER_MEET,
            transport=FamilyTimePlan.Transport.CARERS_DRIVE,
            confirm_by=time(9, 0),
            late_cancel_minutes=30,
            withhold_surname=True,
            withhold_address=True,
            withhold_car=True,
            today=starts,
        )
        services.book_entry_add(
            child=child,
            side=CommunicationBookEntry.Side.PARENTS,
            written_on=sessions_until,
            text="Thank you for the photos from bath time. Are the nights getting easier?",
            by=self.by,
        )
        day = starts
        while day <= sessions_until:
            services.family_time_sessions_generate(today=day)
            day += timedelta(weeks=4)
        # Monday, Wednesday and Friday sessions; now and then one does not happen.
        sessions = list(
            child.family_time_sessions.filter(held_on__lte=sessions_until).order_by("held_on")
        )
        for n, session in enumerate(sessions[: len(sessions) - left_open], start=1):
            after = timezone.make_aware(datetime.combine(session.held_on, time(18, 0)))
            status, cancelled_at, miles = Status.TOOK_PLACE, None, Decimal("14.0")
            if n % 9 == 0:
                # Two days' notice: the history raises no short-notice alert.
                status, miles = Status.CANCELLED_BY_PARENT, None
                cancelled_at = after - timedelta(days=2)
            elif n % 13 == 0:
                status, miles = Status.CHILD_UNWELL, None
                cancelled_at = after - timedelta(days=1)
            services.family_time_session_record(
                session=session,
                status=status,
                cancelled_at=cancelled_at,
                miles=miles,
                by=self.by,
                now=after,
            )

    def reviews_and_visits(self, placement, *, until: date) -> None:
        """Reviews and visits on time (by the placement's stored deadlines) up to ``until``.

        A first review that fell due before the child came to the carers is held on the
        day of the placement: late, as it would be for a child who arrived after the date.
        """
        for kind, record, days_early in (
            (PlacementDeadline.Kind.REVIEW, self._review, 2),
            (PlacementDeadline.Kind.VISIT, self._visit, 1),
        ):
            recorded = 0
            while True:
                due = min(d.due_on for d in placement.deadlines.filter(kind=kind))
                if due > until:
                    break
                record(placement, max(due - timedelta(days=days_early), placement.placed_on))
                recorded += 1
                if recorded > 100:  # a clock that never moves on would be a defect
                    raise RuntimeError("The demo's clocks did not move on.")

    def _review(self, placement, on: date) -> None:
        self.review(placement, held_on=on, by=self.by)

    def _visit(self, placement, on: date) -> None:
        self.visit(placement, visited_on=on, by=self.by)
