"""Forms for the staff pages: household details and the small form behind each action button."""

from decimal import Decimal

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Layout, Size
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db.models import Count
from django.utils import timezone

from portal import dates, formats
from portal import forms as portal_forms
from portal.admin_documents import DocumentsPerSaveFormSet, DocumentUploadForm
from portal.forms import DateInput, validate_happened

from . import services
from .models import (
    AgesIn,
    Applicant,
    Assessment,
    Document,
    FastTrackBasis,
    FosterCarerReview,
    Household,
    HouseholdMember,
    PanelSitting,
    QualifyingDetermination,
    StatutoryCheck,
    Track,
    TrainingCourse,
    TrainingRecord,
)


class HouseholdForm(forms.ModelForm):
    roi_received_on = forms.DateField(
        label="Registration of Interest received on",
        widget=DateInput(),
        required=False,
        help_text="New households only. Leave empty for today.",
    )

    class Meta:
        model = Household
        # What staff may edit: the fields household_update saves.
        fields = list(services.HOUSEHOLD_DETAIL_FIELDS)

    def clean_postcode(self):
        return services.postcode_normalise(self.cleaned_data["postcode"])

    def clean_roi_received_on(self):
        return validate_happened(self.cleaned_data.get("roi_received_on"))


class ApplicantInlineForm(forms.ModelForm):
    """An applicant's date of birth: a grown-up's, and 21 or over once Stage 1 has started."""

    class Meta:
        model = Applicant
        fields = ["position", "first_name", "last_name", "date_of_birth"]

    def clean(self):
        data = super().clean()
        if data.get("date_of_birth") is not None:
            name = formats.full_name(data.get("first_name", ""), data.get("last_name", ""))
            dates.add_to_form(
                self,
                services.applicant_date_problems(
                    name=name,
                    date_of_birth=data["date_of_birth"],
                    stage_1_started_on=services.applicant_stage_1_started_on(
                        household_id=self.instance.household_id
                    ),
                ),
            )
        return data


class HouseholdMemberInlineForm(forms.ModelForm):
    class Meta:
        model = HouseholdMember
        fields = ["first_name", "last_name", "relationship", "date_of_birth"]

    def clean(self):
        data = super().clean()
        dates.add_to_form(
            self, services.member_date_problems(date_of_birth=data.get("date_of_birth"))
        )
        return data


class StatutoryCheckInlineForm(forms.ModelForm):
    """Dates in order and not ahead of today, checked before the database sees them."""

    class Meta:
        model = StatutoryCheck
        fields = ["kind", "requested_on", "received_on", "outcome", "expires_on"]

    def clean(self):
        data = super().clean()
        dates.add_to_form(
            self,
            services.check_date_problems(
                requested_on=data.get("requested_on"),
                received_on=data.get("received_on"),
                expires_on=data.get("expires_on"),
                outcome=data.get("outcome") or "",
                for_applicant=data.get("applicant") is not None,
                for_member=data.get("member") is not None,
            ),
        )
        return data


class TrainingRecordInlineForm(forms.ModelForm):
    class Meta:
        model = TrainingRecord
        fields = ["applicant", "course", "booked_for", "completed_on"]

    def clean(self):
        data = super().clean()
        dates.add_to_form(
            self, services.training_date_problems(completed_on=data.get("completed_on"))
        )
        return data


class DocumentInlineForm(DocumentUploadForm):
    class Meta:
        model = Document
        fields = ["kind", "title", "file", "check_record"]


class DocumentInlineFormSet(DocumentsPerSaveFormSet):
    """The household page's documents: at most ``DOCUMENTS_PER_SAVE`` new ones a save."""


class TrainingCourseForm(forms.ModelForm):
    class Meta:
        model = TrainingCourse
        fields = [
            "name",
            "description",
            "due_from",
            "due_within_months",
            "complete_before",
            "is_mandatory",
            "is_active",
        ]


class ActionForm(portal_forms.ActionForm):
    """The form behind an assessment's action button: when it happened, and a note."""

    note_help_text = "Shown in the assessment timeline and the panel paper."

    def __init__(self, *args, action: services.Action, assessment: Assessment, **kwargs):
        self.assessment = assessment
        super().__init__(*args, action=action, **kwargs)


