"""The carers' own area (``/my/``): who may open it, and their journey in their own words.

An applicant's own area is their household's records, read through the same selectors
staff use and said in plain words. Nothing is copied: the journey is worked out from the
assessments, checks, training, reviews and open clocks as they stand.

Access:

- The account is linked to an applicant when their social worker invites them
  (``services.own_area.applicant_invite``). It opens the household only while the
  applicant's email is the account's address: a changed address stops it at once.
- Staff accounts never have an own area.
- A closed household (refused, withdrawn or closed) keeps its letters, and only those,
  for ``CARERS_CLOSED_ACCESS_DAYS`` (agency policy) from the day it closed; then nothing.
- An approved carer with a child living with them must use two-step sign-in
  (``two_step_required``): their area shows the child's family time.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import reduce
from operator import or_

from django.conf import settings
from django.db.models import F, Q, Window, prefetch_related_objects
from django.db.models.functions import RowNumber
from django.utils import timezone

from portal.formats import clock, day

from . import selectors
from .models import (
    CLOSED_STAGES,
    Applicant,
    Assessment,
    Deadline,
    Household,
    Stage,
    StatutoryCheck,
    Track,
)


@dataclass(frozen=True)
class OwnArea:
    """What an account may open: its applicant's household, fully or (closed) letters only."""

    applicant: Applicant
    household: Household
    letters_only: bool
    letters_until: date | None = None


def closed_access_ends(household: Household) -> date | None:
    """The last day the applicants of a closed household may read their letters."""
    if household.status != Household.Status.CLOSED or household.closed_on is None:
        return None
    return household.closed_on + timedelta(days=settings.CARERS_CLOSED_ACCESS_DAYS)


def own_area_for(user, *, today: date | None = None) -> OwnArea | None:
    """The household ``user`` may open as its applicant, or None. One query."""
    if not user.is_authenticated or user.is_staff or not user.email:
        return None
    applicant = (
        Applicant.objects.select_related("household", "household__social_worker")
        .filter(account=user, email__iexact=user.email)
        .first()
    )
    if applicant is None:
        return None
    household = applicant.household
    if household.status != Household.Status.CLOSED:
        return OwnArea(applicant=applicant, household=household, letters_only=False)
    ends = closed_access_ends(household)
    if ends is None or ends < (today or timezone.localdate()):
        return None
    return OwnArea(applicant=applicant, household=household, letters_only=True, letters_until=ends)


def has_own_area(applicant: Applicant) -> bool:
    """Whether the applicant's own area opens for their account now, as ``own_area_for``
    decides (whatever the household's status): invited, the account active and not
    staff, and the applicant's email still the account's address. No query when the
    account is loaded with the applicant."""
    account = applicant.account
    return (
        account is not None
        and account.is_active
        and not account.is_staff
        and bool(account.email)
        and account.email.strip().lower() == applicant.email.strip().lower()
    )


def reads_private_events(email: str) -> bool:
    """Whether the person with this address finds their training and groups in their own
    area (``enquiries.emails.register_private_events_reader``): an applicant whose area
    opens, for more than letters. A guest the carers invited has none. Two queries."""
    if not email.strip():
        return False
    applicants = Applicant.objects.select_related("account").filter(email__iexact=email.strip())
    return any(
        has_own_area(applicant)
        and (area := own_area_for(applicant.account)) is not None
        and not area.letters_only
        for applicant in applicants
    )


def home_for(user) -> str:
    """Where an applicant starts after signing in (``portal.adapter.register_home``)."""
    return "/my/" if own_area_for(user) is not None else ""


def letters_gate(user) -> str:
    """The rules of the area for a letter's recipient who is an applicant (``portal.letters.
    register_recipient_gate``): an account linked to an applicant reads letters only while
    its area opens, and after two-step sign-in where the area needs it. Anyone else sent a
    letter (a referee) is not ours to judge: ""."""
    if not Applicant.objects.filter(account=user).exists():
        return ""
    area = own_area_for(user)
    if area is None:
        return "refuse"
    if not area.letters_only and two_step_required(area.household):
        from portal.middleware import user_has_mfa

        if not user_has_mfa(user):
            return "/my/two-step-sign-in/"
    return ""


