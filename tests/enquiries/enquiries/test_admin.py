"""The recruitment team's admin: the list, the buttons, notes, the funnel and the export."""

import csv
import io
import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from enquiries.models import Enquiry, EnquiryNote
from enquiries.selectors.enquiries import funnel_report
from enquiries.services import enquiries as enquiry_services
from portal.models import Notification
from portal.roles import Role

from .factories import EnquiryFactory, submit

pytestmark = pytest.mark.django_db

LIST_URL = "/admin/enquiries/enquiry/"
FUNNEL_URL = "/admin/enquiries/enquiry/funnel/"
Status = Enquiry.Status


def change_url(enquiry) -> str:
    return f"{LIST_URL}{enquiry.pk}/change/"


def move_url(enquiry, move: str) -> str:
    return f"{LIST_URL}{enquiry.pk}/move/{move}/"


@pytest.fixture
def recruitment(staff_client):
    return staff_client(Role.RECRUITMENT_TEAM, first_name="Rafi")


def queries(fn) -> int:
    with CaptureQueriesContext(connection) as context:
        response = fn()
    assert response.status_code == 200
    return len(context.captured_queries)


def populate(n: int, assignee):
    for i in range(n):
        enquiry = EnquiryFactory(
            assigned_to=assignee if i % 2 else None,
            received_at=timezone.now() - timedelta(days=i % 9),
        )
        if i % 3 == 0:
            enquiry_services.enquiry_mark_contacted(enquiry=enquiry, by=assignee)


# -- the list --------------------------------------------------------------------------------


def test_the_list_and_the_funnel_have_query_budgets_unchanged_with_ten_times_the_rows(
    recruitment,
):
    populate(6, recruitment.user)
    recruitment.get(LIST_URL)  # warm-up
    small = (
        queries(lambda: recruitment.get(LIST_URL)),
        queries(lambda: recruitment.get(f"{LIST_URL}?deadline=overdue&assigned=me")),
        queries(lambda: recruitment.get(FUNNEL_URL)),
    )
    populate(54, recruitment.user)
    large = (
        queries(lambda: recruitment.get(LIST_URL)),
        queries(lambda: recruitment.get(f"{LIST_URL}?deadline=overdue&assigned=me")),
        queries(lambda: recruitment.get(FUNNEL_URL)),
    )
    assert small == large
    print("admin queries (enquiry list, filtered list, funnel):", large)


def test_the_list_shows_status_age_deadline_overdue_assigned_route_and_source(recruitment):
    late = EnquiryFactory(
        first_name="Lateo",
        received_at=timezone.now() - timedelta(days=10),
        route=Enquiry.Route.FOSTERING_FOR_ADOPTION,
        heard_about=Enquiry.HeardAbout.FRIEND,
        assigned_to=recruitment.user,
    )
    EnquiryFactory(first_name="Freshy")
    html = recruitment.get(LIST_URL).content.decode()
    row = html.split("Lateo")[1].split("</tr>")[0]
    assert "10 days" in row
    assert f"{late.next_deadline:%-d %B %Y} (first contact)" in row
    assert '<strong class="overdue-tag">Overdue</strong>' in row
    assert "Fostering for Adoption" in row
    assert "A friend or family member" in row
    assert "Rafi" in row
    assert late.reference in html
    overdue = recruitment.get(f"{LIST_URL}?deadline=overdue").content.decode()
    assert "Lateo" in overdue and "Freshy" not in overdue
    mine = recruitment.get(f"{LIST_URL}?assigned=me").content.decode()
    assert "Lateo" in mine and "Freshy" not in mine
    nobody = recruitment.get(f"{LIST_URL}?assigned=nobody").content.decode()
    assert "Freshy" in nobody and "Lateo" not in nobody
    # The filter offers the people with enquiries assigned, each once.
    rafi = recruitment.user
    offered = re.findall(r'href="\?assigned=(\d+)"', html)
    assert offered == [str(rafi.pk)]


