"""The household page in sections: each shows and saves only its own part of the case, the
checks' "Requested today" and "Received today" buttons, the documents list, and a query
budget per section that does not grow with the household."""

import re
from datetime import timedelta

import pytest
from auditlog.models import LogEntry
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from carers import services
from carers.models import Document, StatutoryCheck
from carers.services import TransitionRefused
from portal.roles import Role
from tests.carers import factories as f
from tests.carers.helpers import form_data
from tests.carers.test_household_page_limits import large_household

pytestmark = pytest.mark.django_db

SECTIONS = ("overview", "people", "checks", "training", "documents", "panels", "timeline")

# The inline formsets (their management forms' prefixes) each section's form holds.
FORMSETS = {
    "overview": set(),
    "people": {"applicants", "members", "support_network"},
    "checks": {"checks"},
    "training": {"training"},
    "documents": {"documents"},
    # Read-only lists: no form at all.
    "panels": set(),
    "timeline": set(),
}


def section_url(household, section):
    if section == "overview":
        return reverse("admin:carers_household_change", args=[household.pk])
    return reverse("admin:carers_household_section", args=[household.pk, section])


def today_url(household):
    return reverse("admin:carers_household_check_today", args=[household.pk])


@pytest.fixture
def sw_client(client, social_worker):
    client.force_login(social_worker)
    return client


def formsets(data: dict) -> set[str]:
    return {key.removesuffix("-TOTAL_FORMS") for key in data if key.endswith("-TOTAL_FORMS")}


def snapshot(household) -> dict:
    """Every row the household page edits, as it is in the database."""
    return {
        "household": list(
            type(household).objects.filter(pk=household.pk).values("town", "postcode", "has_pets")
        ),
        "applicants": list(household.applicants.order_by("pk").values()),
        "members": list(household.members.order_by("pk").values()),
        "support": list(household.support_network.order_by("pk").values()),
        "checks": list(household.checks.order_by("pk").values()),
        "training": list(household.training.order_by("pk").values()),
        "documents": list(household.documents.order_by("pk").values()),
    }


def test_each_section_holds_only_its_own_formsets_and_a_nav_marks_it(sw_client, social_worker):
    household = f.household(social_worker)
    for section in SECTIONS:
        html = sw_client.get(section_url(household, section)).content.decode()
        data = form_data(html, "household_form")
        assert formsets(data) == FORMSETS[section], section
        # The household's own fields are on the overview only.
        assert ("postcode" in data) == (section == "overview"), section
        nav = html[html.index('<nav class="case-sections"') :]
        nav = nav[: nav.index("</nav>")]
        current = re.findall(r'<a href="([^"]+)" aria-current="page">', nav)
        assert current == [section_url(household, section)], section
        # Read-only sections have no form and no save button.
        saves = section not in ("panels", "timeline")
        assert ('id="household_form"' in html) == saves, section
        assert ('name="_save"' in html) == saves, section
        # One date box everywhere: the browser's own, never the admin's calendar widget.
        assert "vDateField" not in html, section
    assert sw_client.get(f"{section_url(household, 'overview')}nowhere/").status_code == 404


def test_saving_a_section_leaves_every_other_section_as_it_was(sw_client, social_worker):
    household = large_household(social_worker)
    for section, change in (
        ("people", lambda data: data.update({"applicants-0-phone": "07700 900999"})),
        ("checks", lambda data: data.update({"checks-0-notes": "Chased by phone"})),
        ("training", lambda data: data.update({"training-0-booked_for": "2020-01-01"})),
        ("overview", lambda data: data.update({"town": "Elmbridge"})),
    ):
        before = snapshot(household)
        url = section_url(household, section)
        data = form_data(sw_client.get(url).content.decode(), "household_form")
        change(data)
        data["_continue"] = "Save and continue editing"
        response = sw_client.post(url, data)
        assert response.status_code == 302, response.context and response.context["errors"]
        assert response["Location"] == url
        after = snapshot(household)
        changed = {name for name in before if before[name] != after[name]}
        expected = {
            "people": {"applicants"},
            "checks": {"checks"},
            "training": {"training"},
            "overview": {"household"},
        }[section]
        assert changed == expected, section