def household_letters(user, household: Household):
    """The letters sent to ``user`` about this household (its assessments and checks),
    newest first. One query."""
    from django.contrib.contenttypes.models import ContentType
    from django.db.models import Q

    from portal.models import Letter

    from .models import StatutoryCheck as Check

    types = ContentType.objects.get_for_models(Assessment, Check)
    about = Q(
        record_type=types[Assessment],
        record_id__in=Assessment.objects.filter(household=household).values("pk"),
    ) | Q(
        record_type=types[Check],
        record_id__in=Check.objects.filter(household=household).values("pk"),
    )
    return (
        Letter.objects.filter(about, recipients=user)
        .only("pk", "title", "produced_at")
        .order_by("-produced_at", "-pk")
    )


def two_step_required(household: Household) -> bool:
    """An approved carer with a child placed with them signs in in two steps. One query."""
    from placements.models import Placement

    return (
        Placement.objects.filter(household=household)
        .exclude(status=Placement.Status.ENDED)
        .exists()
    )


# ---------------------------------------------------------------------------
# The journey
# ---------------------------------------------------------------------------

# Where each stage of a track stands, in the applicants' words.
NOW = {
    Stage.NOT_STARTED: "Your fostering assessment has not started yet. It usually runs "
    "alongside Stage 2 of your adoption assessment.",
    Stage.ROI_RECEIVED: "We have your Registration of Interest and will tell you our decision.",
    Stage.ROI_ACCEPTED: "We have accepted your Registration of Interest. Stage 1 starts soon.",
    Stage.STAGE_1: "You are in Stage 1: checks, references and preparation training.",
    Stage.STAGE_1_COMPLETE: "Stage 1 is complete and you may go on to Stage 2. Tell your "
    "social worker when you are ready to start it.",
    Stage.PAUSED: "You are taking a break between Stage 1 and Stage 2.",
    Stage.STAGE_2: "You are in Stage 2: your social worker visits you to write your assessment.",
    Stage.FORM_F: "Your fostering assessment is under way: your social worker visits you to "
    "write it.",
    Stage.PANEL_BOOKED: "Your assessment is going to the panel.",
    Stage.PANEL_RECOMMENDED: "The panel has made its recommendation. Our decision maker now "
    "decides whether to approve you, and we will write to you.",
    Stage.PROPOSED_REFUSAL: "We have written to you to say that we propose not to approve "
    "you. You may send us your comments or ask for an independent review by the last day "
    "shown below.",
    Stage.NOT_APPROVED: "We decided not to approve you, and we have written to you with our "
    "reasons.",
    Stage.NOT_PROCEEDING: "We decided that your assessment could not go on, and we have written "
    "to you with our reasons.",
    Stage.WITHDRAWN: "This assessment has ended.",
}
APPROVED_AS = {
    Track.ADOPTION: "You are approved as adopters.",
    Track.FOSTERING: "You are approved as foster carers.",
}
# The review of each approval, in the applicants' words.
REVIEW_OF = {
    Track.ADOPTION: "Your review as approved adopters",
    Track.FOSTERING: "Your review as approved foster carers",
}
TRACK_TITLES = {
    Track.ADOPTION: "Becoming adopters",
    Track.FOSTERING: "Becoming foster carers",
}

# The steps of each track as the applicants see them, and the stages within each.
STEPS = {
    Track.ADOPTION: (
        ("Registration of Interest", (Stage.ROI_RECEIVED, Stage.ROI_ACCEPTED)),
        ("Stage 1", (Stage.STAGE_1, Stage.STAGE_1_COMPLETE, Stage.PAUSED)),
        ("Stage 2", (Stage.STAGE_2,)),
        ("Panel", (Stage.PANEL_BOOKED,)),
        ("Decision", (Stage.PANEL_RECOMMENDED, Stage.PROPOSED_REFUSAL, *CLOSED_STAGES)),
    ),
    Track.FOSTERING: (
        ("Fostering assessment", (Stage.NOT_STARTED, Stage.FORM_F)),
        ("Panel", (Stage.PANEL_BOOKED,)),
        ("Decision", (Stage.PANEL_RECOMMENDED, Stage.PROPOSED_REFUSAL, *CLOSED_STAGES)),
    ),
}

