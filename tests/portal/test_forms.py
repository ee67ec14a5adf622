"""The staff pages' shared form pieces in ``portal.forms``: the date box, the rule for a
date that records something that happened, and the form behind an action button."""

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from portal.forms import ActionForm, DateInput, validate_happened


@dataclass
class Action:
    needs_note: bool = False


class CaseActionForm(ActionForm):
    note_help_text = "Kept with the case."
    needed_note_label = "What happened"
    needed_note_help_text = "e.g. the decision."


def test_the_date_box_is_the_browsers_date_picker_in_iso_form():
    widget = DateInput()

    assert widget.input_type == "date"
    assert widget.format == "%Y-%m-%d"


def test_a_date_that_happened_is_today_or_earlier():
    today = timezone.localdate()

    assert validate_happened(today) == today
    assert validate_happened(None) is None
    with pytest.raises(ValidationError) as refused:
        validate_happened(today + timedelta(days=1))
    assert refused.value.messages == ["The date cannot be in the future."]


def test_an_action_form_takes_a_date_that_happened_and_an_optional_note():
    form = CaseActionForm(action=Action())
    assert form.fields["on"].initial == timezone.localdate()
    assert form.fields["note"].required is False
    assert form.fields["note"].help_text == "Kept with the case."

    today = timezone.localdate()
    form = CaseActionForm({"on": today.isoformat()}, action=Action())
    assert form.is_valid()
    assert form.service_kwargs() == {"on": today, "note": ""}

    tomorrow = today + timedelta(days=1)
    form = CaseActionForm({"on": tomorrow.isoformat()}, action=Action())
    assert not form.is_valid()
    assert form.errors["on"] == ["The date cannot be in the future."]


def test_an_action_that_needs_a_note_asks_for_it_in_the_apps_words():
    form = CaseActionForm({"on": timezone.localdate().isoformat()}, action=Action(needs_note=True))

    assert form.fields["note"].label == "What happened"
    assert form.fields["note"].help_text == "e.g. the decision."
    assert not form.is_valid()
    assert "note" in form.errors

    plain = ActionForm(action=Action(needs_note=True))
    assert plain.fields["note"].label == "Reason"
    assert plain.fields["note"].help_text == ""