class Stage1PlanForm(ActionForm):
    def add_action_fields(self):
        self.fields["on"].label = "Date the written Stage 1 plan was agreed"

    def service_kwargs(self):
        return {"agreed_on": self.cleaned_data["on"], "note": self.cleaned_data.get("note", "")}


class ExtendStage2Form(ActionForm):
    def add_action_fields(self):
        del self.fields["on"]
        self.fields["until"] = forms.DateField(
            label="New Stage 2 decision date", widget=DateInput()
        )
        self.fields[
            "note"
        ].help_text = "Only at the applicants' request or in exceptional circumstances (reg 30B)."

    def service_kwargs(self):
        return {"until": self.cleaned_data["until"], "note": self.cleaned_data["note"]}


class FastTrackForm(ActionForm):
    def add_action_fields(self):
        self.fields["on"].label = "Date they notified the agency they want to proceed"
        self.fields["basis"] = forms.ChoiceField(
            label="Why the fast track",
            choices=FastTrackBasis.choices,
            widget=forms.RadioSelect,
        )
        self.fields["since"] = forms.DateField(
            label="Date of that approval",
            widget=DateInput(),
            help_text="As foster carers (currently approved), or as adopters before.",
        )

    def service_kwargs(self):
        data = self.cleaned_data
        return {**super().service_kwargs(), "basis": data["basis"], "since": data["since"]}


class BookPanelForm(ActionForm):
    def add_action_fields(self):
        today = timezone.localdate()
        kinds = [PanelSitting.Kind.JOINT, self.assessment.track]
        self.fields["panel"] = forms.ModelChoiceField(
            label="Panel sitting",
            queryset=PanelSitting.objects.filter(sits_on__gte=today, kind__in=kinds).order_by(
                "sits_on"
            ),
            help_text="Sittings from today on that hear this track. Add sittings under Panel sittings.",
        )

    def service_kwargs(self):
        return {**super().service_kwargs(), "panel": self.cleaned_data["panel"]}


class PanelMoveForm(forms.Form):
    """Both tracks' bookings to another sitting (``services.household_move_panel``)."""

    def __init__(self, *args, household, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to"] = forms.ModelChoiceField(
            label="New panel sitting",
            queryset=PanelSitting.objects.filter(sits_on__gte=timezone.localdate())
            .annotate(booked=Count("agenda__household", distinct=True))
            .order_by("sits_on", "kind"),
            help_text="Sittings from today on, with the households booked so far. "
            "Add sittings under Panel sittings.",
        )
        self.fields["to"].label_from_instance = _sitting_with_places
        self.fields["note"] = forms.CharField(
            label="Reason",
            max_length=2000,
            widget=forms.Textarea(attrs={"rows": 4, "cols": 70}),
            help_text="Shown in the assessment timeline of each track.",
        )


def _sitting_with_places(sitting) -> str:
    if sitting.places is None:
        return f"{sitting} ({sitting.booked} booked)"
    return f"{sitting} ({sitting.booked} of {sitting.places} places booked)"


class RecommendationForm(ActionForm):
    def add_action_fields(self):
        del self.fields["on"]
        self.fields["recommendation"] = forms.ChoiceField(
            label="The panel recommended",
            choices=Assessment.Recommendation.choices,
            widget=forms.RadioSelect,
        )

    def service_kwargs(self):
        return {
            "recommendation": self.cleaned_data["recommendation"],
            "note": self.cleaned_data.get("note", ""),
        }


class MinutesForm(ActionForm):
    def add_action_fields(self):
        self.fields["on"].label = "Date the final minutes were received"
        self.fields["on"].help_text = (
            "The agency decision is due within "
            f"{settings.CARERS_AGENCY_DECISION_WORKING_DAYS} working days of this day."
        )
        self.fields["minutes"] = forms.ModelChoiceField(
            label="The final minutes",
            queryset=Document.objects.filter(
                household=self.assessment.household_id, kind=Document.Kind.PANEL_MINUTES
            ).order_by("-uploaded_at", "-id"),
            help_text="Upload them on the household's page first, as “Panel minutes”.",
        )

    def service_kwargs(self):
        return {**super().service_kwargs(), "minutes": self.cleaned_data["minutes"]}