# Checks the applicants arrange themselves; every other check waits on someone else.
FROM_YOU_CHECKS = {
    StatutoryCheck.Kind.MEDICAL: "Your medical with your GP",
    StatutoryCheck.Kind.OVERSEAS: "A police certificate from the country you lived in",
    StatutoryCheck.Kind.PETS: "The pet questionnaire",
}
# The checks we wait for from others, in the applicants' words.
OTHERS_CHECKS = {
    StatutoryCheck.Kind.DBS: "Criminal record check (DBS)",
    StatutoryCheck.Kind.LOCAL_AUTHORITY: "Checks with the local council",
    StatutoryCheck.Kind.PERSONAL_REFERENCE: "Personal reference",
    StatutoryCheck.Kind.EMPLOYER_REFERENCE: "Reference from an employer",
    StatutoryCheck.Kind.FORMER_PARTNER_REFERENCE: "Reference from a former partner",
    StatutoryCheck.Kind.SCHOOL_REFERENCE: "Reference from a child's school",
    StatutoryCheck.Kind.HOME_SAFETY: "Home safety check, on one of our visits",
}
PANEL_ABOUT = {
    Track.ADOPTION: "Panel meeting about your adoption assessment",
    Track.FOSTERING: "Panel meeting about your fostering assessment",
}
# The statutory windows that are the applicants' own, in their words.
YOUR_WINDOWS = {
    Deadline.Kind.REPORT_OBSERVATIONS: "Send us your comments on your assessment report",
    Deadline.Kind.REPRESENTATIONS: "Send us your comments on our proposal, or ask for an "
    "independent review",
}


@dataclass(frozen=True)
class Step:
    name: str
    # "done", "now", "to come"; after a track ended without a decision, the step it ended
    # in is "ended" and those after it "not reached".
    state: str
    on: date | None = None
    when: str = ""  # the date in words: "Started 3 June 2026", "Panel on …"

    @property
    def tag(self) -> str:
        return {"to come": "To come", "not reached": "Not reached"}.get(self.state, "") or (
            self.state.capitalize()
        )


@dataclass
class TrackView:
    track: str
    title: str
    now: str
    ended: bool
    steps: list[Step]


@dataclass(frozen=True)
class Item:
    what: str
    who: str = ""  # whose it is: an applicant's or household member's first name
    state: str = ""  # "requested", "received", "booked", "not yet requested"
    on: date | None = None  # the day of that state, or the day it happens
    by: date | None = None  # the last day for it
    applicant_id: int | None = None  # a form: whose own it is (their page links to it)


@dataclass
class Journey:
    tracks: list[TrackView]
    from_you: list[Item] = field(default_factory=list)
    from_others: list[Item] = field(default_factory=list)
    dates: list[Item] = field(default_factory=list)
    windows: list[Item] = field(default_factory=list)


def _first_entered(assessment: Assessment) -> dict[str, date]:
    entered: dict[str, date] = {}
    for change in sorted(assessment.changes.all(), key=lambda c: (c.effective_on, c.pk)):
        entered.setdefault(change.to_stage, change.effective_on)
    entered.setdefault(assessment.stage, assessment.stage_entered_on)
    return entered


