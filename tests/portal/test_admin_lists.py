"""Lists over tables that only grow (portal/admin_lists.py, portal/admin_audit.py).

After ten years the audit log holds a million entries and the outbox half a million
emails: these lists take the database's estimate of an unfiltered table's size, find
their filters' choices without reading every row, and search through an index. The
indexes are checked with ``EXPLAIN``: each is one the database can use for the query the
list sends (sequential scans are switched off for the check, as a table of test size is
read faster whole).
"""

import re
from datetime import timedelta

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from carers.models import Household
from enquiries.admin.events import BookingAdmin
from enquiries.models import Booking, InformationEvent
from enquiries.services import events as event_services
from placements.models import FamilyTimeSession
from portal import admin_lists
from portal.models import Notification
from portal.roles import Role

pytestmark = pytest.mark.django_db

OUTBOX = reverse("admin:portal_notification_changelist")
AUDIT = reverse("admin:auditlog_logentry_changelist")
BOOKINGS = reverse("admin:enquiries_booking_changelist")


@pytest.fixture
def root(client, make_staff):
    client.force_login(make_staff(superuser=True))
    return client


def emails(n: int, *, template: str = "portal/staff_welcome", due_at=None) -> None:
    due_at = due_at or timezone.now()
    Notification.objects.bulk_create(
        Notification(key=f"{template}:{i}", to=f"p{i}@example.org", template=template,
                     due_at=due_at, next_attempt_at=due_at)
        for i in range(n)
    )  # fmt: skip


