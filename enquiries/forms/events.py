"""Public forms of the enquiries app (GOV.UK patterns through crispy-forms-gds)."""

import re

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Layout, Size
from django import forms
from django.conf import settings

from portal.forms import HoneypotFormMixin
from portal.validators import PersonNameValidator

from ..models import Booking

# ===========================================================================
# Information events: booking a place
# ===========================================================================

PHONE_PATTERN = re.compile(r"^\+?[0-9 ()-]{7,30}$")


def _places_choices() -> list[tuple[int, str]]:
    most = settings.BOOKING_MAX_PLACES
    return [
        (1, "1 place, just me"),
        *[
            (n, f"{n} places, me and {n - 1} other {'person' if n == 2 else 'people'}")
            for n in range(2, most + 1)
        ],
    ]


class BookingForm(HoneypotFormMixin, forms.Form):
    name = forms.CharField(
        label="Full name",
        max_length=100,
        validators=[PersonNameValidator("Full name")],
        error_messages={
            "required": "Enter your full name",
            "max_length": "Full name must be 100 characters or fewer",
        },
    )
    email = forms.EmailField(
        label="Email address",
        max_length=254,
        help_text="We will send your confirmation and reminders to this address.",
        error_messages={
            "required": "Enter your email address",
            "invalid": "Enter an email address in the correct format, like name@example.com",
            "max_length": "Email address must be 254 characters or fewer",
        },
    )
    phone = forms.CharField(
        label="Phone number (optional)",
        required=False,
        max_length=30,
        widget=forms.TelInput,
        help_text="Only used if we need to tell you about a change at short notice.",
        error_messages={"max_length": "Phone number must be 30 characters or fewer"},
    )
    places = forms.TypedChoiceField(
        label="How many places do you need?",
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select how many places you need",
            "invalid_choice": "Select how many places you need",
        },
    )
    access_needs = forms.CharField(
        label="Is there anything we can do to help you take part? (optional)",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=(
            "For example step-free access, a hearing loop, captions or a quiet space. "
            "Please do not include medical details."
        ),
        error_messages={"max_length": "This must be 1,000 characters or fewer"},
    )
    heard_about = forms.ChoiceField(
        label="How did you hear about this event? (optional)",
        required=False,
        choices=[("", "Choose an answer"), *Booking.HeardAbout.choices],
        error_messages={"invalid_choice": "Choose an answer from the list"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["places"].choices = _places_choices()
        self.fields["name"].widget.attrs.update(autocomplete="name", spellcheck="false")
        self.fields["email"].widget.attrs.update(autocomplete="email", spellcheck="false")
        self.fields["phone"].widget.attrs.update(autocomplete="tel")
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.label_size = Size.SMALL
        self.helper.legend_size = Size.SMALL
        self.helper.layout = Layout(
            Field.text("name", field_width=20),
            Field.text("email", field_width=20),
            Field.text("phone", field_width=20),
            Field.radios("places", legend_size=Size.SMALL),
            Field.textarea("access_needs", max_characters=1000),
            Field.select("heard_about"),
        )

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise forms.ValidationError("Enter your full name")
        return name

    def clean_phone(self):
        phone = self.cleaned_data["phone"].strip()
        if phone and not PHONE_PATTERN.match(phone):
            raise forms.ValidationError(
                "Enter a phone number, like 01632 960 001 or +44 7700 900 982"
            )
        return phone

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()


class BookingChangeForm(forms.Form):
    """What the person may change before booking closes: places, phone and access needs."""

    places = BookingForm.base_fields["places"]
    phone = BookingForm.base_fields["phone"]
    access_needs = BookingForm.base_fields["access_needs"]

    def __init__(self, *args, booking, **kwargs):
        kwargs.setdefault(
            "initial",
            {
                "places": booking.places,
                "phone": booking.phone,
                "access_needs": booking.access_needs,
            },
        )
        super().__init__(*args, **kwargs)
        self.fields["places"].choices = _places_choices()
        self.fields["phone"].widget.attrs.update(autocomplete="tel")
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.label_size = Size.SMALL
        self.helper.layout = Layout(
            Field.radios("places", legend_size=Size.SMALL),
            Field.text("phone", field_width=20),
            Field.textarea("access_needs", max_characters=1000),
        )

    clean_phone = BookingForm.clean_phone


class BookingCancelForm(forms.Form):
    """Only the confirmation step; the token in the URL says which booking."""