def track_view(assessment: Assessment) -> TrackView:
    """One track: where it stands in words, and its steps with the day each began."""
    steps = STEPS[assessment.track]
    entered = _first_entered(assessment)
    index_of = {stage: i for i, (_, stages) in enumerate(steps) for stage in stages}
    decided = assessment.stage in (Stage.APPROVED, Stage.NOT_APPROVED)
    ended = assessment.stage in CLOSED_STAGES
    # The steps the track really reached: not a fostering track that never started, nor
    # the "Decision" step of a track withdrawn or stopped before any decision.
    stopped = (Stage.NOT_STARTED, Stage.WITHDRAWN, Stage.NOT_PROCEEDING)
    reached = {index_of[stage] for stage in entered if stage in index_of and stage not in stopped}
    if ended and not decided:
        last = max(reached, default=-1)
    elif assessment.stage == Stage.NOT_STARTED:
        last = -1
    else:
        last = index_of[assessment.stage]
    views = []
    for i, (name, stages) in enumerate(steps):
        began = [entered[s] for s in stages if s in entered and s not in stopped]
        on = min(began) if began else None
        if i == 0 and assessment.track == Track.ADOPTION:
            on = assessment.roi_received_on or on
        if decided:
            state = "done"
        elif ended:
            state = "done" if i < last else "ended" if i == last else "not reached"
        else:
            state = "done" if i < last else "now" if i == last else "to come"
        when = ""
        if state == "now" and name == "Panel" and assessment.panel_id:
            on = assessment.panel.sits_on
            when = f"Panel on {day(on, weekday=True)}"
        elif state == "now" and on:
            when = f"Since {day(on)}"
        elif decided and name == "Decision":
            on = assessment.agency_decision_on or assessment.stage_entered_on
            when = f"Decided on {day(on)}"
        elif state == "ended":
            on = assessment.closed_on or assessment.stage_entered_on
            when = f"Ended on {day(on)}"
        elif state == "done" and on:
            when = f"Started {day(on)}"
        views.append(Step(name=name, state=state, on=on, when=when))
    now = (
        APPROVED_AS[assessment.track]
        if assessment.stage == Stage.APPROVED
        else NOW[assessment.stage]
    )
    return TrackView(
        track=assessment.track,
        title=TRACK_TITLES[assessment.track],
        now=now,
        ended=ended,
        steps=views,
    )


def _who(check: StatutoryCheck) -> str:
    return check.person.first_name if check.person else ""


def _check_item(check: StatutoryCheck, what: str = "") -> Item:
    """A check that is not back yet: requested or not. Never its outcome, which the
    applicants hear from their social worker."""
    return Item(
        what=what or check.get_kind_display(),
        who=_who(check),
        state="requested" if check.requested_on else "not yet requested",
        on=check.requested_on,
    )


def _consents_in_journey(checks, result: Journey) -> None:
    """While an applicant's medical is still to come, their health consent form (the
    medical adviser asks their GP with it), until they send it (``consent_sent``, from
    ``selectors.household_facts``: no query here)."""
    for check in checks:
        waiting = check.kind == StatutoryCheck.Kind.MEDICAL and not check.received_on
        if waiting and check.applicant_id and not check.consent_sent:
            result.from_you.append(
                Item(
                    "Your health consent form", _who(check), "form", applicant_id=check.applicant_id
                )
            )


def journey(household: Household, *, today: date | None = None) -> Journey:
    """The household's journey for its applicants. A fixed number of queries."""
    today = today or timezone.localdate()
    facts = selectors.household_facts(household=household)
    # The stage history, for the day each step began.
    prefetch_related_objects(facts.assessments, "changes")
    result = Journey(tracks=[track_view(a) for a in facts.assessments])
    for record in facts.training:
        if record.completed_on:
            continue
        who = record.applicant.first_name
        booked = "booked" if record.booked_for else "not yet booked"
        result.from_you.append(
            Item(record.course.name, who, booked, on=record.booked_for, by=record.due_on)
        )
        if record.booked_for and record.booked_for >= today:
            result.dates.append(Item(record.course.name, who, on=record.booked_for))
    asked = household.document_requests.filter(document__isnull=True, withdrawn_on__isnull=True)
    for request in asked.order_by("due_on", "requested_on", "pk"):
        result.from_you.append(
            Item(request.title, state="requested", on=request.requested_on, by=request.due_on)
        )
    for check in facts.checks:
        if check.received_on:
            continue
        if check.kind in FROM_YOU_CHECKS:
            result.from_you.append(_check_item(check, FROM_YOU_CHECKS[check.kind]))
        elif check.kind == StatutoryCheck.Kind.PERSONAL_REFERENCE and not (
            check.referee_name or check.requested_on
        ):
            what = "The name and contact details of a personal referee"
            result.from_you.append(Item(what, _who(check)))
        else:
            result.from_others.append(_check_item(check, OTHERS_CHECKS.get(check.kind, "")))
    _consents_in_journey(facts.checks, result)
    for assessment in facts.assessments:
        booked = assessment.stage == Stage.PANEL_BOOKED and assessment.panel_id
        if booked and assessment.panel.sits_on >= today:
            result.dates.append(Item(PANEL_ABOUT[assessment.track], on=assessment.panel.sits_on))
    for review in facts.open_reviews:
        # One review for each approval (as adopters, as foster carers), each named; one
        # whose day has passed is not "coming up": it says it was due then.
        tense = "was due" if review.due_on < today else "is due"
        what = f"{REVIEW_OF[review.track]} {tense}"
        result.dates.append(Item(what, on=review.due_on))
    _offered_in_journey(household, result, today=today)
    windows = household.deadlines.filter(kind__in=list(YOUR_WINDOWS), due_on__gte=today)
    tracks = {f"assessment:{a.pk}": a.track for a in facts.assessments}
    for deadline in windows.order_by("due_on", "id"):
        # Each track has its own window (28 days for fostering, 40 working days for
        # adoption): say which one, as "Becoming adopters".
        track = tracks.get(deadline.subject)
        who = TRACK_TITLES[track] if track else ""
        result.windows.append(Item(YOUR_WINDOWS[deadline.kind], who, by=deadline.due_on))
    result.dates.sort(key=lambda item: item.on)
    return result


