"""No personal data in the logs.

One long journey through the public pages and the staff area, with every log record
captured at DEBUG: an enquiry through every step of /enquire/, bookings with their
confirmation, manage, calendar and cancel pages, outbox deliveries to an SMTP server
that accepts and to one that refuses, the enquiry taken along the pipeline and
converted to a carer household, the household's assessment through the admin buttons,
and a placement of a named child. Then no email address, name, phone number, postcode,
address or child's name or date of birth used on the way may appear in any record's
message, arguments, exception or extra fields.

The loggers run as a deployment with ``LOG_LEVEL=DEBUG`` would: the root at DEBUG, and
Django's request log, Celery, allauth and our apps at DEBUG too. Loggers the settings
pin higher because their DEBUG output is made of personal data by nature (SQL with its
parameters, template variables with their context) keep their pins, and a test below
holds those pins in place.
"""

import contextlib
import logging
import re
import socket
import sys
import traceback
from datetime import date, timedelta

import pytest
from django.conf import settings as django_settings
from django.urls import reverse
from django.utils import timezone

from carers.models import Document, Household, PanelSitting, Track
from enquiries import reminders as enquiries_reminders
from enquiries.models import Booking, Enquiry
from placements.models import Placement
from portal import deadlines, notifications
from portal.models import Notification
from portal.roles import Role
from tests.carers import factories as carer_factories
from tests.carers.helpers import form_data
from tests.enquiries.events.factories import InformationEventFactory
from tests.placements import factories as placement_factories

pytestmark = pytest.mark.django_db

# -- the people of the journey ------------------------------------------------------------

ENQUIRER = {
    "first_name": "Marigold",
    "last_name": "Pettigrew",
    "email": "Marigold.Pettigrew@example.org",
    "postcode": "ok4 7qz",
    "phone": "07700 900461",
    "partner_name": "Ignatius Pettigrew",
}
ENQUIRER_BORN = date(1987, 9, 23)
PARTNER_BORN = date(1985, 2, 11)
ADDRESS = "17 Larkspur Close"
HOUSEHOLD_CHILD = {"first_name": "Hester", "last_name": "Pettigrew", "born": date(2019, 4, 17)}
BOOKER = {
    "name": "Ottoline Varga",
    "email": "ottoline.varga@example.net",
    "phone": "01632 960777",
    "access_needs": "A hearing loop, please: Ottoline uses hearing aids.",
}
WAITING_BOOKER = {"name": "Barnaby Okonkwo", "email": "barnaby.okonkwo@example.com"}
LATE_BOOKER = {"name": "Perpetua Lindgren", "email": "perpetua.lindgren@example.com"}
PLACED_CHILD = {"first_name": "Clementine", "last_name": "Abernethy", "born": date(2025, 2, 20)}


def _date_forms(day: date) -> list[str]:
    return [
        day.isoformat(),
        day.strftime("%d/%m/%Y"),
        f"{day.day} {day:%B %Y}",
        f"{day.day} {day:%b %Y}",
        f"{day:%B} {day.day}, {day.year}",
        day.strftime("%Y%m%d"),
    ]


def personal_values() -> dict[str, list[str]]:
    """Every personal value used in the journey, in each form it could take in a log."""
    values = {
        "enquirer's first name": ["Marigold"],
        "enquirer's surname": ["Pettigrew"],
        "enquirer's email": [ENQUIRER["email"], "marigold.pettigrew@"],
        "enquirer's phone": ["07700 900461", "07700900461", "7700900461"],
        "enquirer's postcode": ["OK4 7QZ", "OK47QZ"],
        "partner's first name": ["Ignatius"],
        "enquirer's date of birth": _date_forms(ENQUIRER_BORN),
        "partner's date of birth": _date_forms(PARTNER_BORN),
        "address": [ADDRESS, "Larkspur"],
        "household child's name": ["Hester"],
        "household child's date of birth": _date_forms(HOUSEHOLD_CHILD["born"]),
        "booker's name": ["Ottoline", "Varga"],
        "booker's email": ["ottoline.varga@"],
        "booker's phone": ["01632 960777", "01632960777"],
        "waiting booker": ["Barnaby", "Okonkwo", "barnaby.okonkwo@"],
        "late booker": ["Perpetua", "Lindgren", "perpetua.lindgren@"],
        "placed child's name": ["Clementine", "Abernethy"],
        "placed child's date of birth": _date_forms(PLACED_CHILD["born"]),
    }
    return values


