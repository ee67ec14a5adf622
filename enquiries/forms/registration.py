"""The Registration of Interest form, filled in online from the link staff email.

Every box may be left unfinished and saved for later, so the form itself checks nothing
but lengths; sending checks the answers in full (``services.registration_problems``),
and the page shows what it found beside each box. A date is kept as its day, month and
year boxes as typed, so an unfinished date is saved, not lost.
"""

from crispy_forms_gds.fields import DateInputField
from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Fieldset, Layout, Size
from django import forms

from ..services import registration as services

YES_NO = [(services.YES, "Yes"), (services.NO, "No")]


class TypedDateField(DateInputField):
    """The GOV.UK date input, keeping what was typed in its three boxes (checked when the
    form is sent, never when it is saved)."""

    def __init__(self, *, help_text: str, **kwargs):
        # A hint is required: crispy-forms-gds gives the boxes of a date in error without
        # one an empty aria-describedby, which is not valid HTML.
        super().__init__(required=False, require_all_fields=False, help_text=help_text, **kwargs)

    def clean(self, value):
        parts = list(value or ["", "", ""])[:3]
        parts += [""] * (3 - len(parts))
        return [str(part or "").strip()[:4] for part in parts]


def _text(label: str, name: str, **kwargs) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        max_length=services.limit(name),
        error_messages={"max_length": services.too_long_message(name)},
        **kwargs,
    )


class RegistrationOfInterestForm(forms.Form):
    def __init__(self, *args, enquiry, **kwargs):
        super().__init__(*args, **kwargs)
        self.enquiry = enquiry
        fields = self.fields
        fields["date_of_birth"] = TypedDateField(
            label="Your date of birth", help_text="For example, 27 3 1985"
        )
        layout = [Fieldset(Field("date_of_birth"), legend="About you", legend_size=Size.MEDIUM)]
        if services.couple(enquiry):
            fields["partner_first_name"] = _text("First name", "partner_first_name")
            fields["partner_last_name"] = _text("Last name", "partner_last_name")
            fields["partner_date_of_birth"] = TypedDateField(
                label="Their date of birth", help_text="For example, 14 10 1983"
            )
            layout.append(
                Fieldset(
                    Field.text("partner_first_name", field_width=20),
                    Field.text("partner_last_name", field_width=20),
                    Field("partner_date_of_birth"),
                    legend="Your partner",
                    legend_size=Size.MEDIUM,
                )
            )
        fields["address_line_1"] = _text("Address line 1", "address_line_1")
        fields["address_line_2"] = _text("Address line 2 (optional)", "address_line_2")
        fields["town"] = _text("Town or city", "town")
        fields["postcode"] = _text("Postcode", "postcode")
        fields["local_authority"] = _text(
            "Local council",
            "local_authority",
            help_text="The council that runs services where you live, for example "
            "Oakway City Council.",
        )
        fields["has_pets"] = forms.ChoiceField(
            label="Do you have pets at home?",
            choices=YES_NO,
            required=False,
            widget=forms.RadioSelect,
        )
        fields["address_line_1"].widget.attrs.update(autocomplete="address-line1")
        fields["address_line_2"].widget.attrs.update(autocomplete="address-line2")
        fields["town"].widget.attrs.update(autocomplete="address-level2")
        fields["postcode"].widget.attrs.update(autocomplete="postal-code", spellcheck="false")
        layout.append(
            Fieldset(
                Field.text("address_line_1"),
                Field.text("address_line_2"),
                Field.text("town", field_width=20),
                Field.text("postcode", field_width=10),
                Field.text("local_authority", field_width=20),
                Field.radios("has_pets", legend_size=Size.SMALL, inline=True),
                legend="Your home",
                legend_size=Size.MEDIUM,
            )
        )
        for number, age in enumerate(enquiry.children_ages or [], start=1):
            name = lambda part, n=number: services.child_field(n, part)  # noqa: E731
            fields[name("first_name")] = _text("First name", name("first_name"))
            fields[name("last_name")] = _text("Last name (optional)", name("last_name"))
            fields[name("relationship")] = _text(
                "Who they are to you",
                name("relationship"),
                help_text="For example, son or stepdaughter.",
            )
            fields[name("date_of_birth")] = TypedDateField(
                label="Their date of birth", help_text="For example, 2 5 2019"
            )
            layout.append(
                Fieldset(
                    Field.text(name("first_name"), field_width=20),
                    Field.text(name("last_name"), field_width=20),
                    Field.text(name("relationship"), field_width=20),
                    Field(name("date_of_birth")),
                    legend=f"Child {number} living with you (aged {age} when you enquired)",
                    legend_size=Size.MEDIUM,
                )
            )
        fields["why"] = _text(
            "Why do you want to care for a child through Early Permanence?",
            "why",
            widget=forms.Textarea(attrs={"rows": 6}),
            help_text="A few sentences is enough. We talk about it with you in Stage 1.",
        )
        fields["declaration"] = forms.BooleanField(
            label="I confirm that what I have told you is true, and I understand that if you "
            "accept my registration you will carry out checks, including criminal record, "
            "local council and health checks",
            required=False,
        )
        layout += [
            Field.textarea("why", label_size=Size.MEDIUM, max_characters=services.LENGTHS["why"]),
            Field.checkbox("declaration"),
        ]
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.label_size = Size.SMALL
        self.helper.layout = Layout(*layout)

    def answers(self) -> dict:
        """The answers as they stand (after ``is_valid``), by the services' field names."""
        data = dict(self.cleaned_data)
        data["declaration"] = bool(data.get("declaration"))
        return {name: data.get(name) for name in services.registration_fields(self.enquiry)}
