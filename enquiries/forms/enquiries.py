"""The public enquiry form: a few short GOV.UK steps, then check your answers.

The answers of each step are kept in the session until the final submit, so nothing
is saved (or half-saved) before the enquirer sends the enquiry. Every step carries
the honeypot; the submit is rate limited by the view.
"""

import re
from dataclasses import dataclass

from crispy_forms_gds.choices import Choice
from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import ConditionalQuestion, ConditionalRadios, Field, Layout, Size
from django import forms

from portal.forms import HoneypotFormMixin
from portal.validators import POSTCODE_MESSAGE, PersonNameValidator, postcode_normalise

from ..models import Enquiry

PHONE_PATTERN = re.compile(r"^\+?[0-9 ()-]{7,30}$")
MAX_CHILDREN = 10
MAX_CHILD_AGE = 30
QUESTION_MAX_LENGTH = 2000
# Children's ages as people write them: "4, 7", "4 and 7", "4 & 7", "4 years", "18 months".
AGE_SEPARATORS = re.compile(r"\s*(?:,|;|/|&|\+|\band\b)\s*", re.IGNORECASE)
AGE_WORDS = re.compile(
    r"^(?:aged\s+)?(\d{1,3})\s*(?:(years?|yrs?|y)|(months?|mths?|mos?|m))?(?:\s*old)?$",
    re.IGNORECASE,
)
AGE_ERROR = "Enter each age in years, like 4 and 7 (use 0 for a baby under 1)"