class DecisionForm(ActionForm):
    # After panel the decision maker approves here; not approving is first a proposal
    # (its own button). After a proposed refusal, either outcome (``FinalDecisionForm``).
    decision_choices = [(Assessment.Decision.APPROVED, "Approved")]
    decision_help = (
        "To refuse, use “Propose not to approve (qualifying determination)”: the "
        "applicants have a window before the final decision."
    )

    def add_action_fields(self):
        self.fields["on"].label = "Date of the agency decision"
        self.fields["decision"] = forms.ChoiceField(
            label="The agency decision maker decided",
            choices=self.decision_choices,
            widget=forms.RadioSelect,
            help_text=self.decision_help,
        )
        self.fields["approved_age_from"] = forms.IntegerField(
            label="Approved for children aged from", min_value=0, max_value=215, required=False
        )
        self.fields["approved_age_to"] = forms.IntegerField(
            label="Approved for children aged up to", min_value=0, max_value=215, required=False
        )
        self.fields["approved_ages_in"] = forms.ChoiceField(
            label="Ages counted in",
            choices=AgesIn.choices,
            initial=AgesIn.YEARS,
            required=False,
            help_text="Early Permanence approvals are often in months, e.g. 0 to 18 months.",
        )
        self.fields["approved_number_of_children"] = forms.IntegerField(
            label="Approved for this many children", min_value=1, max_value=6, required=False
        )

    def clean(self):
        data = super().clean()
        if data.get("decision") == Assessment.Decision.APPROVED:
            for name in ("approved_age_from", "approved_age_to", "approved_number_of_children"):
                if data.get(name) is None:
                    self.add_error(name, "Give the terms of approval.")
        return data

    def service_kwargs(self):
        data = self.cleaned_data
        return {
            "on": data["on"],
            "note": data.get("note", ""),
            "decision": data["decision"],
            "approved_age_from": data.get("approved_age_from"),
            "approved_age_to": data.get("approved_age_to"),
            "approved_number_of_children": data.get("approved_number_of_children"),
            "approved_ages_in": data.get("approved_ages_in") or AgesIn.YEARS,
        }


class FinalDecisionForm(DecisionForm):
    decision_choices = Assessment.Decision.choices
    decision_help = "After the applicants' window, their representations or the review."


def _household_documents(assessment: Assessment, kind: str):
    return Document.objects.filter(household_id=assessment.household_id, kind=kind).order_by(
        "-uploaded_at"
    )


class ProposeRefusalForm(ActionForm):
    def add_action_fields(self):
        kind = Document.Kind.REFUSAL_REASONS
        self.fields["on"].label = "Date the notice was sent to the applicants"
        self.fields["reasons"] = forms.ModelChoiceField(
            label="The notice with the reasons",
            queryset=_household_documents(self.assessment, kind),
            help_text=f"Upload it first under Documents, of the kind “{kind.label}”.",
        )
        if self.assessment.track == Track.ADOPTION:
            self.fields["irm_excluded"] = forms.BooleanField(
                label="Not suitable because of the criminal record information",
                required=False,
                help_text="Then the applicants cannot ask for an independent review "
                "(AAR 2005 reg 30B(5A)).",
            )

    def service_kwargs(self):
        return {
            **super().service_kwargs(),
            "reasons": self.cleaned_data["reasons"],
            "irm_excluded": self.cleaned_data.get("irm_excluded", False),
        }


class _OptionalDocumentForm(ActionForm):
    document_kind = ""

    def add_action_fields(self):
        self.fields["on"].label = "Date received"
        self.fields["document"] = forms.ModelChoiceField(
            label="The document",
            queryset=_household_documents(self.assessment, self.document_kind),
            required=False,
            help_text="Upload it under Documents, of the kind "
            f"“{Document.Kind(self.document_kind).label}”.",
        )

    def service_kwargs(self):
        return {**super().service_kwargs(), "document": self.cleaned_data.get("document")}


class RepresentationsForm(_OptionalDocumentForm):
    document_kind = Document.Kind.REPRESENTATIONS


