"""The eligibility checker's questions, one form per page, in GOV.UK style.

Each form has one field, ``answer``, whose label is the page's heading. The question
wording uses the agency's policy figures from settings.
"""

from crispy_forms_gds.choices import Choice
from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Button, Field, Fixed, Layout, Size
from django import forms
from django.conf import settings

from portal.forms import HoneypotFormMixin

from .eligibility import parse_outward_code


class QuestionForm(HoneypotFormMixin, forms.Form):
    """Base for a question page. Subclasses define ``answer``; ``heading`` is the page title."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.configure()
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(self.answer_layout(), Button("continue", "Continue"))

    def configure(self) -> None:
        """Set labels that depend on settings (read per request, never at import)."""

    def answer_layout(self):
        return Field.radios("answer", legend_size=Size.LARGE, legend_tag="h1")

    @property
    def heading(self) -> str:
        return str(self.fields["answer"].label)


def _radios(choices, required_message):
    return forms.ChoiceField(
        choices=choices,
        widget=forms.RadioSelect,
        error_messages={"required": required_message, "invalid_choice": required_message},
    )


class AgeForm(QuestionForm):
    answer = _radios(
        (Choice("yes", "Yes"), Choice("no", "No")),
        "Select yes if you are 21 or over",
    )

    def configure(self):
        age = settings.ELIGIBILITY_MIN_AGE
        field = self.fields["answer"]
        field.label = f"Are you {age} or over?"
        field.help_text = "If you are applying with a partner, answer for both of you."
        message = f"Select yes if you are {age} or over"
        field.error_messages.update(required=message, invalid_choice=message)


class ResidenceForm(QuestionForm):
    answer = _radios(
        (Choice("yes", "Yes"), Choice("no", "No")),
        "Select yes if you have lived in the UK for at least a year",
    )

    def configure(self):
        months = settings.ELIGIBILITY_UK_RESIDENCE_MONTHS
        period = "a year" if months == 12 else f"{months} months"
        field = self.fields["answer"]
        field.label = f"Have you lived in the UK for at least {period}?"
        field.help_text = "If you are applying with a partner, answer for both of you."
        message = f"Select yes if you have lived in the UK for at least {period}"
        field.error_messages.update(required=message, invalid_choice=message)


class PostcodeForm(QuestionForm):
    answer = forms.CharField(
        label="What is the first part of your postcode?",
        help_text=(
            "For example, LS6 or HD9. We only use it to tell you whether you live within "
            "reach of us, and we do not keep it."
        ),
        max_length=10,
        error_messages={
            "required": "Enter the first part of your postcode",
            "max_length": "Enter the first part of your postcode, like LS6",
        },
    )

    def answer_layout(self):
        return Field.text("answer", label_size=Size.LARGE, label_tag="h1", field_width=Fixed.FIVE)

    def configure(self):
        self.fields["answer"].widget.attrs.update(
            {"autocomplete": "off", "spellcheck": "false", "autocapitalize": "characters"}
        )

    def clean_answer(self):
        outward = parse_outward_code(self.cleaned_data["answer"])
        if outward is None:
            raise forms.ValidationError(
                "Enter the first part of a UK postcode, like LS6", code="invalid"
            )
        return outward


class AtHomeForm(QuestionForm):
    answer = _radios(
        (
            Choice("yes", "Yes"),
            Choice("not-sure", "Not sure yet"),
            Choice("no", "No"),
        ),
        "Select whether one of you could be at home full time",
    )

    def configure(self):
        low = settings.ELIGIBILITY_AT_HOME_MONTHS_MIN
        high = settings.ELIGIBILITY_AT_HOME_MONTHS_PREFERRED
        field = self.fields["answer"]
        field.label = (
            f"Could you, or one of you, be at home full time for {low} to {high} months "
            "after a child arrives?"
        )
        field.help_text = "A couple can share the time between them."


class ApplyingForm(QuestionForm):
    answer = _radios(
        (
            Choice("alone", "On my own"),
            Choice("partner", "With a partner"),
        ),
        "Select whether you are applying on your own or with a partner",
    )

    def configure(self):
        self.fields["answer"].label = "Would you apply on your own or with a partner?"


class ChildrenForm(QuestionForm):
    answer = _radios(
        (Choice("yes", "Yes"), Choice("no", "No")),
        "Select yes if any children live in your home",
    )

    def configure(self):
        field = self.fields["answer"]
        field.label = "Do any children live in your home?"
        field.help_text = "Include children who live with you some of the time."


FORMS = {
    "age": AgeForm,
    "residence": ResidenceForm,
    "area": PostcodeForm,
    "at_home": AtHomeForm,
    "applying": ApplyingForm,
    "children": ChildrenForm,
}