def children_ages_parse(raw: str) -> list[int]:
    """Ages in whole years from what the enquirer typed; ValidationError in words if not."""
    ages = []
    for piece in AGE_SEPARATORS.split(raw.strip()):
        if not piece:
            continue
        words = AGE_WORDS.match(piece)
        if words:
            number = int(words.group(1))
            ages.append(number // 12 if words.group(3) else number)
        elif all(token.isdigit() for token in piece.split()):
            ages.extend(int(token) for token in piece.split())
        else:
            raise forms.ValidationError(AGE_ERROR)
    if len(ages) > MAX_CHILDREN:
        raise forms.ValidationError("Enter up to 10 ages")
    if any(age > MAX_CHILD_AGE for age in ages):
        raise forms.ValidationError(AGE_ERROR)
    return ages


YES, NO = "yes", "no"


def _honeypot_last(form: forms.Form) -> None:
    """An error about the whole form links to the first field: never the hidden honeypot."""
    form.order_fields([name for name in form.fields if name != "website"])


class EnquiryStepForm(HoneypotFormMixin, forms.Form):
    """One step: GOV.UK layout from ``layout()``, answers as JSON-safe data."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _honeypot_last(self)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.label_size = Size.SMALL
        self.helper.legend_size = Size.MEDIUM
        self.helper.layout = self.layout()

    def layout(self) -> Layout:
        """Every field in order; steps override this to group and size their questions."""
        return Layout(*self.fields)

    def answers(self) -> dict:
        """What the step keeps in the session (strings, booleans and lists only)."""
        return {name: value for name, value in self.cleaned_data.items() if name != "website"}


def _text(max_length: int, **kwargs) -> forms.CharField:
    return forms.CharField(max_length=max_length, **kwargs)


class AboutYouForm(EnquiryStepForm):
    first_name = _text(
        50,
        label="First name",
        validators=[PersonNameValidator("First name")],
        error_messages={
            "required": "Enter your first name",
            "max_length": "First name must be 50 characters or fewer",
        },
    )
    last_name = _text(
        50,
        label="Last name",
        validators=[PersonNameValidator("Last name")],
        error_messages={
            "required": "Enter your last name",
            "max_length": "Last name must be 50 characters or fewer",
        },
    )
    email = forms.EmailField(
        label="Email address",
        max_length=254,
        help_text="We will send your information pack to this address.",
        error_messages={
            "required": "Enter your email address",
            "invalid": "Enter an email address in the correct format, like name@example.com",
            "max_length": "Email address must be 254 characters or fewer",
        },
    )
    postcode = _text(
        10,
        label="Postcode",
        help_text="So we know whether you live near enough for us to support you.",
        error_messages={
            "required": "Enter your postcode",
            "max_length": POSTCODE_MESSAGE,
        },
    )
    aged_21_or_over = forms.TypedChoiceField(
        label="Are you 21 or over?",
        choices=[
            (YES, "Yes"),
            (NO, "No, I would like to register my interest for later"),
        ],
        coerce=lambda value: value == YES,
        widget=forms.RadioSelect,
        help_text=(
            "You need to be 21 or over to be approved. If you are younger, you can register "
            "your interest now and we will keep in touch until you can apply."
        ),
        error_messages={
            "required": "Select yes if you are 21 or over",
            "invalid_choice": "Select yes if you are 21 or over",
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["first_name"].widget.attrs.update(autocomplete="given-name", spellcheck="false")
        self.fields["last_name"].widget.attrs.update(autocomplete="family-name", spellcheck="false")
        self.fields["email"].widget.attrs.update(autocomplete="email", spellcheck="false")
        self.fields["postcode"].widget.attrs.update(autocomplete="postal-code", spellcheck="false")

    def layout(self):
        return Layout(
            Field.text("first_name", field_width=20),
            Field.text("last_name", field_width=20),
            Field.text("email", field_width=30),
            Field.text("postcode", field_width=10),
            Field.radios("aged_21_or_over", legend_size=Size.SMALL),
        )

    def _name(self, field: str, label: str) -> str:
        value = " ".join(self.cleaned_data[field].split())
        if not value:
            raise forms.ValidationError(f"Enter your {label}")
        return value

    def clean_first_name(self):
        return self._name("first_name", "first name")

    def clean_last_name(self):
        return self._name("last_name", "last name")

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()

    def clean_postcode(self):
        return postcode_normalise(self.cleaned_data["postcode"])


class ContactForm(EnquiryStepForm):
    contact_method = forms.ChoiceField(
        label="How would you like us to contact you?",
        choices=Enquiry.ContactMethod.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select how you would like us to contact you",
            "invalid_choice": "Select how you would like us to contact you",
        },
    )
    phone = _text(
        30,
        required=False,
        label="Phone number",
        help_text="Needed if you would like us to phone you.",
        error_messages={"max_length": "Phone number must be 30 characters or fewer"},
    )
    contact_time = forms.ChoiceField(
        label="When is the best time to contact you?",
        choices=Enquiry.ContactTime.choices,
        widget=forms.RadioSelect,
        help_text="On weekdays. We will try to fit in with you.",
        error_messages={
            "required": "Select the best time to contact you",
            "invalid_choice": "Select the best time to contact you",
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["phone"].widget.input_type = "tel"
        self.fields["phone"].widget.attrs.update(autocomplete="tel")

    def layout(self):
        return Layout(
            Field.radios("contact_method", legend_size=Size.SMALL),
            Field.text("phone", field_width=20),
            Field.radios("contact_time", legend_size=Size.SMALL),
        )

    def clean_phone(self):
        phone = self.cleaned_data["phone"].strip()
        if phone and not PHONE_PATTERN.match(phone):
            raise forms.ValidationError(
                "Enter a phone number, like 01632 960 001 or +44 7700 900 982"
            )
        return phone

    def clean(self):
        data = super().clean()
        wants_phone = data.get("contact_method") in (
            Enquiry.ContactMethod.PHONE,
            Enquiry.ContactMethod.EITHER,
        )
        if wants_phone and not data.get("phone") and "phone" not in self.errors:
            self.add_error(
                "phone", "Enter a phone number, or choose email as the way to contact you"
            )
        return data


class HouseholdForm(EnquiryStepForm):
    household = forms.ChoiceField(
        label="Would you be applying on your own or with a partner?",
        choices=Enquiry.Household.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select whether you would apply on your own or with a partner",
            "invalid_choice": "Select whether you would apply on your own or with a partner",
        },
    )
    partner_name = _text(
        100,
        required=False,
        label="Your partner’s full name",
        error_messages={"max_length": "Your partner’s name must be 100 characters or fewer"},
    )
    children_at_home = forms.ChoiceField(
        label="Do any children live with you?",
        choices=[(YES, "Yes"), (NO, "No")],
        widget=forms.RadioSelect,
        help_text="Your own children, or any others who live in your home.",
        error_messages={
            "required": "Select yes if any children live with you",
            "invalid_choice": "Select yes if any children live with you",
        },
    )
    children_ages = _text(
        60,
        required=False,
        label="How old are they?",
        help_text="Ages only, for example 4 and 9. Use 0 for a baby under 1.",
        error_messages={"max_length": "Enter up to 10 ages"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner_name"].widget.attrs.update(spellcheck="false")
        self.fields["children_ages"].widget.attrs.update(spellcheck="false")

    def layout(self):
        return Layout(
            ConditionalRadios(
                "household",
                Enquiry.Household.SINGLE.label,
                ConditionalQuestion(
                    Enquiry.Household.COUPLE.label, Field.text("partner_name", field_width=20)
                ),
            ),
            ConditionalRadios(
                "children_at_home",
                ConditionalQuestion("Yes", Field.text("children_ages", field_width=10)),
                "No",
            ),
        )

    def clean_partner_name(self):
        return " ".join(self.cleaned_data["partner_name"].split())

    def clean_children_ages(self):
        return children_ages_parse(self.cleaned_data["children_ages"])

    def clean(self):
        data = super().clean()
        if data.get("household") == Enquiry.Household.COUPLE:
            if not data.get("partner_name") and "partner_name" not in self.errors:
                self.add_error("partner_name", "Enter your partner’s name")
        else:
            data["partner_name"] = ""
        if data.get("children_at_home") == YES:
            if not data.get("children_ages") and "children_ages" not in self.errors:
                self.add_error("children_ages", "Enter the ages of the children who live with you")
        else:
            data["children_ages"] = []
        return data


class InterestForm(EnquiryStepForm):
    route = forms.ChoiceField(
        label="Which kind of Early Permanence interests you?",
        choices=[
            Choice(
                Enquiry.Route.CONCURRENT_PLANNING,
                Enquiry.Route.CONCURRENT_PLANNING.label,
                hint="Mostly babies and children under 2. You foster while the court "
                "decides, and adopt if the court decides on adoption.",
            ),
            Choice(
                Enquiry.Route.FOSTERING_FOR_ADOPTION,
                Enquiry.Route.FOSTERING_FOR_ADOPTION.label,
                hint="Children of any age. You are approved to adopt, and to foster the "
                "child while the court decides.",
            ),
            Choice(Enquiry.Route.NOT_SURE, Enquiry.Route.NOT_SURE.label),
        ],
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select the kind of Early Permanence that interests you, or not sure",
            "invalid_choice": "Select the kind of Early Permanence that interests you, or not sure",
        },
    )
    heard_about = forms.ChoiceField(
        label="How did you hear about us? (optional)",
        required=False,
        choices=[("", "Choose an answer"), *Enquiry.HeardAbout.choices],
        error_messages={"invalid_choice": "Choose an answer from the list"},
    )
    question = forms.CharField(
        label="Is there anything you would like to ask us? (optional)",
        required=False,
        max_length=QUESTION_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="We will answer it when we get in touch. Please keep details about your "
        "health or other personal matters for the next box.",
        error_messages={"max_length": "Your question must be 2,000 characters or fewer"},
    )
    sensitive_details = forms.CharField(
        label="Is there anything personal you would like us to know? (optional)",
        required=False,
        max_length=QUESTION_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="For example about your health, fertility treatment or beliefs. We keep "
        "this only if you agree below; you can also tell us when we talk.",
        error_messages={"max_length": "This must be 2,000 characters or fewer"},
    )
    # Asked beside the details, so they are never held (in the session either) without it.
    sensitive_consent = forms.BooleanField(
        required=False,
        label="I agree that you may keep the personal details I shared",
        help_text="Details like these are sensitive, so we keep them only if you agree. If "
        "you would rather not, leave the box above empty and tell us when we talk; we keep "
        "the rest of your enquiry either way.",
    )

    def layout(self):
        return Layout(
            Field.radios("route", legend_size=Size.SMALL),
            Field.select("heard_about"),
            Field.textarea("question", max_characters=QUESTION_MAX_LENGTH),
            Field.textarea("sensitive_details", max_characters=QUESTION_MAX_LENGTH),
            Field.checkbox("sensitive_consent"),
        )

    def clean_question(self):
        return self.cleaned_data["question"].strip()

    def clean_sensitive_details(self):
        return self.cleaned_data["sensitive_details"].strip()

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("sensitive_details"):
            cleaned["sensitive_consent"] = False
        elif not cleaned.get("sensitive_consent"):
            self.add_error(
                "sensitive_consent",
                "Tick the box to agree that we may keep the personal details you shared, "
                "or leave that box empty and tell us when we talk",
            )
        return cleaned


class SubmitForm(HoneypotFormMixin, forms.Form):
    """The last page: the privacy notice. The consent for sensitive details is asked on
    the step where they are written, so the session never holds them without it."""

    privacy_acknowledged = forms.BooleanField(
        label="I have read the privacy notice",
        error_messages={"required": "Confirm that you have read the privacy notice"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _honeypot_last(self)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(Field.checkbox("privacy_acknowledged"))


@dataclass(frozen=True)
class Step:
    slug: str
    title: str
    form_class: type[EnquiryStepForm]


STEPS = (
    Step("about-you", "About you", AboutYouForm),
    Step("contact", "How to contact you", ContactForm),
    Step("household", "Your household", HouseholdForm),
    Step("interest", "What interests you", InterestForm),
)
STEP_BY_SLUG = {step.slug: step for step in STEPS}
SESSION_KEY = "enquiry_answers"


class EnquiryAnswers:
    """The answers given so far, kept in the session until the enquiry is sent."""

    def __init__(self, session):
        self.session = session
        stored = session.get(SESSION_KEY)
        self.by_step: dict[str, dict] = stored if isinstance(stored, dict) else {}

    def get(self, step: Step) -> dict | None:
        return self.by_step.get(step.slug)

    def save(self, step: Step, answers: dict) -> None:
        self.by_step = {**self.by_step, step.slug: answers}
        self.session[SESSION_KEY] = self.by_step

    def clear(self) -> None:
        self.session.pop(SESSION_KEY, None)
        self.by_step = {}

    def first_missing(self) -> Step | None:
        for step in STEPS:
            if not self._valid(step):
                return step
        return None

    def _valid(self, step: Step) -> bool:
        """A step counts as answered only if its answers still pass its own form."""
        stored = self.by_step.get(step.slug)
        if not isinstance(stored, dict):
            return False
        return step.form_class(data=as_form_data(step, stored)).is_valid()

    def merged(self) -> dict:
        merged = {}
        for step in STEPS:
            merged.update(self.by_step.get(step.slug, {}))
        return merged

    def service_arguments(self) -> dict:
        """The answers as keyword arguments for ``services.enquiries.enquiry_submit``."""
        data = self.merged()
        return {
            "first_name": data["first_name"],
            "last_name": data["last_name"],
            "email": data["email"],
            "postcode": data["postcode"],
            "aged_21_or_over": data["aged_21_or_over"],
            "contact_method": data["contact_method"],
            "phone": data.get("phone", ""),
            "contact_time": data["contact_time"],
            "household": data["household"],
            "partner_name": data.get("partner_name", ""),
            "children_ages": data.get("children_ages", []),
            "route": data["route"],
            "heard_about": data.get("heard_about", ""),
            "question": data.get("question", ""),
            "sensitive_details": data.get("sensitive_details", ""),
            "sensitive_consent": bool(data.get("sensitive_consent")),
        }


def as_form_data(step: Step, answers: dict) -> dict:
    """Stored answers back into form data, to show them again or check them."""
    data = {}
    for name, value in answers.items():
        if name == "children_ages":
            data[name] = ", ".join(str(age) for age in value)
        elif name == "aged_21_or_over":
            data[name] = YES if value else NO
        elif isinstance(value, bool):
            if value:
                data[name] = "on"
        else:
            data[name] = value
    return data


def summary_rows(answers: EnquiryAnswers) -> list[dict]:
    """Check-your-answers rows: label, value, and the step to change it."""
    data = answers.merged()

    def label(choices, value):
        return dict(choices).get(value, "") if value else ""

    ages = data.get("children_ages") or []
    rows = [
        ("about-you", "Name", f"{data.get('first_name', '')} {data.get('last_name', '')}".strip()),
        ("about-you", "Email address", data.get("email", "")),
        ("about-you", "Postcode", data.get("postcode", "")),
        (
            "about-you",
            "Aged 21 or over",
            "Yes" if data.get("aged_21_or_over") else "No: registering interest for later",
        ),
        (
            "contact",
            "How to contact you",
            label(Enquiry.ContactMethod.choices, data.get("contact_method")),
        ),
        ("contact", "Phone number", data.get("phone") or "Not given"),
        ("contact", "Best time", label(Enquiry.ContactTime.choices, data.get("contact_time"))),
        ("household", "Applying", label(Enquiry.Household.choices, data.get("household"))),
    ]
    if data.get("partner_name"):
        rows.append(("household", "Partner’s name", data["partner_name"]))
    rows += [
        (
            "household",
            "Children living with you",
            ("Aged " + ", ".join(str(age) for age in ages)) if ages else "None",
        ),
        ("interest", "Interested in", label(Enquiry.Route.choices, data.get("route"))),
        (
            "interest",
            "How you heard about us",
            label(Enquiry.HeardAbout.choices, data.get("heard_about")) or "Not given",
        ),
        ("interest", "Your question", data.get("question") or "None"),
        ("interest", "Personal details", data.get("sensitive_details") or "None"),
    ]
    return [
        {
            "step": slug,
            "label": text,
            "value": value,
            "title": STEP_BY_SLUG[slug].title,
            # An address breaks only at its @ on a narrow screen, never mid-name.
            "email_parts": value.rpartition("@") if text == "Email address" else None,
        }
        for slug, text, value in rows
    ]