# -- capturing every record -----------------------------------------------------------------


class _Everything(logging.Handler):
    """Keeps every record that reaches it, whatever its level."""

    def __init__(self):
        super().__init__(level=logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record):
        self.records.append(record)


# Loggers whose DEBUG output we want, though the settings leave them to inherit the root.
FORCED_TO_DEBUG = (
    "django",
    "django.request",
    "django.security",
    "django.server",
    "celery",
    "celery.app.trace",
    "celery.task",
    "kombu",
    "allauth",
    "auditlog",
    "portal",
    "content",
    "enquiries",
    "carers",
    "placements",
)
# Loggers the settings pin above DEBUG on purpose, and the least level each must keep.
PINNED = {
    # Every query with its parameters: names, emails, dates of birth.
    "django.db.backends": logging.WARNING,
    # "Exception while resolving variable ..." carries the template context's repr.
    "django.template": logging.INFO,
}


@pytest.fixture
def captured(caplog):
    """Every log record of the test: caplog at DEBUG, and a handler of our own on the root."""
    caplog.set_level(logging.DEBUG)
    for name in FORCED_TO_DEBUG:
        caplog.set_level(logging.DEBUG, logger=name)
    own = _Everything()
    root = logging.getLogger()
    root.addHandler(own)
    # Loggers that do not propagate would bypass both handlers: listen to them directly.
    isolated = [
        logger
        for logger in logging.root.manager.loggerDict.values()
        if isinstance(logger, logging.Logger) and not logger.propagate
    ]
    for logger in isolated:
        logger.addHandler(own)
    try:
        yield caplog, own
    finally:
        root.removeHandler(own)
        for logger in isolated:
            logger.removeHandler(own)


def record_texts(record: logging.LogRecord) -> list[str]:
    """Everything a formatter or a log shipper could write out for this record."""
    texts = [str(record.msg), repr(record.args)]
    # A malformed record (its args do not fit its message) still has its parts checked.
    with contextlib.suppress(Exception):
        texts.append(record.getMessage())
    if record.exc_info and record.exc_info[1] is not None:
        texts.append("".join(traceback.format_exception(*record.exc_info)))
    if record.exc_text:
        texts.append(record.exc_text)
    if record.stack_info:
        texts.append(record.stack_info)
    standard = set(vars(logging.makeLogRecord({})))
    for key, value in vars(record).items():
        if key not in standard and key not in ("message", "asctime"):
            texts.append(f"{key}={value!r}")
    return texts


# The test's own SMTP servers (aiosmtpd) log what they receive; they are not the portal.
TEST_INFRASTRUCTURE = ("mail.log", "asyncio")


def leaks(records, values: dict[str, list[str]]) -> list[str]:
    found = []
    for record in records:
        if record.name.split(".")[0] in TEST_INFRASTRUCTURE or record.name in TEST_INFRASTRUCTURE:
            continue
        text = "\n".join(record_texts(record)).casefold()
        for label, forms in values.items():
            for form in forms:
                if form.casefold() in text:
                    found.append(
                        f"{label} ({form!r}) in {record.name} {record.levelname}: "
                        f"{record.getMessage()[:300]!r}"
                    )
    return found


def test_the_leak_finder_finds_a_value_wherever_it_is():
    """The journey's assertion is only as good as this: each hiding place is searched."""
    values = {"email": ["jo.example@"], "name": ["Marigold"]}

    def record(**fields):
        return logging.makeLogRecord({"name": "x", "levelname": "INFO", "msg": "ok", **fields})

    try:
        raise ValueError("refused <Jo.Example@example.org>")
    except ValueError:
        exc_info = sys.exc_info()
    assert leaks([record(msg="Hello marigold")], values)
    assert leaks([record(msg="sent %s", args=("jo.example@example.org",))], values)
    assert leaks([record(msg="failed", exc_info=exc_info)], values)
    assert leaks([record(msg="failed", exc_text="SMTPRecipientsRefused: jo.example@x")], values)
    assert leaks([record(msg="ok", person={"first": "Marigold"})], values)
    assert not leaks([record(msg="Notification %s sent", args=(42,))], values)