@dataclass(frozen=True)
class OfferedEvent:
    event: object  # enquiries.InformationEvent, annotated with places_taken
    when: str
    places_left: int
    booking: object | None  # the applicant's active booking, if any
    open_for_booking: bool


@dataclass(frozen=True)
class Guests:
    """The household's support network (those with an email address) for one session for
    family and friends: those invited, with their booking, and those still to invite."""

    invited: list  # (carers.SupportNetworkMember, enquiries.Booking)
    to_invite: list  # carers.SupportNetworkMember

    @property
    def anyone(self) -> bool:
        return bool(self.invited or self.to_invite)


def network_guests(household: Household) -> list:
    """The household's support network who can be invited: those with an email address
    that is not an applicant's own (a place booked there would be the household's)."""
    own = set(household_emails(household))
    return [
        member
        for member in household.support_network.exclude(email="").order_by("name", "pk")
        if member.email.strip().lower() not in own
    ]


def guests_for(household: Household, offered: list) -> dict[int, Guests]:
    """For each offered session for family and friends, the household's support network
    (``network_guests``), split by whether their address has a place: people sharing an
    address share one booking. Three queries at most."""
    from enquiries.models import Booking, InformationEvent

    family = [
        item.event.pk
        for item in offered
        if item.event.topic == InformationEvent.Topic.FAMILY_AND_FRIENDS
    ]
    if not family:
        return {}
    members = network_guests(household)
    bookings = {
        (booking.event_id, booking.email): booking
        for booking in Booking.objects.active().filter(
            event__in=family, email__in=[member.email.strip().lower() for member in members]
        )
    }
    result = {}
    for pk in family:
        found = [(m, bookings.get((pk, m.email.strip().lower()))) for m in members]
        result[pk] = Guests(
            invited=[(member, booking) for member, booking in found if booking],
            to_invite=[member for member, booking in found if not booking],
        )
    return result


def household_emails(household: Household) -> list[str]:
    """The applicants' addresses, as bookings store them (lower case). One query."""
    emails = household.applicants.values_list("email", flat=True)
    return [email.strip().lower() for email in emails if email.strip()]


def offered_events(household: Household, user, *, now=None) -> list[OfferedEvent]:
    """The private events offered to the household that have not ended, each with places
    left and the household's booking (made by either applicant). Three queries."""
    from enquiries.formats import event_when
    from enquiries.models import Booking
    from enquiries.selectors.events import events_with_places

    now = now or timezone.now()
    events = list(
        events_with_places()
        .filter(offers__household=household, ends_at__gt=now)
        .order_by("starts_at", "id")
    )
    bookings = {
        booking.event_id: booking
        for booking in Booking.objects.active().filter(
            event__in=[event.pk for event in events], email__in=household_emails(household)
        )
    }
    return [
        OfferedEvent(
            event=event,
            when=event_when(event),
            places_left=max(event.places - event.places_taken, 0),
            booking=bookings.get(event.pk),
            open_for_booking=event.is_open_for_booking(now),
        )
        for event in events
    ]


