"""The carers' own area (/my/): invitations from the social worker, the applicants of one
household seeing their journey and letters and nothing of anyone else's, closed households
reading their letters for the agency's set time, two-step sign-in once a child is placed."""

import re
import time
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.db.models import Value
from django.db.models.functions import Concat
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from carers import own_area, services
from carers.models import (
    Applicant,
    Deadline,
    DocumentRequest,
    Stage,
    StatutoryCheck,
    TrainingCourse,
    TrainingRecord,
)
from enquiries.emails import next_events
from enquiries.models import InformationEvent
from placements.models import BirthRelative
from portal import letters
from portal.formats import day
from portal.models import Notification, Restriction, StaffInvitation, User
from portal.notifications import build_message
from portal.roles import Role
from tests.carers import factories as f
from tests.enquiries.events.factories import BookingFactory, InformationEventFactory
from tests.placements import factories as placement_factories

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-and-unusual-passphrase"
MY_URLS = (
    "/my/",
    "/my/letters/",
    "/my/two-step-sign-in/",
    "/my/book/",
    "/my/support/",
    "/my/emails/",
    "/my/forms/health-consent/",
    "/my/forms/support-network/",
)


def own_area_url(household) -> str:
    return f"/admin/carers/household/{household.pk}/own-area/"


def invite(client, household, applicant) -> Notification:
    """The social worker presses "Invite" on the household's own-area page."""
    response = client.post(own_area_url(household), {"applicant": applicant.pk})
    assert response.status_code == 302
    return Notification.objects.filter(template="carers/own_area_invitation").latest("pk")


def take_up(client, notification: Notification) -> None:
    """The applicant opens the emailed link and chooses a password."""
    client.logout()
    assert client.get(notification.context["path"]).status_code == 302
    done = client.post(
        "/accounts/invitation/", {"new_password1": PASSWORD, "new_password2": PASSWORD}
    )
    assert done.status_code == 302
    assert done["Location"] == "/my/"


def signed_in_applicant(client, household, position=1) -> Applicant:
    applicant = household.applicants.get(position=position)
    services.applicant_invite(applicant=applicant, by=household.social_worker)
    applicant.refresh_from_db()
    applicant.account.set_password(PASSWORD)
    applicant.account.save()
    client.force_login(applicant.account)
    return applicant


# -- invitations -------------------------------------------------------------------------------


def test_the_social_worker_invites_an_applicant_who_signs_in_to_their_journey(
    client, social_worker
):
    household = f.household(social_worker)
    applicant = household.applicants.get(position=1)
    client.force_login(social_worker)
    page = client.get(own_area_url(household)).content.decode()
    assert "Not invited" in page
    assert f'value="{applicant.pk}"' in page

    notification = invite(client, household, applicant)
    # A neutral email to the applicant's own address: their first name and a link.
    assert notification.to == applicant.email
    assert notification.context["first_name"] == applicant.first_name
    assert re.fullmatch(r"/accounts/invitation/[\w-]{40,}/", notification.context["path"])
    assert applicant.last_name not in str(notification.context)
    assert household.reference not in str(notification.context)
    applicant.refresh_from_db()
    assert applicant.account.email == applicant.email
    assert not applicant.account.is_staff
    assert "Invited; the link works until" in client.get(own_area_url(household)).content.decode()
    assert LogEntry.objects.filter(
        additional_data__action="carers.own_area.invited", object_id=str(household.pk)
    ).exists()

    take_up(client, notification)
    journey = client.get("/my/")
    assert journey.status_code == 200
    body = journey.content.decode()
    assert "Your journey" in body
    assert "We have your Registration of Interest" in body
    assert "Sam Worker" in body  # their social worker
    # Opening the link verified the address.
    assert applicant.account.emailaddress_set.get().verified
    # Signing in again later starts in their area.
    client.logout()
    signed = client.post("/accounts/login/", {"login": applicant.email, "password": PASSWORD})
    assert signed["Location"] == "/my/"


def test_an_expired_or_reused_link_opens_nothing(client, social_worker):
    household = f.household(social_worker)
    first, second = household.applicants.order_by("position")
    client.force_login(social_worker)
    used = invite(client, household, first)
    take_up(client, used)
    client.logout()
    # Used once: not again.
    assert client.get(used.context["path"]).status_code == 404

    client.force_login(social_worker)
    expiring = invite(client, household, second)
    StaffInvitation.objects.filter(user__email=second.email).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    client.logout()
    opened = client.get(expiring.context["path"])
    assert opened.status_code == 404
    assert "This invitation link cannot be used" in opened.content.decode()
    client.force_login(social_worker)
    status = client.get(own_area_url(household)).content.decode()
    assert "the link has expired: invite them again" in status
    assert "Invite again" in status


def test_a_link_sent_to_an_address_since_changed_opens_nothing(client, social_worker):
    """The applicant's email changes after the invitation: the old address's account no
    longer opens the household, and inviting again withdraws the old link."""
    household = f.household(social_worker)
    applicant = household.applicants.get(position=1)
    client.force_login(social_worker)
    old = invite(client, household, applicant)
    take_up(client, old)
    assert client.get("/my/").status_code == 200

    Applicant.objects.filter(pk=applicant.pk).update(email="new.address@example.com")
    nothing = client.get("/my/")
    assert nothing.status_code == 403
    assert "There is nothing here for your account" in nothing.content.decode()
    client.force_login(social_worker)
    assert "The email address has changed" in client.get(own_area_url(household)).content.decode()

    # A second applicant who has not yet used their link is moved to a new address too.
    second = household.applicants.get(position=2)
    unused = invite(client, household, second)
    Applicant.objects.filter(pk=second.pk).update(email="second.new@example.com")
    second.refresh_from_db()
    fresh = invite(client, household, second)
    assert fresh.to == "second.new@example.com"
    client.logout()
    assert client.get(unused.context["path"]).status_code == 404
    take_up(client, fresh)
    assert client.get("/my/").status_code == 200


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ("no email", "Record an email address for"),
        ("staff email", "is the address of a staff account"),
        ("shared email", "already opens the own area of another applicant"),
        ("closed", "The household is closed"),
    ],
)
def test_an_invitation_that_cannot_go_is_refused_in_words(
    client, social_worker, make_staff, change, words
):
    household = f.household(social_worker)
    first, second = household.applicants.order_by("position")
    if change == "no email":
        Applicant.objects.filter(pk=first.pk).update(email="")
    elif change == "staff email":
        # A colleague's own application: restricted to the staff named on it.
        colleague = make_staff(Role.SOCIAL_WORKERS, team=False)
        Applicant.objects.filter(pk=first.pk).update(email=colleague.email.upper())
        restriction = Restriction.objects.create(
            content_type=ContentType.objects.get_for_model(household),
            object_id=household.pk,
            reason="A colleague's family",
            set_by=social_worker,
        )
        restriction.staff.set([social_worker])
    elif change == "shared email":
        services.applicant_invite(applicant=second, by=social_worker)
        Applicant.objects.filter(pk=first.pk).update(email=second.email)
    else:
        services.household_close(
            household=household, on=timezone.localdate(), reason="Moved away", by=social_worker
        )
    client.force_login(social_worker)
    before = Notification.objects.count()
    page = client.get(own_area_url(household)).content.decode()
    assert words in page
    response = client.post(own_area_url(household), {"applicant": first.pk}, follow=True)
    assert words in response.content.decode()
    assert Notification.objects.count() == before
    first.refresh_from_db()
    assert first.account_id is None


def test_a_social_worker_cannot_invite_outside_their_caseload(client, social_worker, make_staff):
    household = f.household(social_worker)
    other = make_staff(Role.SOCIAL_WORKERS, team=False)
    client.force_login(other)
    applicant = household.applicants.get(position=1)
    assert client.get(own_area_url(household)).status_code in (403, 404)
    assert client.post(own_area_url(household), {"applicant": applicant.pk}).status_code in (
        403,
        404,
    )
    applicant.refresh_from_db()
    assert applicant.account_id is None


# -- one household, never another -------------------------------------------------------------


def test_an_applicant_sees_only_their_own_household_by_any_url(client, social_worker):
    ours = f.household(social_worker)
    theirs = f.household(social_worker, applicants=1, town="Elmford")
    Applicant.objects.filter(household=theirs).update(
        first_name="Quentin", last_name="Farraday", email="quentin@example.com"
    )
    f.to_stage(ours, Stage.STAGE_1, social_worker)
    approval_letter_for_them = _letter_for(theirs, social_worker)
    signed_in_applicant(client, theirs, position=1)
    # What would show if it leaked: their own page names them and their town's letter.
    their_page = client.get("/my/").content.decode()
    assert "Quentin Farraday" in their_page
    assert approval_letter_for_them.title in client.get("/my/letters/").content.decode()
    client.logout()
    applicant = signed_in_applicant(client, ours)

    pages = {url: client.get(url) for url in MY_URLS}
    assert all(response.status_code == 200 for response in pages.values()), pages
    for url, response in pages.items():
        body = response.content.decode()
        assert "Farraday" not in body and "Quentin" not in body, url
        assert f"/letters/{approval_letter_for_them.pk}/" not in body, url
        # Nothing is kept by the browser or a proxy.
        assert "no-store" in response["Cache-Control"], url
    assert applicant.household.applicant_names() in pages["/my/"].content.decode()
    # Their letter, by its id: refused.
    assert client.get(f"/letters/{approval_letter_for_them.pk}/").status_code == 403
    # The staff pages of either household: sent to sign in as staff, never shown.
    for household in (ours, theirs):
        for url in (f"/admin/carers/household/{household.pk}/change/", own_area_url(household)):
            assert client.get(url).status_code == 302, url
    # Every opening is in the trail, as staff openings are.
    opened = LogEntry.objects.filter(
        additional_data__action="carers.own_area.opened", actor=applicant.account
    )
    assert opened.count() == len(MY_URLS)
    assert {str(entry.object_id) for entry in opened} == {str(ours.pk)}


def _letter_for(household, by):
    """The letter accepting the household's Registration of Interest, sent to its applicants."""
    f.to_stage(household, Stage.ROI_ACCEPTED, by)
    return letters.letter_produce(kind="carers.roi_accepted", record=f.adoption(household), by=by)


def test_staff_and_strangers_have_no_own_area(client, social_worker):
    anonymous = client.get("/my/")
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith("/accounts/login/?next=/my/")
    # Even a staff account linked to an applicant with its address (by a direct edit of the
    # database: the invitation refuses it) opens no own area.
    household = f.household(social_worker, applicants=1)
    Applicant.objects.filter(household=household).update(
        email=social_worker.email, account=social_worker
    )
    client.force_login(social_worker)
    assert client.get("/my/").status_code == 403
    stranger = User.objects.create_user(email="someone@example.com", password=PASSWORD)
    client.force_login(stranger)
    assert client.get("/my/letters/").status_code == 403


# -- the journey against the household's real state ----------------------------------------


