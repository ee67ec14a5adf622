"""Converting an enquiry at "Registration of Interest received" into a carer household."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from carers import services
from carers.models import Household, Stage
from enquiries.models import Enquiry
from portal.roles import Role

pytestmark = pytest.mark.django_db


def enquiry_at_roi(**fields):
    data = {
        "first_name": "Priya",
        "last_name": "Shah",
        "email": "priya@example.com",
        "phone": "07700 900456",
        "postcode": "ok3 9zz",
        "contact_method": Enquiry.ContactMethod.EMAIL,
        "contact_time": Enquiry.ContactTime.ANY,
        "household": Enquiry.Household.COUPLE,
        "partner_name": "Dev Anand Shah",
        "route": Enquiry.Route.CONCURRENT_PLANNING,
        "status": Enquiry.Status.ROI_RECEIVED,
        "roi_received_on": timezone.localdate() - timedelta(days=3),
    }
    data.update(fields)
    return Enquiry.objects.create(**data)


def convert(enquiry, by, **overrides):
    kwargs = {
        "social_worker": by,
        "address_line_1": "8 Elm Row",
        "town": "Oakford",
        "local_authority": "Oakshire",
        "dates_of_birth": [date(1987, 2, 1), date(1986, 9, 30)],
    }
    kwargs.update(overrides)
    return services.household_create_from_enquiry(enquiry=enquiry, by=by, **kwargs)


def test_conversion_makes_the_household_links_both_and_starts_stage_1(social_worker):
    enquiry = enquiry_at_roi()
    household = convert(enquiry, social_worker)

    assert household.enquiry == enquiry
    enquiry.refresh_from_db()
    assert enquiry.status == Enquiry.Status.CONVERTED
    assert enquiry.household_reference == household.reference
    assert household.postcode == "OK3 9ZZ"
    first, second = household.applicants.order_by("position")
    assert (first.full_name, first.email, first.phone, first.date_of_birth) == (
        "Priya Shah",
        "priya@example.com",
        "07700 900456",
        date(1987, 2, 1),
    )
    assert (second.first_name, second.last_name) == ("Dev Anand", "Shah")
    adoption = household.assessments.get(track="adoption")
    today = timezone.localdate()
    assert adoption.stage == Stage.STAGE_1
    assert adoption.roi_received_on == enquiry.roi_received_on
    assert (adoption.roi_accepted_on, adoption.stage_1_started_on) == (today, today)
    kinds = set(household.deadlines.values_list("kind", flat=True))
    assert "stage_1" in kinds and "roi_decision" not in kinds
    assert household.checks.filter(applicant=second).exists()


def test_a_single_applicant_needs_one_date_of_birth(social_worker):
    enquiry = enquiry_at_roi(household=Enquiry.Household.SINGLE, partner_name="")
    with pytest.raises(services.TransitionRefused) as refusal:
        convert(enquiry, social_worker)
    assert refusal.value.messages == ["Give the date of birth of each applicant."]
    household = convert(enquiry, social_worker, dates_of_birth=[date(1990, 1, 1)])
    assert household.applicants.count() == 1


def test_nothing_is_half_done_when_conversion_is_refused(social_worker):
    enquiry = enquiry_at_roi()
    with pytest.raises(services.TransitionRefused) as refusal:
        convert(enquiry, social_worker, social_worker=None)
    assert refusal.value.messages == ["Assign a social worker to the household."]
    enquiry.refresh_from_db()
    assert enquiry.status == Enquiry.Status.ROI_RECEIVED
    assert not Household.objects.exists()


def test_only_an_enquiry_at_roi_received_converts_and_only_once(social_worker):
    early = enquiry_at_roi(status=Enquiry.Status.CONTACTED, roi_received_on=None)
    with pytest.raises(services.TransitionRefused) as refusal:
        convert(early, social_worker)
    assert refusal.value.messages == [
        "Only an enquiry at “Registration of Interest received” can be converted; this one is "
        "at “Contacted”."
    ]
    enquiry = enquiry_at_roi()
    convert(enquiry, social_worker)
    with pytest.raises(services.TransitionRefused):
        convert(enquiry, social_worker)
    assert Household.objects.count() == 1


def changelist_action(client, enquiry, **fields):
    return client.post(
        reverse("admin:enquiries_enquiry_changelist"),
        {"action": "convert_to_household", "_selected_action": [str(enquiry.pk)], **fields},
    )


def test_the_enquiry_admin_action_asks_what_is_missing_then_converts(client, social_worker):
    client.force_login(social_worker)
    enquiry = enquiry_at_roi()
    page = changelist_action(client, enquiry)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Convert Priya Shah" in html or f"Convert {enquiry}" in html
    assert 'name="date_of_birth_2"' in html
    response = changelist_action(
        client,
        enquiry,
        convert="yes",
        social_worker=str(social_worker.pk),
        accepted_on=timezone.localdate().isoformat(),
        address_line_1="8 Elm Row",
        town="Oakford",
        postcode="OK3 9ZZ",
        local_authority="Oakshire",
        date_of_birth_1="1987-02-01",
        partner_first_name="Dev",
        partner_last_name="Shah",
        date_of_birth_2="1986-09-30",
    )
    household = Household.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:carers_household_change", args=[household.pk])
    assert household.assessments.get(track="adoption").stage == Stage.STAGE_1


def test_form_errors_keep_the_conversion_page(client, social_worker):
    client.force_login(social_worker)
    enquiry = enquiry_at_roi()
    response = changelist_action(client, enquiry, convert="yes", postcode="nonsense")
    assert response.status_code == 200
    assert "Enter a real UK postcode" in response.content.decode()
    assert not Household.objects.exists()


def test_the_recruitment_team_cannot_convert(client, make_staff):
    client.force_login(make_staff(Role.RECRUITMENT_TEAM))
    enquiry = enquiry_at_roi()
    response = changelist_action(client, enquiry)
    assert response.status_code == 302
    enquiry.refresh_from_db()
    assert enquiry.status == Enquiry.Status.ROI_RECEIVED
    assert not Household.objects.exists()


def test_the_household_pages_lead_to_the_enquiries(client, social_worker):
    client.force_login(social_worker)
    enquiry = enquiry_at_roi()
    listing = client.get("/admin/carers/household/").content.decode()
    assert "/admin/enquiries/enquiry/?status__exact=roi_received" in listing
    ready = client.get("/admin/enquiries/enquiry/?status__exact=roi_received")
    assert ready.status_code == 200
    household = convert(enquiry, social_worker)
    page = client.get(
        reverse("admin:carers_household_change", args=[household.pk])
    ).content.decode()
    assert reverse("admin:enquiries_enquiry_change", args=[enquiry.pk]) in page


# -- the children the enquiry listed ---------------------------------------------------------


def born_aged(age: int) -> date:
    """A date of birth that makes a child ``age`` today (well clear of a birthday)."""
    return timezone.localdate() - timedelta(days=365 * age + 120)


def test_the_children_the_enquiry_listed_become_household_members(social_worker):
    enquiry = enquiry_at_roi(children_ages=[4, 7], received_at=timezone.now())
    children = [
        {
            "first_name": "Asha",
            "last_name": "Shah",
            "relationship": "daughter",
            "date_of_birth": born_aged(4),
        },
        {
            "first_name": "Kiran",
            "last_name": "Shah",
            "relationship": "son",
            "date_of_birth": born_aged(7),
        },
    ]
    household = convert(enquiry, social_worker, children=children)
    members = list(household.members.order_by("first_name"))
    assert [(m.first_name, m.relationship) for m in members] == [
        ("Asha", "daughter"),
        ("Kiran", "son"),
    ]


def test_conversion_refuses_to_drop_the_enquirys_children(social_worker):
    enquiry = enquiry_at_roi(children_ages=[4])
    with pytest.raises(services.TransitionRefused) as refusal:
        convert(enquiry, social_worker)
    assert refusal.value.messages == ["Give the details of each child the enquiry listed (1)."]
    assert not Household.objects.exists()
    enquiry.refresh_from_db()
    assert enquiry.status == Enquiry.Status.ROI_RECEIVED


def test_a_childs_date_of_birth_must_agree_with_the_age_given(social_worker):
    enquiry = enquiry_at_roi(children_ages=[4], received_at=timezone.now())
    born = born_aged(12)
    with pytest.raises(services.TransitionRefused) as refusal:
        convert(
            enquiry,
            social_worker,
            children=[
                {
                    "first_name": "Asha",
                    "last_name": "Shah",
                    "relationship": "daughter",
                    "date_of_birth": born,
                }
            ],
        )
    [message] = refusal.value.messages
    assert message.startswith(f"Child 1 (aged 4 on the enquiry): born {born:%-d %B %Y}")
    assert message.endswith("not 4.")
    assert not Household.objects.exists()


def test_a_child_of_the_household_must_be_under_18(social_worker):
    # 17 on the enquiry a year ago, 18 by the date of birth today: not a child any more.
    enquiry = enquiry_at_roi(children_ages=[17], received_at=timezone.now() - timedelta(days=365))
    born = born_aged(18)
    with pytest.raises(services.TransitionRefused) as refusal:
        convert(
            enquiry,
            social_worker,
            children=[
                {
                    "first_name": "Asha",
                    "last_name": "Shah",
                    "relationship": "daughter",
                    "date_of_birth": born,
                }
            ],
        )
    [message] = refusal.value.messages
    assert message.startswith("Child 1 (aged 17 on the enquiry): the date of birth")
    assert "would make them 18 years old today" in message
    assert not Household.objects.exists()


def test_the_conversion_page_asks_for_each_listed_child(client, social_worker):
    client.force_login(social_worker)
    enquiry = enquiry_at_roi(
        household=Enquiry.Household.SINGLE,
        partner_name="",
        children_ages=[3],
        received_at=timezone.now(),
    )
    html = changelist_action(client, enquiry).content.decode()
    assert "The enquiry listed 1 child living at home" in html
    assert 'name="child_1_date_of_birth"' in html
    born = born_aged(3)
    response = changelist_action(
        client,
        enquiry,
        convert="yes",
        social_worker=str(social_worker.pk),
        accepted_on=timezone.localdate().isoformat(),
        address_line_1="8 Elm Row",
        town="Oakford",
        postcode="OK3 9ZZ",
        local_authority="Oakshire",
        date_of_birth_1="1987-02-01",
        child_1_first_name="Mina",
        child_1_last_name="Shah",
        child_1_relationship="daughter",
        child_1_date_of_birth=born.isoformat(),
    )
    assert response.status_code == 302
    household = Household.objects.get()
    assert household.members.get().first_name == "Mina"


# -- one of our carers using the enquiry form again ------------------------------------------


def test_an_approved_carer_who_enquires_again_is_linked_to_their_household(social_worker):
    from enquiries.services import enquiries as enquiry_services

    household = convert(enquiry_at_roi(), social_worker)
    submission = enquiry_services.enquiry_submit(
        first_name="Priya",
        last_name="Shah",
        email="PRIYA@example.com",
        postcode="OK3 9ZZ",
        contact_method=Enquiry.ContactMethod.EMAIL,
        contact_time=Enquiry.ContactTime.ANY,
        household=Enquiry.Household.COUPLE,
        partner_name="Dev Shah",
        route=Enquiry.Route.NOT_SURE,
        aged_21_or_over=True,
        privacy_acknowledged=True,
        question="Could we be considered for a second child?",
    )
    enquiry = submission.enquiry
    assert enquiry.known_household_reference == household.reference
    assert enquiry.status == Enquiry.Status.CLOSED
    assert enquiry.next_deadline is None
    from portal.models import Notification

    notice = Notification.objects.get(
        key=f"enquiry:{enquiry.pk}:contact:{submission.contact.pk}:team-notice"
    )
    assert notice.to == social_worker.email
    ack = Notification.objects.get(
        key=f"enquiry:{enquiry.pk}:contact:{submission.contact.pk}:acknowledgement"
    )
    assert ack.attachments == []


def test_a_closed_household_or_an_unknown_address_is_not_recognised(social_worker):
    from carers.selectors import household_for_enquirer

    household = convert(enquiry_at_roi(), social_worker)
    assert household_for_enquirer("priya@example.com").reference == household.reference
    Household.objects.filter(pk=household.pk).update(
        status=Household.Status.CLOSED, closed_on=timezone.localdate()
    )
    assert household_for_enquirer("priya@example.com") is None
    assert household_for_enquirer("nobody@example.com") is None
    assert household_for_enquirer("") is None