def test_search_finds_names_emails_postcodes_and_references(recruitment):
    wanted = EnquiryFactory(first_name="Zebedee", email="zeb@example.com", postcode="ZZ9 9ZZ")
    EnquiryFactory(first_name="Other")
    for term in ("Zebedee", "zeb@example", "ZZ9", wanted.reference, wanted.reference.lower()):
        html = recruitment.get(LIST_URL, {"q": term}).content.decode()
        assert "Zebedee" in html and "Other" not in html, term


# -- one enquiry -----------------------------------------------------------------------------


def test_the_status_is_not_an_editable_field_and_buttons_offer_only_allowed_moves(recruitment):
    enquiry = EnquiryFactory()
    html = recruitment.get(change_url(enquiry)).content.decode()
    assert 'name="status"' not in html
    assert 'name="closed_reason"' not in html
    assert f'href="{move_url(enquiry, "contacted")}"' in html
    assert f'href="{move_url(enquiry, "close")}"' in html
    assert "information-pack-sent/" not in html
    assert "initial-visit-done/" not in html


def test_a_button_moves_the_enquiry_through_the_service(recruitment):
    enquiry = EnquiryFactory()
    page = recruitment.get(move_url(enquiry, "contacted"))
    assert page.status_code == 200
    assert "Record first contact" in page.content.decode()
    response = recruitment.post(
        move_url(enquiry, "contacted"),
        {"note": "Spoke on the phone", "happened_on": timezone.localdate().isoformat()},
    )
    assert response.status_code == 302
    assert response["Location"] == change_url(enquiry)
    enquiry.refresh_from_db()
    assert enquiry.status == Status.CONTACTED
    change = enquiry.status_changes.get()
    assert (change.by, change.note) == (recruitment.user, "Spoke on the phone")
    timeline = recruitment.get(change_url(enquiry)).content.decode().split("Timeline", 1)[1]
    assert "New → Contacted" in timeline
    assert "Spoke on the phone" in timeline


def test_moves_that_need_details_ask_for_them(recruitment):
    enquiry = EnquiryFactory(received_at=timezone.now() - timedelta(days=3))
    enquiry_services.enquiry_mark_contacted(enquiry=enquiry, by=recruitment.user)
    response = recruitment.post(move_url(enquiry, "close"), {})
    assert response.status_code == 200
    assert "This field is required" in response.content.decode()
    enquiry_services.enquiry_mark_information_pack_sent(enquiry=enquiry, by=recruitment.user)
    visit_on = timezone.localdate()
    recruitment.post(move_url(enquiry, "book-initial-visit"), {"visit_on": visit_on.isoformat()})
    enquiry.refresh_from_db()
    assert (enquiry.status, enquiry.initial_visit_on) == (Status.INITIAL_VISIT_BOOKED, visit_on)
    too_early = timezone.localdate() - timedelta(days=30)
    response = recruitment.post(
        move_url(enquiry, "rebook-initial-visit"), {"visit_on": too_early.isoformat()}
    )
    assert response.status_code == 200
    assert "before the enquiry arrived" in response.content.decode()
    recruitment.post(move_url(enquiry, "initial-visit-done"), {"happened_on": visit_on.isoformat()})
    recruitment.post(
        move_url(enquiry, "roi-received"), {"received_on": timezone.localdate().isoformat()}
    )
    enquiry.refresh_from_db()
    assert enquiry.status == Status.ROI_RECEIVED
    html = recruitment.get(change_url(enquiry)).content.decode()
    assert "Convert to a carer household" in html
    recruitment.post(move_url(enquiry, "close"), {"reason": "withdrew", "note": "Not now"})
    enquiry.refresh_from_db()
    assert (enquiry.status, enquiry.closed_reason) == (Status.CLOSED, "withdrew")


def test_a_move_that_is_not_allowed_now_is_refused(recruitment):
    enquiry = EnquiryFactory()
    response = recruitment.post(move_url(enquiry, "initial-visit-done"), {}, follow=True)
    assert "is not possible now" in response.content.decode()
    enquiry.refresh_from_db()
    assert enquiry.status == Status.NEW
    assert recruitment.get(move_url(enquiry, "teleport")).status_code == 404