@pytest.mark.parametrize(
    ("stage", "now_words", "states"),
    [
        (
            Stage.ROI_RECEIVED,
            "We have your Registration of Interest",
            ["now", "to come", "to come", "to come", "to come"],
        ),
        (
            Stage.STAGE_1,
            "You are in Stage 1",
            ["done", "now", "to come", "to come", "to come"],
        ),
        (
            Stage.STAGE_2,
            "You are in Stage 2",
            ["done", "done", "now", "to come", "to come"],
        ),
        (
            Stage.PANEL_BOOKED,
            "Your assessment is going to the panel",
            ["done", "done", "done", "now", "to come"],
        ),
        (
            Stage.PANEL_RECOMMENDED,
            "decides whether to approve you, and we will write to you",
            ["done", "done", "done", "done", "now"],
        ),
        (
            Stage.APPROVED,
            "You are approved as adopters.",
            ["done", "done", "done", "done", "done"],
        ),
    ],
)
def test_the_journey_follows_the_adoption_track_stage_by_stage(
    client, social_worker, manager, stage, now_words, states
):
    household = f.household(social_worker)
    f.to_stage(household, stage, social_worker, manager=manager)
    view = own_area.journey(household)
    adoption = next(track for track in view.tracks if track.track == "adoption")
    assert adoption.now.startswith(now_words) or now_words in adoption.now
    assert [step.state for step in adoption.steps] == states
    assert [step.name for step in adoption.steps] == [
        "Registration of Interest",
        "Stage 1",
        "Stage 2",
        "Panel",
        "Decision",
    ]
    # The fostering track runs alongside: not started until the Form F begins.
    fostering = next(track for track in view.tracks if track.track == "fostering")
    assert fostering.now.startswith("Your fostering assessment has not started yet")
    assert [step.state for step in fostering.steps] == ["to come"] * 3
    signed_in_applicant(client, household)
    body = client.get("/my/").content.decode()
    assert now_words in body
    # A check's outcome is never shown: the social worker talks it through.
    for outcome in StatutoryCheck.Outcome.labels:
        assert outcome not in body


def test_what_is_outstanding_is_split_between_the_applicants_and_others(client, social_worker):
    household = f.household(social_worker)
    f.to_stage(household, Stage.STAGE_1, social_worker)
    f.ensure_training_catalogue()
    services.training_records_sync(household=household)
    first = household.applicants.get(position=1)
    medical = household.checks.get(kind=StatutoryCheck.Kind.MEDICAL, applicant=first)
    dbs = household.checks.get(kind=StatutoryCheck.Kind.DBS, applicant=first)
    asked = date(2026, 10, 5)
    StatutoryCheck.objects.filter(pk__in=[medical.pk, dbs.pk]).update(requested_on=asked)
    view = own_area.journey(household)
    from_you = {(item.what, item.who) for item in view.from_you}
    from_others = {(item.what, item.who, item.state) for item in view.from_others}
    assert ("Your medical with your GP", first.first_name) in from_you
    assert ("Criminal record check (DBS)", first.first_name, "requested") in from_others
    courses = TrainingRecord.objects.filter(household=household, completed_on__isnull=True)
    assert courses.exists()
    for record in courses.select_related("course", "applicant"):
        assert (record.course.name, record.applicant.first_name) in from_you
    # Once received, a check leaves both lists.
    StatutoryCheck.objects.filter(pk=dbs.pk).update(received_on=asked)
    view = own_area.journey(household)
    assert ("Criminal record check (DBS)", first.first_name) not in {
        (item.what, item.who) for item in view.from_others
    }
    signed_in_applicant(client, household)
    body = client.get("/my/").content.decode()
    assert "Your medical with your GP (Alex): we asked on 5 October 2026" in body


def test_the_journey_asks_for_each_health_consent_while_the_medical_is_to_come(
    client, social_worker
):
    household = f.household(social_worker)
    f.to_stage(household, Stage.STAGE_1, social_worker)
    first, second = household.applicants.order_by("position")

    def consents() -> list:
        return [
            (item.who, item.applicant_id)
            for item in own_area.journey(household).from_you
            if item.what == "Your health consent form"
        ]

    assert consents() == [(first.first_name, first.pk), (second.first_name, second.pk)]
    # Each applicant's page links to their own form only.
    signed_in_applicant(client, household, position=1)
    body = client.get("/my/").content.decode()
    link = '<a class="govuk-link" href="/my/forms/health-consent/">Your health consent form</a>'
    assert body.count(link) == 1
    assert f"{link} ({first.first_name})" in body
    assert f"Your health consent form ({second.first_name})" in body
    # Sent by the first, and the second's medical report back: neither is asked for.
    answers = {
        "gp_practice": "Oakford Surgery",
        "gp_address": "1 High St",
        "consent": True,
        "signed_name": first.full_name,
    }
    services.online_form_send(
        applicant=first, kind="health_consent", data=answers, by=first.account
    )
    household.checks.filter(kind=StatutoryCheck.Kind.MEDICAL, applicant=second).update(
        received_on=timezone.localdate()
    )
    assert consents() == []
    assert "Your health consent form" not in client.get("/my/").content.decode()


def test_each_approvals_review_is_named_and_one_overdue_says_it_was_due(social_worker):
    from carers.models import Track
    from carers.services.approvals import review_open

    household = f.household(social_worker)
    today = date(2026, 12, 1)
    review_open(household, track=Track.ADOPTION, due_on=date(2026, 3, 18))
    review_open(household, track=Track.FOSTERING, due_on=date(2027, 3, 18))
    dates = [(item.what, item.on) for item in own_area.journey(household, today=today).dates]
    assert ("Your review as approved adopters was due", date(2026, 3, 18)) in dates
    assert ("Your review as approved foster carers is due", date(2027, 3, 18)) in dates


def test_the_window_for_comments_on_the_report_shows_its_last_day(client, social_worker):
    """AAR 2005 reg 30(2)-(3): 10 working days beginning with the day the report is sent.
    Sent Thursday 18 December 2025; the days counted, by hand, skipping the weekends,
    Christmas Day, Boxing Day and New Year's Day (England and Wales):
    Dec 18, 19, 22, 23, 24, 29, 30, 31, Jan 2, Jan 5. The last day: Monday 5 January 2026."""
    household = f.household(social_worker, roi_received_on=date(2025, 1, 6))
    sent = date(2025, 12, 18)
    f.to_stage(household, Stage.STAGE_2, social_worker, on=date(2025, 3, 3))
    f.upload(household, "par", social_worker)
    services.assessment_share_report(assessment=f.adoption(household), on=sent, by=social_worker)
    window = household.deadlines.get(kind=Deadline.Kind.REPORT_OBSERVATIONS)
    assert window.due_on == date(2026, 1, 5)
    view = own_area.journey(household, today=date(2025, 12, 20))
    assert [(item.who, item.what, item.by) for item in view.windows] == [
        ("Becoming adopters", "Send us your comments on your assessment report", date(2026, 1, 5))
    ]
    # After its last day it is no longer shown as open.
    assert own_area.journey(household, today=date(2026, 1, 6)).windows == []


def test_the_journey_costs_the_same_queries_with_ten_times_the_records(client, social_worker):
    def count(household) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/my/").status_code == 200
        return len(queries)

    small = f.household(social_worker)
    f.to_stage(small, Stage.STAGE_1, social_worker)
    signed_in_applicant(client, small)
    few = count(small)

    large = f.household(social_worker)
    for applicant in large.applicants.all():
        Applicant.objects.filter(pk=applicant.pk).update(email=f"large.{applicant.email}")
    f.to_stage(large, Stage.STAGE_1, social_worker)
    for n in range(10):
        TrainingCourse.objects.create(
            name=f"Extra course {n}", due_from="stage_1_start", due_within_months=3
        )
    services.training_records_sync(household=large)
    first = large.applicants.get(position=1)
    StatutoryCheck.objects.bulk_create(
        StatutoryCheck(household=large, applicant=first, kind=StatutoryCheck.Kind.DBS)
        for _ in range(30)
    )
    assert large.checks.count() >= 10 * 3
    signed_in_applicant(client, large)
    many = count(large)
    assert many == few, (few, many)
    assert few <= 20


# -- closed households and two-step sign-in -----------------------------------------------------


def test_a_closed_household_reads_its_letters_for_the_set_time_then_nothing(
    client, social_worker, settings
):
    settings.CARERS_CLOSED_ACCESS_DAYS = 30
    closed_on = timezone.localdate() - timedelta(days=30)
    household = f.household(social_worker, roi_received_on=closed_on - timedelta(days=10))
    letter = _letter_for(household, social_worker)
    applicant = signed_in_applicant(client, household)
    services.household_close(household=household, on=closed_on, reason="Withdrew", by=social_worker)
    # The 30th day after closing is the last.
    assert client.get("/my/")["Location"] == "/my/letters/"
    page = client.get("/my/letters/").content.decode()
    assert "until" in page and "Your letters" in page
    assert letter.recipients.filter(pk=applicant.account.pk).exists()
    assert f"/letters/{letter.pk}/" in client.get("/my/letters/").content.decode()

    settings.CARERS_CLOSED_ACCESS_DAYS = 29
    assert client.get("/my/letters/").status_code == 403
    # The track ended where it stood: the steps it reached are done, the rest not reached.
    household.refresh_from_db()
    view = own_area.track_view(f.adoption(household))
    assert view.ended and view.now == "This assessment has ended."
    assert [step.state for step in view.steps] == ["ended"] + ["not reached"] * 4
    assert view.steps[0].when.startswith("Ended on ")
    # The fostering track was withdrawn before it began: no step was reached.
    fostering = own_area.track_view(f.fostering(household))
    assert [step.state for step in fostering.steps] == ["not reached"] * 3