class PanelReconsiderationForm(ActionForm):
    def add_action_fields(self):
        self.fields["on"].label = "Date the panel sat"
        self.fields["recommendation"] = forms.ChoiceField(
            label="The panel recommended",
            choices=QualifyingDetermination.Recommendation.choices,
            widget=forms.RadioSelect,
        )

    def service_kwargs(self):
        return {**super().service_kwargs(), "recommendation": self.cleaned_data["recommendation"]}


class IrmApplicationForm(ActionForm):
    def add_action_fields(self):
        self.fields["on"].label = "Date the agency was told of the application"
        self.fields["on"].help_text = "The documents are due 10 working days after it."


class IrmDocumentsForm(ActionForm):
    def add_action_fields(self):
        self.fields["on"].label = "Date the documents were sent"


class IrmRecommendationForm(_OptionalDocumentForm):
    document_kind = Document.Kind.IRM_RECOMMENDATION

    def add_action_fields(self):
        super().add_action_fields()
        self.fields["on"].label = "Date the agency received the recommendation"
        self.fields["panel_on"] = forms.DateField(
            label="Date the independent review panel sat",
            widget=DateInput(),
            validators=[validate_happened],
        )
        self.fields["recommendation"] = forms.ChoiceField(
            label="The independent review panel recommended",
            choices=QualifyingDetermination.Recommendation.choices,
            widget=forms.RadioSelect,
        )

    def service_kwargs(self):
        return {
            **super().service_kwargs(),
            "panel_on": self.cleaned_data["panel_on"],
            "recommendation": self.cleaned_data["recommendation"],
        }


class ShareReportForm(ActionForm):
    def add_action_fields(self):
        self.fields["on"].label = "Date the report was sent to the applicants"


class ObservationsForm(ActionForm):
    def add_action_fields(self):
        self.fields["on"].label = "Date the observations were received"
        kind = Document.Kind.REPORT_OBSERVATIONS.label
        self.fields["on"].help_text = f"Upload them under Documents, of the kind “{kind}”."


ACTION_FORMS: dict[str, type[ActionForm]] = {
    "record_stage_1_plan": Stage1PlanForm,
    "fast_track": FastTrackForm,
    "extend_stage_2": ExtendStage2Form,
    "book_panel": BookPanelForm,
    "record_recommendation": RecommendationForm,
    "record_minutes": MinutesForm,
    "record_decision": DecisionForm,
    "share_report": ShareReportForm,
    "record_observations": ObservationsForm,
    "propose_refusal": ProposeRefusalForm,
    "record_representations": RepresentationsForm,
    "record_panel_reconsideration": PanelReconsiderationForm,
    "record_irm_application": IrmApplicationForm,
    "record_irm_documents_sent": IrmDocumentsForm,
    "record_irm_recommendation": IrmRecommendationForm,
    "record_final_decision": FinalDecisionForm,
}


def action_form_class(action_name: str) -> type[ActionForm]:
    return ACTION_FORMS.get(action_name, ActionForm)