def _offered_in_journey(household: Household, result: Journey, *, today: date) -> None:
    """Events offered to the household: booked ones among the dates, the others still to
    book among what we need. Three queries."""
    from enquiries.models import Booking, InformationEvent

    events = list(
        InformationEvent.objects.filter(
            offers__household=household,
            status=InformationEvent.Status.SCHEDULED,
            starts_at__date__gte=today,
        ).order_by("starts_at", "id")
    )
    # The household's active bookings of these events, by event: confirmed or waiting.
    status_of = dict(
        Booking.objects.active()
        .filter(event__in=[event.pk for event in events], email__in=household_emails(household))
        .values_list("event_id", "status")
    )
    for event in events:
        status = status_of.get(event.pk)
        # Only a confirmed place is a date; a waiting-list place is not one yet.
        if status == Booking.Status.CONFIRMED:
            result.dates.append(Item(event.title, on=timezone.localdate(event.starts_at)))
        elif status is None and event.is_open_for_booking():
            result.from_you.append(Item(f"Book a place: {event.title}", state="offered"))


# ---------------------------------------------------------------------------
# Family time, for carers with a child placed
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class CarerSession:
    session: object  # placements.FamilyTimeSession
    child: str  # the child's first name only
    when: str
    venue: str
    handover: str
    transport: str
    status: str
    started: bool
    can_report: bool
    can_claim: bool


def week_sessions(household: Household, start: date):
    """The family time sessions of the children placed with the household now, from
    ``start`` for seven days, withdrawn ones left out."""
    from placements.models import FamilyTimeSession, Placement

    return FamilyTimeSession.objects.filter(
        placement__household=household,
        withdrawn_at__isnull=True,
        held_on__gte=start,
        held_on__lte=start + timedelta(days=6),
    ).exclude(placement__status=Placement.Status.ENDED)


def family_time_week(household: Household, start: date, *, now=None) -> list[CarerSession]:
    """The family time sessions, Monday ``start`` to Sunday, of the children placed with the
    household now: day, time, place and handover. Never a birth relative: the carers need
    only where to take the child and how the handover works. One query."""
    from placements.models import FamilyTimeSession
    from placements.services.family_time import session_starts

    now = now or timezone.now()
    sessions = (
        week_sessions(household, start)
        .select_related("child", "plan")
        .order_by("held_on", "starts_at", "pk")
    )
    rows = []
    for session in sessions:
        starts = session_starts(session)
        started = (starts or timezone.make_aware(datetime.combine(session.held_on, time(0)))) <= now
        when = day(session.held_on, weekday=True)
        if session.starts_at:
            when = f"{when}, {clock(session.starts_at)}"
        plan = session.plan
        drive = plan is None or plan.transport == plan.Transport.CARERS_DRIVE
        can_report = started and session.status not in FamilyTimeSession.CANCELLED
        rows.append(
            CarerSession(
                session=session,
                child=child_name(session.child),
                when=when,
                venue=plan.venue if plan else "",
                handover=plan.get_handover_display() if plan else "",
                transport=plan.get_transport_display() if plan else "",
                status=carers_status(session),
                started=started,
                can_report=can_report,
                can_claim=can_report and drive and not session.claim,
            )
        )
    return rows


def carers_status(session) -> str:
    """Where a session stands, in words that say nothing of the birth family's part in it
    (late, did not confirm, did not come): planned, confirmed, took place, or cancelled."""
    from placements.models import FamilyTimeSession

    Status = FamilyTimeSession.Status
    if session.status in FamilyTimeSession.HELD:
        return "Took place"
    if session.status == Status.CONFIRMED:
        return "Confirmed"
    if session.status == Status.PLANNED:
        return "Planned"
    if session.status == Status.CANCELLED_BY_CARERS:
        return "Cancelled by you"
    return "Did not go ahead"


# ---------------------------------------------------------------------------
# The communication book, for carers with a child placed
# ---------------------------------------------------------------------------

# Where the carers' own entry stands, in their words. An entry held back is not explained
# here: the social worker's reason may speak of the birth family, so they talk it through.
BOOK_STATUS = {
    "awaiting": "Waiting for your social worker to read it",
    "shared": "Shared with the birth family",
    "held_back": "Not shared: your social worker will talk to you about it",
}


@dataclass(frozen=True)
class BookEntry:
    written_on: date
    ours: bool  # written by the carers (or entered for them), not the birth parents
    text: str
    status: str  # for the carers' own entries only