@pytest.mark.parametrize("role", [Role.TEAM_MANAGERS, Role.SOCIAL_WORKERS])
def test_managers_and_social_workers_may_look_but_not_move(staff_client, role):
    client = staff_client(role)
    enquiry = submit().enquiry
    response = client.get(change_url(enquiry))
    assert response.status_code == 200
    html = response.content.decode()
    assert "/move/" not in html
    assert 'name="new_note"' not in html
    assert 'name="first_name"' not in html  # read-only
    assert client.post(move_url(enquiry, "contacted"), {}).status_code == 403
    assert client.get(FUNNEL_URL).status_code == 200
    enquiry.refresh_from_db()
    assert enquiry.status == Status.NEW


@pytest.mark.parametrize("role", [Role.EVENTS_TEAM, Role.CONTENT_EDITORS])
def test_other_roles_see_no_enquiries(staff_client, role):
    client = staff_client(role)
    enquiry = EnquiryFactory()
    assert client.get(LIST_URL).status_code == 403
    assert client.get(change_url(enquiry)).status_code == 403
    assert client.get(FUNNEL_URL).status_code == 403
    assert client.get(move_url(enquiry, "contacted")).status_code == 403


def details_form(enquiry, **overrides) -> dict:
    data = {field: getattr(enquiry, field) for field in enquiry_services.DETAIL_FIELDS}
    data["assigned_to"] = enquiry.assigned_to_id or ""
    data["new_note"] = ""
    data.update(overrides)
    return data


