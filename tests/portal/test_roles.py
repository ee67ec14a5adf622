"""Which admin pages each role can open. Keep in step with the table in README.md."""

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group

from portal.roles import Role

pytestmark = pytest.mark.django_db

EVENTS, RECRUITMENT, SOCIAL, MANAGERS, EDITORS = (
    Role.EVENTS_TEAM,
    Role.RECRUITMENT_TEAM,
    Role.SOCIAL_WORKERS,
    Role.TEAM_MANAGERS,
    Role.CONTENT_EDITORS,
)

# Admin changelist -> the roles that may open it. Superusers aside, nobody else may.
ADMIN_ACCESS: dict[str, set[str]] = {
    "portal.user": set(),
    "auth.group": set(),
    "account.emailaddress": set(),
    "mfa.authenticator": set(),
    "auditlog.logentry": {MANAGERS},
    "portal.notification": {MANAGERS},
    "portal.lettertemplate": {MANAGERS},
    "portal.exportlog": {MANAGERS},
    "portal.legalhold": {MANAGERS},
    "portal.retentionrun": {MANAGERS},
    "portal.subjectaccessrequest": {MANAGERS},
    "carers.household": {SOCIAL, MANAGERS},
    "carers.document": {SOCIAL, MANAGERS},
    "carers.panelsitting": {SOCIAL, MANAGERS},
    "carers.panelmember": {SOCIAL, MANAGERS},
    "carers.trainingcourse": {SOCIAL, MANAGERS},
    "carers.deadline": {SOCIAL, MANAGERS},
    "placements.child": {SOCIAL, MANAGERS},
    "placements.siblinggroup": {SOCIAL, MANAGERS},
    "placements.placement": {SOCIAL, MANAGERS},
    "placements.temporaryapproval": {SOCIAL, MANAGERS},
    "placements.familytimesession": {SOCIAL, MANAGERS},
    "placements.communicationbookentry": {SOCIAL, MANAGERS},
    "placements.placementdeadline": {SOCIAL, MANAGERS},
    "placements.referral": {SOCIAL, MANAGERS},
    "placements.matchingpause": {SOCIAL, MANAGERS},
    "placements.postcodedistrict": {SOCIAL, MANAGERS},
    "placements.termsexemption": {SOCIAL, MANAGERS},
    "portal.team": {MANAGERS},
    "portal.recordshare": {MANAGERS},
    "portal.restriction": {MANAGERS},
    "portal.breakglassopening": {MANAGERS},
    "placements.proceedings": {SOCIAL, MANAGERS},
    "placements.localauthority": {SOCIAL, MANAGERS},
    "placements.professional": {SOCIAL, MANAGERS},
    "placements.childdocument": {SOCIAL, MANAGERS},
    "enquiries.informationevent": {EVENTS},
    "enquiries.booking": {EVENTS},
    "enquiries.enquiry": {RECRUITMENT, MANAGERS, SOCIAL},
    "content.page": {EDITORS},
    "content.faqtopic": {EDITORS},
    "content.faq": {EDITORS},
    "content.story": {EDITORS},
    "content.servedpostcodearea": {EDITORS},
    "content.eligibilitycompletioncount": {EDITORS},
}


def test_every_admin_page_is_in_the_access_table():
    registered = {f"{m._meta.app_label}.{m._meta.model_name}" for m in admin.site._registry}
    assert registered - set(ADMIN_ACCESS) == set(), "add the new admin pages to ADMIN_ACCESS"


def test_the_roles_exist_after_migrate():
    assert set(Group.objects.values_list("name", flat=True)) >= set(Role.ALL)


@pytest.mark.parametrize("role", Role.ALL)
def test_each_role_opens_exactly_its_admin_pages(client, make_staff, role):
    client.force_login(make_staff(role))
    for model, roles in ADMIN_ACCESS.items():
        app_label, model_name = model.split(".")
        response = client.get(f"/admin/{app_label}/{model_name}/")
        expected = 200 if role in roles else 403
        assert response.status_code == expected, f"{role} on {model}: {response.status_code}"


def test_a_superuser_opens_every_admin_page(client, make_staff):
    client.force_login(make_staff(superuser=True))
    for model in ADMIN_ACCESS:
        app_label, model_name = model.split(".")
        assert client.get(f"/admin/{app_label}/{model_name}/").status_code == 200


def test_the_public_cannot_open_the_admin(client):
    response = client.get("/admin/portal/notification/", follow=True)
    assert response.redirect_chain[-1][0].startswith("/accounts/login/")
    assert response.status_code == 200