class CloseHouseholdForm(forms.Form):
    on = forms.DateField(label="Date the household closed", widget=DateInput())
    reason = forms.CharField(
        label="Reason", max_length=300, widget=forms.Textarea(attrs={"rows": 3, "cols": 60})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["on"].initial = timezone.localdate()

    def clean_on(self):
        return validate_happened(self.cleaned_data["on"])


class ReviewCompleteForm(forms.Form):
    """A review of one approval: its outcome, the views sought and, for the first foster
    carer review, the fostering panel's recommendation (``services.approval_review_complete``)."""

    on = forms.DateField(label="Date of the review", widget=DateInput())
    outcome = forms.ChoiceField(
        label="Outcome", choices=FosterCarerReview.Outcome.choices, widget=forms.RadioSelect
    )
    carers_views = forms.CharField(
        label="The carers' views",
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
    )
    placing_authority_views = forms.CharField(
        label="Placing authorities' views",
        required=False,
        max_length=4000,
        help_text="Of each authority that placed a child with the carers in the last year.",
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
    )
    age_from = forms.IntegerField(
        label="New terms: aged from", required=False, min_value=0, max_value=215
    )
    age_to = forms.IntegerField(
        label="New terms: aged up to", required=False, min_value=0, max_value=215
    )
    ages_in = forms.ChoiceField(
        label="New terms: ages in", choices=AgesIn.choices, initial=AgesIn.YEARS, required=False
    )
    number = forms.IntegerField(
        label="New terms: number of children", required=False, min_value=1, max_value=6
    )
    notes = forms.CharField(
        required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3, "cols": 60})
    )

    def __init__(self, *args, review: FosterCarerReview, **kwargs):
        super().__init__(*args, **kwargs)
        self.review = review
        self.fields["on"].initial = timezone.localdate()
        if review.track != Track.FOSTERING:
            del self.fields["placing_authority_views"]
        if review.goes_to_panel:
            self.fields["panel"] = forms.ModelChoiceField(
                label="Fostering panel sitting",
                queryset=PanelSitting.objects.filter(
                    kind__in=[PanelSitting.Kind.JOINT, PanelSitting.Kind.FOSTERING],
                    sits_on__lte=timezone.localdate(),
                ).order_by("-sits_on"),
                help_text="The first review goes to the fostering panel.",
            )
            self.fields["panel_recommendation"] = forms.ChoiceField(
                label="The panel's recommendation",
                choices=FosterCarerReview.Outcome.choices,
                widget=forms.RadioSelect,
            )

    def clean_on(self):
        return validate_happened(self.cleaned_data["on"])

    def clean(self):
        data = super().clean()
        if data.get("outcome") == FosterCarerReview.Outcome.VARY:
            for name in ("age_from", "age_to", "number"):
                if data.get(name) is None:
                    self.add_error(name, "Give the new terms of approval.")
        return data

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        kwargs = {
            name: data.get(name) or ""
            for name in ("on", "outcome", "carers_views", "placing_authority_views", "notes")
        }
        kwargs["panel"] = data.get("panel")
        kwargs["panel_recommendation"] = data.get("panel_recommendation") or ""
        if data.get("outcome") == FosterCarerReview.Outcome.VARY:
            kwargs["terms"] = {
                "age_from": data.get("age_from"),
                "age_to": data.get("age_to"),
                "ages_in": data.get("ages_in") or AgesIn.YEARS,
                "number": data.get("number"),
            }
        return kwargs


