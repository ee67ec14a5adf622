"""A team manager reallocates one case, or a whole caseload, to another social worker
(``portal.caseloads``): households move with their placements and children, open
deadlines and their reminders follow the new worker, every move is audited and refused
in words when it cannot be right."""

import threading
from datetime import timedelta

import pytest
from auditlog.models import LogEntry as AuditEntry
from django.contrib.admin.models import LogEntry as HistoryEntry
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from carers.models import Deadline, Household
from placements.models import Child, PlacementDeadline
from portal import caseloads
from portal.models import Notification
from portal.roles import Role
from portal.workflow import Refused
from tests.placements import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def newcomer(make_staff):
    return make_staff(Role.SOCIAL_WORKERS, first_name="Nia", last_name="Newcomer")


def _caseload(*, by, manager, households=1):
    """Households of ``by``, each approved and with a placement begun three days ago."""
    today = timezone.localdate()
    made = []
    for n in range(households):
        household = factories.approved_household(
            by=by, manager=manager, on=today - timedelta(days=60), surname=f"Rivers{'x' * n}"
        )
        placement = factories.placement(by, household, placed_on=today - timedelta(days=3))
        made.append((household, placement))
    return made


def _pending_to(email):
    return Notification.objects.pending().filter(to=email, due_at__gt=timezone.now())


# -- the service ------------------------------------------------------------------------------


def test_a_caseload_moves_with_its_deadlines_and_reminders(social_worker, manager, newcomer):
    (household, placement), (other, _) = _caseload(by=social_worker, manager=manager, households=2)
    assert _pending_to(social_worker.email).exists()
    assert Deadline.objects.filter(household=household).exists()

    moved = caseloads.caseload_move(
        from_worker=social_worker, to=newcomer, reason="Sam leaves the team.", by=manager
    )

    assert moved == {"carer households": 2, "placements": 2, "children": 2}
    assert set(Household.objects.values_list("social_worker", flat=True)) == {newcomer.pk}
    for model in (Deadline, PlacementDeadline):
        rows = list(model.objects.all())
        assert rows and {row.reminded_to for row in rows} == {newcomer.email}
    assert not _pending_to(social_worker.email).exists()
    assert _pending_to(newcomer.email).exists()
    entries = AuditEntry.objects.filter(additional_data__action="carers.household.reallocated")
    assert entries.count() == 2
    assert {e.additional_data["reason"] for e in entries} == {"Sam leaves the team."}
    assert entries.first().changes == {"social_worker": [str(social_worker.pk), str(newcomer.pk)]}
    history = HistoryEntry.objects.get(object_id=str(household.pk))
    assert history.change_message == "Reallocated to Nia Newcomer. Reason: Sam leaves the team."
    # The old worker is not emailed about the move.
    assert not Notification.objects.filter(to=social_worker.email, key__contains="realloc")


def test_one_household_is_reallocated_from_its_placement(social_worker, manager, newcomer):
    ((household, placement),) = _caseload(by=social_worker, manager=manager)
    child = Child.objects.get(placement_links__placement=placement)

    moved = caseloads.record_reallocate(
        record=child, to=newcomer, reason="Balancing caseloads.", by=manager
    )

    assert moved == household
    household.refresh_from_db()
    assert household.social_worker == newcomer
    assert {d.reminded_to for d in placement.deadlines.all()} == {newcomer.email}