def test_details_assignment_and_a_note_are_saved_through_the_services(recruitment):
    enquiry = submit().enquiry
    response = recruitment.post(
        change_url(enquiry),
        details_form(
            enquiry,
            phone="07700 900 321",
            assigned_to=recruitment.user.pk,
            new_note="Prefers a call after six",
        ),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    enquiry.refresh_from_db()
    assert enquiry.phone == "07700 900 321"
    assert enquiry.assigned_to == recruitment.user
    note = EnquiryNote.objects.get(enquiry=enquiry)
    assert (note.author, note.text) == (recruitment.user, "Prefers a call after six")
    pending = Notification.objects.pending().filter(template="enquiries/enquiry_overdue")
    assert set(pending.values_list("to", flat=True)) == {recruitment.user.email}
    html = recruitment.get(change_url(enquiry)).content.decode()
    assert "Prefers a call after six" in html.split("Timeline", 1)[1]


def test_a_refused_part_of_the_save_keeps_none_of_it_and_says_why(recruitment, monkeypatch):
    enquiry = submit().enquiry
    phone = enquiry.phone

    def refuse(**kwargs):
        raise enquiry_services.EnquiryError("Notes cannot be added just now.")

    # The page's save is one service (enquiry_staff_edit): the details and the assignment
    # are saved first, so a refused note must undo them.
    monkeypatch.setattr(enquiry_services, "enquiry_note_add", refuse)
    response = recruitment.post(
        change_url(enquiry),
        details_form(
            enquiry, phone="07700 900 321", assigned_to=recruitment.user.pk, new_note="Hello"
        ),
    )
    assert response.status_code == 200
    assert "Notes cannot be added just now." in response.content.decode()
    enquiry.refresh_from_db()
    assert (enquiry.phone, enquiry.assigned_to) == (phone, None)
    assert not EnquiryNote.objects.filter(enquiry=enquiry).exists()


def test_only_recruiters_and_managers_can_be_assigned(recruitment, make_staff):
    social_worker = make_staff(Role.SOCIAL_WORKERS, first_name="Sami")
    manager = make_staff(Role.TEAM_MANAGERS, first_name="Morgan")
    enquiry = EnquiryFactory()
    html = recruitment.get(change_url(enquiry)).content.decode()
    options = html.split('name="assigned_to"', 1)[1].split("</select>", 1)[0]
    assert "Morgan" in options and "Rafi" in options
    assert "Sami" not in options
    response = recruitment.post(
        change_url(enquiry), details_form(enquiry, assigned_to=social_worker.pk)
    )
    assert response.status_code == 200
    assert manager.pk


def test_an_anonymised_enquiry_is_read_only(recruitment):
    enquiry = EnquiryFactory()
    enquiry_services.enquiry_close(enquiry=enquiry, by=recruitment.user, reason="withdrew")
    enquiry_services.enquiry_anonymise(enquiry=enquiry)
    html = recruitment.get(change_url(enquiry)).content.decode()
    assert 'name="first_name"' not in html
    assert 'name="new_note"' not in html
    assert "(anonymised)" in recruitment.get(LIST_URL).content.decode()


# -- actions ---------------------------------------------------------------------------------


def act(client, action, enquiries, **extra):
    return client.post(
        LIST_URL,
        {"action": action, "_selected_action": [e.pk for e in enquiries], **extra},
    )


def test_actions_call_the_services_and_report_refusals(recruitment):
    new = EnquiryFactory()
    closed = EnquiryFactory()
    enquiry_services.enquiry_close(enquiry=closed, by=recruitment.user, reason="duplicate")
    response = act(recruitment, "mark_contacted", [new, closed])
    assert response.status_code == 302
    new.refresh_from_db()
    assert new.status == Status.CONTACTED
    act(recruitment, "assign_to_me", [new])
    new.refresh_from_db()
    assert new.assigned_to == recruitment.user
    act(recruitment, "close_no_response", [new])
    new.refresh_from_db()
    assert (new.status, new.closed_reason) == (Status.CLOSED, "no_response")


def test_the_csv_export_has_the_columns_and_defuses_formulas(recruitment):
    enquiry = EnquiryFactory(
        first_name="=HYPERLINK(1)",
        children_ages=[3],
        household=Enquiry.Household.COUPLE,
        partner_name="Sam Bloggs",
        postcode="OK1 2AB",
    )
    response = act(recruitment, "export_csv", [enquiry])
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="enquiries-')
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    notice, header, row = rows
    assert notice == [
        "# This file holds personal data. Keep it securely, share it only with those who "
        "need it, and delete it when done."
    ]
    record = dict(zip(header, row, strict=True))
    assert record["Reference"] == enquiry.reference
    assert record["First name"] == "'=HYPERLINK(1)"
    assert record["Status"] == "New"
    assert record["Postcode district"] == "OK1"
    assert record["Aged 21 or over"] == "yes"
    assert record["Next deadline"]
    # Minimised: no free text, no partner's name, no children's details, no full postcode.
    assert "Your question" not in header
    assert not {"Partner", "Children's ages", "Postcode"} & set(header)
    assert "Sam Bloggs" not in response.content.decode()
    assert "OK1 2AB" not in response.content.decode()


def test_social_workers_cannot_export(staff_client):
    client = staff_client(Role.SOCIAL_WORKERS)
    html = client.get(LIST_URL).content.decode()
    assert "export_csv" not in html
    assert "mark_contacted" not in html


# -- the funnel ------------------------------------------------------------------------------


def test_the_funnel_counts_each_stage_per_month_and_source_with_a_chart(recruitment):
    by = recruitment.user
    reached = [EnquiryFactory(heard_about=Enquiry.HeardAbout.EVENT) for _ in range(3)]
    EnquiryFactory(heard_about="")
    enquiry_services.enquiry_mark_contacted(enquiry=reached[0], by=by)
    enquiry_services.enquiry_mark_contacted(enquiry=reached[1], by=by)
    enquiry_services.enquiry_mark_information_pack_sent(enquiry=reached[0], by=by)
    enquiry_services.enquiry_close(enquiry=reached[2], by=by, reason="not_eligible")
    old = EnquiryFactory(received_at=timezone.now() - timedelta(days=500))
    response = recruitment.get(FUNNEL_URL)
    html = response.content.decode()
    assert "<script" not in html.split('id="content"', 1)[1]
    assert 'style="' not in html.split('id="content"', 1)[1]
    assert '<svg role="img"' in html
    assert old.reference not in html
    totals = html.split("<tfoot>", 1)[1].split("</tfoot>", 1)[0]
    # received, contacted, pack sent, visit booked, visit done, ROI, converted, closed
    assert re.findall(r"<td>(\d+)</td>", totals) == ["4", "2", "1", "0", "0", "0", "0", "1"]
    event_row = html.split("At an information event</th>", 1)[1].split("</tr>", 1)[0]
    assert re.findall(r"<td>(\d+)</td>", event_row) == ["3", "2", "1", "0", "0", "0", "0", "1"]
    not_given = html.split("Not given</th>", 1)[1].split("</tr>", 1)[0]
    assert re.findall(r"<td>(\d+)</td>", not_given)[0] == "1"
    not_eligible = html.split("Not eligible</th>", 1)[1].split("</tr>", 1)[0]
    assert "<td>1</td>" in not_eligible
    # The chart's bars are drawn to scale: the widest is every enquiry.
    widths = [int(w) for w in re.findall(r'<rect x="260" y="\d+" width="(\d+)"', html)]
    assert widths[0] == 400 and widths[1] == 200 and widths[2] == 100


def test_the_list_links_to_the_funnel(recruitment):
    assert 'href="/admin/enquiries/enquiry/funnel/"' in recruitment.get(LIST_URL).content.decode()


# -- real dates, what was withheld, and no public page ---------------------------------------


def test_first_contact_and_the_visit_take_the_real_date_and_refuse_impossible_ones(recruitment):
    received = timezone.localdate() - timedelta(days=6)
    enquiry = EnquiryFactory(received_at=timezone.now() - timedelta(days=6))
    page = recruitment.get(move_url(enquiry, "contacted")).content.decode()
    assert 'name="happened_on"' in page
    for day, message in (
        (timezone.localdate() + timedelta(days=1), "cannot be in the future"),
        (received - timedelta(days=1), "cannot be before the enquiry arrived"),
    ):
        response = recruitment.post(move_url(enquiry, "contacted"), {"happened_on": day})
        assert response.status_code == 200
        assert message in response.content.decode()
        enquiry.refresh_from_db()
        assert enquiry.status == Status.NEW
    day = received + timedelta(days=1)
    response = recruitment.post(move_url(enquiry, "contacted"), {"happened_on": day.isoformat()})
    assert response.status_code == 302
    enquiry.refresh_from_db()
    assert timezone.localdate(enquiry.contacted_at) == day
    enquiry_services.enquiry_book_initial_visit(enquiry=enquiry, by=recruitment.user, visit_on=day)
    page = recruitment.get(move_url(enquiry, "initial-visit-done")).content.decode()
    assert 'name="happened_on"' in page
    recruitment.post(move_url(enquiry, "initial-visit-done"), {"happened_on": day.isoformat()})
    enquiry.refresh_from_db()
    assert timezone.localdate(enquiry.initial_visit_done_at) == day


def test_staff_see_that_sensitive_details_were_withheld(recruitment):
    enquiry = submit(sensitive_consent=False).enquiry
    html = recruitment.get(change_url(enquiry)).content.decode()
    assert "Something was withheld" in html
    assert "Withheld." in html
    assert "Can we apply while we both work?" in html  # the question itself is kept
    assert "IVF" not in html


def test_an_enquiry_has_no_view_on_site_link(recruitment):
    enquiry = EnquiryFactory()
    html = recruitment.get(change_url(enquiry)).content.decode()
    assert "View on site" not in html
    assert "/r/" not in html


def test_an_under_21_enquiry_shows_as_interest_for_later(recruitment):
    enquiry = submit(aged_21_or_over=False).enquiry
    html = recruitment.get(change_url(enquiry)).content.decode()
    assert "Registered interest for later" in html
    listing = recruitment.get(f"{LIST_URL}?aged_21_or_over__exact=0").content.decode()
    assert enquiry.reference in listing


@pytest.mark.parametrize(
    ("role", "offered"),
    [
        (Role.RECRUITMENT_TEAM, False),
        (Role.SOCIAL_WORKERS, True),
        (Role.TEAM_MANAGERS, True),
    ],
)
def test_the_convert_action_is_offered_only_to_those_who_may_use_it(staff_client, role, offered):
    client = staff_client(role)
    EnquiryFactory()
    html = client.get(LIST_URL).content.decode()
    assert ('value="convert_to_household"' in html) is offered


# -- the funnel: rates, timeliness, events and the financial year ----------------------------


def test_the_funnel_shows_rates_first_contact_on_time_and_time_to_each_stage(recruitment):
    by = recruitment.user
    now = timezone.now()
    quick = EnquiryFactory(received_at=now - timedelta(days=3))
    slow = EnquiryFactory(received_at=now - timedelta(days=30))
    EnquiryFactory(received_at=now - timedelta(days=2))
    EnquiryFactory(received_at=now - timedelta(days=1))
    enquiry_services.enquiry_mark_contacted(
        enquiry=quick, by=by, on=timezone.localdate(quick.received_at)
    )
    enquiry_services.enquiry_mark_contacted(
        enquiry=slow, by=by, on=timezone.localdate() - timedelta(days=10)
    )
    report = funnel_report()
    assert report["first_contact"]["on_time"] == 1
    assert report["first_contact"]["of"] == 4
    assert report["first_contact"]["percent"] == 25
    contacted = next(row for row in report["stage_times"] if row.label == "First contact")
    assert (contacted.reached, contacted.median_days) == (2, 10)
    assert ("Contacted", 2, 50) in report["rates"]
    html = recruitment.get(FUNNEL_URL).content.decode()
    assert "<strong>1 of 4</strong> enquiries (25%)" in html
    assert "<td>50%</td>" in html
    assert "Median days from the enquiry" in html


def test_the_funnel_times_each_stage_by_the_agencys_day_across_a_bank_holiday(recruitment):
    """Worked by hand. First contact is due the next working day (the agency's policy,
    ENQUIRY_FIRST_CONTACT_WORKING_DAYS = 1). Monday 31 August 2026 is the summer bank
    holiday in England, so an enquiry of Friday 28 August is due on Tuesday 1 September."""
    from datetime import date, datetime
    from zoneinfo import ZoneInfo

    london, utc = ZoneInfo("Europe/London"), ZoneInfo("UTC")
    by = recruitment.user

    def enquiry(received_at, contacted_on):
        made = EnquiryFactory(received_at=received_at)
        enquiry_services.enquiry_mark_contacted(enquiry=made, by=by, on=contacted_on)

    # Friday 28 Aug, contacted Tuesday 1 Sep: on time, 4 days.
    enquiry(datetime(2026, 8, 28, 12, tzinfo=london), date(2026, 9, 1))
    # Friday 28 Aug, contacted Wednesday 2 Sep: late, 5 days.
    enquiry(datetime(2026, 8, 28, 9, tzinfo=london), date(2026, 9, 2))
    # 23:30 UTC on Thursday 27 Aug is 00:30 on Friday 28 Aug in London: the agency's day
    # is the Friday, so Tuesday 1 Sep is on time (by the UTC day it would be late), 4 days.
    enquiry(datetime(2026, 8, 27, 23, 30, tzinfo=utc), date(2026, 9, 1))
    # Thursday 27 Aug, contacted Friday 28 Aug: on time, 1 day.
    enquiry(datetime(2026, 8, 27, 10, tzinfo=london), date(2026, 8, 28))
    # Not contacted: counted in "of", not in the time to first contact.
    EnquiryFactory(received_at=datetime(2026, 8, 27, 11, tzinfo=london))

    report = funnel_report(financial_year=2026)
    assert report["first_contact"]["on_time"] == 3
    assert report["first_contact"]["of"] == 5
    times = {row.label: row for row in report["stage_times"]}
    # Days 1, 4, 4 and 5: halfway between the middle two, 4 and 4.
    assert (times["First contact"].reached, times["First contact"].median_days) == (4, 4)
    assert (times["Converted to a carer household"].reached,) == (0,)
    assert times["Converted to a carer household"].median_days is None
    html = recruitment.get(FUNNEL_URL, {"year": 2026}).content.decode()
    assert "<strong>3 of 5</strong> enquiries (60%)" in html


def test_the_funnel_counts_enquiries_per_event_booked_before(recruitment):
    from ..events.factories import BookingFactory, InformationEventFactory

    event = InformationEventFactory(
        title="Evening in Oakway", starts_at=timezone.now() - timedelta(days=4)
    )
    BookingFactory(event=event, email="jo.bloggs@example.com")
    submit()
    submit(email="someone.else@example.com")
    html = recruitment.get(FUNNEL_URL).content.decode()
    row = html.split("Evening in Oakway, ", 1)[1].split("</tr>", 1)[0]
    assert re.findall(r"<td>(\d+)</td>", row)[0] == "1"


def test_the_funnel_names_the_events_that_led_to_most_enquiries_and_sums_the_others(
    recruitment, monkeypatch
):
    from enquiries.selectors import enquiries as enquiry_selectors

    from ..events.factories import InformationEventFactory

    monkeypatch.setattr(enquiry_selectors, "FUNNEL_EVENTS_SHOWN", 2)
    now = timezone.now()
    # Four events, newest last; enquiries after each: 1, 3, 2 and 1.
    events = [
        InformationEventFactory(title=f"Evening {n}", starts_at=now - timedelta(days=40 - n))
        for n in range(4)
    ]
    for event, enquiries in zip(events, (1, 3, 2, 1), strict=True):
        for _ in range(enquiries):
            EnquiryFactory(after_event=event, received_at=now - timedelta(days=2))
    EnquiryFactory(received_at=now - timedelta(days=2))  # after no event
    rows = funnel_report()["events"]
    # The two with most enquiries (3 and 2), newest first, then the other two together.
    assert [(row.label.split(",")[0], row.count("received")) for row in rows] == [
        ("Evening 2", 2),
        ("Evening 1", 3),
        ("The other 2 events", 2),
    ]
    html = recruitment.get(FUNNEL_URL).content.decode()
    assert "the 2 that led to the most enquiries" in html
    assert "The other 2 events</th>" in html
    # With no more events than it names, the caption says no more than what they are.
    monkeypatch.setattr(enquiry_selectors, "FUNNEL_EVENTS_SHOWN", 4)
    html = recruitment.get(FUNNEL_URL).content.decode()
    assert "booked before enquiring</caption>" in html
    assert "The other" not in html


def test_the_funnel_filters_by_financial_year_april_to_march(recruitment):
    from datetime import date, datetime, time

    def on(day):
        return timezone.make_aware(datetime.combine(day, time(12)))

    this_year = timezone.localdate().year
    year = this_year - 2
    EnquiryFactory(received_at=on(date(year, 3, 31)))  # the year before
    inside = [
        EnquiryFactory(received_at=on(date(year, 4, 1))),
        EnquiryFactory(received_at=on(date(year + 1, 3, 31))),
    ]
    EnquiryFactory(received_at=on(date(year + 1, 4, 1)))  # the year after
    response = recruitment.get(f"{FUNNEL_URL}?year={year}")
    html = response.content.decode()
    assert f"April {year} to March {year + 1}" in html
    totals = html.split("<tfoot>", 1)[1].split("</tfoot>", 1)[0]
    assert re.findall(r"<td>(\d+)</td>", totals)[0] == str(len(inside))
    months = html.split("By month received", 1)[1].split("</tbody>", 1)[0]
    assert f"April {year}" in months and f"March {year + 1}" in months
    assert f"April {year + 1}" not in months
    # A year that is not offered falls back to the last months, without an error.
    assert recruitment.get(f"{FUNNEL_URL}?year=1066").status_code == 200
    assert recruitment.get(f"{FUNNEL_URL}?year=nonsense").status_code == 200


def test_a_carer_household_message_is_not_counted_in_the_funnel(recruitment, monkeypatch):
    monkeypatch.setattr(
        enquiry_services,
        "_household_lookup",
        lambda email: enquiry_services.KnownHousehold(reference="EP00007"),
    )
    submit()
    assert funnel_report()["totals"].count("received") == 0


def test_the_move_page_names_each_help_text_as_aria_describedby_says(recruitment):
    html = recruitment.get(move_url(EnquiryFactory(), "contacted")).content.decode()
    assert 'aria-describedby="id_happened_on_helptext"' in html
    assert 'id="id_happened_on_helptext"' in html


def test_a_blocked_move_posted_directly_is_refused_on_the_page_and_nothing_is_saved(
    recruitment,
):
    enquiry = EnquiryFactory()
    response = recruitment.post(
        move_url(enquiry, "initial-visit-done"),
        {"happened_on": timezone.localdate().isoformat()},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Not done: this cannot be done<" in html
    assert "is not possible now" in html
    enquiry.refresh_from_db()
    assert enquiry.status == Status.NEW
    assert enquiry.initial_visit_done_at is None
