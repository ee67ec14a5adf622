"""Pieces shared by the public forms."""

from django import forms

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