def test_an_approved_carer_with_a_child_placed_must_set_up_two_step_sign_in(
    client, social_worker, manager
):
    household = placement_factories.approved_household(
        by=social_worker, manager=manager, on=date(2025, 1, 2)
    )
    applicant = signed_in_applicant(client, household)
    assert client.get("/my/").status_code == 200  # no child yet: encouraged, not required
    assert "Protect your account with" in client.get("/my/").content.decode()
    placement_factories.placement(social_worker, household, placed_on=date(2025, 2, 3))

    assert client.get("/my/")["Location"] == "/my/two-step-sign-in/"
    assert client.get("/my/letters/")["Location"] == "/my/two-step-sign-in/"
    page = client.get("/my/two-step-sign-in/").content.decode()
    assert "Set up two-step sign-in before you go on" in page

    # Setting it up (allauth asks for the password again first).
    client.post("/accounts/reauthenticate/", {"password": PASSWORD})
    setup = client.get("/accounts/2fa/totp/activate/")
    assert setup.status_code == 200
    secret = setup.context["form"].secret
    code = format_hotp_value(hotp_value(secret, int(time.time()) // 30))
    assert client.post("/accounts/2fa/totp/activate/", {"code": code}).status_code == 302
    assert Authenticator.objects.filter(user=applicant.account).exists()
    assert client.get("/my/").status_code == 200


# -- documents asked for and sent ---------------------------------------------------------


def ask(client, household, **fields) -> DocumentRequest:
    data = {"title": "Your completed reference form", "note": "", "due_on": "", "kind": "check"}
    data.update(fields)
    response = client.post(f"{own_area_url(household)}ask/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    return DocumentRequest.objects.filter(household=household).latest("pk")


def stored_files(settings) -> list:
    root = Path(settings.PRIVATE_STORAGE_ROOT)
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def test_the_social_worker_asks_for_a_document_and_the_applicant_sends_it(
    client, social_worker, settings
):
    household = f.household(social_worker)
    applicant = signed_in_applicant(client, household)
    client.force_login(social_worker)
    due = timezone.localdate() + timedelta(days=14)
    asked = ask(client, household, due_on=due.isoformat(), note="Page 2 signed, please.")
    assert asked.requested_by == social_worker and asked.is_open
    # The applicants with an own area are told, without what is asked.
    [told] = Notification.objects.filter(template="carers/document_requested")
    assert told.to == applicant.email and "reference" not in str(told.context)

    client.force_login(applicant.account)
    journey = client.get("/my/").content.decode()
    assert "Your completed reference form" in journey
    listing = client.get("/my/documents/").content.decode()
    assert "Page 2 signed, please." in listing
    page = client.get(f"/my/documents/{asked.pk}/")
    assert page.status_code == 200 and "no-store" in page["Cache-Control"]
    pdf = SimpleUploadedFile("reference.pdf", b"%PDF-1.7\n1 0 obj\n", "application/pdf")
    sent = client.post(f"/my/documents/{asked.pk}/", {"file": pdf})
    assert sent.status_code == 302 and sent["Location"] == "/my/documents/"
    asked.refresh_from_db()
    assert not asked.is_open and asked.sent_by == applicant.account
    document = asked.document
    assert document.household == household and document.kind == "check"
    assert document.uploaded_by == applicant.account
    assert document.file.read().startswith(b"%PDF")
    # The social worker is told, and sees it on the household's own-area page.
    [arrived] = Notification.objects.filter(template="carers/document_arrived")
    assert arrived.to == social_worker.email
    assert applicant.last_name not in str(arrived.context)
    client.force_login(social_worker)
    staff_page = client.get(own_area_url(household)).content.decode()
    assert "Sent " in staff_page and document.get_absolute_url() in staff_page
    # It is gone from what is needed, and listed as sent.
    client.force_login(applicant.account)
    assert "Your completed reference form" not in client.get("/my/").content.decode()
    assert "Sent" in client.get("/my/documents/").content.decode()


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        ("notes.exe", b"MZ\x90\x00", "Upload a PDF, Word, OpenDocument, text or image file."),
        ("reference.pdf", b"<html><script>alert(1)</script></html>", "This file is not a PDF"),
        ("photo.png", b"%PDF-1.7 not a picture", "This file is not a PNG image"),
        ("big.pdf", b"%PDF-1.7\n" + b"0" * (1024 * 1024 + 10), "smaller than 1 MB"),
        ("empty.pdf", b"", "The file is empty"),
    ],
)
def test_a_wrong_file_is_refused_in_words_and_nothing_is_stored(
    client, social_worker, settings, name, content, words
):
    settings.CARERS_DOCUMENT_MAX_MB = 1
    household = f.household(social_worker)
    applicant = signed_in_applicant(client, household)
    client.force_login(social_worker)
    asked = ask(client, household)
    before = stored_files(settings)
    client.force_login(applicant.account)
    response = client.post(
        f"/my/documents/{asked.pk}/", {"file": SimpleUploadedFile(name, content)}
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "govuk-error-summary" in body and "Error: " in body
    summary = body[body.find("govuk-error-summary") :]
    summary = summary[: summary.find("</div>")]
    assert words in summary, summary
    asked.refresh_from_db()
    assert asked.is_open
    assert not household.documents.exists()
    assert stored_files(settings) == before
    assert not Notification.objects.filter(template="carers/document_arrived").exists()


def test_a_document_is_sent_once_and_only_to_its_own_household(client, social_worker):
    ours = f.household(social_worker)
    theirs = f.household(social_worker, applicants=1)
    Applicant.objects.filter(household=theirs).update(email="other@example.com")
    applicant = signed_in_applicant(client, ours)
    client.force_login(social_worker)
    mine = ask(client, ours)
    other = ask(client, theirs, title="Their form")
    withdrawn = ask(client, ours, title="Not needed after all")
    client.post(own_area_url(ours), {"action": "withdraw", "request": withdrawn.pk})
    withdrawn.refresh_from_db()
    assert withdrawn.withdrawn_on is not None

    client.force_login(applicant.account)
    # Another household's request, by its id: not found, and nothing stored.
    pdf = SimpleUploadedFile("form.pdf", b"%PDF-1.7\n", "application/pdf")
    assert client.get(f"/my/documents/{other.pk}/").status_code == 404
    assert client.post(f"/my/documents/{other.pk}/", {"file": pdf}).status_code == 404
    assert "Their form" not in client.get("/my/documents/").content.decode()
    # A request withdrawn takes no file.
    assert client.get(f"/my/documents/{withdrawn.pk}/")["Location"] == "/my/documents/"
    # A double click: the second send is refused in words, one document kept.
    first = client.post(
        f"/my/documents/{mine.pk}/",
        {"file": SimpleUploadedFile("a.pdf", b"%PDF-1.7\n", "application/pdf")},
    )
    assert first.status_code == 302
    with pytest.raises(services.TransitionRefused, match="already sent"):
        services.document_request_send(
            request=DocumentRequest.objects.get(pk=mine.pk),
            file=SimpleUploadedFile("b.pdf", b"%PDF-1.7\n", "application/pdf"),
            by=applicant.account,
        )
    again = client.post(
        f"/my/documents/{mine.pk}/",
        {"file": SimpleUploadedFile("b.pdf", b"%PDF-1.7\n", "application/pdf")},
    )
    assert again["Location"] == "/my/documents/"
    assert ours.documents.count() == 1
    assert not theirs.documents.exists()


def test_asking_with_a_past_date_or_no_words_is_refused(client, social_worker):
    household = f.household(social_worker)
    client.force_login(social_worker)
    yesterday = timezone.localdate() - timedelta(days=1)
    page = client.post(
        f"{own_area_url(household)}ask/",
        {"title": "Form", "due_on": yesterday.isoformat(), "kind": "other"},
    ).content.decode()
    assert "cannot be before today" in page
    page = client.post(f"{own_area_url(household)}ask/", {"title": "", "kind": "other"})
    assert "This field is required" in page.content.decode()
    assert not DocumentRequest.objects.exists()


# -- letters follow the rules of the area; links and clicks ------------------------------


def test_an_applicants_letters_follow_the_rules_of_their_area(
    client, social_worker, manager, settings
):
    household = placement_factories.approved_household(
        by=social_worker, manager=manager, on=date(2025, 1, 2)
    )
    letter = letters.letter_produce(
        kind="carers.approval", record=f.adoption(household), by=manager
    )
    applicant = signed_in_applicant(client, household)
    assert letter.recipients.filter(pk=applicant.account.pk).exists()
    assert client.get(f"/letters/{letter.pk}/").status_code == 200
    # A child placed: two-step sign-in first, for the letters too.
    placement_factories.placement(social_worker, household, placed_on=date(2025, 2, 3))
    assert client.get(f"/letters/{letter.pk}/")["Location"] == "/my/two-step-sign-in/"
    # The address changed: the old account reads nothing more.
    Applicant.objects.filter(pk=applicant.pk).update(email="moved@example.com")
    assert client.get(f"/letters/{letter.pk}/").status_code == 403


def test_a_second_press_of_invite_sends_nothing_and_the_first_link_works(client, social_worker):
    household = f.household(social_worker)
    applicant = household.applicants.get(position=1)
    client.force_login(social_worker)
    first = invite(client, household, applicant)
    again = client.post(own_area_url(household), {"applicant": applicant.pk}, follow=True)
    assert "was invited a moment ago" in again.content.decode()
    assert Notification.objects.filter(template="carers/own_area_invitation").count() == 1
    take_up(client, first)
    assert client.get("/my/").status_code == 200


def test_a_link_alone_never_signs_in_an_account_with_two_step_sign_in(client, social_worker):
    household = f.household(social_worker)
    applicant = household.applicants.get(position=1)
    services.applicant_invite(applicant=applicant, by=social_worker)
    [email] = Notification.objects.filter(template="carers/own_area_invitation")
    applicant.refresh_from_db()
    Authenticator.objects.create(
        user=applicant.account, type=Authenticator.Type.TOTP, data={"secret": "x"}
    )
    client.get(email.context["path"])
    done = client.post(
        "/accounts/invitation/", {"new_password1": PASSWORD, "new_password2": PASSWORD}
    )
    assert done["Location"] == "/accounts/login/"
    assert "_auth_user_id" not in client.session


def test_a_password_set_another_way_ends_the_links_still_out(client, social_worker):
    from allauth.account.signals import password_reset

    household = f.household(social_worker)
    applicant = household.applicants.get(position=1)
    services.applicant_invite(applicant=applicant, by=social_worker)
    [email] = Notification.objects.filter(template="carers/own_area_invitation")
    applicant.refresh_from_db()
    password_reset.send(sender=User, request=None, user=applicant.account)
    assert client.get(email.context["path"]).status_code == 404


# -- training and groups: private events on the events' booking engine ------------------


def private_event(**fields):
    fields.setdefault("title", "Preparation training, day 1")
    fields.setdefault("topic", InformationEvent.Topic.PREPARATION)
    return InformationEventFactory(**fields)


def offer(client, household, event):
    response = client.post(f"{own_area_url(household)}offer/", {"event": event.pk}, follow=True)
    assert f"“{event.title}” is offered." in response.content.decode()


def test_a_private_event_is_never_on_a_public_page(client):
    hidden = private_event(title="Preparation training for invited carers")
    shown = InformationEventFactory(title="Open information evening")
    listing = client.get("/events/").content.decode()
    assert shown.title in listing and hidden.title not in listing
    assert client.get(f"/events/?topic={hidden.topic}").status_code == 200
    assert hidden.title not in client.get(f"/events/?topic={hidden.topic}").content.decode()
    assert client.get(hidden.get_absolute_url()).status_code == 404
    booked = client.post(
        hidden.get_absolute_url(),
        {"name": "Someone Else", "email": "someone@example.com", "places": "1"},
    )
    assert booked.status_code == 404
    assert not hidden.bookings.exists()
    assert hidden.title not in client.get("/").content.decode()
    assert [e["title"] for e in next_events(now=timezone.now())] == [shown.title]


def test_an_offered_event_is_booked_from_the_area_on_the_shared_engine(client, social_worker):
    household = f.household(social_worker)
    applicant = signed_in_applicant(client, household)
    event = private_event(places=3)
    client.force_login(social_worker)
    offer(client, household, event)
    assert Notification.objects.filter(template="carers/event_offered").count() == 1

    client.force_login(applicant.account)
    page = client.get("/my/training/").content.decode()
    assert event.title in page and "3 places left" in page
    assert f"Book a place: {event.title}" in client.get("/my/").content.decode()
    done = client.post(f"/my/training/{event.pk}/book/", {"places": "2"}, follow=True)
    assert "You are booked on" in done.content.decode()
    booking = event.bookings.get()
    assert booking.email == applicant.email and booking.places == 2
    assert booking.status == "confirmed" and booking.name == applicant.full_name
    # The engine's own confirmation, reminders and calendar file.
    assert Notification.objects.filter(to=applicant.email, template__startswith="enquiries/")
    calendar = client.get(f"/bookings/{booking.token}/calendar.ics")
    assert calendar.status_code == 200 and b"BEGIN:VEVENT" in calendar.content
    journey = client.get("/my/").content.decode()
    assert event.title in journey and f"Book a place: {event.title}" not in journey
    # A second booking is refused in words; the staff page shows who booked.
    again = client.post(f"/my/training/{event.pk}/book/", {"places": "1"}, follow=True)
    assert "You have already booked" in again.content.decode()
    client.force_login(social_worker)
    assert (
        f"{applicant.full_name}: confirmed, 2 places"
        in client.get(own_area_url(household)).content.decode()
    )
    # Cancelled: the places are free again.
    client.force_login(applicant.account)
    # Are you sure? first; then cancelled.
    confirm = client.get(f"/my/training/{event.pk}/cancel/").content.decode()
    assert "Are you sure you want to cancel your booking?" in confirm
    booking.refresh_from_db()
    assert booking.status == "confirmed"
    client.post(f"/my/training/{event.pk}/cancel/")
    booking.refresh_from_db()
    assert booking.status == "cancelled"
    # Nothing left to cancel: said in words.
    again = client.get(f"/my/training/{event.pk}/cancel/", follow=True).content.decode()
    assert "There is no booking of yours to cancel" in again
    assert "3 places left" in client.get("/my/training/").content.decode()


def test_a_full_session_puts_the_applicant_on_its_waiting_list(client, social_worker):
    household = f.household(social_worker)
    applicant = signed_in_applicant(client, household)
    event = private_event(places=2)
    BookingFactory(event=event, places=2)
    client.force_login(social_worker)
    offer(client, household, event)
    client.force_login(applicant.account)
    assert "Join the waiting list" in client.get("/my/training/").content.decode()
    answer = client.post(f"/my/training/{event.pk}/book/", {"places": "1"}, follow=True)
    assert "so you are on its waiting list" in answer.content.decode()
    page = client.get("/my/training/").content.decode()
    assert "On the waiting list" in page and ".ics" not in page
    assert event.bookings.get(email=applicant.email).status == "waiting"


def test_an_event_not_offered_to_the_household_cannot_be_seen_or_booked(client, social_worker):
    ours = f.household(social_worker)
    theirs = f.household(social_worker, applicants=1)
    Applicant.objects.filter(household=theirs).update(email="theirs@example.com")
    event = private_event(title="Support group for the other family")
    client.force_login(social_worker)
    offer(client, theirs, event)
    applicant = signed_in_applicant(client, ours)
    assert event.title not in client.get("/my/training/").content.decode()
    refused = client.post(f"/my/training/{event.pk}/book/", {"places": "1"}, follow=True)
    assert "not one offered to you" in refused.content.decode()
    assert client.get(f"/my/training/{event.pk}/book/").status_code == 405
    assert not event.bookings.filter(email=applicant.email).exists()
    # A public event is not offered; one offered twice is refused in words.
    client.force_login(social_worker)
    public = InformationEventFactory()
    page = client.post(f"{own_area_url(ours)}offer/", {"event": public.pk}).content.decode()
    assert "Select a valid choice" in page
    with pytest.raises(services.TransitionRefused, match="already offered"):
        services.event_offer(household=theirs, event=event, by=social_worker)


# -- family time, for carers with a child placed ---------------------------------------------


@pytest.fixture
def placed(client, social_worker, manager):
    """Carers approved in January 2025, a baby placed with them in February 2025, and family
    time on Mondays, Wednesdays and Fridays at 10am from Monday last week, the birth family
    not to learn the carers' surname or address; the first applicant signed in with two-step
    sign-in set up."""
    household = placement_factories.approved_household(
        by=social_worker, manager=manager, on=date(2025, 1, 2)
    )
    child = placement_factories.child(social_worker, first_name="Poppy", last_name="Quince")
    placement = placement_factories.placement(
        social_worker, household, children=[child], placed_on=date(2025, 2, 3)
    )
    today = timezone.localdate()
    monday = today - timedelta(days=today.weekday())
    mother = BirthRelative.objects.create(
        child=child,
        relationship=BirthRelative.Relationship.MOTHER,
        name="Hollis Quarrie",
        has_parental_responsibility=True,
        contact_route=BirthRelative.ContactRoute.CHILD_SOCIAL_WORKER,
    )
    placement_factories.family_time_plan(
        social_worker,
        child,
        starts_on=monday - timedelta(days=7),
        today=monday - timedelta(days=7),
        relatives=[mother],
        withhold_surname=True,
        withhold_address=True,
        handover="never_meet",
    )
    applicant = signed_in_applicant(client, household)
    Authenticator.objects.create(
        user=applicant.account, type=Authenticator.Type.TOTP, data={"secret": "x"}
    )
    return {"household": household, "child": child, "placement": placement, "monday": monday}


def test_a_carer_sees_the_weeks_family_time_and_nothing_of_the_birth_family(client, placed):
    page = client.get("/my/family-time/")
    assert page.status_code == 200 and "no-store" in page["Cache-Control"]
    body = page.content.decode()
    monday = placed["monday"]
    for offset in (0, 2, 4):  # Monday, Wednesday, Friday of this week
        assert day(monday + timedelta(days=offset), weekday=True) in body
    assert "10am" in body and "Family centre" in body and "Carers and parents never meet" in body
    assert "Poppy" in body and "Quince" not in body
    assert placed["child"].family_time_plans.get().relatives.exists()
    assert "Hollis" not in body and "Quarrie" not in body and "Mother" not in body
    assert "The carers drive" in body
    last_week = client.get(f"/my/family-time/?week={monday - timedelta(days=7)}").content
    assert day(monday - timedelta(days=7), weekday=True) in last_week.decode()
    assert client.get("/my/family-time/?week=not-a-date").status_code == 200


def test_after_a_session_the_carer_writes_a_note_and_claims_miles_the_worker_approves(
    client, placed, social_worker
):
    from placements import services as placements_services

    wednesday = placed["monday"] - timedelta(days=5)  # Wednesday last week
    session = placed["child"].family_time_sessions.get(held_on=wednesday)
    placements_services.family_time_session_record(
        session=session, status="took_place", by=social_worker
    )
    url = f"/my/family-time/{session.pk}/"
    assert client.get(url).status_code == 200
    done = client.post(url, {"note": "Settled well, fed at noon.", "miles": "12.5"})
    assert done.status_code == 302
    session.refresh_from_db()
    assert session.note == "Settled well, fed at noon."
    assert session.miles == Decimal("12.5") and session.claim == "submitted"
    # Claimed once: the page no longer asks for miles, and the note can still be edited.
    assert 'name="miles"' not in client.get(url).content.decode()
    assert client.post(url, {"note": "Slept all afternoon.", "miles": "3"}).status_code == 302
    session.refresh_from_db()
    assert session.note == "Slept all afternoon." and session.miles == Decimal("12.5")
    with pytest.raises(services.TransitionRefused, match="already claimed"):
        placements_services.family_time_carers_report(
            session=session,
            household_id=placed["household"].pk,
            by=social_worker,
            miles=Decimal("3"),
        )
    placements_services.mileage_claims_move(sessions=[session], to="approved", by=social_worker)
    session.refresh_from_db()
    assert session.claim == "approved"
    assert (
        "claim approved"
        in client.get(
            f"/my/family-time/?week={placed['monday'] - timedelta(days=7)}"
        ).content.decode()
    )


def test_the_carers_social_worker_approves_their_claim_on_the_sessions_list(
    client, placed, social_worker, manager, make_staff
):
    """The carers' claim from their own area is approved by their social worker, on the
    staff list; another social worker is refused in words, and only a manager pays it."""
    from django.test import Client

    from placements import services as placements_services

    wednesday = placed["monday"] - timedelta(days=5)
    session = placed["child"].family_time_sessions.get(held_on=wednesday)

    placements_services.family_time_session_record(
        session=session, status="took_place", by=social_worker
    )
    assert client.post(f"/my/family-time/{session.pk}/", {"miles": "8"}).status_code == 302
    url = "/admin/placements/familytimesession/"
    action = {"_selected_action": [str(session.pk)]}

    # Another social worker does not see the session on the list (access by caseload),
    # and the service refuses them in words all the same.
    other_worker = make_staff(Role.SOCIAL_WORKERS, first_name="Tess", last_name="Else")
    stranger = Client()
    stranger.force_login(other_worker)
    stranger.post(url, {"action": "claims_approved", **action})
    with pytest.raises(services.TransitionRefused, match="not the social worker of"):
        placements_services.mileage_claims_move(sessions=[session], to="approved", by=other_worker)
    session.refresh_from_db()
    assert session.claim == "submitted"

    # The claim stays as the carers made it: recording the session again cannot change
    # or clear its miles (else the worker could approve a figure of their own).
    for other in (Decimal("80"), None):
        with pytest.raises(services.TransitionRefused, match="its miles cannot change"):
            placements_services.family_time_session_record(
                session=session, status="took_place", miles=other, by=social_worker
            )
    session.refresh_from_db()
    assert (session.miles, session.claim) == (Decimal("8"), "submitted")

    worker = Client()
    worker.force_login(social_worker)
    listed = worker.get(url, {"claim__exact": "submitted"}).content.decode()
    assert f'value="{session.pk}"' in listed and "Mileage claims: approved" in listed
    assert "Mileage claims: paid" not in listed
    worker.post(url, {"action": "claims_paid", **action})
    session.refresh_from_db()
    assert session.claim == "submitted"
    done = worker.post(url, {"action": "claims_approved", **action}, follow=True)
    assert "1 mileage claim approved." in done.content.decode()
    session.refresh_from_db()
    assert session.claim == "approved"
    with pytest.raises(services.TransitionRefused, match="Only a team manager marks"):
        placements_services.mileage_claims_move(sessions=[session], to="paid", by=social_worker)

    boss = Client()
    boss.force_login(manager)
    boss.post(url, {"action": "claims_paid", **action})
    session.refresh_from_db()
    assert session.claim == "paid"


def test_a_note_from_the_carers_does_not_make_staff_miles_theirs_to_approve(
    client, placed, social_worker
):
    """The carers wrote a note only; the miles were recorded and submitted by staff, so
    the social worker does not approve them (a team manager does)."""
    from placements import services as placements_services

    wednesday = placed["monday"] - timedelta(days=5)
    session = placed["child"].family_time_sessions.get(held_on=wednesday)
    placements_services.family_time_session_record(
        session=session, status="took_place", by=social_worker
    )
    assert client.post(f"/my/family-time/{session.pk}/", {"note": "Happy"}).status_code == 302
    session.refresh_from_db()
    placements_services.family_time_session_record(
        session=session,
        status="took_place",
        note=session.note,
        miles=Decimal("5"),
        by=social_worker,
    )
    placements_services.mileage_claims_move(sessions=[session], to="submitted", by=social_worker)
    with pytest.raises(services.TransitionRefused, match="was submitted by staff"):
        placements_services.mileage_claims_move(sessions=[session], to="approved", by=social_worker)
    session.refresh_from_db()
    assert session.claim == "submitted"


def test_a_session_not_held_yet_or_not_theirs_takes_no_report(
    client, placed, social_worker, manager
):
    monday = placed["monday"]
    future = placed["child"].family_time_sessions.get(held_on=monday + timedelta(days=9))
    refused = client.post(f"/my/family-time/{future.pk}/", {"note": "Early"})
    assert "has not started yet" in refused.content.decode()
    # Held, but not yet recorded as held: a note is fine, miles wait.
    past = placed["child"].family_time_sessions.get(held_on=monday - timedelta(days=7))
    waiting = client.post(f"/my/family-time/{past.pk}/", {"miles": "4"}).content.decode()
    assert "Your social worker records that" in waiting
    past.refresh_from_db()
    assert past.miles is None and past.claim == ""
    # Another household's child: not found.
    other = placement_factories.approved_household(
        by=social_worker, manager=manager, on=date(2025, 1, 2), surname="Other"
    )
    Applicant.objects.filter(household=other).update(email=Concat(Value("o."), "email"))
    theirs = placement_factories.child(social_worker, first_name="Rowan")
    placement_factories.placement(
        social_worker, other, children=[theirs], placed_on=date(2025, 2, 3)
    )
    placement_factories.family_time_plan(social_worker, theirs, starts_on=monday, today=monday)
    their_session = theirs.family_time_sessions.first()
    assert client.get(f"/my/family-time/{their_session.pk}/").status_code == 404
    assert "Rowan" not in client.get("/my/family-time/").content.decode()


def _grow(household, by, n: int, tag: str) -> None:
    """``n`` of each row the area lists: documents asked, events offered and booked."""
    first = household.applicants.get(position=1)
    for i in range(n):
        services.document_request_create(household=household, title=f"Form {tag}{i}", by=by)
        event = private_event(title=f"Group {tag}{i}", slug=f"group-{tag}-{i}")
        services.event_offer(household=household, event=event, by=by)
        if i % 2:
            BookingFactory(event=event, email=first.email, places=1)


@pytest.mark.parametrize("path", ["/my/", "/my/documents/", "/my/training/", "/my/letters/"])
def test_each_page_costs_the_same_queries_with_ten_times_the_rows(client, social_worker, path):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(path).status_code == 200
        return len(queries)

    small = f.household(social_worker)
    _grow(small, social_worker, 2, "s")
    signed_in_applicant(client, small)
    few = count()

    large = f.household(social_worker)
    for applicant in large.applicants.all():
        Applicant.objects.filter(pk=applicant.pk).update(email=f"large.{applicant.email}")
    _grow(large, social_worker, 20, "l")
    signed_in_applicant(client, large)
    assert large.document_requests.count() == 20 and large.event_offers.count() == 20
    many = count()
    assert many == few, (path, few, many)
    assert few <= 25, few


def test_the_family_time_page_costs_the_same_queries_with_more_sessions(client, placed):
    def count(week) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"/my/family-time/?week={week}").status_code == 200
        return len(queries)

    monday = placed["monday"]
    quiet = count(monday - timedelta(days=28))  # before the plan: no sessions
    busy = count(monday)  # three sessions
    assert (
        placed["child"]
        .family_time_sessions.filter(held_on__gte=monday, held_on__lte=monday + timedelta(days=6))
        .count()
        == 3
    )
    assert quiet == busy, (quiet, busy)


def test_one_booking_per_household_made_or_cancelled_by_either_applicant(client, social_worker):
    household = f.household(social_worker)
    first = signed_in_applicant(client, household, position=1)
    second = signed_in_applicant(client, household, position=2)
    event = private_event(places=6)
    services.event_offer(household=household, event=event, by=social_worker)
    client.force_login(first.account)
    nothing = client.post(f"/my/training/{event.pk}/book/", {}, follow=True)
    assert "Choose how many of you are coming" in nothing.content.decode()
    client.post(f"/my/training/{event.pk}/book/", {"places": "2"})
    client.force_login(second.account)
    page = client.get("/my/training/").content.decode()
    assert "Booked" in page and "2 places" in page
    refused = client.post(f"/my/training/{event.pk}/book/", {"places": "2"}, follow=True)
    assert f"{first.full_name} has already booked" in refused.content.decode()
    assert event.bookings.active().count() == 1
    client.post(f"/my/training/{event.pk}/cancel/")
    assert event.bookings.active().count() == 0


def test_a_private_events_emails_name_it_and_offer_no_public_events(client, social_worker):
    from enquiries.emails import email_context

    household = f.household(social_worker)
    applicant = signed_in_applicant(client, household)
    event = private_event(places=6)
    InformationEventFactory(title="Open information evening")
    services.event_offer(household=household, event=event, by=social_worker)
    booking = services.event_book(user=applicant.account, event_pk=event.pk, places=1)
    context = email_context(booking)
    assert context["event_noun"] == f"our session “{event.title}”"
    assert context["events_url"].endswith("/my/training/")
    from enquiries.services import events as engine

    engine.event_cancel(event=event)
    [told] = Notification.objects.filter(template="enquiries/event_cancelled", to=applicant.email)
    assert told.context["next_events"] == []


def test_an_offer_is_withdrawn_until_someone_books_it(client, social_worker):
    household = f.household(social_worker)
    applicant = signed_in_applicant(client, household)
    wrong, booked = private_event(title="Wrong group"), private_event(title="Booked group")
    for event in (wrong, booked):
        services.event_offer(household=household, event=event, by=social_worker)
    services.event_book(user=applicant.account, event_pk=booked.pk, places=1)
    client.force_login(social_worker)
    offers = {offer.event_id: offer for offer in household.event_offers.all()}
    page = client.post(
        own_area_url(household),
        {"action": "withdraw_offer", "offer": offers[wrong.pk].pk},
        follow=True,
    ).content.decode()
    assert "“Wrong group” is no longer offered." in page
    assert not household.event_offers.filter(event=wrong).exists()
    assert LogEntry.objects.filter(additional_data__action="carers.event.offer_withdrawn").exists()
    with pytest.raises(services.TransitionRefused, match="has booked"):
        services.event_offer_withdraw(offer=offers[booked.pk], by=social_worker)
    client.force_login(applicant.account)
    assert "Wrong group" not in client.get("/my/training/").content.decode()


# -- the communication book, the matching certificate and the support on offer ----------------


def test_a_carer_writes_in_the_book_and_reads_only_what_was_shared(client, placed, social_worker):
    from placements import services as placements_services
    from placements.models import CommunicationBookEntry as Entry

    child = placed["child"]
    today = timezone.localdate()
    shared = placements_services.book_entry_add(
        child=child, side="parents", written_on=today, text="Mum says hello.", by=social_worker
    )
    placements_services.book_entry_moderate(entry=shared, share=True, by=social_worker)
    placements_services.book_entry_add(
        child=child, side="parents", written_on=today, text="Not read yet.", by=social_worker
    )
    held = placements_services.book_entry_add(
        child=child, side="parents", written_on=today, text="Held words.", by=social_worker
    )
    placements_services.book_entry_moderate(
        entry=held, share=False, reason="Names a relative.", by=social_worker
    )
    # Written before the child came to live with them (placed 3 February 2025): an earlier
    # placement's book, not theirs.
    placements_services.book_entry_add(
        child=child,
        side="carers",
        written_on=date(2025, 2, 2),
        text="From the foster carers before.",
        by=social_worker,
    )
    page = client.get("/my/book/")
    assert page.status_code == 200 and "no-store" in page["Cache-Control"]
    body = page.content.decode()
    assert "From the foster carers before." not in body
    assert "Poppy" in body and "Quince" not in body
    assert "The birth family wrote" in body and "Mum says hello." in body
    assert "Not read yet." not in body and "Held words." not in body
    assert "Names a relative." not in body

    # The carers write: one entry, awaiting moderation, even after a double click.
    field = f"c{child.pk}-text"
    for _ in range(2):
        sent = client.post("/my/book/", {"child": child.pk, field: "Poppy rolled over!"})
        assert sent.status_code == 302 and sent["Location"] == "/my/book/"
    [ours] = Entry.objects.filter(side=Entry.Side.CARERS, text="Poppy rolled over!")
    assert (ours.child, ours.status, ours.written_on) == (child, Entry.Status.AWAITING, today)
    assert ours.entered_by == placed["household"].applicants.get(position=1).account
    assert "Waiting for your social worker to read it" in client.get("/my/book/").content.decode()
    placements_services.book_entry_moderate(entry=ours, share=True, by=social_worker)
    assert "Shared with the birth family" in client.get("/my/book/").content.decode()


def test_words_that_give_the_carers_away_or_no_words_are_refused_and_nothing_is_saved(
    client, placed
):
    from placements.models import CommunicationBookEntry as Entry

    child = placed["child"]
    field = f"c{child.pk}-text"
    page = client.post("/my/book/", {"child": child.pk, field: "Love from the Rivers family"})
    body = page.content.decode()
    assert page.status_code == 200
    assert "<title>Error: " in body and "govuk-error-summary" in body
    assert "It names your surname." in body and "take it out and send again" in body
    # The words stay in the box, to be reworded.
    assert "Love from the Rivers family" in body
    empty = client.post("/my/book/", {"child": child.pk, field: "  "}).content.decode()
    assert "Write your entry" in empty
    long = client.post("/my/book/", {"child": child.pk, field: "x" * 1001}).content.decode()
    assert "1,000 characters or fewer" in long
    assert not Entry.all_objects.exists()


def test_the_book_of_a_child_not_living_with_them_cannot_be_written_in(
    client, placed, social_worker
):
    from placements import services as placements_services
    from placements.models import CommunicationBookEntry as Entry

    elsewhere = placement_factories.child(social_worker, first_name="Rowan")
    page = client.post(
        "/my/book/", {"child": elsewhere.pk, f"c{elsewhere.pk}-text": "Hello"}, follow=True
    )
    assert "only in the book of a child who lives with you" in page.content.decode()
    assert client.post("/my/book/", {"child": "not-a-number"}).status_code == 302
    # The service refuses as well, whatever a page would send.
    with pytest.raises(services.TransitionRefused, match="lives with you"):
        placements_services.book_entry_from_carers(
            child=elsewhere,
            household_id=placed["household"].pk,
            text="Hello",
            by=social_worker,
        )
    assert not Entry.all_objects.exists()


def test_the_book_costs_the_same_queries_with_ten_times_the_entries(client, placed, social_worker):
    from placements import services as placements_services

    def add(n: int) -> None:
        for i in range(n):
            entry = placements_services.book_entry_add(
                child=placed["child"],
                side="parents" if i % 2 else "carers",
                written_on=timezone.localdate(),
                text=f"Entry {i}",
                by=social_worker,
            )
            placements_services.book_entry_moderate(entry=entry, share=True, by=social_worker)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/my/book/").status_code == 200
        return len(queries)

    add(4)
    few = count()
    add(36)
    many = count()
    assert many == few, (few, many)
    shown = client.get("/my/book/").content.decode().count("app-requests__item")
    assert shown == own_area.BOOK_ENTRIES_SHOWN


@pytest.fixture
def matched_carers(client, social_worker, manager):
    """Carers approved in January 2025, matched with a baby expected on 20 November 2026 (told
    on 12 November), the first applicant signed in."""
    household = placement_factories.approved_household(
        by=social_worker, manager=manager, on=date(2025, 1, 2)
    )
    child = placement_factories.child(
        social_worker,
        first_name="Wren",
        last_name="Hazel",
        born=None,
        expected_on=date(2026, 11, 20),
    )
    match = placement_factories.agreed_match(
        social_worker,
        household,
        child,
        support_plan="Weekly visits from your social worker.\nA place at the baby group.",
    )
    applicant = signed_in_applicant(client, household)
    return {"household": household, "match": match, "child": child, "applicant": applicant}


def test_the_carers_download_their_matching_certificate_and_read_their_support_plan(
    client, matched_carers, social_worker, manager
):
    import io

    from pypdf import PdfReader

    match = matched_carers["match"]
    letters_page = client.get("/my/letters/").content.decode()
    url = f"/my/letters/matching-certificate/{match.pk}.pdf"
    assert url in letters_page and "12 November 2026" in letters_page
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "no-store" in response["Cache-Control"]
    text = " ".join(
        " ".join(page.extract_text().split())
        for page in PdfReader(io.BytesIO(response.content)).pages
    )
    assert "Told of the match on 12 November 2026" in text
    assert "Child expected to be placed on 20 November 2026" in text
    assert matched_carers["applicant"].full_name in text
    assert "Early Permanence" in text
    assert social_worker.get_full_name() in text  # signed for the agency
    for secret in ("Wren", "Hazel", matched_carers["child"].reference):
        assert secret not in text
    neutral = client.get(f"{url}?neutral=1")
    neutral_text = " ".join(
        page.extract_text() for page in PdfReader(io.BytesIO(neutral.content)).pages
    )
    assert "Early Permanence" not in neutral_text and "foster" not in neutral_text
    issued = LogEntry.objects.filter(
        additional_data__action="placements.referral.matching_certificate_issued",
        actor=matched_carers["applicant"].account,
    )
    assert issued.count() == 2

    support = client.get("/my/support/").content.decode()
    assert "Weekly visits from your social worker." in support
    assert "10 November 2026" in support and social_worker.email in support
    assert "Wren" not in support

    # Another household's match, by its id: not found.
    other = placement_factories.approved_household(
        by=social_worker, manager=manager, on=date(2025, 1, 2), surname="Other"
    )
    Applicant.objects.filter(household=other).update(email=Concat(Value("o."), "email"))
    signed_in_applicant(client, other)
    assert client.get(url).status_code == 404
    assert url not in client.get("/my/letters/").content.decode()
    assert "Weekly visits" not in client.get("/my/support/").content.decode()


def test_a_changed_schedule_emails_each_carer_with_a_link_to_their_week(placed, social_worker):
    from portal.notifications import build_message

    child = placed["child"]
    monday = placed["monday"]
    placement_factories.family_time_plan(
        social_worker,
        child,
        starts_on=monday,
        today=monday,
        weekdays="13",  # Tuesdays and Thursdays now
        withhold_surname=True,
        withhold_address=True,
        handover="never_meet",
    )
    emails = Notification.objects.filter(template="placements/family_time_schedule_changed")
    first, second = placed["household"].applicants.order_by("position")
    by_address = {email.to: email for email in emails}
    assert set(by_address) == {first.email, second.email}
    # The applicant with an area is led to the week there; the other is not.
    assert by_address[first.email].context["area_path"] == "/my/family-time/"
    assert by_address[second.email].context["area_path"] == ""
    message = build_message(by_address[first.email])
    for body in (message.body, message.alternatives[0][0]):
        assert "/my/family-time/" in body
        assert "Poppy" not in body and "Quince" not in body


# -- the weekly summary, which the applicants can turn off ----------------------------------


def _london(*args) -> "timezone.datetime":
    from zoneinfo import ZoneInfo

    from django.utils.timezone import datetime as aware

    return aware(*args, tzinfo=ZoneInfo("Europe/London"))


def test_the_weekly_summary_goes_once_on_monday_morning_with_counts_only(
    client, social_worker, manager, settings
):
    settings.CARERS_WEEKLY_SUMMARY_WEEKDAY = 0
    settings.CARERS_WEEKLY_SUMMARY_HOUR = 8
    today = timezone.localdate()
    monday = today + timedelta(days=7 - today.weekday())  # next Monday
    household = f.household(social_worker)
    applicant = signed_in_applicant(client, household)  # the second is not invited
    services.document_request_create(household=household, title="Payslips", by=social_worker)
    wednesday = monday + timedelta(days=9)  # in the week after
    event = private_event(
        title="EP training", starts_at=_london(wednesday.year, wednesday.month, wednesday.day, 10)
    )
    services.event_offer(household=household, event=event, by=social_worker)
    # Approved carers with everything done and nothing booked: nothing to say.
    quiet = placement_factories.approved_household(
        by=social_worker, manager=manager, on=date(2025, 1, 2), surname="Quiet"
    )
    Applicant.objects.filter(household=quiet).update(email=Concat(Value("q."), "email"))
    # Its foster carers' training after approval done too: nothing left for them to do.
    TrainingRecord.objects.filter(household=quiet, completed_on__isnull=True).update(
        completed_on=date(2025, 6, 2)
    )
    signed_in_applicant(client, quiet)
    assert own_area.week_ahead(quiet, today=monday) == own_area.WeekAhead(0, 0)

    def at(day, hour, minute=0):
        return _london(day.year, day.month, day.day, hour, minute)

    # Not before 8am on Monday; never on the Sunday or the Tuesday.
    for now in (
        at(monday, 7, 59),
        at(monday - timedelta(days=1), 9),
        at(monday + timedelta(days=1), 9),
    ):
        assert services.weekly_summaries_queue(now=now) == 0, now
    assert services.weekly_summaries_queue(now=at(monday, 8)) == 1
    assert services.weekly_summaries_queue(now=at(monday, 15)) == 0  # once a week
    [email] = Notification.objects.filter(template="carers/weekly_summary")
    assert email.to == applicant.account.email
    year, week, _ = monday.isocalendar()
    assert email.key == f"carers:weekly-summary:{applicant.pk}:{year}-W{week:02d}"
    # What the journey page lists under "What we need from you", counted by hand: each
    # applicant's GP medical (2) and health consent form (2), the names of three personal
    # referees each (6), the payslips, and the place to book: 12. No date that week.
    assert (email.context["to_do"], email.context["dates"]) == (12, 0)
    assert len(own_area.journey(household, today=monday).from_you) == 12
    from portal.notifications import build_message

    message = build_message(email)
    for body in (message.body, message.alternatives[0][0]):
        assert "12 things for you to do" in body and "this week" not in body
        assert "/my/emails/" in body
        for secret in ("Payslips", "EP training", household.reference, "Rivers", "medical"):
            assert secret not in body, secret
    # Booked for the Wednesday of the next week: a date then, and nothing left to book.
    BookingFactory(event=event, email=applicant.email, places=1)
    assert services.weekly_summaries_queue(now=at(monday + timedelta(days=7), 8, 5)) == 1
    latest = Notification.objects.filter(template="carers/weekly_summary").latest("pk")
    assert (latest.context["to_do"], latest.context["dates"]) == (11, 1)
    assert "1 date this week" in build_message(latest).body


def test_an_applicant_turns_the_weekly_summary_off_and_gets_none(client, social_worker):
    household = f.household(social_worker)
    applicant = signed_in_applicant(client, household)
    services.document_request_create(household=household, title="Payslips", by=social_worker)

    def chosen() -> str:
        page = client.get("/my/emails/").content.decode()
        return re.search(r'value="(\w+)"\s*checked', page).group(1)

    assert chosen() == "yes"
    refused = client.post("/my/emails/", {})
    assert "Choose whether you want a weekly email" in refused.content.decode()
    assert client.post("/my/emails/", {"send": "no"})["Location"] == "/my/emails/"
    applicant.refresh_from_db()
    assert applicant.weekly_summary is False
    assert chosen() == "no"
    assert LogEntry.objects.filter(
        additional_data__action="carers.own_area.weekly_summary", actor=applicant.account
    ).exists()
    assert services.weekly_summaries_queue(now=_london(2026, 12, 7, 9)) == 0
    client.post("/my/emails/", {"send": "yes"})
    assert services.weekly_summaries_queue(now=_london(2026, 12, 7, 9)) == 1
    # A closed household's applicants get none, whatever they chose.
    services.household_close(
        household=household, on=timezone.localdate(), reason="Withdrew", by=social_worker
    )
    assert services.weekly_summaries_queue(now=_london(2026, 12, 14, 9)) == 0


NINE = datetime.min.time().replace(hour=9)


def test_a_carers_week_counts_their_family_time_sessions_going_ahead(
    placed, social_worker, manager
):
    from placements import services as placements_services

    monday = placed["monday"]
    this_week = list(
        placed["child"]
        .family_time_sessions.filter(held_on__gte=monday, held_on__lte=monday + timedelta(days=6))
        .order_by("held_on")
    )
    # Monday, Wednesday and Friday, less any that falls on a bank holiday.
    assert len(this_week) in (2, 3), this_week
    before = own_area.week_ahead(placed["household"], today=monday)
    assert before.dates == len(this_week)
    # One cancelled and one withdrawn no longer count.
    placements_services.family_time_session_record(
        session=this_week[0],
        status="cancelled_by_authority",
        cancelled_at=timezone.make_aware(datetime.combine(monday - timedelta(days=3), NINE)),
        by=social_worker,
    )
    placements_services.family_time_session_withdraw(
        session=this_week[1], reason="Entered twice", by=manager
    )
    after = own_area.week_ahead(placed["household"], today=monday)
    assert after.dates == len(this_week) - 2


def test_beat_runs_the_weekly_summary(client, social_worker, settings, monkeypatch):
    from carers import tasks

    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "carers.tasks.queue_weekly_summaries" in scheduled
    settings.CARERS_WEEKLY_SUMMARY_WEEKDAY = 0
    settings.CARERS_WEEKLY_SUMMARY_HOUR = 8
    household = f.household(social_worker)
    signed_in_applicant(client, household)
    services.document_request_create(household=household, title="Payslips", by=social_worker)
    # The task reads the clock: held at Monday 7 December 2026, 9am, it queues the one due.
    monkeypatch.setattr(timezone, "now", lambda: _london(2026, 12, 7, 9))
    assert tasks.queue_weekly_summaries.run() == 1


# -- the support network, invited to a session for family and friends ----------------------


def test_the_support_network_is_invited_to_a_session_for_family_and_friends(client, social_worker):
    from carers.models import SupportNetworkMember
    from enquiries.models import Booking
    from portal.notifications import build_message

    household = f.household(social_worker)
    applicant = signed_in_applicant(client, household)
    gran = SupportNetworkMember.objects.create(
        household=household, name="Gwen Ashby", relationship="Grandmother", email="gwen@example.com"
    )
    friend = SupportNetworkMember.objects.create(
        household=household, name="Tom Reed", relationship="Friend", email="tom@example.com"
    )
    SupportNetworkMember.objects.create(
        household=household, name="No Email", relationship="Neighbour", email=""
    )
    # Grandad shares Gran's address; a member with an applicant's address is not a guest.
    grandad = SupportNetworkMember.objects.create(
        household=household, name="Hal Ashby", relationship="Grandfather", email="GWEN@example.com"
    )
    SupportNetworkMember.objects.create(
        household=household, name="Own Address", relationship="Partner", email=applicant.email
    )
    other = f.household(social_worker, applicants=1)
    stranger = SupportNetworkMember.objects.create(
        household=other, name="Sam Stranger", relationship="Friend", email="sam@example.com"
    )
    session = private_event(
        title="Family and friends evening",
        slug="family-friends",
        topic=InformationEvent.Topic.FAMILY_AND_FRIENDS,
        places=10,
    )
    preparation = private_event(slug="preparation")
    for event in (session, preparation):
        services.event_offer(household=household, event=event, by=social_worker)

    page = client.get("/my/training/").content.decode()
    assert "Who would you like to invite?" in page
    assert "Gwen Ashby (Grandmother)" in page and "Tom Reed (Friend)" in page
    assert "No Email" not in page and "Sam Stranger" not in page and "Own Address" not in page
    assert page.count("Who would you like to invite?") == 1  # not for the preparation day
    url = f"/my/training/{session.pk}/invite/"

    done = client.post(url, {"member": [gran.pk, grandad.pk]}, follow=True).content.decode()
    assert "Gwen Ashby and Hal Ashby are invited" in done
    assert "Gwen Ashby: invited, with a place" in done
    assert "Hal Ashby: invited, with a place" in done
    assert f'id="guest-{session.pk}-{gran.pk}"' not in done
    assert f'id="guest-{session.pk}-{friend.pk}"' in done
    # One booking for the address they share, with a place each.
    booking = Booking.objects.get(event=session, email="gwen@example.com")
    assert (booking.name, booking.places, booking.is_waiting) == (
        "Gwen Ashby and Hal Ashby",
        2,
        False,
    )
    # A double click: nobody is invited twice.
    again = client.post(url, {"member": [gran.pk]}, follow=True).content.decode()
    assert "invited already" in again
    assert Booking.objects.filter(event=session, email="gwen@example.com").count() == 1
    # The guest's own email: the session and their place, nothing of the carers.
    [email] = Notification.objects.filter(
        to="gwen@example.com", template="enquiries/booking_confirmed"
    )
    message = build_message(email)
    for body in (message.body, message.alternatives[0][0]):
        assert "Family and friends evening" in body
        for secret in (applicant.last_name, household.reference, "/my/"):
            assert secret not in body, secret
    # Anyone else's, no one, or an event that is not for family and friends: refused.
    for data, target in (
        ({"member": [stranger.pk]}, url),
        ({}, url),
        ({"member": ["x"]}, url),
        ({"member": [friend.pk]}, f"/my/training/{preparation.pk}/invite/"),
    ):
        refused = client.post(target, data, follow=True).content.decode()
        assert "govuk-notification-banner" in refused or "govuk-error" in refused, data
    assert (
        "Choose who to invite from the list."
        in client.post(url, {"member": [stranger.pk]}, follow=True).content.decode()
    )
    assert (
        "only a session for family and friends takes guests"
        in client.post(
            f"/my/training/{preparation.pk}/invite/", {"member": [friend.pk]}, follow=True
        ).content.decode()
    )
    assert not Booking.objects.filter(email__in=["sam@example.com", "tom@example.com"]).exists()
    # A guest's place stops the offer being withdrawn, as the household's own would.
    with pytest.raises(services.TransitionRefused, match="Gwen Ashby and Hal Ashby has booked"):
        services.event_offer_withdraw(
            offer=household.event_offers.get(event=session), by=social_worker
        )
    # The guests' places are theirs: the household can still book its own.
    assert client.post(f"/my/training/{session.pk}/book/", {"places": "2"}).status_code == 302
    assert Booking.objects.filter(event=session, email=applicant.email).exists()
    # A guest who cancels is not sent to an area they cannot open, but to who invited them;
    # an applicant who cancels is sent to their own area for other sessions.
    from enquiries.services import events as engine

    engine.booking_cancel(booking=booking)
    engine.booking_cancel(booking=Booking.objects.get(event=session, email=applicant.email))
    guest_and_applicant_told_apart("enquiries/booking_cancelled", applicant.email)


def guest_and_applicant_told_apart(template: str, applicant_email: str) -> None:
    """The email ``template`` sent to the guest (gwen@example.com) tells them to ask
    whoever invited them; the applicant's sends them to their own area's sessions. Both
    parts of each message (text and HTML)."""
    guest, own = (
        build_message(Notification.objects.get(to=to, template=template))
        for to in ("gwen@example.com", applicant_email)
    )
    for body in (guest.body, guest.alternatives[0][0]):
        assert "ask the person who invited you" in body and "/my/" not in body
    for body in (own.body, own.alternatives[0][0]):
        assert "/my/training/" in body and "ask the person who invited you" not in body


def test_a_cancelled_session_tells_a_guest_to_ask_whoever_invited_them(client, social_worker):
    from carers.models import SupportNetworkMember
    from enquiries.services import events as engine

    household = f.household(social_worker)
    applicant = signed_in_applicant(client, household)
    gran = SupportNetworkMember.objects.create(
        household=household, name="Gwen Ashby", relationship="Grandmother", email="gwen@example.com"
    )
    session = private_event(
        title="Family and friends evening",
        topic=InformationEvent.Topic.FAMILY_AND_FRIENDS,
        places=10,
    )
    services.event_offer(household=household, event=session, by=social_worker)
    services.event_book(user=applicant.account, event_pk=session.pk, places=1)
    made, refused = services.support_network_invite(
        user=applicant.account, event_pk=session.pk, member_pks=[gran.pk]
    )
    assert len(made) == 1 and not refused
    engine.event_cancel(event=session)
    guest_and_applicant_told_apart("enquiries/event_cancelled", applicant.email)
    assert own_area.reads_private_events(applicant.email.upper())
    assert not own_area.reads_private_events("gwen@example.com")
    assert not own_area.reads_private_events("")
    # An applicant whose household has closed reads only letters: no link to sessions.
    services.household_close(
        household=household, on=timezone.localdate(), reason="Withdrew", by=social_worker
    )
    assert not own_area.reads_private_events(applicant.email)


# -- the health consent form: saved part way, sent once ------------------------------------


def test_the_health_consent_is_saved_part_way_and_sent_once(client, social_worker):
    from carers.models import OnlineForm

    household = f.household(social_worker)
    applicant = signed_in_applicant(client, household)
    url = "/my/forms/health-consent/"
    assert client.get(url).status_code == 200
    # Part way: only the practice, saved for later, with no error.
    saved = client.post(url, {"gp_practice": "Oakford Surgery", "save": "1"})
    assert saved["Location"] == url
    form = OnlineForm.objects.get(applicant=applicant)
    assert form.data["gp_practice"] == "Oakford Surgery" and form.submitted_at is None
    assert 'value="Oakford Surgery"' in client.get(url).content.decode()
    # Sent unfinished: refused in words, field by field, and what was typed is kept.
    page = client.post(
        url,
        {
            "gp_practice": "Oakford Surgery",
            "gp_address": "1 High St",
            "signed_name": "Someone Else",
            "send": "1",
        },
    ).content.decode()
    assert "<title>Error: " in page
    assert "Tick the box to say you agree" in page
    assert f"Type your full name as we have it: {applicant.full_name}" in page
    form.refresh_from_db()
    assert form.data["gp_address"] == "1 High St" and form.submitted_at is None
    assert "1 High St" in page
    # Complete, sent twice (a double click): sent once, one email to the social worker.
    answers = {
        "gp_practice": "Oakford Surgery",
        "gp_address": "1 High St, Oakford",
        "consent": "on",
        "signed_name": f"  {applicant.full_name.upper()} ",
        "send": "1",
    }
    assert client.post(url, answers)["Location"] == url
    form.refresh_from_db()
    sent_at = form.submitted_at
    assert sent_at is not None and form.data["consent"] is True
    assert client.post(url, {**answers, "gp_practice": "Changed"})["Location"] == url
    form.refresh_from_db()
    assert form.submitted_at == sent_at and form.data["gp_practice"] == "Oakford Surgery"
    with pytest.raises(services.TransitionRefused, match="cannot be changed now"):
        services.online_form_save(
            applicant=applicant, kind="health_consent", data={}, by=applicant.account
        )
    assert services.online_form_send(
        applicant=applicant, kind="health_consent", data={}, by=applicant.account
    ) == (form, False)
    form.refresh_from_db()
    assert form.data["gp_practice"] == "Oakford Surgery"  # the second press changed nothing
    with pytest.raises(ValueError, match="No online form"):
        services.online_form_save(applicant=applicant, kind="unknown", data={}, by=None)
    emails = Notification.objects.filter(template="carers/online_form_submitted")
    assert [email.to for email in emails] == [social_worker.email]
    assert "Oakford" not in str(emails.get().context)
    page = client.get(url).content.decode()
    assert "Sent on" in page and "Send the form" not in page
    # The social worker reads the answers on the own-area page; the other applicant's
    # form is their own, not started.
    client.force_login(social_worker)
    staff = client.get(own_area_url(household)).content.decode()
    assert "Oakford Surgery" in staff and "1 High St, Oakford" in staff
    assert OnlineForm.objects.filter(applicant__household=household).count() == 1
    # A subject access request gives the applicant their form, answers and all.
    from carers.subject_access import carer_sections
    from portal.subject_access import Person

    [forms] = [
        section
        for section in carer_sections(Person(email=applicant.email))
        if section.title.endswith("forms online")
    ]
    assert (
        "Consent for the agency to ask your GP about your health: GP practice",
        "Oakford Surgery",
    ) in forms.rows
    # The trail says a form was saved and sent, never what it says.
    trail = LogEntry.objects.filter(
        additional_data__action__in=["carers.own_area.form_saved", "carers.own_area.form_submitted"]
    )
    assert trail.filter(additional_data__action="carers.own_area.form_submitted").count() == 1
    assert not any("Oakford" in str(entry.changes) for entry in trail)


# -- the support network's details: people added a person at a time, sent once -----------

NETWORK_URL = "/my/forms/support-network/"


def people_post(people: list[dict], **pressed) -> dict:
    """The support network form as the page posts it: the formset's counts, each person's
    answers and the button pressed."""
    data = {"people-TOTAL_FORMS": str(len(people)), "people-INITIAL_FORMS": str(len(people))}
    for n, person in enumerate(people):
        data.update({f"people-{n}-{name}": value for name, value in person.items()})
    return {**data, **pressed}


def test_the_support_network_grows_a_person_at_a_time_and_is_sent_once(client, social_worker):
    from carers.models import OnlineForm, SupportNetworkMember
    from carers.subject_access import carer_sections
    from portal.subject_access import Person

    household = f.household(social_worker)
    SupportNetworkMember.objects.create(
        household=household, name="Gwen Ashby", relationship="Grandmother", phone="01632 960001"
    )
    applicant = signed_in_applicant(client, household)
    page = client.get(NETWORK_URL).content.decode()
    assert "Person 1" in page and "Person 2" not in page
    assert "Remove" not in page  # one person: nothing to remove
    assert "Already in your support network" in page and "Gwen Ashby (Grandmother)" in page
    # Adding a person keeps what was typed for the first and opens a second, saying so.
    added = client.post(NETWORK_URL, people_post([{"name": "Sam Okafor"}], add="1"), follow=True)
    assert "Person 2 is added at the end" in added.content.decode()
    form = OnlineForm.objects.get(applicant=applicant, kind="support_network")
    assert [person["name"] for person in form.data["people"]] == ["Sam Okafor", ""]
    page = client.get(NETWORK_URL).content.decode()
    assert 'value="Sam Okafor"' in page and "Person 2" in page
    assert 'Remove<span class="govuk-visually-hidden"> person 2</span>' in page
    # Removing the first keeps the second, as typed.
    people = [{"name": "Sam Okafor"}, {"name": "Priya Shah", "relationship": "Friend"}]
    assert client.post(NETWORK_URL, people_post(people, remove="0"))["Location"] == NETWORK_URL
    form.refresh_from_db()
    assert [person["name"] for person in form.data["people"]] == ["Priya Shah"]
    # A remove the page could not have sent removes nobody (and is no server error).
    for tampered in ("²", "9", "-1"):
        client.post(NETWORK_URL, people_post([{"name": "Priya Shah"}], remove=tampered))
        form.refresh_from_db()
        assert [person["name"] for person in form.data["people"]] == ["Priya Shah"], tampered
    # Sent with gaps: refused in words, person by person, every answer kept.
    people = [
        {"name": "Priya Shah", "relationship": "Friend", "email": "priya@"},
        {"name": "", "relationship": "Neighbour", "phone": "01632 960002"},
        {"name": "Tom Reid", "email": applicant.email.upper()},
        {"name": "", "relationship": "", "phone": "", "email": "", "help": ""},
        {"name": "gwen  ashby", "relationship": "Gran", "phone": "07700 900001"},
    ]
    page = client.post(NETWORK_URL, people_post(people, send="1")).content.decode()
    assert "<title>Error: " in page
    for message in (
        "Enter Priya Shah&#x27;s email address in the right format",
        "Enter the name of person 2",
        "Enter who Tom Reid is to you",
        "That is your own email address: enter Tom Reid&#x27;s own, or leave it empty",
        "Gwen Ashby is already in your support network",
    ):
        assert message in page, message
    assert 'href="#id_people-1-name"' in page  # the summary leads to the box
    assert 'href="#id_people-4-name"' in page  # counted with the blank row in its place
    assert 'href="#id_people-3-' not in page  # a blank row is no fault
    form.refresh_from_db()
    assert form.submitted_at is None and form.data["people"][2]["name"] == "Tom Reid"
    assert not SupportNetworkMember.objects.filter(name="Tom Reid").exists()
    # Complete, sent twice (a double click): sent once, one email, the people on the record.
    people = [
        {"name": "Priya Shah", "relationship": "Friend", "email": "priya@example.com"},
        {"name": "", "relationship": "", "phone": "", "email": "", "help": ""},
        {"name": "Tom Reid", "relationship": "Neighbour", "phone": "01632 960003", "help": "Lifts"},
    ]
    assert client.post(NETWORK_URL, people_post(people, send="1"))["Location"] == NETWORK_URL
    changed = [{**people[0], "name": "Someone Else"}]
    assert client.post(NETWORK_URL, people_post(changed, send="1"))["Location"] == NETWORK_URL
    assert client.post(NETWORK_URL, people_post(changed, save="1"))["Location"] == NETWORK_URL
    form.refresh_from_db()
    assert form.submitted_at is not None and form.data["people"][0]["name"] == "Priya Shah"
    network = {m.name: m for m in household.support_network.all()}
    assert sorted(network) == ["Gwen Ashby", "Priya Shah", "Tom Reid"]
    assert network["Gwen Ashby"].phone == "01632 960001"  # as the social worker recorded
    assert network["Tom Reid"].notes == "How they will help: Lifts"
    assert network["Priya Shah"].email == "priya@example.com"
    [email] = Notification.objects.filter(template="carers/online_form_submitted")
    assert email.to == social_worker.email
    message = build_message(email)
    for body in (message.body, message.alternatives[0][0]):
        assert f"/admin/carers/household/{household.pk}/own-area/" in body
        for detail in ("Priya", "Tom Reid", "Neighbour", "01632"):
            assert detail not in body, detail
    page = client.get(NETWORK_URL).content.decode()
    assert "Sent on" in page and "Send to your social worker" not in page
    assert "Tom Reid" in page and "Neighbour; 01632 960003. How they will help: Lifts" in page
    # Priya, with an email, can now be invited to a session for family and friends.
    assert [m.name for m in own_area.network_guests(household)] == ["Priya Shah"]
    # The trail has each new person as added by the applicant, and the household a count.
    added = LogEntry.objects.get_for_model(SupportNetworkMember).filter(
        action=LogEntry.Action.CREATE, actor=applicant.account
    )
    assert added.count() == 2
    assert household_entries(household, "carers.own_area.support_network_sent") == [{"added": 2}]
    # A subject access request gives the applicant the form, a row a person.
    [forms] = [
        section
        for section in carer_sections(Person(email=applicant.email))
        if section.title.endswith("forms online")
    ]
    assert ("Support network details: Priya Shah", "Friend; priya@example.com") in forms.rows
    # The social worker reads them on the own-area page.
    client.force_login(social_worker)
    staff = client.get(own_area_url(household)).content.decode()
    assert "Support network details: " + applicant.full_name in staff
    assert "Friend; priya@example.com" in staff
    assert "on the household&#x27;s support network (People)" in staff


def household_entries(household, action: str) -> list[dict]:
    """What the trail's entries of ``action`` on the household carry beyond their name."""
    entries = LogEntry.objects.get_for_object(household).filter(additional_data__action=action)
    return [{k: v for k, v in entry.additional_data.items() if k != "action"} for entry in entries]


def test_the_two_applicants_each_send_their_own_and_nobody_is_added_twice(client, social_worker):
    from carers.models import OnlineForm, SupportNetworkMember

    household = f.household(social_worker)
    first = signed_in_applicant(client, household, position=1)
    second = signed_in_applicant(client, household, position=2)
    client.force_login(first.account)
    priya = {"name": "Priya Shah", "relationship": "Friend", "phone": "01632 960004"}
    assert client.post(NETWORK_URL, people_post([priya], send="1"))["Location"] == NETWORK_URL
    client.force_login(second.account)
    page = client.get(NETWORK_URL).content.decode()
    assert "Priya Shah (Friend)" in page and "Sent on" not in page  # the second's own form
    # The other applicant's address is theirs, not a supporter's; Priya is there already.
    people = [
        {**priya, "name": "priya shah"},
        {"name": "Tom Reid", "relationship": "Neighbour", "email": first.email},
    ]
    page = client.post(NETWORK_URL, people_post(people, send="1")).content.decode()
    assert "Priya Shah is already in your support network" in page
    assert (
        f"That is {first.first_name}&#x27;s email address, and {first.first_name} is applying "
        "with you" in page
    )
    # Should both send at once, the record is written under the household's lock and
    # passes over a name the other's form put there between the check and the write.
    services.online_form_save(
        applicant=second, kind="support_network", data={"people": [priya]}, by=second.account
    )
    form = OnlineForm.objects.get(applicant=second, kind="support_network")
    from carers.services.own_area import support_network_record

    assert support_network_record(form=form, by=second.account) == 0
    assert SupportNetworkMember.objects.filter(household=household).count() == 1


def test_a_support_network_with_nobody_in_it_is_not_sent(client, social_worker):
    from carers.models import OnlineForm

    household = f.household(social_worker)
    signed_in_applicant(client, household)
    blank = {"name": "", "relationship": "", "phone": "", "email": "", "help": ""}
    page = client.post(NETWORK_URL, people_post([blank], send="1")).content.decode()
    assert "Add at least one person who will support you" in page
    assert OnlineForm.objects.get(kind="support_network").submitted_at is None
    # Removing the only person leaves an empty one to fill in, not an empty form.
    client.post(NETWORK_URL, people_post([{**blank, "name": "Sam"}], remove="0"))
    assert OnlineForm.objects.get(kind="support_network").data["people"] == [blank]
    assert "Person 1" in client.get(NETWORK_URL).content.decode()
    # Posts the page cannot make (no counts, no people) are refused in words, nothing saved.
    client.post(NETWORK_URL, people_post([{**blank, "name": "Kept"}], save="1"))
    for tampered in ({"save": "1"}, people_post([], send="1"), people_post([], save="1")):
        done = client.post(NETWORK_URL, tampered, follow=True).content.decode()
        assert "Your answers could not be read" in done, tampered
        saved = OnlineForm.objects.get(kind="support_network")
        assert saved.data["people"][0]["name"] == "Kept" and saved.submitted_at is None


def test_a_save_that_meets_a_form_sent_meanwhile_shows_it_sent(client, social_worker, monkeypatch):
    """Save pressed in one tab while the form goes from another: the page, not an error."""
    household = f.household(social_worker)
    signed_in_applicant(client, household)

    def sent_meanwhile(**kwargs):
        raise services.TransitionRefused("You sent this form on 1 December 2026.")

    monkeypatch.setattr(services, "online_form_save", sent_meanwhile)
    for url in (NETWORK_URL, "/my/forms/health-consent/"):
        answer = client.post(url, people_post([{"name": "Sam"}], save="1"))
        assert answer.status_code == 302 and answer["Location"] == url


def test_the_support_network_form_takes_up_to_its_most(client, social_worker):
    from carers.models import OnlineForm

    household = f.household(social_worker)
    signed_in_applicant(client, household)
    most = services.SUPPORT_NETWORK_MOST
    people = [
        {"name": f"Person {n}", "relationship": "Friend", "phone": "01632 960000"}
        for n in range(most)
    ]
    page = client.post(NETWORK_URL, people_post(people, add="1"), follow=True).content.decode()
    assert f"This form takes up to {most} people" in page
    assert "Add another person" not in page
    form = OnlineForm.objects.get(kind="support_network")
    assert len(form.data["people"]) == most
    # A post of more people than that is refused in words, and the saved answers stand.
    client.post(NETWORK_URL, people_post(people[:2], save="1"))
    more = [*people, {"name": "One more", "relationship": "Friend", "phone": "1"}]
    page = client.post(NETWORK_URL, people_post(more, save="1")).content.decode()
    assert "<title>Error: " in page and f"This form takes up to {most} people" in page
    form.refresh_from_db()
    assert [person["name"] for person in form.data["people"]] == ["Person 0", "Person 1"]
    # Answers longer than the record takes are refused by the form, not cut short.
    long = [{"name": "N" * 121, "relationship": "Friend", "phone": "1"}]
    page = client.post(NETWORK_URL, people_post(long, save="1")).content.decode()
    assert "<title>Error: " in page
    form.refresh_from_db()
    assert len(form.data["people"]) == 2


def test_the_support_network_page_costs_the_same_queries_with_ten_times_the_people(
    client, social_worker
):
    from carers.models import SupportNetworkMember

    def count(household, n: int) -> int:
        SupportNetworkMember.objects.bulk_create(
            SupportNetworkMember(household=household, name=f"Known {i}", relationship="Friend")
            for i in range(n)
        )
        people = [{"name": f"New {i}", "relationship": "Friend", "phone": "1"} for i in range(n)]
        client.post(NETWORK_URL, people_post(people, save="1"))
        with CaptureQueriesContext(connection) as queries:
            page = client.get(NETWORK_URL).content.decode()
        assert f"Person {n}" in page and f"Known {n - 1} (Friend)" in page
        return len(queries)

    small = f.household(social_worker)
    signed_in_applicant(client, small)
    few = count(small, 2)
    large = f.household(social_worker)
    for applicant in large.applicants.all():
        Applicant.objects.filter(pk=applicant.pk).update(email=f"large.{applicant.email}")
    signed_in_applicant(client, large)
    many = count(large, 20)
    assert many == few, (few, many)
    assert few <= 20, few