class EnquiryConversionForm(forms.Form):
    """What the enquiry form never asked, needed to open a household's assessment."""

    social_worker = forms.ModelChoiceField(queryset=None, label="Assessing social worker")
    accepted_on = forms.DateField(
        label="Registration of Interest accepted on (Stage 1 starts)", widget=DateInput()
    )
    address_line_1 = forms.CharField(label="Address line 1", max_length=120)
    address_line_2 = forms.CharField(label="Address line 2", max_length=120, required=False)
    town = forms.CharField(label="Town or city", max_length=80)
    postcode = forms.CharField(max_length=10)
    local_authority = forms.CharField(label="Local authority", max_length=80)
    has_pets = forms.BooleanField(label="There are pets in the home", required=False)
    date_of_birth_1 = forms.DateField(widget=DateInput())
    partner_first_name = forms.CharField(max_length=80, required=False)
    partner_last_name = forms.CharField(max_length=80, required=False)
    date_of_birth_2 = forms.DateField(widget=DateInput(), required=False)

    def __init__(self, *args, enquiry, **kwargs):
        from enquiries.models import Enquiry
        from enquiries.services.registration import registration_conversion_initial

        from .selectors import social_worker_choices

        super().__init__(*args, **kwargs)
        self.enquiry = enquiry
        self.couple = enquiry.household == Enquiry.Household.COUPLE
        self.fields["social_worker"].queryset = social_worker_choices()
        self.fields["accepted_on"].initial = timezone.localdate()
        self.fields["postcode"].initial = enquiry.postcode
        self.fields[
            "date_of_birth_1"
        ].label = f"Date of birth of {enquiry.first_name} {enquiry.last_name}"
        if self.couple:
            first, last = services.conversion._split_name(enquiry.partner_name)
            self.fields["partner_first_name"].initial = first
            self.fields["partner_last_name"].initial = last
            self.fields["partner_first_name"].required = True
            self.fields["date_of_birth_2"].required = True
            self.fields["date_of_birth_2"].label = "Partner's date of birth"
        else:
            for name in ("partner_first_name", "partner_last_name", "date_of_birth_2"):
                del self.fields[name]
        # The children the enquiry listed, carried over as household members to complete.
        self.child_count = len(enquiry.children_ages or [])
        for number, age in enumerate(enquiry.children_ages or [], start=1):
            about = f"Child {number} (aged {age} on the enquiry)"
            self.fields[f"child_{number}_first_name"] = forms.CharField(
                label=f"{about}: first name", max_length=80
            )
            self.fields[f"child_{number}_last_name"] = forms.CharField(
                label=f"{about}: last name", max_length=80, required=False
            )
            self.fields[f"child_{number}_last_name"].initial = enquiry.last_name
            self.fields[f"child_{number}_relationship"] = forms.CharField(
                label=f"{about}: relationship to the applicants",
                max_length=60,
                help_text="For example son, daughter, stepdaughter.",
            )
            self.fields[f"child_{number}_date_of_birth"] = forms.DateField(
                label=f"{about}: date of birth", widget=DateInput()
            )
        # A Registration of Interest sent online gives its answers as the starting values.
        for name, value in registration_conversion_initial(enquiry).items():
            if name in self.fields and value not in (None, ""):
                self.fields[name].initial = value

    def clean_postcode(self):
        return services.postcode_normalise(self.cleaned_data["postcode"])

    def clean_accepted_on(self):
        value = self.cleaned_data["accepted_on"]
        problems = dates.happened(value) or dates.in_order(
            value,
            self.enquiry.roi_received_on,
            label="The date the Registration of Interest was accepted",
            earlier_label="the date it was received",
        )
        if problems:
            raise ValidationError(dates.messages(problems))
        return value

    def clean(self):
        data = super().clean()
        accepted_on = data.get("accepted_on")
        if accepted_on is None:
            return data
        people = [("date_of_birth_1", f"{self.enquiry.first_name} {self.enquiry.last_name}")]
        if self.couple:
            partner = f"{data.get('partner_first_name', '')} {data.get('partner_last_name', '')}"
            people.append(("date_of_birth_2", partner.strip() or "the partner"))
        for name, person in people:
            born = data.get(name)
            if born is None:
                continue
            problems = services.applicant_date_problems(
                name=person.strip(), date_of_birth=born, stage_1_started_on=accepted_on
            )
            dates.add_to_form(self, [dates.DateProblem(name, p.message) for p in problems])
        return data

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        dates = [data["date_of_birth_1"]]
        if self.couple:
            dates.append(data["date_of_birth_2"])
        return {
            "social_worker": data["social_worker"],
            "accepted_on": data["accepted_on"],
            "address_line_1": data["address_line_1"],
            "address_line_2": data.get("address_line_2", ""),
            "town": data["town"],
            "postcode": data["postcode"],
            "local_authority": data["local_authority"],
            "has_pets": data.get("has_pets", False),
            "dates_of_birth": dates,
            "partner_first_name": data.get("partner_first_name", ""),
            "partner_last_name": data.get("partner_last_name", ""),
            "children": [
                {
                    "first_name": data[f"child_{number}_first_name"],
                    "last_name": data.get(f"child_{number}_last_name", ""),
                    "relationship": data[f"child_{number}_relationship"],
                    "date_of_birth": data[f"child_{number}_date_of_birth"],
                }
                for number in range(1, self.child_count + 1)
            ],
        }