def test_the_settings_pin_the_loggers_that_would_write_personal_data():
    configured = django_settings.LOGGING["loggers"]
    for name, least in PINNED.items():
        level = logging.getLevelName(configured.get(name, {}).get("level", "NOTSET"))
        assert isinstance(level, int) and level >= least, f"{name} must stay at {least}+"
        assert logging.getLogger(name).getEffectiveLevel() >= least


# -- SMTP servers: one that accepts, one that refuses each recipient ----------------------


class _Refusing:
    def __init__(self):
        self.refused: list[str] = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        self.refused.append(address)
        # A real server names the address it refuses; our logs must not repeat it.
        return f"550 5.1.1 <{address}>: Recipient address rejected: user unknown"


@pytest.fixture
def refusing_smtp():
    from aiosmtpd.controller import Controller

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    handler = _Refusing()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    handler.port = port
    try:
        yield handler
    finally:
        controller.stop()


@pytest.fixture
def mail(settings, smtp_sink, refusing_smtp):
    """``mail.accepting()`` / ``mail.refusing()`` point this process's email at each server."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_USE_TLS = False

    class Switch:
        inbox = smtp_sink
        refused = refusing_smtp.refused

        @staticmethod
        def accepting():
            settings.EMAIL_PORT = smtp_sink.port

        @staticmethod
        def refusing():
            settings.EMAIL_PORT = refusing_smtp.port

    Switch.accepting()
    return Switch


# -- the journey ----------------------------------------------------------------------------


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """``commit(action)``: run it as in production, where what a request queues on commit
    (an email's first delivery, a task) runs once its transaction commits."""

    def run(action):
        with django_capture_on_commit_callbacks(execute=True):
            return action()

    return run


def enquire(client, commit):
    """The public enquiry form, every step (one of them first answered wrongly)."""
    assert client.get("/enquire/").status_code == 200
    steps = {
        "about-you": {
            "first_name": ENQUIRER["first_name"],
            "last_name": ENQUIRER["last_name"],
            "email": ENQUIRER["email"],
            "postcode": ENQUIRER["postcode"],
            "aged_21_or_over": "yes",
        },
        "contact": {
            "contact_method": "either",
            "phone": ENQUIRER["phone"],
            "contact_time": "evening",
        },
        "household": {
            "household": "couple",
            "partner_name": ENQUIRER["partner_name"],
            "children_at_home": "yes",
            "children_ages": "6",
        },
        "interest": {
            "route": "concurrent_planning",
            "heard_about": "event",
            "question": "Would Hester, who is six, be part of the assessment?",
            "sensitive_details": "Hester has asthma.",
            "sensitive_consent": "on",
        },
    }
    wrong = client.post(
        "/enquire/about-you/", {**steps["about-you"], "postcode": "Marigold's house"}
    )
    assert wrong.status_code == 200 and "govuk-error-summary" in wrong.content.decode()
    for step, data in steps.items():
        assert client.get(f"/enquire/{step}/").status_code == 200
        response = client.post(f"/enquire/{step}/", data)
        assert response.status_code == 302, step
    assert client.get("/enquire/check/").status_code == 200
    sent = commit(lambda: client.post("/enquire/check/", {"privacy_acknowledged": "on"}))
    assert sent.status_code == 302
    assert client.get("/enquire/sent/").status_code == 200
    return Enquiry.objects.get(email=ENQUIRER["email"].lower())


def book(client, commit, event, person, places="1"):
    response = commit(
        lambda: client.post(
            event.get_absolute_url(),
            {"places": places, "phone": "", **person},
            REMOTE_ADDR="198.51.100.23",
        )
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return Booking.objects.get(event=event, email=person["email"])


def bookings(client, commit):
    """Book, look, add to a calendar, book twice, cancel: the waiting list moves up."""
    event = InformationEventFactory(places=1)
    assert client.get("/events/").status_code == 200
    assert client.get(event.get_absolute_url()).status_code == 200
    booking = book(client, commit, event, BOOKER)
    assert booking.status == Booking.Status.CONFIRMED
    for url in (
        reverse("enquiries:booking_done", args=[booking.token]),
        reverse("enquiries:booking_manage", args=[booking.token]),
        reverse("enquiries:booking_calendar", args=[booking.token]),
        reverse("enquiries:booking_cancel", args=[booking.token]),
    ):
        assert client.get(url).status_code == 200, url
    # The same address again: answered as a new booking, the link emailed again.
    again = commit(lambda: client.post(event.get_absolute_url(), {"places": "1", **BOOKER}))
    assert again.status_code == 302
    # A form with mistakes in it, then a guessed token.
    mistaken = client.post(
        event.get_absolute_url(), {"name": BOOKER["name"], "email": "ottoline.varga@", "places": 9}
    )
    assert "govuk-error-summary" in mistaken.content.decode()
    assert client.get("/bookings/not-a-real-token-at-all/").status_code == 404
    waiting = book(client, commit, event, WAITING_BOOKER)
    assert waiting.status == Booking.Status.WAITING
    cancelled = commit(
        lambda: client.post(reverse("enquiries:booking_cancel", args=[booking.token]), {})
    )
    assert cancelled.status_code == 302
    waiting.refresh_from_db()
    assert waiting.status == Booking.Status.CONFIRMED
    return event


def invited_and_signing_in(client, commit):
    """Accounts: an invitation and a password reset (their emails go straight out), and
    wrong passwords up to the per-account pause, whose alert goes out too."""
    from portal.invitations import staff_invitation_send
    from portal.models import User

    account = User.objects.create_user(
        email=ENQUIRER["email"], first_name=ENQUIRER["first_name"], password=None
    )
    commit(lambda: staff_invitation_send(user=account, by=None))
    for _ in range(django_settings.SIGN_IN_ACCOUNT_FAILURE_LIMIT + 1):
        commit(
            lambda: client.post(
                "/accounts/login/", {"login": ENQUIRER["email"], "password": "wrong-passphrase"}
            )
        )
    assert Notification.objects.filter(template="account/sign_in_paused").exists()
    commit(lambda: client.post("/accounts/password/reset/", {"email": ENQUIRER["email"]}))
    client.post("/accounts/password/reset/", {"email": BOOKER["email"]})
    client.logout()


def pipeline_in_the_admin(client, recruiter, enquiry, commit):
    """The recruitment team takes the enquiry to a Registration of Interest."""
    client.force_login(recruiter)
    changelist = reverse("admin:enquiries_enquiry_changelist")
    assert client.get(changelist, {"q": "Pettigrew"}).status_code == 200
    assert client.get(changelist, {"q": ENQUIRER["email"]}).status_code == 200
    change = reverse("admin:enquiries_enquiry_change", args=[enquiry.pk])
    assert client.get(change).status_code == 200
    today = timezone.localdate()
    for move, data in (
        (
            "contacted",
            {"note": "Spoke to Marigold on 07700 900461.", "happened_on": today.isoformat()},
        ),
        ("information-pack-sent", {}),
        ("book-initial-visit", {"visit_on": today.isoformat()}),
        ("initial-visit-done", {"happened_on": today.isoformat()}),
        ("roi-received", {"received_on": today.isoformat()}),
    ):
        url = reverse("admin:enquiries_enquiry_move", args=[enquiry.pk, move])
        assert client.get(url).status_code == 200, move
        response = commit(lambda url=url, data=data: client.post(url, data))
        assert response.status_code == 302, (move, response.content.decode()[:2000])
    export = client.post(
        changelist, {"action": "export_csv", "_selected_action": [str(enquiry.pk)]}
    )
    assert export.status_code == 200
    client.logout()


def assessment_in_the_admin(client, social_worker, manager, enquiry, commit):
    """Convert the enquiry, add the household's child, and take both tracks to approval."""
    client.force_login(social_worker)
    changelist = reverse("admin:enquiries_enquiry_changelist")
    today = timezone.localdate()
    converted = commit(
        lambda: client.post(
            changelist,
            {
                "action": "convert_to_household",
                "_selected_action": [str(enquiry.pk)],
                "convert": "yes",
                "social_worker": str(social_worker.pk),
                "accepted_on": today.isoformat(),
                "address_line_1": ADDRESS,
                "town": "Oakford",
                "postcode": ENQUIRER["postcode"],
                "local_authority": "Oakshire",
                "date_of_birth_1": ENQUIRER_BORN.isoformat(),
                "partner_first_name": "Ignatius",
                "partner_last_name": "Pettigrew",
                "date_of_birth_2": PARTNER_BORN.isoformat(),
                # The child the enquiry listed, carried over as a household member.
                "child_1_first_name": HOUSEHOLD_CHILD["first_name"],
                "child_1_last_name": HOUSEHOLD_CHILD["last_name"],
                "child_1_relationship": "daughter",
                "child_1_date_of_birth": HOUSEHOLD_CHILD["born"].isoformat(),
            },
        )
    )
    assert converted.status_code == 302, converted.content.decode()[:3000]
    household = Household.objects.get(applicants__email=ENQUIRER["email"].lower())
    assert (
        client.get(reverse("admin:carers_household_changelist"), {"q": "pettigrew"}).status_code
        == 200
    )

    # The household's child, on the household page.
    people = reverse("admin:carers_household_section", args=[household.pk, "people"])
    data = form_data(client.get(people).content.decode(), "household_form")
    # The child came over from the enquiry; the household page completes their details.
    assert data["members-0-first_name"] == HOUSEHOLD_CHILD["first_name"]
    data.update(
        {
            "members-0-relationship": "daughter (adopted)",
            "members-0-date_of_birth": HOUSEHOLD_CHILD["born"].isoformat(),
            "_continue": "Save and continue editing",
        }
    )
    saved = commit(lambda: client.post(people, data))
    assert saved.status_code == 302, saved.context and saved.context["errors"]
    assert household.members.filter(first_name="Hester").exists()

    adoption = household.assessments.get(track=Track.ADOPTION)
    fostering = household.assessments.get(track=Track.FOSTERING)

    def press(assessment, action, by_client=client, **fields):
        url = reverse("admin:carers_household_action", args=[household.pk, assessment.pk, action])
        assert by_client.get(url).status_code == 200, action
        response = commit(
            lambda: by_client.post(url, {"on": today.isoformat(), "note": "", **fields})
        )
        assert response.status_code == 302, (action, response.content.decode()[:3000])

    press(adoption, "record_stage_1_plan", note="Agreed with Marigold and Ignatius.")
    commit(lambda: carer_factories.receive_all_checks(household, today))
    commit(lambda: carer_factories.complete_training(household, on=today))
    press(adoption, "complete_stage_1")
    press(adoption, "start_stage_2")
    press(fostering, "start_form_f")
    commit(lambda: carer_factories.upload(household, Document.Kind.PAR, social_worker))
    commit(lambda: carer_factories.upload(household, Document.Kind.FORM_F, social_worker))
    sitting = PanelSitting.objects.create(sits_on=today, kind=PanelSitting.Kind.JOINT)
    commit(lambda: carer_factories.quorum(sitting))
    minutes = commit(
        lambda: carer_factories.upload(household, Document.Kind.PANEL_MINUTES, social_worker)
    )
    for assessment in (adoption, fostering):
        press(assessment, "share_report")
        press(assessment, "record_observations")
        press(assessment, "book_panel", panel=str(sitting.pk))
        press(assessment, "record_recommendation", recommendation="suitable")
        press(assessment, "record_minutes", minutes=str(minutes.pk))
    assert (
        client.get(reverse("admin:carers_household_panel_paper", args=[household.pk])).status_code
        == 200
    )
    document = household.documents.first()
    assert (
        client.get(reverse("admin:carers_document_download", args=[document.pk])).status_code == 200
    )

    client.force_login(manager)
    terms = {
        "decision": "approved",
        "approved_age_from": "0",
        "approved_age_to": "2",
        "approved_number_of_children": "1",
    }
    for assessment in (adoption, fostering):
        press(assessment, "record_decision", **terms)
    household.refresh_from_db()
    assert household.is_approved_adopter
    client.logout()
    return household


def placement_in_the_admin(client, social_worker, household, commit):
    """A named child placed with the household; its pages and letter opened in the admin."""
    child = commit(
        lambda: placement_factories.child(
            social_worker,
            first_name=PLACED_CHILD["first_name"],
            last_name=PLACED_CHILD["last_name"],
            born=PLACED_CHILD["born"],
        )
    )
    placement = commit(
        lambda: placement_factories.placement(
            social_worker,
            household,
            children=[child],
            route=Placement.Route.CONCURRENCY,
            placed_on=timezone.localdate(),
        )
    )
    client.force_login(social_worker)
    for url in (
        reverse("admin:placements_child_change", args=[child.pk]),
        reverse("admin:placements_placement_change", args=[placement.pk]),
        reverse("admin:placements_placement_leave_letter", args=[placement.pk]),
        reverse("admin:placements_child_changelist") + "?q=Clementine",
        reverse("staff_search") + "?q=Clementine",
    ):
        assert client.get(url).status_code == 200, url
    client.logout()


def deliveries(mail, commit):
    """The outbox, swept with SMTP refusing every recipient, then accepting them."""
    later = timezone.now() + timedelta(days=400)
    commit(lambda: enquiries_reminders.follow_ups_queue())
    commit(lambda: deadlines.overdue_digests_queue())
    mail.refusing()
    commit(lambda: notifications.deliver_due(now=later))
    mail.accepting()
    # Far enough ahead that every refused message is due again after its backoff.
    commit(lambda: notifications.deliver_due(now=later + timedelta(days=1)))


def test_a_whole_journey_leaves_no_personal_data_in_the_logs(
    client, make_staff, mail, captured, commit
):
    caplog, own = captured
    recruiter = make_staff(Role.RECRUITMENT_TEAM)
    social_worker = make_staff(Role.SOCIAL_WORKERS)
    manager = make_staff(Role.TEAM_MANAGERS)
    events_team = make_staff(Role.EVENTS_TEAM)

    # The public side. The enquirer's acknowledgement goes to a server that refuses it.
    mail.refusing()
    enquiry = enquire(client, commit)
    mail.accepting()
    event = bookings(client, commit)
    mail.refusing()
    book(client, commit, InformationEventFactory(places=5), LATE_BOOKER)
    mail.accepting()
    invited_and_signing_in(client, commit)

    # The staff area.
    client.force_login(events_team)
    bookings_page = reverse("admin:enquiries_booking_changelist")
    assert client.get(bookings_page, {"q": "Varga"}).status_code == 200
    booking = Booking.objects.get(email=WAITING_BOOKER["email"])
    assert (
        client.get(reverse("admin:enquiries_booking_change", args=[booking.pk])).status_code == 200
    )
    events = reverse("admin:enquiries_informationevent_changelist")
    assert (
        client.post(
            events, {"action": "export_attendees", "_selected_action": [str(event.pk)]}
        ).status_code
        == 200
    )
    cancelled = commit(
        lambda: client.post(
            events,
            {"action": "cancel_events", "_selected_action": [str(event.pk)], "confirm": "yes"},
        )
    )
    assert cancelled.status_code == 302
    assert Notification.objects.filter(key__endswith=":event-cancelled").exists()
    client.logout()
    pipeline_in_the_admin(client, recruiter, enquiry, commit)
    household = assessment_in_the_admin(client, social_worker, manager, enquiry, commit)
    placement_in_the_admin(client, social_worker, household, commit)
    deliveries(mail, commit)

    # The journey really happened, and really was logged.
    assert mail.refused, "the refusing server saw no message"
    assert any(
        m["To"] and ENQUIRER["email"].lower() in m["To"].lower() for m in mail.inbox.messages
    ), "the enquirer's acknowledgement never arrived"
    assert Notification.objects.filter(sent_at__isnull=False).count() >= 5
    messages = [r.getMessage() for r in own.records]
    assert any(re.search(r"Notification \d+ failed", m) for m in messages), messages[-50:]
    assert any(re.search(r"Notification \d+ sent", m) for m in messages)
    assert any(r.name == "django.request" for r in own.records), "no request was logged"
    assert caplog.records, "caplog captured nothing"

    values = personal_values()
    found = leaks([*caplog.records, *own.records], values)
    assert not found, "personal data in the logs:\n" + "\n".join(sorted(set(found)))