@pytest.mark.parametrize(
    "case, expected",
    [
        ("same", "The work is already Sam Worker's: choose someone else."),
        ("inactive", "cannot take on work: choose an active member of the social workers' team."),
        ("manager", "cannot take on work: choose an active member of the social workers' team."),
        ("reason", "Say why the work is reallocated, in words."),
        ("not allowed", "Only team managers reallocate work."),
    ],
)
def test_a_move_that_cannot_be_right_is_refused_in_words(
    social_worker, manager, newcomer, make_staff, case, expected
):
    household = factories.approved_household(
        by=social_worker, manager=manager, on=timezone.localdate() - timedelta(days=60)
    )
    arguments = {"to": newcomer, "reason": "Sam leaves.", "by": manager}
    if case == "same":
        arguments["to"] = social_worker
    elif case == "inactive":
        newcomer.is_active = False
        newcomer.save()
    elif case == "manager":
        arguments["to"] = make_staff(Role.TEAM_MANAGERS)
    elif case == "reason":
        arguments["reason"] = "  ... "
    elif case == "not allowed":
        arguments["by"] = social_worker

    for move in (
        lambda: caseloads.record_reallocate(record=household, **arguments),
        lambda: caseloads.caseload_move(from_worker=social_worker, **arguments),
    ):
        with pytest.raises(Refused) as refused:
            move()
        assert expected in refused.value.message

    household.refresh_from_db()
    assert household.social_worker == social_worker
    assert not AuditEntry.objects.filter(additional_data__action="carers.household.reallocated")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_managers_moving_one_caseload_at_once_move_each_case_once(
    require_postgres, social_worker, manager, make_staff
):
    households = [
        factories.approved_household(
            by=social_worker,
            manager=manager,
            on=timezone.localdate() - timedelta(days=60),
            surname=f"Brook{'x' * n}",
        )
        for n in range(3)
    ]
    takers = [make_staff(Role.SOCIAL_WORKERS) for _ in range(2)]
    barrier = threading.Barrier(2)
    outcomes: list = []

    def move(to):
        try:
            barrier.wait(timeout=60)
            outcomes.append(
                caseloads.caseload_move(
                    from_worker=social_worker, to=to, reason="Sam leaves.", by=manager
                )["carer households"]
            )
        finally:
            connection.close()

    threads = [threading.Thread(target=move, args=(to,)) for to in takers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    print("households moved by each manager:", outcomes)
    assert sorted(outcomes) == [0, 3]
    workers = {
        h.social_worker_id for h in Household.objects.filter(pk__in=[h.pk for h in households])
    }
    assert len(workers) == 1 and workers <= {t.pk for t in takers}
    assert (
        AuditEntry.objects.filter(additional_data__action="carers.household.reallocated").count()
        == 3
    )
    assert {d.reminded_to for d in Deadline.objects.all()} == {
        t.email for t in takers if t.pk in workers
    }


# -- the staff pages ----------------------------------------------------------------------------


def test_a_manager_reallocates_a_household_from_its_page(client, social_worker, manager, newcomer):
    ((household, placement),) = _caseload(by=social_worker, manager=manager)
    client.force_login(manager)
    page = reverse("admin:carers_household_change", args=[household.pk])
    url = reverse("admin:carers_household_reallocate", args=[household.pk])
    assert f'href="{url}"' in client.get(page).content.decode()
    form = client.get(url).content.decode()
    assert "Allocated to Sam Worker." in form

    refused = client.post(url, {"to": newcomer.pk, "reason": ""})
    assert refused.status_code == 200 and "This field is required" in refused.content.decode()
    response = client.post(url, {"to": newcomer.pk, "reason": "Balancing caseloads."})

    assert response.status_code == 302 and response["Location"] == page
    household.refresh_from_db()
    assert household.social_worker == newcomer
    # The placement's page offers the same move, through its carers' household.
    placement_page = reverse("admin:placements_placement_reallocate", args=[placement.pk])
    assert str(household) in client.get(placement_page).content.decode()


def test_a_social_worker_may_not_reallocate(client, social_worker, manager, newcomer):
    ((household, placement),) = _caseload(by=social_worker, manager=manager)
    client.force_login(social_worker)
    page = client.get(reverse("admin:carers_household_change", args=[household.pk]))
    assert "/reallocate/" not in page.content.decode()
    for url in (
        reverse("admin:carers_household_reallocate", args=[household.pk]),
        reverse("admin:placements_placement_reallocate", args=[placement.pk]),
        reverse("admin:portal_user_move_caseload"),
    ):
        assert client.get(url).status_code == 403
        assert client.post(url, {"to": newcomer.pk, "reason": "Mine now."}).status_code == 403
    household.refresh_from_db()
    assert household.social_worker == social_worker


def test_a_moved_caseload_shows_on_the_new_workers_home_page_and_lists(
    client, social_worker, manager, newcomer
):
    ((household, placement),) = _caseload(by=social_worker, manager=manager)
    client.force_login(manager)
    url = reverse("admin:portal_user_move_caseload")
    data = {"from_worker": social_worker.pk, "to": newcomer.pk, "reason": "Sam leaves."}

    preview = client.post(url, data).content.decode()
    assert "Sam Worker has 1 carer household, 1 placement, 1 child open." in preview
    household.refresh_from_db()
    assert household.social_worker == social_worker  # nothing moves before confirming
    same = client.post(url, {**data, "to": social_worker.pk}).content.decode()
    assert "Choose someone other than the worker whose caseload moves." in same

    done = client.post(url, {**data, "previewed": f"{social_worker.pk}:{newcomer.pk}"})
    households = reverse("admin:carers_household_changelist")
    assert done["Location"] == f"{households}?caseload={newcomer.pk}"
    listed = client.get(done["Location"]).content.decode()
    assert "Moved to Nia Newcomer: 1 carer household, 1 placement, 1 child." in listed
    assert household.reference in listed
    placements = reverse("admin:placements_placement_changelist")
    assert (
        placement.reference in client.get(f"{placements}?caseload={newcomer.pk}").content.decode()
    )

    client.force_login(newcomer)
    home = client.get(reverse("admin:index")).content.decode()
    due = PlacementDeadline.objects.filter(placement=placement).order_by("due_on").first()
    assert due is not None and due.label in home
    client.force_login(social_worker)
    assert due.label not in client.get(reverse("admin:index")).content.decode()


def test_the_move_caseload_page_reads_as_many_queries_for_a_large_caseload(
    client, social_worker, manager, newcomer
):
    client.force_login(manager)
    url = reverse("admin:portal_user_move_caseload")
    data = {"from_worker": social_worker.pk, "to": newcomer.pk, "reason": "Sam leaves."}
    counts = []
    # Ten times the cases: 2 households, then 20.
    for size, more in ((2, 2), (20, 18)):
        _caseload(by=social_worker, manager=manager, households=more)
        client.get(url)  # the session and the permissions settle
        with CaptureQueriesContext(connection) as page:
            client.get(url)
        with CaptureQueriesContext(connection) as preview:
            body = client.post(url, data).content.decode()
        assert f"Sam Worker has {size} carer household" in body
        counts.append((len(page), len(preview)))
    print("queries (form, preview) with 2 and 20 households:", counts)
    assert counts[0] == counts[1]