@dataclass(frozen=True)
class ChildBook:
    child: object  # placements.Child, shown by first name only
    name: str
    entries: list[BookEntry]


def placed_children(household: Household) -> list:
    """The children living with the household now, each with ``placed_on``, the day they
    came to live with it, oldest child first. One query."""
    from placements.models import PlacementChild

    links = (
        PlacementChild.objects.filter(placement__household=household, is_current=True)
        .select_related("child", "placement")
        .only(
            "child__id",
            "child__first_name",
            "child__date_of_birth",
            "placement__placed_on",
            "placement__household_id",
        )
        .order_by("child__date_of_birth", "child__pk")
    )
    children = []
    for link in links:
        link.child.placed_on = link.placement.placed_on
        children.append(link.child)
    return children


def child_name(child) -> str:
    """A child in the carers' area: their first name only."""
    return child.first_name or "Your baby"


# The newest entries of each child's book shown; the older ones stay in the record.
BOOK_ENTRIES_SHOWN = 30


def communication_book(household: Household) -> list[ChildBook]:
    """The book of each child placed with the household, since the child came to live
    with them: the carers' entries with where each stands, and the birth parents'
    entries their social worker has shared. Nothing from before (an earlier placement's
    carers wrote those), nothing held back from the parents' side, nothing withdrawn.
    Two queries."""
    from placements.models import CommunicationBookEntry as Entry

    children = placed_children(household)
    if not children:
        return []
    entries = {child.pk: [] for child in children}
    newest_first = [F("written_on").desc(), F("id").desc()]
    since_placed = reduce(
        or_, (Q(child=child, written_on__gte=child.placed_on) for child in children)
    )
    rows = (
        Entry.objects.filter(since_placed)
        .filter(Q(side=Entry.Side.CARERS) | Q(side=Entry.Side.PARENTS, status=Entry.Status.SHARED))
        .annotate(n=Window(RowNumber(), partition_by=F("child_id"), order_by=newest_first))
        .filter(n__lte=BOOK_ENTRIES_SHOWN)
        .only("child_id", "side", "written_on", "text", "status")
        .order_by(*newest_first)
    )
    for row in rows:
        ours = row.side == Entry.Side.CARERS
        entries[row.child_id].append(
            BookEntry(
                written_on=row.written_on,
                ours=ours,
                text=row.text,
                status=BOOK_STATUS[row.status] if ours else "",
            )
        )
    return [
        ChildBook(child=child, name=child_name(child), entries=entries[child.pk])
        for child in children
    ]


# ---------------------------------------------------------------------------
# The matching certificate and the support on offer
# ---------------------------------------------------------------------------


def household_matches(household: Household) -> list:
    """The household's agreed Early Permanence matches, newest first: each gives the
    carers their matching certificate and the support plan agreed for it. One query."""
    from placements.models import Match

    return list(
        Match.objects.filter(link__household=household)
        .select_related("placement")
        .only(
            "pk",
            "meeting_on",
            "support_plan",
            "carers_told_on",
            "expected_placement_on",
            "placement__placed_on",
            "placement__status",
        )
        .order_by("-carers_told_on", "-pk")
    )


# ---------------------------------------------------------------------------
# The weekly summary email
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class WeekAhead:
    """What the weekly summary counts for a household: things for the applicants to do
    (as "What we need from you" on their journey: documents, training, checks, places to
    book) and their dates in the week ahead (the journey's dates, and the family time
    sessions going ahead)."""

    to_do: int
    dates: int


def week_ahead(household: Household, *, today: date) -> WeekAhead:
    """The counts for the week from ``today`` to six days on: what the journey page lists
    under "What we need from you", its dates in the week, and the family time sessions
    going ahead in the week (``week_sessions``). The journey's queries and one more."""
    from placements.models import FamilyTimeSession

    end = today + timedelta(days=6)
    ahead = journey(household, today=today)
    sessions = week_sessions(household, today).filter(status__in=FamilyTimeSession.OPEN).count()
    in_week = sum(1 for item in ahead.dates if item.on and today <= item.on <= end)
    return WeekAhead(to_do=len(ahead.from_you), dates=in_week + sessions)
