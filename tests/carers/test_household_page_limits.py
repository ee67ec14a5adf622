"""The household page of a large household saves: the request limits fit what it posts."""

from datetime import date
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.urls import reverse

from carers import services
from carers.models import (
    Document,
    HouseholdMember,
    StatutoryCheck,
    SupportNetworkMember,
    TrainingCourse,
)
from tests.carers import factories as f
from tests.carers.helpers import form_data

pytestmark = pytest.mark.django_db


def large_household(social_worker):
    """Two applicants (the most a household has), 8 members, 10 contacts, 30 checks,
    40 training records, 5 documents."""
    household = f.household(social_worker, applicants=2, has_pets=True)
    HouseholdMember.objects.bulk_create(
        HouseholdMember(
            household=household,
            first_name=f"Member{n}",
            last_name="Rivers",
            relationship="adult child",
            date_of_birth=date(1990 + n, 1, 1),
        )
        for n in range(8)
    )
    SupportNetworkMember.objects.bulk_create(
        SupportNetworkMember(
            household=household,
            name=f"Friend {n}",
            relationship="friend",
            phone="07700 900123",
            email=f"friend{n}@example.com",
        )
        for n in range(10)
    )
    services.household_after_edit(household=household)
    # Extra references (a referee who fell through, then another): 30 checks or more.
    applicant = household.applicants.first()
    StatutoryCheck.objects.bulk_create(
        StatutoryCheck(
            household=household,
            kind=StatutoryCheck.Kind.PERSONAL_REFERENCE,
            applicant=applicant,
            referee_name=f"Referee {n}",
        )
        for n in range(max(0, 30 - household.checks.count()))
    )
    # An agency with a long course list: 20 courses, 40 training records for two applicants.
    template = TrainingCourse.objects.first()
    TrainingCourse.objects.bulk_create(
        TrainingCourse(
            name=f"Optional course {n}",
            due_from=template.due_from,
            due_within_months=12,
            complete_before=template.complete_before,
        )
        for n in range(max(0, 20 - TrainingCourse.objects.count()))
    )
    f.complete_training(household)
    for _ in range(5):
        f.upload(household, Document.Kind.OTHER, social_worker)
    return household


def test_the_page_of_a_large_household_saves(client, social_worker):
    household = large_household(social_worker)
    assert household.checks.count() >= 30
    assert household.training.count() >= 40
    client.force_login(social_worker)
    url = reverse("admin:carers_household_section", args=[household.pk, "checks"])
    data = form_data(client.get(url).content.decode(), "household_form")
    fields = sum(len(v) if isinstance(v, list) else 1 for v in data.values())
    body = len(urlencode(data, doseq=True))
    print(f"household page: {fields} fields, {body} bytes, {household.checks.count()} checks")
    # The limit keeps its headroom over the largest page.
    assert fields * 2 <= settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
    assert body * 10 <= settings.DATA_UPLOAD_MAX_MEMORY_SIZE

    check = household.checks.filter(kind=StatutoryCheck.Kind.DBS).first()
    prefix = next(
        key.removesuffix("-id")
        for key, value in data.items()
        if key.startswith("checks-") and key.endswith("-id") and value == str(check.pk)
    )
    data[f"{prefix}-notes"] = "Chased by phone"
    data["_continue"] = "Save and continue editing"
    response = client.post(url, data)
    assert response.status_code == 302, response.context and response.context["errors"]
    check.refresh_from_db()
    assert check.notes == "Chased by phone"


def test_html_named_pdf_is_refused_on_the_household_page(client, social_worker):
    from tests.carers.test_admin import upload_through_the_page

    household = f.household(social_worker)
    client.force_login(social_worker)
    response = upload_through_the_page(
        client, household, name="par.pdf", content=b"<html><script>alert(1)</script>"
    )
    assert response.status_code == 200
    assert "This file is not a PDF" in response.content.decode()
    assert not household.documents.exists()
