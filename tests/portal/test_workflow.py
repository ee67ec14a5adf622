"""The one transition engine (portal/workflow.py), on the real booking and event models.

A small workflow of our own is plugged into ``Booking`` here, so that the engine is
tested apart from the enquiries app's rules (their services have their own tests).
"""

import re
from datetime import timedelta

import pytest
from auditlog.models import LogEntry
from django.contrib.auth.models import Permission
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from enquiries.models import Booking, Enquiry, InformationEvent
from portal import audit, workflow
from portal.models import User
from portal.workflow import Action, Refused, Table, Workflow, lock
from tests.enquiries.enquiries.factories import EnquiryFactory
from tests.enquiries.events.factories import BookingFactory, InformationEventFactory

pytestmark = pytest.mark.django_db

S = Booking.Status

TABLE = Table(
    {
        S.WAITING: (S.CONFIRMED, S.CANCELLED),
        S.CONFIRMED: (S.CANCELLED,),
        S.CANCELLED: (),
    }
)
NO_PLACE = "There is no free place for this booking."
NOTES_REFUSED = "Only the events lead may add notes."


def a_place_is_free(booking, context) -> list[str]:
    return [] if (context or {}).get("free", 0) >= booking.places else [NO_PLACE]


FLOW = Workflow(
    table=TABLE,
    audit_prefix="tests.booking",
    permission="enquiries.change_booking",
    actions=(
        Action("confirm", "Confirm the place", targets=(S.CONFIRMED,), guards=(a_place_is_free,)),
        Action("cancel", "Cancel the booking", targets=(S.CANCELLED,)),
        Action(
            "note",
            "Add a note",
            states=(S.CONFIRMED,),
            permission="enquiries.delete_booking",
            permission_refused=NOTES_REFUSED,
        ),
    ),
)


def user_with(*codenames: str) -> User:
    user = User.objects.create_user(email=f"{'-'.join(codenames) or 'nobody'}@example.com")
    user.user_permissions.set(
        Permission.objects.filter(content_type__app_label="enquiries", codename__in=codenames)
    )
    return User.objects.get(pk=user.pk)  # permissions are cached per object


@pytest.fixture
def clerk():
    return user_with("change_booking")


def booking_in(status: str, **fields) -> Booking:
    return BookingFactory(status=status, phone="07700 900111", **fields)


def entries(obj):
    return LogEntry.objects.get_for_object(obj).order_by("pk")


# -- tables ------------------------------------------------------------------------------


def test_a_table_allows_only_the_moves_it_lists():
    assert TABLE.allows(S.WAITING, S.CONFIRMED)
    assert TABLE.allows(S.CONFIRMED, S.CANCELLED)
    assert not TABLE.allows(S.CONFIRMED, S.WAITING)
    assert not TABLE.allows(S.CANCELLED, S.CONFIRMED)
    assert not TABLE.allows(S.ATTENDED, S.CANCELLED), "a state it does not list goes nowhere"
    assert TABLE.targets(S.WAITING) == (S.CONFIRMED, S.CANCELLED)
    assert TABLE.targets(S.CANCELLED) == ()


# -- the buttons a record offers ------------------------------------------------------------


def names(offered) -> list[tuple[str, list[str]]]:
    return [(o.name, o.blocked_by) for o in offered]


def test_actions_for_lists_the_open_actions_with_what_blocks_them(clerk):
    waiting = booking_in(S.WAITING, places=2)
    assert names(FLOW.actions_for(waiting, user=clerk, context={"free": 1})) == [
        ("confirm", [NO_PLACE]),
        ("cancel", []),
    ]
    offered = FLOW.actions_for(waiting, user=clerk, context={"free": 2})
    assert [(o.name, o.enabled) for o in offered] == [("confirm", True), ("cancel", True)]

    confirmed = booking_in(S.CONFIRMED)
    # "note" is offered where its states say, blocked for want of its own permission.
    assert names(FLOW.actions_for(confirmed, user=clerk)) == [
        ("cancel", []),
        ("note", [NOTES_REFUSED]),
    ]
    assert names(FLOW.actions_for(booking_in(S.CANCELLED), user=clerk)) == []


def test_a_user_without_the_permission_sees_why(clerk):
    visitor = user_with()
    offered = FLOW.actions_for(booking_in(S.WAITING), user=visitor, context={"free": 0})
    assert names(offered) == [
        ("confirm", ["You do not have permission to make this change.", NO_PLACE]),
        ("cancel", ["You do not have permission to make this change."]),
    ]


# -- check -------------------------------------------------------------------------------


def test_check_refuses_a_user_without_the_permission():
    with pytest.raises(Refused) as refused:
        FLOW.check(booking_in(S.WAITING), "cancel", user=user_with())
    assert refused.value.messages == ["You do not have permission to make this change."]