def test_a_section_saves_without_the_fields_of_the_others(sw_client, social_worker):
    """A POST of the people section alone, with no address and no other formset, saves."""
    household = f.household(social_worker, applicants=1)
    url = section_url(household, "people")
    data = form_data(sw_client.get(url).content.decode(), "household_form")
    assert "postcode" not in data and "checks-TOTAL_FORMS" not in data
    data["support_network-TOTAL_FORMS"] = "1"
    data.update({"support_network-0-name": "Ada Lane", "support_network-0-relationship": "aunt"})
    response = sw_client.post(url, data)
    assert response.status_code == 302, response.context and response.context["errors"]
    assert household.support_network.get().name == "Ada Lane"
    household.refresh_from_db()
    assert household.postcode == "OK1 2AB"


def test_the_social_worker_changes_only_through_reallocation(sw_client, social_worker, make_staff):
    """The overview shows the household's social worker in words; a posted change is ignored
    (team managers move a case with *Reallocate*, with a reason)."""
    household = f.household(social_worker, applicants=1)
    url = section_url(household, "overview")
    html = sw_client.get(url).content.decode()
    assert f"{social_worker.get_full_name()} (gets the reminders)" in html
    assert reverse("admin:portal_user_change", args=[social_worker.pk]) not in html
    data = form_data(html, "household_form")
    assert "social_worker" not in data
    data["social_worker"] = str(make_staff(Role.SOCIAL_WORKERS).pk)
    response = sw_client.post(url, data)
    assert response.status_code == 302, response.context and response.context["errors"]
    household.refresh_from_db()
    assert household.social_worker == social_worker


# -- the checks' quick buttons -------------------------------------------------------------------


def dbs(household) -> StatutoryCheck:
    return household.checks.filter(kind=StatutoryCheck.Kind.DBS).order_by("pk").first()


def test_the_checks_section_offers_one_button_per_check_waiting_in_its_own_form(
    sw_client, social_worker
):
    household = f.household(social_worker, applicants=1)
    StatutoryCheck.objects.filter(pk=dbs(household).pk).update(
        requested_on=timezone.localdate(), received_on=timezone.localdate()
    )
    html = sw_client.get(section_url(household, "checks")).content.decode()
    buttons = re.findall(r'<button type="submit" class="button case-quick" name="(\w+)"', html)
    assert len(buttons) == household.checks.filter(received_on__isnull=True).count() > 0
    assert set(buttons) == {"requested"}
    # Before the page's own form, not inside it: Enter in a box still saves the page.
    assert html.index('<form id="check-today"') < html.index('id="household_form"')


def test_requested_today_then_received_today_are_recorded_and_audited(sw_client, social_worker):
    household = f.household(social_worker, applicants=1)
    check = dbs(household)
    today = timezone.localdate()
    response = sw_client.post(today_url(household), {"requested": check.pk})
    assert response.status_code == 302
    assert response["Location"] == section_url(household, "checks")
    check.refresh_from_db()
    assert (check.requested_on, check.received_on) == (today, None)
    html = sw_client.get(section_url(household, "checks")).content.decode()
    assert "Received today" in html
    assert sw_client.post(today_url(household), {"received": check.pk}).status_code == 302
    check.refresh_from_db()
    assert check.received_on == today
    # A DBS check expires three years after it is received; its clock follows.
    assert check.expires_on is not None
    assert household.deadlines.filter(kind="check_expiry", due_on=check.expires_on).exists()
    entries = LogEntry.objects.get_for_object(check).filter(
        additional_data__action__startswith="carers.check."
    )
    assert [(e.additional_data["action"], e.actor, e.changes) for e in entries.order_by("pk")] == [
        ("carers.check.requested", social_worker, {"requested_on": [None, today.isoformat()]}),
        ("carers.check.received", social_worker, {"received_on": [None, today.isoformat()]}),
    ]


