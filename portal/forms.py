"""Pieces shared by the forms: the public forms' honeypot, sign-in, and the date input
every staff form uses."""

from allauth.account.forms import LoginForm
from django import forms

HONEYPOT_FIELD = "website"


class DateInput(forms.DateInput):
    """The browser's date picker, with the value in the ISO form it expects."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


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