def test_check_refuses_an_action_a_guard_blocks_in_the_guards_words(clerk):
    waiting = booking_in(S.WAITING, places=2)
    with pytest.raises(Refused) as refused:
        FLOW.check(waiting, "confirm", user=clerk, context={"free": 1})
    assert refused.value.message == NO_PLACE
    assert FLOW.check(waiting, "confirm", user=clerk, context={"free": 2}).name == "confirm"


def test_check_refuses_an_action_not_open_from_the_state(clerk):
    with pytest.raises(Refused) as refused:
        FLOW.check(booking_in(S.CANCELLED), "confirm", user=clerk, context={"free": 5})
    assert refused.value.message == "Confirm the place is not possible: it is “Cancelled” now."
    with pytest.raises(Refused):
        FLOW.check(
            booking_in(S.WAITING), "note", user=user_with("change_booking", "delete_booking")
        )


def test_a_refusal_keeps_each_reason_once():
    refused = Refused(["No place.", "Too late.", "No place."])
    assert refused.messages == ["No place.", "Too late."]
    assert refused.message == str(refused) == "No place. Too late."
    assert Refused("One reason.").messages == ["One reason."]


# -- move --------------------------------------------------------------------------------


def test_move_refuses_what_the_table_does_not_list_and_changes_nothing(clerk):
    booking = booking_in(S.CANCELLED)
    before = entries(booking).count()
    with pytest.raises(Refused, match="cannot move to"):
        FLOW.move(booking, to=S.CONFIRMED, by=clerk, what="confirmed")
    booking.refresh_from_db()
    assert booking.status == S.CANCELLED
    assert entries(booking).count() == before


def test_move_saves_only_the_state_and_the_fields_it_is_given(clerk):
    booking = booking_in(S.WAITING, name="Jo Bloggs", confirmed_at=None)
    now = timezone.now()
    booking.name = "Changed in memory only"
    booking.checked_in_at = now  # set by the caller, saved through also_save
    with CaptureQueriesContext(connection) as queries:
        left = FLOW.move(
            booking,
            to=S.CONFIRMED,
            by=clerk,
            what="confirmed",
            fields={"confirmed_at": now},
            also_save=("checked_in_at",),
        )
    assert left == S.WAITING
    (update,) = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("UPDATE")]
    assert '"name"' not in update
    booking.refresh_from_db()
    assert booking.name == "Jo Bloggs"
    assert booking.status == S.CONFIRMED
    assert booking.confirmed_at == now
    assert booking.checked_in_at == now


def test_move_writes_one_audit_entry_with_the_dotted_name_and_masked_fields_hidden(clerk):
    booking = booking_in(S.WAITING, confirmed_at=None)
    before = entries(booking).count()
    now = timezone.now()
    FLOW.move(
        booking,
        to=S.CONFIRMED,
        by=clerk,
        what="confirmed",
        fields={"confirmed_at": now, "phone": "07700 900222"},
        also_save=("checked_in_at",),
    )
    assert entries(booking).count() == before + 1, "the save itself writes no second entry"
    entry = entries(booking).last()
    assert entry.additional_data == {"action": "tests.booking.confirmed"}
    assert entry.actor == clerk
    assert entry.changes_dict["status"] == ["waiting", "confirmed"]
    assert entry.changes_dict["confirmed_at"] == [None, now.isoformat()]
    # Booking registers its phone as masked: neither value reaches the trail.
    assert entry.changes_dict["phone"] == [audit.MASK, audit.MASK]
    assert "0770" not in str(entry.changes)
    assert "checked_in_at" not in entry.changes_dict


def test_move_records_the_apps_history_with_from_and_to(clerk):
    booking = booking_in(S.WAITING)
    calls = []

    def history(record, from_state, to_state):
        calls.append((record.status, from_state, to_state))
        # Written after the save: the history sees the row as it now stands.
        assert Booking.objects.get(pk=record.pk).status == to_state

    FLOW.move(booking, to=S.CANCELLED, by=clerk, what="cancelled", history=history)
    assert calls == [(S.CANCELLED, S.WAITING, S.CANCELLED)]


def test_a_table_may_depend_on_the_record(clerk):
    strict = Table({S.CONFIRMED: ()})
    flow = Workflow(
        table=lambda booking: strict if booking.places > 1 else TABLE,
        actions=FLOW.actions.values(),
        audit_prefix="tests.booking",
    )
    assert [o.name for o in flow.actions_for(booking_in(S.CONFIRMED), user=clerk)] == [
        "cancel",
        "note",
    ]
    two = booking_in(S.CONFIRMED, places=2)
    assert [o.name for o in flow.actions_for(two, user=clerk)] == ["note"]
    with pytest.raises(Refused):
        flow.move(two, to=S.CANCELLED, by=clerk, what="cancelled")


