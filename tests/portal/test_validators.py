"""The name rule shared by the public forms (booking and enquiry), and the one UK postcode
parser and message every form uses."""

import pytest
from django.core.exceptions import ValidationError

from portal.validators import (
    POSTCODE_MESSAGE,
    PersonNameValidator,
    postcode_normalise,
    postcode_parts,
)


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


@pytest.mark.parametrize(
    ("typed", "written"),
    [
        (" sw1a1aa ", "SW1A 1AA"),
        ("M1 1AE", "M1 1AE"),
        ("ok1  2ab", "OK1 2AB"),
        ("LS61AA", "LS6 1AA"),
        ("b33 8th", "B33 8TH"),
        ("CR2 6XH", "CR2 6XH"),
        ("DN55 1PT", "DN55 1PT"),
    ],
)
def test_a_uk_postcode_is_written_in_capitals_with_one_space(typed, written):
    assert postcode_normalise(typed) == written


@pytest.mark.parametrize("typed", ["", "not a postcode", "12345", "LS6", "SW1A 1A", "SW1A1AAA"])
def test_anything_else_is_refused_with_the_one_postcode_message(typed):
    with pytest.raises(ValidationError) as refused:
        postcode_normalise(typed)
    assert refused.value.messages == [POSTCODE_MESSAGE]
    assert POSTCODE_MESSAGE == "Enter a real UK postcode, like OK1 2AB"


def test_the_parts_of_a_postcode_or_its_first_part_alone():
    assert postcode_parts("ls6 1aa") == ("LS6", "1AA")
    assert postcode_parts("hd9") == ("HD9", "")
    assert postcode_parts("12345") is None
    assert postcode_parts(None) is None


def test_the_apps_use_the_one_parser():
    from carers import services as carers_services
    from content import eligibility
    from enquiries.forms import enquiries as enquiry_forms

    assert carers_services.postcode_normalise is postcode_normalise
    assert enquiry_forms.postcode_normalise is postcode_normalise
    assert eligibility.postcode_parts is postcode_parts