@pytest.mark.parametrize(
    ("requested_ago", "received_ago", "button", "words"),
    [
        (None, None, "received", "Record the date it was requested first"),
        (None, 3, "requested", "cannot be before the date requested"),
        (5, None, "requested", "It is already recorded as requested on"),
        (5, 2, "received", "It is already recorded as received on"),
    ],
)
def test_a_button_that_would_put_the_dates_out_of_order_is_refused_in_words(
    sw_client, social_worker, requested_ago, received_ago, button, words
):
    household = f.household(social_worker, applicants=1)
    check = dbs(household)
    today = timezone.localdate()
    StatutoryCheck.objects.filter(pk=check.pk).update(
        requested_on=today - timedelta(days=requested_ago) if requested_ago else None,
        received_on=today - timedelta(days=received_ago) if received_ago else None,
    )
    before = StatutoryCheck.objects.values().get(pk=check.pk)
    response = sw_client.post(today_url(household), {button: check.pk}, follow=True)
    assert words in response.content.decode()
    assert "not recorded" in response.content.decode()
    assert StatutoryCheck.objects.values().get(pk=check.pk) == before
    assert not LogEntry.objects.filter(additional_data__action=f"carers.check.{button}").exists()


def test_the_service_refuses_a_check_of_a_closed_household(social_worker):
    household = f.household(social_worker, applicants=1)
    services.household_close(
        household=household, on=timezone.localdate(), reason="Withdrew.", by=social_worker
    )
    with pytest.raises(TransitionRefused, match="closed"):
        services.check_record_today(check=dbs(household), what="requested", by=social_worker)


def test_the_buttons_need_the_permission_to_change_checks(client, make_staff, social_worker):
    household = f.household(social_worker, applicants=1)
    check = dbs(household)
    # Another team: not even the household.
    client.force_login(make_staff(Role.EVENTS_TEAM))
    assert client.post(today_url(household), {"requested": check.pk}).status_code == 403
    # Someone who may read the household and its checks, not change them: no buttons.
    reader = make_staff()
    reader.user_permissions.set(
        Permission.objects.filter(
            codename__in=["view_household", "view_statutorycheck", "view_applicant"]
        )
    )
    client.force_login(reader)
    html = client.get(section_url(household, "checks")).content.decode()
    assert 'id="check-today"' not in html
    assert client.post(today_url(household), {"requested": check.pk}).status_code == 403
    # A check of another household is not found through this one.
    other = f.household(social_worker, applicants=1)
    client.force_login(social_worker)
    assert client.post(today_url(household), {"requested": dbs(other).pk}).status_code == 404
    check.refresh_from_db()
    assert check.requested_on is None


# -- documents -----------------------------------------------------------------------------------


def test_documents_are_listed_by_title_with_the_uploader_as_plain_words(sw_client, social_worker):
    household = f.household(social_worker)
    document = f.upload(household, Document.Kind.PAR, social_worker)
    Document.objects.filter(pk=document.pk).update(title="Prospective adopter's report")
    html = sw_client.get(section_url(household, "documents")).content.decode()
    link = f'<a href="{document.get_absolute_url()}">Prospective adopter&#x27;s report</a>'
    assert link in html
    assert f"by {social_worker.get_full_name()}." in html
    assert "/admin/portal/user/" not in html
    # The file's stored name is never shown.
    assert document.file.name.split("/")[-1] not in html


# -- query budget --------------------------------------------------------------------------------


def test_each_section_reads_the_same_number_of_queries_for_3_or_30_checks(sw_client, social_worker):
    small = f.household(social_worker, applicants=2, has_pets=True)
    services.household_after_edit(household=small)
    f.upload(small, Document.Kind.OTHER, social_worker)
    large = large_household(social_worker)
    assert large.checks.count() >= 30 and large.training.count() >= 40
    for section in SECTIONS:
        sw_client.get(section_url(small, section))
        counts = []
        for household in (small, large):
            with CaptureQueriesContext(connection) as queries:
                assert sw_client.get(section_url(household, section)).status_code == 200
            counts.append(len(queries))
        print(section, counts)
        assert counts[0] == counts[1] <= 45, section