def test_follow_up_work_is_queued_for_the_commit(clerk, django_capture_on_commit_callbacks):
    ran = []
    booking = booking_in(S.WAITING)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        FLOW.move(
            booking,
            to=S.CANCELLED,
            by=clerk,
            what="cancelled",
            after_commit=[lambda: ran.append(1)],
        )
    assert ran == [], "nothing runs before the commit"
    assert len(callbacks) == 1
    callbacks[0]()
    assert ran == [1]


def test_move_audits_only_what_it_sets_and_stamps_the_update(clerk):
    booking = booking_in(S.WAITING, confirmed_at=None)
    Booking.objects.filter(pk=booking.pk).update(updated_at=timezone.now() - timedelta(days=1))
    FLOW.move(booking, to=S.CONFIRMED, by=clerk, what="confirmed")
    entry = entries(booking).last()
    assert set(entry.changes_dict) == {"status"}
    booking.refresh_from_db()
    assert booking.confirmed_at is None
    assert timezone.now() - booking.updated_at < timedelta(minutes=1)


# -- in real transactions ---------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_follow_up_work_runs_after_a_commit_and_never_after_a_rollback(clerk):
    ran = []
    kept, dropped = booking_in(S.WAITING), booking_in(S.WAITING)
    with transaction.atomic():
        FLOW.move(
            lock(kept),
            to=S.CANCELLED,
            by=clerk,
            what="cancelled",
            after_commit=[lambda: ran.append("kept")],
        )
        assert ran == []
    assert ran == ["kept"]

    with pytest.raises(ZeroDivisionError), transaction.atomic():
        FLOW.move(
            lock(dropped),
            to=S.CANCELLED,
            by=clerk,
            what="cancelled",
            after_commit=[lambda: ran.append("dropped")],
        )
        1 / 0  # noqa: B018 - anything that rolls the transaction back
    assert ran == ["kept"]
    dropped.refresh_from_db()
    assert dropped.status == S.WAITING
    assert not entries(dropped).filter(additional_data__action="tests.booking.cancelled").exists()


@pytest.mark.django_db(transaction=True)
def test_lock_and_move_need_the_callers_transaction(clerk):
    booking = booking_in(S.WAITING)
    with pytest.raises(RuntimeError, match="transaction"):
        lock(booking)
    with pytest.raises(RuntimeError, match="transaction"):
        FLOW.move(booking, to=S.CANCELLED, by=clerk, what="cancelled")
    booking.refresh_from_db()
    assert booking.status == S.WAITING


# -- the lock order ----------------------------------------------------------------------

LOCKED = re.compile(r'FROM "(\w+)" WHERE "\w+"\."id" = (\d+)')


def locked_rows(queries) -> list[tuple[str, int]]:
    rows = []
    for query in queries.captured_queries:
        if "FOR UPDATE" in query["sql"] or "FOR NO KEY UPDATE" in query["sql"]:
            table, pk = LOCKED.search(query["sql"]).groups()
            rows.append((table, int(pk)))
    return rows


@pytest.fixture
def rows(require_postgres):
    event = InformationEventFactory()
    first, second = BookingFactory(event=event), BookingFactory(event=event)
    assert first.pk < second.pk
    return event, first, second


def test_lock_takes_rows_in_rank_order_whatever_order_they_are_given(rows):
    event, first, second = rows
    enquiry = EnquiryFactory()
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        got = lock(enquiry, second, (InformationEvent, event.pk), first)
    # Registered by the enquiries app: events, then bookings (by primary key), then enquiries.
    assert locked_rows(queries) == [
        ("enquiries_informationevent", event.pk),
        ("enquiries_booking", first.pk),
        ("enquiries_booking", second.pk),
        ("enquiries_enquiry", enquiry.pk),
    ]
    # Returned fresh, in the order asked for.
    assert [type(row) for row in got] == [Enquiry, Booking, InformationEvent, Booking]
    assert [row.pk for row in got] == [enquiry.pk, second.pk, event.pk, first.pk]
    assert got[1] is not second


def test_the_rank_decides_not_the_name_or_the_argument_order(rows, monkeypatch):
    event, first, second = rows
    monkeypatch.setitem(workflow._LOCK_RANKS, "enquiries.booking", 1)
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        lock(event, second, first)
    assert locked_rows(queries) == [
        ("enquiries_booking", first.pk),
        ("enquiries_booking", second.pk),
        ("enquiries_informationevent", event.pk),
    ]


def test_lock_takes_no_key_locks_and_locks_only_the_named_rows(rows):
    event, first, _ = rows
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        lock(event, no_key=True)
        booking = lock(first, related=("event",))
    no_key, related = (q["sql"] for q in queries.captured_queries)
    assert no_key.endswith("FOR NO KEY UPDATE")
    assert related.endswith('FOR UPDATE OF "enquiries_booking"')
    with CaptureQueriesContext(connection) as queries:
        assert booking.event.pk == event.pk
    assert len(queries) == 0, "the related row came with the locked one"
