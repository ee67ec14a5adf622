"""Pieces shared by the forms: the public forms' honeypot and sign-in, and for the staff
pages a date box, the rule for a date that records something that happened, and the
form behind a workflow action's button."""

from datetime import date

from allauth.account.forms import LoginForm
from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from portal import dates

HONEYPOT_FIELD = "website"


class HoneypotFormMixin(forms.Form):
    """A field people never see and bots fill in.

    The field is hidden from sight and from assistive technology by the template
    (``includes/honeypot.html``); a filled-in value fails validation quietly, so the
    view can answer as if it had worked and save nothing.
    """

    website = forms.CharField(required=False, max_length=200, label="Leave this field empty")

    def clean_website(self):
        value = self.cleaned_data.get(HONEYPOT_FIELD, "")
        if value:
            self.is_spam = True
            raise forms.ValidationError("This field must be empty.", code="honeypot")
        return value

    @property
    def caught_spam(self) -> bool:
        return getattr(self, "is_spam", False)


class SignInForm(LoginForm):
    """allauth's sign-in form with GOV.UK words: labels, not placeholders, in sentence case.

    The reset-password link is on the page itself, styled as a link, not in the hint.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        labels = {"login": "Email address", "password": "Password", "remember": "Remember me"}
        for name, label in labels.items():
            if name in self.fields:
                self.fields[name].label = label
                self.fields[name].help_text = ""

    def clean(self):
        try:
            return super().clean()
        except forms.ValidationError as error:
            # Shown on the password box, which is then marked in error, and linked from
            # the error summary: the answer to change is there.
            self.add_error("password", error)
            return self.cleaned_data


class DateInput(forms.DateInput):
    """The browser's date picker, holding the date as it sends it (ISO)."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def validate_happened(value: date | None) -> date | None:
    """A date recording something that happened: the portal's one rule, as a field error.

    A field validator, or called from a ``clean_<field>`` method (it returns the date).
    """
    problems = dates.happened(value)
    if problems:
        raise ValidationError(dates.messages(problems))
    return value


class ActionForm(forms.Form):
    """The form behind a workflow action's button (``portal.workflow.Action``): when it
    happened, and a note, required when the action ``needs_note``.

    An app's subclass says what its note is for (``note_help_text``, and the label and
    help text the note takes when it is required), keeps the record the action is on
    before calling ``__init__``, adds an action's own fields in ``add_action_fields``
    and hands the service its arguments from ``service_kwargs``.
    """

    note_help_text = ""
    needed_note_label = "Reason"
    needed_note_help_text: str | None = None

    on = forms.DateField(
        label="Date it happened", widget=DateInput(), validators=[validate_happened]
    )
    note = forms.CharField(
        label="Note",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
    )

    def __init__(self, *args, action, **kwargs):
        super().__init__(*args, **kwargs)
        self.action = action
        self.fields["on"].initial = timezone.localdate()
        self.fields["note"].help_text = self.note_help_text
        if action.needs_note:
            self.fields["note"].required = True
            self.fields["note"].label = self.needed_note_label
            if self.needed_note_help_text is not None:
                self.fields["note"].help_text = self.needed_note_help_text
        self.add_action_fields()

    def add_action_fields(self):
        pass

    def service_kwargs(self) -> dict:
        return {"on": self.cleaned_data["on"], "note": self.cleaned_data.get("note", "")}