class LetterProduceForm(forms.Form):
    """Producing a letter: the address to send it to, for a letter to someone outside the
    household (a referee, an employer, a GP); applicants' addresses are on their records."""

    email = forms.EmailField(
        label="Their email address",
        max_length=254,
        help_text="They are emailed a link to sign in and read the letter; the letter "
        "itself is never attached.",
    )

    # The newest letter of this kind when the page was opened (``letter_produce(seen=)``).
    seen = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(self, *args, asks_email: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not asks_email:
            del self.fields["email"]


class DocumentSendForm(forms.Form):
    """The applicants send a document their social worker asked for (their own area)."""

    file = forms.FileField(
        label="Choose the file",
        error_messages={
            "required": "Choose the file to send",
            "empty": "The file is empty: choose the file again",
            "invalid": "Choose the file to send",
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = (
            "A PDF, Word, OpenDocument, text, JPEG or PNG file, smaller than "
            f"{settings.CARERS_DOCUMENT_MAX_MB} MB. A photo of a paper form is fine."
        )
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.label_size = Size.SMALL

    def clean_file(self):
        file = self.cleaned_data["file"]
        services.document_validate(file)
        return file


class DocumentRequestForm(forms.Form):
    """The social worker asks the applicants for a document (``document_request_create``)."""

    title = forms.CharField(
        label="What are you asking for?",
        max_length=150,
        help_text="In the applicants' words, e.g. “Your completed reference form”.",
    )
    note = forms.CharField(
        label="What to send (optional)",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text="Shown to the applicants in their area.",
    )
    due_on = forms.DateField(label="Send by (optional)", required=False, widget=DateInput())
    kind = forms.ChoiceField(
        label="File it as",
        choices=[
            (value, label)
            for value, label in Document.Kind.choices
            if value not in (Document.Kind.LETTER,)
        ],
        initial=Document.Kind.OTHER,
    )

    def __init__(self, *args, household=None, **kwargs):
        # Every form of the own-area page is given the household; this one needs nothing
        # of it.
        super().__init__(*args, **kwargs)


class EventOfferForm(forms.Form):
    """The social worker offers a private event to a household (``event_offer``)."""

    event = forms.ModelChoiceField(
        label="Training or group",
        queryset=None,
        help_text="Private events still taking bookings, not yet offered to this household. "
        "The events team adds them under Information events.",
    )

    def __init__(self, *args, household, **kwargs):
        super().__init__(*args, **kwargs)
        from enquiries.models import InformationEvent

        self.fields["event"].queryset = (
            InformationEvent.objects.private()
            .filter(status=InformationEvent.Status.SCHEDULED, starts_at__gt=timezone.now())
            .exclude(offers__household=household)
            .order_by("starts_at", "id")
        )


class CarersSessionReportForm(forms.Form):
    """The carers' note after a family time session, and their miles (their own area)."""

    note = forms.CharField(
        label="How was the child after the session? (optional)",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="For example how they settled, fed and slept. Your social worker reads it.",
        error_messages={"max_length": "The note must be 500 characters or fewer"},
    )
    miles = forms.DecimalField(
        label="Miles you drove for this session (optional)",
        required=False,
        min_value=Decimal("0.1"),
        max_value=Decimal("1000"),
        max_digits=5,
        decimal_places=1,
        # GOV.UK: a text input with a decimal keyboard, never type="number".
        widget=forms.TextInput,
        help_text="There and back. Giving the miles sends your mileage claim.",
        error_messages={
            "invalid": "Enter the miles as a number, like 12.5",
            "min_value": "Enter the miles as a number more than 0",
            "max_value": "Enter the miles as a number no more than 1,000",
            "max_decimal_places": "Enter the miles to one decimal place, like 12.5",
            "max_digits": "Enter the miles as a number no more than 1,000",
        },
    )

    def __init__(self, *args, with_miles: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.label_size = Size.SMALL
        if not with_miles:
            del self.fields["miles"]
            self.helper.layout = Layout(Field.textarea("note", max_characters=500))
            return
        self.fields["miles"].widget.attrs.update(inputmode="decimal", spellcheck="false")
        self.helper.layout = Layout(
            Field.textarea("note", max_characters=500),
            Field.text("miles", field_width=5),
        )


class CarersBookEntryForm(forms.Form):
    """An entry the carers write in a child's communication book (their own area)."""

    text = forms.CharField(
        label="Your entry for the birth family",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="How the child is doing: feeds, sleep, new things. Your social worker reads "
        "it before it is shared. Do not write your surname, street or town.",
        error_messages={
            "required": "Write your entry",
            "max_length": "Your entry must be 1,000 characters or fewer",
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.label_size = Size.SMALL
        self.helper.layout = Layout(Field.textarea("text", max_characters=1000))


class WeeklySummaryForm(forms.Form):
    """Whether the applicant gets the weekly summary of their own area."""

    send = forms.ChoiceField(
        label="Do you want a weekly email about your week ahead?",
        choices=[("yes", "Yes, email me each week"), ("no", "No, I will sign in to check")],
        widget=forms.RadioSelect,
        help_text="It says how many things you have to do and how many dates you have that "
        "week, and nothing about what they are.",
        error_messages={"required": "Choose whether you want a weekly email"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(Field.radios("send", legend_size=Size.MEDIUM))


class HealthConsentForm(forms.Form):
    """The applicant's consent for the agency's medical adviser to ask their GP about their
    health (their own area). Every answer may be saved unfinished; sending checks them all
    (``services.health_consent_problems``)."""

    gp_practice = forms.CharField(label="Your GP practice", max_length=120, required=False)
    gp_address = forms.CharField(
        label="Its address",
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    gp_phone = forms.CharField(label="Its phone number (optional)", max_length=30, required=False)
    consent = forms.BooleanField(
        label="I agree that the agency's medical adviser may ask my GP for information about "
        "my health, for my assessment",
        required=False,
    )
    signed_name = forms.CharField(
        label="Your full name",
        max_length=120,
        required=False,
        help_text="Typing your name signs the form.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["gp_phone"].widget.input_type = "tel"
        self.fields["signed_name"].widget.attrs.update(autocomplete="name", spellcheck="false")
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.label_size = Size.SMALL
        self.helper.layout = Layout(
            Field.text("gp_practice"),
            Field.textarea("gp_address"),
            Field.text("gp_phone", field_width=20),
            Field.checkbox("consent"),
            Field.text("signed_name"),
        )


class SupportPersonForm(forms.Form):
    """One person of the applicants' support network (their own area). Every answer may be
    saved unfinished; sending checks them all (``services.support_network_problems``).
    Each answer is as long as the support network record takes."""

    name = forms.CharField(label="Their full name", required=False)
    relationship = forms.CharField(
        label="Who they are to you",
        required=False,
        help_text="For example, your sister, a neighbour or a friend from work.",
    )
    phone = forms.CharField(label="Their phone number", required=False)
    email = forms.CharField(
        label="Their email address",
        required=False,
        help_text="We use it to invite them to a session for family and friends.",
    )
    help = forms.CharField(
        label="How they will help (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, most in services.support_person_lengths().items():
            field = self.fields[name]
            field.max_length = most
            field.validators.append(MaxLengthValidator(most))
            field.widget.attrs["maxlength"] = str(most)
        self.fields["name"].widget.attrs.update(spellcheck="false")
        self.fields["phone"].widget.input_type = "tel"
        self.fields["phone"].widget.attrs.update(autocomplete="off")
        self.fields["email"].widget.input_type = "email"
        self.fields["email"].widget.attrs.update(autocomplete="off", spellcheck="false")
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.label_size = Size.SMALL
        self.helper.layout = Layout(
            Field.text("name"),
            Field.text("relationship", field_width=20),
            Field.text("phone", field_width=20),
            Field.text("email"),
            Field.textarea("help"),
        )


class BaseSupportNetworkFormSet(forms.BaseFormSet):
    too_many = (
        f"This form takes up to {services.SUPPORT_NETWORK_MOST} people. Tell your social "
        "worker about anyone else."
    )
    # Django's own words for a post the page did not make, in ours.
    default_error_messages = {
        "missing_management_form": "Your answers could not be read. Try again.",
        "too_many_forms": too_many,
        "too_few_forms": "Add at least one person who will support you",
    }


# The people of the support network form, as many as it takes
# (``services.SUPPORT_NETWORK_MOST``); the page adds and removes them one at a time.
SupportNetworkFormSet = forms.formset_factory(
    SupportPersonForm,
    formset=BaseSupportNetworkFormSet,
    extra=0,
    max_num=services.SUPPORT_NETWORK_MOST,
    absolute_max=services.SUPPORT_NETWORK_MOST,
    validate_max=True,
)