def analyse(table: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {table}")


@pytest.mark.postgres
@pytest.mark.usefixtures("require_postgres")
def test_a_large_unfiltered_list_shows_the_estimate_and_a_filtered_one_is_counted(
    root, monkeypatch
):
    monkeypatch.setattr(admin_lists, "ESTIMATE_FROM", 10)
    emails(30)
    emails(5, template="enquiries/booking_link")
    analyse("portal_notification")

    with CaptureQueriesContext(connection) as captured:
        page = root.get(OUTBOX).content.decode()
    assert "About 35 notifications" in page
    counted = [q["sql"] for q in captured.captured_queries if q["sql"].startswith("SELECT COUNT(")]
    assert not any("portal_notification" in sql for sql in counted), counted

    filtered = root.get(OUTBOX, {"template": "enquiries/booking_link"}).content.decode()
    assert "About" not in filtered
    assert "5 notifications" in filtered


@pytest.mark.postgres
@pytest.mark.usefixtures("require_postgres")
def test_a_small_table_is_counted_exactly_in_as_many_queries(root, monkeypatch):
    emails(12)
    analyse("portal_notification")
    monkeypatch.setattr(admin_lists, "ESTIMATE_FROM", 10)
    with CaptureQueriesContext(connection) as estimated:
        assert "About 12 notifications" in root.get(OUTBOX).content.decode()
    monkeypatch.setattr(admin_lists, "ESTIMATE_FROM", 13)
    with CaptureQueriesContext(connection) as small:
        page = root.get(OUTBOX).content.decode()
    assert "12 notifications" in page and "About" not in page  # below the threshold
    assert len(estimated) == len(small)


def test_the_outbox_is_searched_by_the_exact_key(root):
    emails(3)
    found = root.get(OUTBOX, {"q": "portal/staff_welcome:1"}).content.decode()
    assert "1 result" in found
    partly = root.get(OUTBOX, {"q": "staff_welcome"}).content.decode()
    assert re.search(r"\b0 results", partly)


def test_the_outbox_template_filter_lists_recent_templates_only(root):
    emails(2, template="enquiries/booking_link")
    emails(2, template="enquiries/event_cancelled", due_at=timezone.now() - timedelta(days=400))
    page = root.get(OUTBOX).content.decode()
    assert "?template=enquiries%2Fbooking_link" in page
    assert "?template=enquiries%2Fevent_cancelled" not in page
    # An older template is still filtered for by its address, and then offered.
    old = root.get(OUTBOX, {"template": "enquiries/event_cancelled"}).content.decode()
    assert "2 notifications" in old
    assert "?template=enquiries%2Fevent_cancelled" in old


def test_the_audit_log_offers_the_audited_record_types_and_filters_by_them(root, make_staff):
    from tests.carers import factories

    household = factories.household(make_staff(Role.SOCIAL_WORKERS))
    page = root.get(AUDIT).content.decode()
    kind = ContentType.objects.get_for_model(Household)
    assert f"?resource_type={kind.pk}" in page
    assert ">Household</a>" in page
    # Not read from the entries: a type with none yet is offered too, and the types only
    # ``portal.audit.record`` writes entries for (decisions, letters), not the registry.
    from carers.models import QualifyingDetermination
    from portal.models import Letter

    for model in (FamilyTimeSession, QualifyingDetermination, Letter):
        assert f"?resource_type={ContentType.objects.get_for_model(model).pk}" in page, model
    filtered = root.get(AUDIT, {"resource_type": kind.pk}).content.decode()
    assert household.reference in filtered
    assert "?timestamp__gte=" in page, "the date filters replace the date drill-down"


def test_the_audit_log_is_filtered_by_who_did_it(root, make_staff):
    from tests.carers import factories

    sam = make_staff(Role.SOCIAL_WORKERS, first_name="Sam", last_name="Jones")
    riley = make_staff(Role.SOCIAL_WORKERS, first_name="Riley", last_name="Stone")
    by_sam = factories.household(sam)
    by_riley = factories.household(riley)
    assert LogEntry.objects.filter(actor=sam).exists()
    page = root.get(AUDIT).content.decode()
    assert f"?actor={sam.pk}" in page and "Sam Jones" in page
    LogEntry.objects.filter(object_repr=by_riley.reference).update(actor=riley)
    LogEntry.objects.filter(object_repr=by_sam.reference).update(actor=sam)
    shown = root.get(AUDIT, {"actor": sam.pk}).content.decode()
    assert by_sam.reference in shown and by_riley.reference not in shown


def test_the_audit_log_is_searched_by_the_record_name(root, make_staff):
    from tests.carers import factories

    household = factories.household(make_staff(Role.SOCIAL_WORKERS))
    assert LogEntry.objects.filter(object_repr__icontains=household.reference).exists()
    found = root.get(AUDIT, {"q": household.reference}).content.decode()
    assert household.reference in found and not re.search(r"\b0 results", found)


def _event(title: str, days: int) -> InformationEvent:
    starts = timezone.now() + timedelta(days=days)
    event = InformationEvent(
        title=title,
        kind=InformationEvent.Kind.ONLINE,
        starts_at=starts,
        ends_at=starts + timedelta(hours=1),
        places=10,
        joining_link="https://meet.example.org/x",
        description="An evening.",
    )
    event_services.event_save(event=event)
    return event


def test_the_bookings_event_filter_lists_recent_and_coming_events(root):
    old, recent, coming = _event("Long ago", -400), _event("Last month", -30), _event("Soon", 7)
    Booking.objects.create(
        event=old, name="Ada Old", email="ada@example.org", places=1, status=Booking.Status.ATTENDED
    )
    page = root.get(BOOKINGS).content.decode()
    assert f"?event__id__exact={recent.pk}" in page
    assert f"?event__id__exact={coming.pk}" in page
    assert f"?event__id__exact={old.pk}" not in page
    # The old event's page links here by the same address: its bookings, and it is named.
    chosen = root.get(BOOKINGS, {"event__id__exact": old.pk}).content.decode()
    assert "Ada Old" in chosen and "Long ago" in chosen


def test_bookings_are_searched_by_name_email_and_the_events_title(root):
    evening, coffee = _event("Early Permanence evening", 7), _event("Coffee morning", 9)
    for event, name, email in (
        (evening, "Ada Lovelace", "ada@example.org"),
        (evening, "Grace Hopper", "grace@navy.example"),
        (coffee, "Alan Turing", "alan@example.org"),
    ):
        Booking.objects.create(
            event=event, name=name, email=email, places=1, status=Booking.Status.CONFIRMED
        )

    def found(q: str) -> set[str]:
        page = root.get(BOOKINGS, {"q": q})
        assert page.status_code == 200
        return {b.name for b in page.context["cl"].result_list}

    assert found("lovelace") == {"Ada Lovelace"}
    assert found("navy") == {"Grace Hopper"}
    assert found("permanence") == {"Ada Lovelace", "Grace Hopper"}
    # Every word must match somewhere, as in Django's own search.
    assert found("coffee alan") == {"Alan Turing"}
    assert found("coffee ada") == set()
    assert found('"early permanence" grace') == {"Grace Hopper"}
    assert found("nobody") == set()


@pytest.mark.postgres
@pytest.mark.usefixtures("require_postgres")
def test_the_bookings_search_reads_its_trigram_indexes_and_the_events_id(root):
    """No join to the events in the search: the title's events are found first, so the
    name, email and event conditions are answered by three indexes together."""
    from django.contrib import admin
    from django.test import RequestFactory

    from portal.trigram import index_name

    _event("Taylor evening", 7)
    model_admin = admin.site._registry[Booking]
    request = RequestFactory().get("/")
    request.user = root.get("/admin/").wsgi_request.user
    found, _ = model_admin.get_search_results(request, Booking.objects.all(), "Taylor")
    sql, params = found.order_by().values("pk").query.sql_with_params()
    assert "enquiries_informationevent" not in sql
    plan = _plan(sql, params, bitmap_only=True)
    wanted = [index_name("enquiries_booking", column) for column in ("name", "email")]
    assert "BitmapOr" in plan and all(name in plan for name in wanted), plan
    # The event's id through whichever of its indexes the planner takes.
    assert re.search(r"Index Cond: \(event_id = ", plan), plan


def _plan(sql: str, params, *, bitmap_only: bool = False, ordered: bool = False) -> str:
    """The plan with the table scans the index should make needless switched off (the
    planner still uses one if nothing else can answer): whatever statistics earlier tests
    left, the plan says whether the index can serve the query."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        if bitmap_only:  # can the search be answered from its indexes alone?
            cursor.execute("SET LOCAL enable_indexscan = off")
        if ordered:  # can the index give the rows in the list's order?
            cursor.execute("SET LOCAL enable_bitmapscan = off")
            cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


def _list_plan(model, root) -> str:
    """The plan of the first page of ``model``'s staff list, as a superuser opens it."""
    from django.contrib import admin
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    request.user = root.get("/admin/").wsgi_request.user
    changelist = admin.site._registry[model].get_changelist_instance(request)
    sql, params = changelist.queryset[:50].query.sql_with_params()
    return _plan(sql, params, ordered=True)


@pytest.mark.postgres
@pytest.mark.usefixtures("require_postgres")
@pytest.mark.parametrize(
    ("model", "index"),
    [(FamilyTimeSession, "family_time_list_idx"), (Booking, "booking_created_idx")],
)
def test_a_long_list_reads_its_index_newest_first_without_sorting(root, model, index):
    plan = _list_plan(model, root)
    assert index in plan, plan
    assert "Sort" not in plan, plan


@pytest.mark.postgres
@pytest.mark.usefixtures("require_postgres")
def test_the_audit_log_search_uses_its_trigram_index(root):
    queryset = LogEntry.objects.filter(object_repr__icontains="HH00012")
    sql, params = queryset.query.sql_with_params()
    assert "auditlog_logentry_object_repr_trgm" in _plan(sql, params)


def test_family_time_is_searched_by_a_whole_reference_through_the_indexes(root, make_staff):
    """The child and placement are found first, so the sessions are filtered by their ids
    (``family_time_child_idx``, ``family_time_session_idx``), not by a join searched."""
    from django.contrib import admin
    from django.test import RequestFactory

    from tests.placements import factories

    request = RequestFactory().get("/")
    request.user = root.get("/admin/").wsgi_request.user
    model_admin = admin.site._registry[FamilyTimeSession]
    worker = make_staff(Role.SOCIAL_WORKERS)
    child = factories.child(worker, first_name="Ash", last_name="Vale")
    other = factories.child(worker, first_name="Bo", last_name="Reed")
    for each in (child, other):
        factories.family_time_plan(worker, each, starts_on=timezone.localdate())
    everything = model_admin.get_queryset(request)
    assert everything.filter(child=child).exists() and everything.filter(child=other).exists()

    found, _ = model_admin.get_search_results(request, everything, f" {child.reference.lower()} ")
    assert f'"child_id" IN ({child.pk})' in str(found.query)
    assert set(found.values_list("child", flat=True)) == {child.pk}
    part, _ = model_admin.get_search_results(request, everything, child.reference[:-1])
    assert not part.exists(), "a part of a reference finds nothing"
    shown = root.get(
        reverse("admin:placements_familytimesession_changelist"), {"q": child.reference}
    ).content.decode()
    count = found.count()
    assert count > 0
    # "10 results" contains "0 results": the page must give the search's own count.
    assert re.search(rf"\b{count} results?\b", shown), count


@pytest.mark.postgres
@pytest.mark.usefixtures("require_postgres")
def test_the_enquiries_search_reads_a_trigram_index_for_every_column_it_searches(root):
    from django.contrib import admin
    from django.test import RequestFactory

    from enquiries.models import Enquiry
    from portal.trigram import index_name

    model_admin = admin.site._registry[Enquiry]
    wanted = {index_name("enquiries_enquiry", field) for field in model_admin.search_fields}
    assert len(wanted) == 5
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'enquiries_enquiry'")
        assert wanted <= {row[0] for row in cursor.fetchall()}
    request = RequestFactory().get("/")
    request.user = root.get("/admin/").wsgi_request.user
    found, _ = model_admin.get_search_results(request, model_admin.get_queryset(request), "Tay")
    sql, params = found.order_by().values("pk").query.sql_with_params()
    plan = _plan(sql, params, bitmap_only=True)
    assert "BitmapOr" in plan and all(name in plan for name in wanted), plan


@pytest.mark.postgres
@pytest.mark.usefixtures("require_postgres")
def test_selecting_all_of_an_estimated_list_says_about(root, monkeypatch):
    monkeypatch.setattr(admin_lists, "ESTIMATE_FROM", 1)
    event = _event("Soon", 7)
    for n in range(2):
        Booking.objects.create(
            event=event, name=f"P{n}", email=f"p{n}@example.org", places=1,
            status=Booking.Status.CONFIRMED,
        )  # fmt: skip
    analyse("enquiries_booking")
    with monkeypatch.context() as m:
        m.setattr(BookingAdmin, "list_per_page", 1)
        page = root.get(BOOKINGS).content.decode()
    assert "About 2 bookings" in page
    assert "Select all (about 2 bookings)" in page
    assert "All of about 2 selected" in page
    assert "Select all 2 bookings" not in page


def test_an_unfiltered_list_does_not_offer_to_show_all_and_a_filtered_one_does(root):
    emails(3)
    assert "Show all" not in root.get(OUTBOX).content.decode()
    filtered = root.get(OUTBOX, {"q": "portal/staff_welcome:1"}).content.decode()
    assert "1 result" in filtered and "Show all" in filtered


def test_each_rows_tick_box_is_djangos_own_markup_and_selects_the_row(root):
    """The long lists write each row's tick box directly (``LargeTableAdmin``): the markup
    is byte for byte what Django's widget renders, whatever the record's name and key,
    and the box on the page still selects its row for an action."""
    from django.contrib import admin

    class Record:
        def __init__(self, pk, name):
            self.pk, self.name = pk, name

        def __str__(self):
            return self.name

    event = _event("Soon <evening> & more", 7)
    booking = Booking.objects.create(
        event=event, name="Ada \"Quoted\" <Lovelace> & O'Neil", email="ada@example.org",
        places=1, status=Booking.Status.CONFIRMED,
    )  # fmt: skip
    model_admin = admin.site._registry[Booking]
    for record in (booking, Record("key'with\"<quotes>&", "Name 'with' \"quotes\" <&>")):
        ours = model_admin.action_checkbox(record)
        assert ours == admin.ModelAdmin.action_checkbox(model_admin, record)
    # Ticked on the page and sent with an action, the row is the one acted on.
    page = root.get(BOOKINGS).content.decode()
    ticked = re.findall(r'<input type="checkbox" name="_selected_action" value="(\d+)"', page)
    assert ticked == [str(booking.pk)]
    response = root.post(
        BOOKINGS, {"action": "cancel_bookings", "_selected_action": ticked}, follow=True
    )
    assert response.status_code == 200
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED
