"""The enquiry services: submission, repeats, every transition, assignment and notes."""

import itertools
from datetime import date, datetime, time, timedelta

import pytest
from auditlog.models import LogEntry
from django.utils import timezone

from enquiries.models import Enquiry, EnquiryContact, EnquiryStatusChange
from enquiries.services import enquiries as enquiry_services
from portal.models import Notification
from portal.roles import Role

from .factories import EnquiryFactory, answers, submit

pytestmark = pytest.mark.django_db

Status = Enquiry.Status


def at(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


@pytest.fixture
def recruiter(make_staff):
    return make_staff(Role.RECRUITMENT_TEAM, first_name="Rafi")


# -- submission ----------------------------------------------------------------------------


def test_a_submission_saves_the_enquiry_its_first_contact_and_queues_two_emails(settings):
    submission = submit(email="  Jo.Bloggs@Example.COM ")
    enquiry = submission.enquiry
    assert not submission.repeat
    assert enquiry.status == Status.NEW
    assert enquiry.email == "jo.bloggs@example.com"
    assert enquiry.partner_name == "Sam Bloggs"
    assert enquiry.children_ages == [4, 9]
    assert enquiry.privacy_acknowledged_at is not None
    assert enquiry.sensitive_consent_at is not None
    assert list(enquiry.contacts.values_list("question", flat=True)) == [
        "Can we apply while we both work?"
    ]
    # The acknowledgement carries the pack: no information-pack clock runs.
    assert enquiry.information_pack_sent_at is not None
    assert enquiry.next_deadline_clock == Enquiry.Clock.FIRST_CONTACT

    ack = Notification.objects.get(key__endswith=":acknowledgement")
    assert ack.to == "jo.bloggs@example.com"
    assert ack.template == "enquiries/enquiry_acknowledgement"
    assert ack.attachments == [{"kind": "information-pack", "for": "Jo"}]
    assert ack.context["pack_url"] == "http://testserver/information-pack.pdf"

    notice = Notification.objects.get(key__endswith=":team-notice")
    assert notice.to == settings.RECRUITMENT_TEAM_EMAIL
    assert notice.attachments == []
    flat = str(notice.context)
    for personal in ("Jo", "Bloggs", "jo.bloggs", "01632", "OK1", "Sam"):
        assert personal not in flat
    assert notice.context["admin_url"].endswith(f"/admin/enquiries/enquiry/{enquiry.pk}/change/")


def test_without_the_separate_consent_only_the_sensitive_details_go_and_staff_are_told():
    enquiry = submit(sensitive_consent=False).enquiry
    enquiry.refresh_from_db()
    assert enquiry.sensitive_consent_at is None
    contact = enquiry.contacts.get()
    assert contact.sensitive_details == ""
    assert contact.sensitive_withheld is True
    # What is needed to answer them is kept as given.
    assert contact.question == "Can we apply while we both work?"
    assert enquiry.children_ages == [4, 9]
    assert enquiry.partner_name == "Sam Bloggs"


def test_with_the_consent_the_sensitive_details_are_kept():
    contact = submit().contact
    assert contact.sensitive_details == "I finished IVF treatment last year."
    assert contact.sensitive_withheld is False


def test_nothing_sensitive_written_means_nothing_withheld_and_no_consent_recorded():
    submission = submit(sensitive_details="", sensitive_consent=True)
    assert submission.contact.sensitive_withheld is False
    assert submission.enquiry.sensitive_consent_at is None


def test_a_single_applicant_keeps_no_partner_name():
    enquiry = submit(household=Enquiry.Household.SINGLE, partner_name="Someone").enquiry
    assert enquiry.partner_name == ""


def test_nothing_is_kept_without_the_privacy_acknowledgement():
    with pytest.raises(enquiry_services.EnquiryError):
        submit(privacy_acknowledged=False)
    assert not Enquiry.objects.exists()
    assert not Notification.objects.exists()


def test_someone_under_21_registers_interest_for_later_and_the_team_is_told():
    enquiry = submit(aged_21_or_over=False).enquiry
    assert enquiry.aged_21_or_over is False
    assert enquiry.status == Status.NEW
    ack = Notification.objects.get(key__endswith=":acknowledgement")
    notice = Notification.objects.get(key__endswith=":team-notice")
    assert ack.context["for_later"] is True
    assert notice.context["needs_a_look"] is True
    assert "for_later" not in notice.context


def test_the_same_email_within_30_days_adds_a_contact_to_the_open_enquiry(settings):
    first = submit(now=timezone.now() - timedelta(days=29)).enquiry
    again = submit(
        email="JO.BLOGGS@example.com",
        phone="07700 900 982",
        question="Another question",
        household=Enquiry.Household.SINGLE,
    )
    assert again.repeat
    assert again.enquiry.pk == first.pk
    assert Enquiry.objects.count() == 1
    assert EnquiryContact.objects.filter(enquiry=first).count() == 2
    first.refresh_from_db()
    assert first.phone == "07700 900 982"
    assert first.partner_name == ""
    assert first.last_contact_at > first.received_at
    # The enquirer is acknowledged again; the team hears of it without personal details.
    acks = Notification.objects.filter(template="enquiries/enquiry_acknowledgement")
    assert acks.count() == 2
    assert acks.order_by("pk").last().context["repeat"] is True
    notice = Notification.objects.filter(template="enquiries/enquiry_team_notice").last()
    assert notice.context["repeat"] is True
    assert "Another question" not in str(notice.context)


def test_a_repeat_notice_goes_to_the_assigned_person(recruiter):
    enquiry = submit().enquiry
    enquiry_services.enquiry_assign(enquiry=enquiry, to=recruiter, by=recruiter)
    submit()
    notice = Notification.objects.filter(template="enquiries/enquiry_team_notice").last()
    assert notice.to == recruiter.email


def test_the_same_email_after_30_days_is_a_new_enquiry():
    first = submit(now=timezone.now() - timedelta(days=31)).enquiry
    second = submit().enquiry
    assert second.pk != first.pk
    assert Enquiry.objects.count() == 2


def test_a_closed_enquiry_is_not_reopened_by_a_new_submission(recruiter):
    first = submit().enquiry
    enquiry_services.enquiry_close(
        enquiry=first, by=recruiter, reason=Enquiry.ClosedReason.WITHDREW
    )
    second = submit().enquiry
    assert second.pk != first.pk
    assert second.status == Status.NEW


def test_the_repeat_window_is_a_setting(settings):
    settings.ENQUIRY_REPEAT_WINDOW_DAYS = 3
    submit(now=timezone.now() - timedelta(days=4))
    submit()
    assert Enquiry.objects.count() == 2


# -- transitions ---------------------------------------------------------------------------

# The services and the extra arguments each move needs.
MOVES = {
    Status.CONTACTED: (enquiry_services.enquiry_mark_contacted, {}),
    Status.INFORMATION_PACK_SENT: (enquiry_services.enquiry_mark_information_pack_sent, {}),
    Status.INITIAL_VISIT_BOOKED: (
        enquiry_services.enquiry_book_initial_visit,
        {"visit_on": timezone.localdate()},
    ),
    Status.INITIAL_VISIT_DONE: (enquiry_services.enquiry_mark_initial_visit_done, {}),
    Status.ROI_RECEIVED: (enquiry_services.enquiry_mark_roi_received, {}),
    Status.CONVERTED: (enquiry_services.enquiry_mark_converted, {"household_reference": "EP00042"}),
    Status.CLOSED: (enquiry_services.enquiry_close, {"reason": Enquiry.ClosedReason.NOT_ELIGIBLE}),
}

# How to bring an enquiry to each status through the services, in order.
PATH = [
    Status.CONTACTED,
    Status.INFORMATION_PACK_SENT,
    Status.INITIAL_VISIT_BOOKED,
    Status.INITIAL_VISIT_DONE,
    Status.ROI_RECEIVED,
]


def enquiry_in(status, by) -> Enquiry:
    enquiry = EnquiryFactory(received_at=timezone.now() - timedelta(days=1))
    if status == Status.NEW:
        return enquiry
    steps = PATH[: PATH.index(status) + 1] if status in PATH else PATH
    for step in steps:
        service, extra = MOVES[step]
        service(enquiry=enquiry, by=by, **extra)
    if status in (Status.CONVERTED, Status.CLOSED):
        service, extra = MOVES[status]
        service(enquiry=enquiry, by=by, **extra)
    assert enquiry.status == status
    return enquiry


def test_the_transition_table_names_every_status():
    assert set(enquiry_services.ENQUIRY_TRANSITIONS) == set(Status.values)
    assert enquiry_services.ENQUIRY_TRANSITIONS[Status.CONVERTED] == set()
    assert enquiry_services.ENQUIRY_TRANSITIONS[Status.CLOSED] == set()


ALLOWED = [
    (start, end)
    for start, ends in enquiry_services.ENQUIRY_TRANSITIONS.items()
    for end in sorted(ends)
]
REFUSED = [
    (start, end)
    for start, end in itertools.product(Status.values, MOVES)
    if end not in enquiry_services.ENQUIRY_TRANSITIONS[start]
]


@pytest.mark.parametrize(("start", "end"), ALLOWED)
def test_every_allowed_move_records_who_when_and_an_audit_entry(recruiter, start, end):
    enquiry = enquiry_in(start, recruiter)
    before = EnquiryStatusChange.objects.filter(enquiry=enquiry).count()
    service, extra = MOVES[end]
    service(enquiry=enquiry, by=recruiter, **extra)
    enquiry.refresh_from_db()
    assert enquiry.status == end
    change = EnquiryStatusChange.objects.filter(enquiry=enquiry).last()
    assert EnquiryStatusChange.objects.filter(enquiry=enquiry).count() == before + 1
    assert (change.from_status, change.to_status, change.by) == (start, end, recruiter)
    assert timezone.now() - change.at < timedelta(minutes=1)
    entry = LogEntry.objects.get_for_object(enquiry).order_by("-pk").first()
    assert entry.additional_data["action"].startswith(f"enquiries.enquiry.{end}")
    assert "status" in entry.changes_dict


def test_a_move_writes_one_entry_with_the_stage_its_moment_and_the_next_deadline(recruiter):
    enquiry = enquiry_in(Status.INITIAL_VISIT_BOOKED, recruiter)
    before = LogEntry.objects.get_for_object(enquiry).count()
    enquiry_services.enquiry_mark_initial_visit_done(enquiry=enquiry, by=recruiter)
    assert LogEntry.objects.get_for_object(enquiry).count() == before + 1
    entry = LogEntry.objects.get_for_object(enquiry).latest("pk")
    assert entry.additional_data == {"action": "enquiries.enquiry.initial_visit_done"}
    assert entry.actor == recruiter
    assert entry.changes_dict["status"] == [Status.INITIAL_VISIT_BOOKED, Status.INITIAL_VISIT_DONE]
    assert entry.changes_dict["next_deadline_clock"][1] == Enquiry.Clock.ROI_CHASE
    assert set(entry.changes_dict) == {
        "status",
        "initial_visit_done_at",
        "next_deadline",
        "next_deadline_clock",
    }
    enquiry.refresh_from_db()
    assert enquiry.next_deadline_clock == Enquiry.Clock.ROI_CHASE
    assert entry.changes_dict["next_deadline"][1] == enquiry.next_deadline.isoformat()


@pytest.mark.parametrize(
    ("status", "buttons"),
    [
        (Status.NEW, ["contacted", "close"]),
        (Status.CONTACTED, ["information-pack-sent", "book-initial-visit", "close"]),
        (Status.INITIAL_VISIT_BOOKED, ["initial-visit-done", "rebook-initial-visit", "close"]),
        (Status.ROI_RECEIVED, ["close"]),
        (Status.CLOSED, []),
    ],
)
def test_the_buttons_of_each_stage_follow_the_table(recruiter, status, buttons):
    enquiry = enquiry_in(status, recruiter)
    offered = enquiry_services.ENQUIRY_WORKFLOW.actions_for(enquiry, user=recruiter)
    assert [(o.name, o.enabled) for o in offered] == [(name, True) for name in buttons]


@pytest.mark.parametrize(("start", "end"), REFUSED)
def test_every_other_move_is_refused_and_changes_nothing(recruiter, start, end):
    enquiry = enquiry_in(start, recruiter)
    changes = EnquiryStatusChange.objects.filter(enquiry=enquiry).count()
    service, extra = MOVES[end]
    with pytest.raises(enquiry_services.EnquiryTransitionNotAllowed) as refused:
        service(enquiry=enquiry, by=recruiter, **extra)
    assert "cannot move to" in refused.value.message
    enquiry.refresh_from_db()
    assert enquiry.status == start
    assert EnquiryStatusChange.objects.filter(enquiry=enquiry).count() == changes


def test_each_stage_keeps_its_moment(recruiter):
    # The stages record "today"; a run that passes midnight may record either day.
    before = timezone.localdate()
    enquiry = enquiry_in(Status.ROI_RECEIVED, recruiter)
    enquiry.refresh_from_db()
    after = timezone.localdate()
    assert enquiry.contacted_at and enquiry.information_pack_sent_at
    assert enquiry.initial_visit_booked_at and enquiry.initial_visit_done_at
    assert before <= enquiry.initial_visit_on <= after
    assert before <= enquiry.roi_received_on <= after
    assert enquiry.initial_visit_on <= enquiry.roi_received_on


def test_conversion_needs_the_household_reference(recruiter):
    enquiry = enquiry_in(Status.ROI_RECEIVED, recruiter)
    with pytest.raises(enquiry_services.EnquiryError):
        enquiry_services.enquiry_mark_converted(
            enquiry=enquiry, by=recruiter, household_reference=" "
        )
    enquiry_services.enquiry_mark_converted(
        enquiry=enquiry, by=recruiter, household_reference="EP00042"
    )
    enquiry.refresh_from_db()
    assert (enquiry.status, enquiry.household_reference) == (Status.CONVERTED, "EP00042")
    assert enquiry.converted_at is not None
    assert enquiry.next_deadline is None


def test_closing_needs_one_of_the_reasons(recruiter):
    enquiry = EnquiryFactory()
    with pytest.raises(enquiry_services.EnquiryError):
        enquiry_services.enquiry_close(enquiry=enquiry, by=recruiter, reason="bored")
    enquiry_services.enquiry_close(
        enquiry=enquiry, by=recruiter, reason=Enquiry.ClosedReason.MOVED_AWAY, note="To Leeds"
    )
    enquiry.refresh_from_db()
    assert enquiry.get_closed_reason_display() == "Moved away"
    assert enquiry.status_changes.get().note == "To Leeds"


def test_dates_before_the_enquiry_or_in_the_future_are_refused(recruiter):
    enquiry = enquiry_in(Status.INFORMATION_PACK_SENT, recruiter)
    with pytest.raises(enquiry_services.EnquiryError, match="before the enquiry"):
        enquiry_services.enquiry_book_initial_visit(
            enquiry=enquiry, by=recruiter, visit_on=timezone.localdate() - timedelta(days=30)
        )
    enquiry = enquiry_in(Status.INITIAL_VISIT_DONE, recruiter)
    with pytest.raises(enquiry_services.EnquiryError, match="future"):
        enquiry_services.enquiry_mark_roi_received(
            enquiry=enquiry, by=recruiter, received_on_day=timezone.localdate() + timedelta(days=1)
        )


def test_a_booked_visit_can_move_to_another_day_without_changing_stage(recruiter):
    enquiry = enquiry_in(Status.INITIAL_VISIT_BOOKED, recruiter)
    new_day = timezone.localdate() + timedelta(days=10)
    enquiry_services.enquiry_rebook_initial_visit(enquiry=enquiry, by=recruiter, visit_on=new_day)
    enquiry.refresh_from_db()
    assert (enquiry.status, enquiry.initial_visit_on) == (Status.INITIAL_VISIT_BOOKED, new_day)
    assert "moved to" in enquiry.notes.get().text
    done = enquiry_in(Status.INITIAL_VISIT_DONE, recruiter)
    with pytest.raises(enquiry_services.EnquiryError):
        enquiry_services.enquiry_rebook_initial_visit(enquiry=done, by=recruiter, visit_on=new_day)


def test_the_status_is_checked_against_the_locked_row_not_the_callers_copy(recruiter):
    enquiry = EnquiryFactory()
    stale = Enquiry.objects.get(pk=enquiry.pk)
    enquiry_services.enquiry_close(
        enquiry=enquiry, by=recruiter, reason=Enquiry.ClosedReason.DUPLICATE
    )
    with pytest.raises(enquiry_services.EnquiryTransitionNotAllowed):
        enquiry_services.enquiry_mark_contacted(enquiry=stale, by=recruiter)


# -- assignment, notes, details ------------------------------------------------------------


def test_assigning_records_the_person_and_refuses_non_staff(recruiter, django_user_model):
    enquiry = EnquiryFactory()
    enquiry_services.enquiry_assign(enquiry=enquiry, to=recruiter, by=recruiter)
    enquiry.refresh_from_db()
    assert enquiry.assigned_to == recruiter
    assert enquiry.assigned_at is not None
    member_of_public = django_user_model.objects.create_user(email="public@example.com")
    with pytest.raises(enquiry_services.EnquiryError):
        enquiry_services.enquiry_assign(enquiry=enquiry, to=member_of_public, by=recruiter)
    entry = LogEntry.objects.get_for_object(enquiry).order_by("-pk").first()
    assert entry.additional_data["action"] == "enquiries.enquiry.assigned"


def test_notes_are_added_with_their_author_and_masked_in_the_audit_log(recruiter):
    enquiry = EnquiryFactory()
    note = enquiry_services.enquiry_note_add(
        enquiry=enquiry, author=recruiter, text="  Left a voicemail "
    )
    assert (note.text, note.author) == ("Left a voicemail", recruiter)
    with pytest.raises(enquiry_services.EnquiryError):
        enquiry_services.enquiry_note_add(enquiry=enquiry, author=recruiter, text="   ")
    entry = LogEntry.objects.get_for_object(note).get()
    assert "voicemail" not in str(entry.changes)


def test_personal_details_never_reach_the_audit_log():
    enquiry = submit().enquiry
    text = " ".join(
        f"{entry.changes} {entry.object_repr}"
        for entry in LogEntry.objects.filter(content_type__app_label="enquiries")
    )
    for personal in ("Bloggs", "jo.bloggs", "01632", "OK1 2AB", "Sam", "Can we apply"):
        assert personal not in text
    assert "[hidden]" in text
    assert str(enquiry) == f"Enquiry {enquiry.reference}"


def test_staff_correct_details_but_not_the_stage(recruiter):
    enquiry = EnquiryFactory()
    enquiry.phone = "07700 900 123"
    enquiry.status = Status.CLOSED  # not theirs to change: ignored
    enquiry_services.enquiry_update_details(enquiry=enquiry, changed=["phone", "status"])
    enquiry.refresh_from_db()
    assert enquiry.phone == "07700 900 123"
    assert enquiry.status == Status.NEW


def test_enquiries_for_conversion_lists_those_with_a_registration_of_interest(recruiter):
    from enquiries.selectors.enquiries import enquiries_for_conversion

    waiting = enquiry_in(Status.ROI_RECEIVED, recruiter)
    enquiry_in(Status.INITIAL_VISIT_DONE, recruiter)
    assert list(enquiries_for_conversion()) == [waiting]


def test_submit_arguments_match_the_form_answers():
    # The service takes exactly what the form collects, and nothing else personal.
    assert set(answers()) - {"privacy_acknowledged", "sensitive_consent"} <= {
        field.name for field in Enquiry._meta.get_fields()
    } | {"question", "sensitive_details"}


# -- dates staff give, clocks and close reasons --------------------------------------------


def test_first_contact_and_the_initial_visit_record_the_day_staff_give(recruiter):
    received = timezone.localdate() - timedelta(days=10)
    enquiry = EnquiryFactory(received_at=at(received))
    enquiry_services.enquiry_mark_contacted(
        enquiry=enquiry, by=recruiter, on=received + timedelta(days=1)
    )
    enquiry.refresh_from_db()
    assert timezone.localdate(enquiry.contacted_at) == received + timedelta(days=1)
    enquiry_services.enquiry_book_initial_visit(
        enquiry=enquiry, by=recruiter, visit_on=received + timedelta(days=3)
    )
    enquiry_services.enquiry_mark_initial_visit_done(
        enquiry=enquiry, by=recruiter, on=received + timedelta(days=3)
    )
    enquiry.refresh_from_db()
    assert timezone.localdate(enquiry.initial_visit_done_at) == received + timedelta(days=3)


def test_without_a_day_the_moves_record_today():
    enquiry = EnquiryFactory(received_at=timezone.now() - timedelta(days=2))
    enquiry_services.enquiry_mark_contacted(enquiry=enquiry, by=None)
    enquiry.refresh_from_db()
    assert timezone.localdate(enquiry.contacted_at) == timezone.localdate()


def test_a_day_received_the_same_day_is_never_before_the_enquiry(recruiter):
    now = timezone.now()
    enquiry = EnquiryFactory(received_at=now - timedelta(days=1))
    enquiry_services.enquiry_mark_contacted(
        enquiry=enquiry, by=recruiter, on=timezone.localdate(enquiry.received_at), now=now
    )
    enquiry.refresh_from_db()
    assert enquiry.contacted_at >= enquiry.received_at


@pytest.mark.parametrize(
    ("days", "message"),
    [(1, "cannot be in the future"), (-30, "cannot be before the enquiry arrived")],
)
def test_staff_dates_in_the_future_or_before_the_enquiry_are_refused_in_words(
    recruiter, days, message
):
    enquiry = EnquiryFactory(received_at=timezone.now() - timedelta(days=5))
    day = timezone.localdate() + timedelta(days=days)
    with pytest.raises(enquiry_services.EnquiryError, match=message) as refused:
        enquiry_services.enquiry_mark_contacted(enquiry=enquiry, by=recruiter, on=day)
    assert "first contact" in refused.value.message
    enquiry.refresh_from_db()
    assert enquiry.status == Status.NEW and enquiry.contacted_at is None

    visited = enquiry_in(Status.INITIAL_VISIT_BOOKED, recruiter)
    with pytest.raises(enquiry_services.EnquiryError, match=message):
        enquiry_services.enquiry_mark_initial_visit_done(enquiry=visited, by=recruiter, on=day)
    visited.refresh_from_db()
    assert visited.status == Status.INITIAL_VISIT_BOOKED


def test_staff_dates_are_refused_in_the_words_of_the_portals_date_rules(recruiter):
    received = datetime(2025, 3, 3, 10, tzinfo=timezone.get_current_timezone())
    enquiry = EnquiryFactory(received_at=received)
    with pytest.raises(enquiry_services.EnquiryError) as refused:
        enquiry_services.enquiry_mark_contacted(enquiry=enquiry, by=recruiter, on=date(2025, 3, 1))
    assert refused.value.message == (
        "The date of the first contact (1 March 2025) cannot be before "
        "the enquiry arrived (3 March 2025)."
    )
    with pytest.raises(enquiry_services.EnquiryError) as refused:
        enquiry_services.enquiry_mark_contacted(
            enquiry=enquiry, by=recruiter, on=date(2025, 3, 5), now=received
        )
    assert refused.value.message == "The date of the first contact cannot be in the future."


def test_a_visit_cannot_be_done_before_the_day_it_is_booked_for(recruiter):
    enquiry = EnquiryFactory(received_at=timezone.now() - timedelta(days=5))
    enquiry_services.enquiry_mark_contacted(enquiry=enquiry, by=recruiter)
    later = timezone.localdate() + timedelta(days=200)
    enquiry_services.enquiry_book_initial_visit(enquiry=enquiry, by=recruiter, visit_on=later)
    with pytest.raises(enquiry_services.EnquiryError, match=f"booked for {later:%-d %B %Y}"):
        enquiry_services.enquiry_mark_initial_visit_done(enquiry=enquiry, by=recruiter)
    enquiry.refresh_from_db()
    assert enquiry.status == Status.INITIAL_VISIT_BOOKED


def test_a_contacted_enquiry_may_book_its_visit_without_a_pack_stage(recruiter):
    enquiry = submit().enquiry
    enquiry_services.enquiry_mark_contacted(enquiry=enquiry, by=recruiter)
    enquiry_services.enquiry_book_initial_visit(
        enquiry=enquiry, by=recruiter, visit_on=timezone.localdate() + timedelta(days=3)
    )
    enquiry.refresh_from_db()
    assert enquiry.status == Status.INITIAL_VISIT_BOOKED
    assert enquiry.information_pack_sent_at == enquiry.received_at


def test_the_registration_of_interest_is_chased_after_the_initial_visit(recruiter, settings):
    settings.ENQUIRY_ROI_CHASE_WORKING_DAYS = 10
    from enquiries.clocks import roi_chase_due

    enquiry = enquiry_in(Status.INITIAL_VISIT_DONE, recruiter)
    enquiry.refresh_from_db()
    done_on = timezone.localdate(enquiry.initial_visit_done_at)
    assert enquiry.next_deadline_clock == Enquiry.Clock.ROI_CHASE
    assert enquiry.next_deadline == roi_chase_due(done_on)
    reminder = Notification.objects.get(key__contains=":overdue:roi_chase:")
    assert reminder.due_at.date() > enquiry.next_deadline
    # The Registration of Interest arriving stops it (the decision clock takes over).
    enquiry_services.enquiry_mark_roi_received(enquiry=enquiry, by=recruiter)
    enquiry.refresh_from_db()
    assert enquiry.next_deadline_clock == Enquiry.Clock.ROI_DECISION
    reminder.refresh_from_db()
    assert reminder.withdrawn_at is not None


@pytest.mark.parametrize(
    ("reason", "label"),
    [
        ("referred_elsewhere", "Referred to another agency"),
        ("not_now", "Not now"),
        ("other_route", "Chose another route"),
        ("not_suitable_for_ep", "Not suitable for Early Permanence"),
    ],
)
def test_the_recruitment_close_reasons(recruiter, reason, label):
    enquiry = EnquiryFactory()
    enquiry_services.enquiry_close(enquiry=enquiry, by=recruiter, reason=reason)
    enquiry.refresh_from_db()
    assert enquiry.get_closed_reason_display() == label


# -- one of our carers enquiring again, and the event that led to an enquiry -----------------


def test_a_carer_household_enquiring_again_is_recognised_not_started_afresh(recruiter, monkeypatch):
    looked_up = []

    def lookup(email):
        looked_up.append(email)
        return enquiry_services.KnownHousehold(
            reference="EP00042", notify_email="sw@oakway.example"
        )

    monkeypatch.setattr(enquiry_services, "_household_lookup", lookup)
    submission = submit()
    enquiry = submission.enquiry
    assert looked_up == ["jo.bloggs@example.com"]
    assert enquiry.known_household_reference == "EP00042"
    assert enquiry.status == Status.CLOSED
    assert enquiry.closed_reason == Enquiry.ClosedReason.KNOWN_HOUSEHOLD
    assert enquiry.next_deadline is None
    assert not Notification.objects.filter(key__contains=":overdue:").exists()
    ack = Notification.objects.get(key__endswith=":acknowledgement")
    assert ack.attachments == []  # no second pack
    assert ack.context["known_household"] is True
    notice = Notification.objects.get(key__endswith=":team-notice")
    assert notice.to == "sw@oakway.example"
    assert notice.context["household_reference"] == "EP00042"
    # Their message is kept for the social worker.
    assert submission.contact.question == "Can we apply while we both work?"


def test_the_information_event_booked_before_enquiring_is_recorded():
    from ..events.factories import BookingFactory, InformationEventFactory

    past = InformationEventFactory(starts_at=timezone.now() - timedelta(days=3))
    BookingFactory(event=past, email="JO.BLOGGS@example.com")
    upcoming = InformationEventFactory(starts_at=timezone.now() + timedelta(days=3))
    BookingFactory(event=upcoming, email="jo.bloggs@example.com")
    enquiry = submit().enquiry
    assert enquiry.after_event_id == past.pk
    assert submit(email="nobody@example.com").enquiry.after_event_id is None
