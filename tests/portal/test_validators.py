"""The name rule shared by the public forms (booking and enquiry)."""

import pytest
from django.core.exceptions import ValidationError

from portal.validators import PersonNameValidator


@pytest.mark.parametrize(
    "name", ["Jo", "Mary-Jane O’Neil", "Siobhán Ní Bhriain", "D'Arcy Smith", "Zoë  Łukasz"]
)
def test_names_people_have_are_accepted(name):
    PersonNameValidator()(name)


@pytest.mark.parametrize(
    "name",
    [
        "Visit evil.example now",
        "https://evil.example",
        "Jo <b>",
        "Agent 47",
        "Win £100: call 07700900982",
        "-Jo",
        "x" * 101,
    ],
)
def test_text_that_is_not_a_name_is_refused_with_a_clear_error(name):
    with pytest.raises(ValidationError) as refused:
        PersonNameValidator("Full name")(name)
    assert refused.value.messages[0].startswith("Full name must")


@pytest.mark.django_db
def test_the_enquiry_form_applies_the_same_rule_to_names(client):
    from enquiries.forms.enquiries import AboutYouForm

    form = AboutYouForm(data={"first_name": "Click evil.example", "last_name": "Bloggs 2"})
    assert not form.is_valid()
    assert form.errors["first_name"] == [
        "First name must only include letters, spaces, hyphens and apostrophes"
    ]
    assert form.errors["last_name"] == [
        "Last name must only include letters, spaces, hyphens and apostrophes"
    ]
