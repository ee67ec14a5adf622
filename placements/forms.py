"""Forms for the staff pages: a child's details, starting a placement, the records kept on it,
and the small form behind each action button. Every one validates on the server and hands
its data to a service."""

from collections.abc import Callable

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from django.db.models import Q
from django.forms.models import BaseInlineFormSet
from django.utils import timezone

from carers.models import Household
from portal import dates
from portal import forms as portal_forms
from portal.admin_documents import DocumentUploadForm
from portal.calendar import financial_year_label
from portal.forms import DateInput, validate_happened
from portal.uploads import document_check

from . import services
from .models import (
    AdoptionMatch,
    Child,
    ChildDocument,
    CommunicationBookEntry,
    CourtOrder,
    FamilyTimePlan,
    FamilyTimeSession,
    Link,
    Match,
    MatchingPause,
    Placement,
    Proceedings,
    Referral,
    TemporaryApproval,
    TermsExemption,
)
from .selectors.matching import family_finders


def _autocomplete(field, model_field, admin_site, multiple=False) -> None:
    """Give a model choice field the admin's autocomplete widget (choices follow the queryset)."""
    widget = AutocompleteSelectMultiple if multiple else AutocompleteSelect
    field.widget = widget(model_field, admin_site)
    field.queryset = field.queryset  # binds the widget's choices to the field


class ChildForm(forms.ModelForm):
    class Meta:
        model = Child
        fields = [
            "first_name",
            "last_name",
            "adoptive_first_name",
            "adoptive_last_name",
            "date_of_birth",
            "expected_on",
            "sex",
            "entered_care_on",
            "looked_after_basis",
            "pre_proceedings_on",
            "should_be_placed_on",
            "placing_authority",
            "sibling_group",
            "legal_status",
            "social_worker",
            "reviews_duty",
            "visits_duty",
            "health_duty",
        ]
        widgets = {
            "date_of_birth": DateInput(),
            "expected_on": DateInput(),
            "entered_care_on": DateInput(),
            "pre_proceedings_on": DateInput(),
            "should_be_placed_on": DateInput(),
        }

    def clean(self):
        # The service's rules on the dates entered, so the page says what the service would
        # refuse, on the right field (and the database constraints never see a bad date).
        # A section of the child's page holds some of the dates: the others are as saved.
        data = super().clean()

        def value(name):
            return data.get(name) if name in self.fields else getattr(self.instance, name)

        entered = Child(
            pk=self.instance.pk,
            date_of_birth=value("date_of_birth"),
            expected_on=value("expected_on"),
            entered_care_on=value("entered_care_on"),
            pre_proceedings_on=value("pre_proceedings_on"),
            should_be_placed_on=value("should_be_placed_on"),
        )
        if not any(name in self.errors for name in ("date_of_birth", "expected_on")):
            dates.add_to_form(
                self,
                [
                    problem
                    for problem in services.child_problems(entered)
                    if problem.field is None or problem.field in self.fields
                ],
            )
        return data


class PlacementStartForm(forms.Form):
    """Record that a child (or brothers and sisters) came to live with approved carers."""

    household = forms.ModelChoiceField(
        label="Household (approved adopters)",
        queryset=Household.objects.approved_adopters(),
        help_text="Search by reference or an applicant's name.",
    )
    children = forms.ModelMultipleChoiceField(
        label="Child or children placed",
        queryset=Child.objects.exclude(placement_links__is_current=True),
        help_text="Brothers and sisters placed together go in one placement.",
    )
    route = forms.ChoiceField(choices=Placement.Route.choices, widget=forms.RadioSelect)
    placed_on = forms.DateField(
        label="Date the child came to live with the carers",
        widget=DateInput(),
        validators=[validate_happened],
    )
    came_from = forms.ChoiceField(
        label="Came from", choices=Placement.CameFrom.choices, widget=forms.RadioSelect
    )

    def __init__(self, *args, admin_site=admin.site, **kwargs):
        super().__init__(*args, **kwargs)
        _autocomplete(self.fields["household"], Placement._meta.get_field("household"), admin_site)
        _autocomplete(
            self.fields["children"], Placement._meta.get_field("children"), admin_site, True
        )
        self.fields["placed_on"].initial = timezone.localdate()

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        problems, _ = services.placement_start_problems(
            household=data["household"],
            children=list(data["children"]),
            route=data["route"],
            placed_on=data["placed_on"],
        )
        for message in problems:
            self.add_error(None, message)
        return data

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "household": data["household"],
            "children": list(data["children"]),
            "route": data["route"],
            "placed_on": data["placed_on"],
            "came_from": data["came_from"],
        }


class TemporaryApprovalForm(forms.Form):
    household = forms.ModelChoiceField(
        label="Household (approved adopters)", queryset=Household.objects.approved_adopters()
    )
    child = forms.ModelChoiceField(label="The named child", queryset=Child.objects.all())
    approved_on = forms.DateField(
        label="Approved on", widget=DateInput(), validators=[validate_happened]
    )

    def __init__(self, *args, admin_site=admin.site, **kwargs):
        super().__init__(*args, **kwargs)
        _autocomplete(
            self.fields["household"], TemporaryApproval._meta.get_field("household"), admin_site
        )
        _autocomplete(self.fields["child"], TemporaryApproval._meta.get_field("child"), admin_site)
        self.fields["approved_on"].initial = timezone.localdate()


class TermsExemptionForm(forms.Form):
    household = forms.ModelChoiceField(
        label="Household (approved adopters)", queryset=Household.objects.approved_adopters()
    )
    child = forms.ModelChoiceField(label="The named child", queryset=Child.objects.all())
    track = forms.ChoiceField(
        label="Outside the terms of which approval",
        choices=TermsExemption._meta.get_field("track").choices,
        widget=forms.RadioSelect,
    )
    agreed_on = forms.DateField(
        label="Agreed on", widget=DateInput(), validators=[validate_happened]
    )
    reason = forms.CharField(
        label="Why the child may be placed outside the terms",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
    )

    def __init__(self, *args, admin_site=admin.site, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("household", "child"):
            _autocomplete(self.fields[name], TermsExemption._meta.get_field(name), admin_site)
        self.fields["agreed_on"].initial = timezone.localdate()


class EndApprovalForm(forms.Form):
    on = forms.DateField(label="Ends on", widget=DateInput(), validators=[validate_happened])
    reason = forms.ChoiceField(
        choices=TemporaryApproval.EndReason.choices, widget=forms.RadioSelect
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["on"].initial = timezone.localdate()


class PlacementChangeForm(forms.ModelForm):
    """A placement's own facts are set when it starts and by its moves: nothing here is
    typed in (the children's court timelines are on their pages and proceedings)."""

    class Meta:
        model = Placement
        fields = []


# ---------------------------------------------------------------------------
# Inlines: each form knows its case (a placement, or proceedings), to check dates
# against it; on a placement, each row is for one of its children
# ---------------------------------------------------------------------------


class ChildChoiceField(forms.TypedChoiceField):
    """One of the placement's children, from a list read once for the whole formset (a
    row's select costs no query)."""

    def __init__(self, children, **kwargs):
        by_pk = {child.pk: child for child in children}
        super().__init__(
            choices=[("", "Choose the child")] + [(child.pk, str(child)) for child in children],
            coerce=lambda value: by_pk[int(value)],
            empty_value=None,
            label="Child",
            **kwargs,
        )

    def prepare_value(self, value):
        return getattr(value, "pk", value)

    def has_changed(self, initial, data):
        return str(self.prepare_value(initial) or "") != str(data or "")


class PlacementInlineFormSet(BaseInlineFormSet):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._children = None

    @property
    def case_children(self) -> list[Child]:
        if self._children is None:
            self._children = (
                list(
                    Child.objects.filter(placement_links__placement=self.instance).order_by(
                        "date_of_birth", "pk"
                    )
                )
                if isinstance(self.instance, Placement) and self.instance.pk
                else []
            )
        return self._children

    def _attach(self, form):
        setattr(form, form.owner_name, self.instance)
        if "child" in form.fields and self.fk.name != "child":
            children = self.case_children
            # A placement of one child: the row is for that child (the service says so).
            form.fields["child"] = ChildChoiceField(
                children,
                disabled=bool(form.instance.pk),
                required=len(children) != 1,
                initial=children[0].pk if len(children) == 1 else None,
            )
        return form

    def _construct_form(self, i, **kwargs):
        return self._attach(super()._construct_form(i, **kwargs))

    @property
    def empty_form(self):
        return self._attach(super().empty_form)

    def validate_unique(self):
        # One review (or visit) a day: the service checks it with the case locked,
        # against the rows as they are, and says so in its own words.
        pass


class PlacementRecordForm(forms.ModelForm):
    """A dated record of the placement: not in the future, not before the placement began.

    The form checks the dates as the page gives them; the row is saved by its service
    (``service_save``), which checks again with the case locked and refuses in words.
    ``owner_name`` is the keyword naming the case the record is kept on.
    """

    owner_name = "placement"
    date_field = "held_on"
    allow_future = False
    allow_before_placement = False
    placement: Placement
    # The services that record a new row and correct one; the keyword naming the row.
    record_service: Callable
    update_service: Callable
    record_name: str

    def clean(self):
        data = super().clean()
        value = data.get(self.date_field)
        if value is None:
            return data
        placement = getattr(self, "placement", None)
        if placement is None or not placement.pk or self.allow_before_placement:
            if not self.allow_future:
                dates.add_to_form(self, dates.happened(value, field=self.date_field))
        else:
            dates.add_to_form(
                self,
                services.record_date_problems(
                    placement=placement,
                    on=value,
                    field=self.date_field,
                    allow_future=self.allow_future,
                ),
            )
        return data

    def validate_unique(self):
        # One review (or visit) a day: the service checks it with the case locked and
        # says so in its own words (with the date), rather than the constraint's.
        pass

    def _get_validation_exclusions(self):
        # The same for the constraints on (child, date), which the model would check.
        exclude = super()._get_validation_exclusions()
        exclude.add("child")
        return exclude

    def _record_fields(self) -> set[str]:
        # The page also shows columns that are not the row's own (its history).
        return {field.name for field in self._meta.model._meta.concrete_fields}

    def service_save(self, *, by):
        """Record the row, or correct the one recorded, through its service."""
        values = {
            name: self.cleaned_data.get(name)
            for name in self._meta.fields
            if name not in ("placement", "proceedings", self.owner_name)
            and name in self._record_fields()
        }
        if self.instance.pk:
            values.pop("child", None)  # a row stays with its child
            return type(self).update_service(**{self.record_name: self.instance}, by=by, **values)
        owner = getattr(self, self.owner_name)
        return type(self).record_service(**{self.owner_name: owner}, by=by, **values)


class HearingForm(PlacementRecordForm):
    # Hearings are listed ahead; proceedings often began before the child was placed.
    owner_name = "proceedings"
    allow_future = True
    allow_before_placement = True
    record_service = services.hearing_record
    update_service = services.hearing_update
    record_name = "hearing"

    def clean(self):
        data = super().clean()
        proceedings = getattr(self, "proceedings", None)
        if data.get("held_on") and proceedings is not None and proceedings.pk:
            dates.add_to_form(
                self,
                services.hearing_date_problems(proceedings=proceedings, held_on=data["held_on"]),
            )
        return data


class ExtensionForm(PlacementRecordForm):
    owner_name = "proceedings"
    date_field = "granted_on"
    allow_before_placement = True
    record_service = services.proceedings_extend
    update_service = services.proceedings_extension_update
    record_name = "extension"

    def clean(self):
        data = super().clean()
        proceedings = getattr(self, "proceedings", None)
        if proceedings is None or not proceedings.pk:
            return data
        if not proceedings.issued_on:
            self.add_error(None, "Record the date the care proceedings were issued first.")
        elif (
            data.get("granted_on")
            # Only a row entered or changed now: an extension already recorded keeps the
            # dates the court set, even where today's rule would have allowed fewer days
            # (the clock migration moved the 26 weeks' end a day earlier).
            and self.has_changed()
        ):
            dates.add_to_form(
                self,
                services.extension_date_problems(
                    proceedings=proceedings, granted_on=data["granted_on"]
                ),
            )
            if data.get("ends_on") and "granted_on" not in self.errors:
                others = proceedings.extensions.exclude(pk=self.instance.pk)
                for problem in services.extension_end_problems(
                    issued_on=proceedings.issued_on,
                    other_ends=others.values_list("ends_on", flat=True),
                    granted_on=data["granted_on"],
                    ends_on=data["ends_on"],
                ):
                    self.add_error("ends_on", problem)
        return data


class ReviewForm(PlacementRecordForm):
    # A review is the child's: one held before this placement still counts.
    allow_before_placement = True
    record_service = services.review_record
    update_service = services.review_update
    record_name = "review"


class VisitForm(PlacementRecordForm):
    date_field = "visited_on"
    record_service = services.visit_record
    update_service = services.visit_update
    record_name = "visit"


class ConsentForm(PlacementRecordForm):
    """A parent's consent or written agreement, on the child's page (``services.consent``)."""

    owner_name = "child"
    date_field = "witnessed_on"
    record_service = services.consent_record
    update_service = services.consent_update
    record_name = "consent"


class HealthAssessmentForm(PlacementRecordForm):
    owner_name = "child"
    date_field = "done_on"
    record_service = services.health_assessment_record
    update_service = services.health_assessment_update
    record_name = "assessment"


class ProceedingsForm(forms.ModelForm):
    """Proceedings for one child, or brothers and sisters heard together."""

    class Meta:
        model = Proceedings
        fields = ["children", "court", "case_number", "issued_on", "concluded_on"]
        widgets = {"issued_on": DateInput(), "concluded_on": DateInput()}

    def __init__(self, *args, admin_site=admin.site, **kwargs):
        super().__init__(*args, **kwargs)
        if "children" in self.fields:
            _autocomplete(
                self.fields["children"], Proceedings._meta.get_field("children"), admin_site, True
            )
            self.fields["children"].help_text = "Type a child's reference or name."

    def clean(self):
        data = super().clean()
        dates.add_to_form(
            self,
            services.proceedings_date_problems(
                proceedings=Proceedings(
                    issued_on=data.get("issued_on"), concluded_on=data.get("concluded_on")
                )
            ),
        )
        return data


# ---------------------------------------------------------------------------
# The forms behind the action buttons
# ---------------------------------------------------------------------------


class ActionForm(portal_forms.ActionForm):
    """When it happened, and a note."""

    note_help_text = "Kept with the placement's record."
    needed_note_label = "What happened"
    needed_note_help_text = "e.g. the court's decision. Kept with the record."

    def __init__(self, *args, action: services.Action, placement: Placement, children, **kwargs):
        self.placement = placement
        self.children = children
        super().__init__(*args, action=action, **kwargs)


class PlaceForAdoptionForm(ActionForm):
    def add_action_fields(self):
        self.fields["on"].label = "Date the child is placed for adoption"
        self.fields["notice_on"] = forms.DateField(
            label="Date of the written notice to the carers (reg 35(5))",
            required=True,
            widget=DateInput(),
            validators=[validate_happened],
            help_text=(
                "The child already lives with the carers, so the agency tells them in writing "
                "the date the child is placed for adoption (Adoption Agencies Regulations "
                "2005, reg 35(5)). The adoption review and visit clocks start on the earlier "
                "of the two dates."
            ),
        )

    def service_kwargs(self) -> dict:
        return {**super().service_kwargs(), "notice_on": self.cleaned_data.get("notice_on")}


class AdoptionOrderForm(ActionForm):
    def add_action_fields(self):
        self.fields["on"].label = "Date the adoption order was made"


class AdoptionApplicationForm(ActionForm):
    def add_action_fields(self):
        self.fields["on"].label = "Date the carers applied for the adoption order"


class CourtOrderForm(ActionForm):
    def add_action_fields(self):
        self.fields["on"].label = "Date the order was made"
        del self.fields["note"]
        self.fields["kind"] = forms.ChoiceField(
            label="Order",
            choices=[
                (value, label)
                for value, label in CourtOrder.Kind.choices
                if value in services.ORDERS_RECORDED_ON_THEIR_OWN
            ],
            widget=forms.RadioSelect,
        )
        self.fields["children"] = forms.ModelMultipleChoiceField(
            label="For",
            queryset=Child.objects.filter(pk__in=[c.pk for c in self.children]),
            initial=[c.pk for c in self.children],
            widget=forms.CheckboxSelectMultiple,
        )

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {"on": data["on"], "kind": data["kind"], "children": list(data["children"])}


ACTION_FORMS: dict[str, type[ActionForm]] = {
    "place_for_adoption": PlaceForAdoptionForm,
    "record_adoption_order": AdoptionOrderForm,
    "record_adoption_application": AdoptionApplicationForm,
    "record_court_order": CourtOrderForm,
}


def action_form_class(action_name: str) -> type[ActionForm]:
    return ACTION_FORMS.get(action_name, ActionForm)


class MeasuresFilterForm(forms.Form):
    year = forms.TypedChoiceField(label="Year", coerce=int, required=False, empty_value=None)
    financial_year = forms.TypedChoiceField(
        label="Financial year", coerce=int, required=False, empty_value=None
    )

    def __init__(self, *args, years: list[int], financial_years: list[int] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [("", "All years"), *[(y, str(y)) for y in years]]
        self.fields["financial_year"].choices = [
            ("", "Any"),
            *[(y, financial_year_label(y)) for y in financial_years],
        ]

    def clean(self):
        data = super().clean()
        if data.get("year") and data.get("financial_year"):
            raise forms.ValidationError("Choose a year or a financial year, not both.")
        return data


class ChildDocumentInlineForm(DocumentUploadForm):
    """An upload on the child's page (saved by ``services.child_document_add``)."""

    class Meta:
        model = ChildDocument
        fields = ["kind", "title", "file"]


# ---------------------------------------------------------------------------
# Matching
# ---------------------------------------------------------------------------


class ReferralForm(forms.ModelForm):
    class Meta:
        model = Referral
        fields = [
            "child",
            "hospital",
            "child_social_worker",
            "social_worker",
            "received_on",
            "needed_by",
            "route",
            "legal_position",
            "brothers_and_sisters",
            "health_uncertainty",
            "exposure_in_pregnancy",
            "disability",
            "heritage",
            "religion",
            "language",
            "family_time_per_week",
            "family_time_town",
            "family_time_district",
            "family_time_supervised",
        ]
        widgets = {
            "received_on": DateInput(),
            "needed_by": DateInput(),
            "route": forms.RadioSelect,
            "legal_position": forms.RadioSelect,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "social_worker" in self.fields:
            worker = self.fields["social_worker"]
            # The worker it has stays offered (a plain edit never drops them silently);
            # one who no longer finds families is refused in words (``referral_problems``).
            worker.queryset = worker.queryset.filter(
                Q(pk__in=family_finders().values("pk")) | Q(pk=self.instance.social_worker_id)
            ).order_by("first_name", "last_name", "email")
            worker.error_messages["invalid_choice"] = (
                "Choose a social worker or team manager who holds casework."
            )
        # Radio buttons for a required choice: no empty button.
        for name in ("route", "legal_position"):
            if name in self.fields:
                self.fields[name].choices = self.fields[name].choices[1:]

    def clean_received_on(self):
        value = self.cleaned_data["received_on"]
        validate_happened(value)
        return value


class OnDateForm(forms.Form):
    """A date, today by default: for a step that needs nothing else."""

    on = forms.DateField(label="Date", widget=DateInput(), validators=[validate_happened])

    def __init__(self, *args, label: str = "Date", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["on"].label = label
        self.fields["on"].initial = timezone.localdate()


class ReasonForm(OnDateForm):
    reason = forms.CharField(
        label="Reason", max_length=300, widget=forms.Textarea(attrs={"rows": 3})
    )


class EmergencyForm(OnDateForm):
    reason = forms.CharField(
        label="Why the child must be placed before a match is agreed",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    agreed_by = forms.CharField(
        label="Who agreed it", max_length=120, help_text="Name and role, e.g. the head of service."
    )


class LinkProposeForm(OnDateForm):
    reasons = forms.CharField(
        label="Why these carers", max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
    )


class LinkUpdateForm(forms.ModelForm):
    class Meta:
        model = Link
        fields = ["shared_on", "met_social_worker_on", "agency_view"]
        widgets = {"shared_on": DateInput(), "met_social_worker_on": DateInput()}


class LinkDecisionForm(OnDateForm):
    decision = forms.ChoiceField(
        label="The carers' decision", choices=Link.Decision.choices, widget=forms.RadioSelect
    )


def _decision_makers(field) -> None:
    """Staff who may approve (team managers): the reg 25A approving officer, the agency
    decision maker."""
    User = field.queryset.model
    field.queryset = (
        User.objects.filter(
            is_active=True, groups__permissions__codename="grant_temporary_approval"
        )
        .distinct()
        .order_by("first_name", "last_name")
    )


class ReportUpload:
    """A report uploaded with the form, checked like every document (``portal.uploads``)."""

    def clean_report_file(self):
        file = self.cleaned_data["report_file"]
        document_check(file)
        return file


class MatchForm(ReportUpload, forms.ModelForm):
    class Meta:
        model = Match
        fields = [
            "meeting_on",
            "attended",
            "support_plan",
            "family_time_transport_plan",
            "decided_on",
            "deciding_officer",
            "reg_25a_assessed_on",
            "reg_25a_approved_by",
            "carers_told_on",
            "expected_placement_on",
        ]
        widgets = {
            name: DateInput()
            for name in (
                "meeting_on",
                "decided_on",
                "reg_25a_assessed_on",
                "carers_told_on",
                "expected_placement_on",
            )
        }

    report_file = forms.FileField(
        label="EP matching report",
        help_text="Covers the carers as foster carers and as prospective adopters. Kept with "
        "the child's documents.",
    )

    def __init__(self, *args, reg_25a: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        _decision_makers(self.fields["reg_25a_approved_by"])
        if not reg_25a:
            del self.fields["reg_25a_assessed_on"]
            del self.fields["reg_25a_approved_by"]


class PlacementFromMatchForm(forms.Form):
    placed_on = forms.DateField(
        label="Date the child came to live with the carers",
        widget=DateInput(),
        validators=[validate_happened],
    )
    came_from = forms.ChoiceField(
        label="Came from", choices=Placement.CameFrom.choices, widget=forms.RadioSelect
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["placed_on"].initial = timezone.localdate()


class MatchingPauseForm(forms.ModelForm):
    class Meta:
        model = MatchingPause
        fields = ["household", "starts_on", "ends_on", "reason"]
        widgets = {"starts_on": DateInput(), "ends_on": DateInput()}


class AdoptionMatchForm(ReportUpload, forms.ModelForm):
    class Meta:
        model = AdoptionMatch
        fields = [
            "panel",
            "panel_recommendation",
            "decided_on",
            "decision",
            "decided_by",
            "plan_sent_on",
        ]
        widgets = {
            "decided_on": DateInput(),
            "plan_sent_on": DateInput(),
            "panel_recommendation": forms.RadioSelect,
            "decision": forms.RadioSelect,
        }

    report_file = forms.FileField(
        label="Adoption placement report", help_text="Kept with the child's documents."
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _decision_makers(self.fields["decided_by"])
        # Radio buttons for a required choice: no empty button. The panel recommends; the
        # decision maker agrees (or not).
        self.fields["panel_recommendation"].choices = AdoptionMatch.Recommendation.choices
        self.fields["decision"].choices = [
            (AdoptionMatch.Recommendation.MATCH, "Agrees the match"),
            (AdoptionMatch.Recommendation.NO_MATCH, "Does not agree the match"),
        ]
        panel = self.fields["panel"]
        panel.required = True
        # Sittings that have met, the latest first: the match was heard at one of them.
        panel.queryset = panel.queryset.filter(sits_on__lte=timezone.localdate()).order_by(
            "-sits_on", "part"
        )
        panel.empty_label = "Choose the sitting"
        panel.help_text = (
            "The adoption (or joint) panel that heard the match: add it, and who was "
            "present, under Panel sittings first."
        )
        panel.error_messages["required"] = "Choose the adoption panel sitting that heard the match."
        panel.error_messages["invalid_choice"] = (
            "Choose an adoption or joint panel sitting that has met, from the list."
        )


# ---------------------------------------------------------------------------
# Family time, on the child's page: relatives, a new version of the plan, the book; a
# session's outcome and an entry's moderation on their own pages.
# ---------------------------------------------------------------------------


class TimeInput(forms.TimeInput):
    """The browser's time box (24-hour, as the page sends it)."""

    input_type = "time"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%H:%M")


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


WEEKDAY_CHOICES = [
    ("0", "Monday"),
    ("1", "Tuesday"),
    ("2", "Wednesday"),
    ("3", "Thursday"),
    ("4", "Friday"),
    ("5", "Saturday"),
    ("6", "Sunday"),
]


class BirthRelativeForm(PlacementRecordForm):
    owner_name = "child"
    date_field = ""
    record_service = services.birth_relative_record
    update_service = services.birth_relative_update
    record_name = "relative"


class FamilyTimePlanForm(PlacementRecordForm):
    """A new version of the plan: it replaces the one in force from the day it starts."""

    owner_name = "child"
    date_field = "starts_on"
    allow_future = True
    record_service = services.family_time_plan_set
    record_name = "plan"

    weekdays = forms.MultipleChoiceField(
        label="Days", choices=WEEKDAY_CHOICES, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = FamilyTimePlan
        fields = [
            "kind",
            "source",
            "source_dated",
            "starts_on",
            "relatives",
            "weekdays",
            "start_time",
            "length_minutes",
            "venue",
            "supervision",
            "supervising_organisation",
            "handover",
            "transport",
            "confirm_by",
            "late_cancel_minutes",
            "withhold_surname",
            "withhold_address",
            "withhold_car",
            "withhold_school",
            "note",
        ]
        widgets = {
            "source_dated": DateInput(),
            "starts_on": DateInput(),
            "start_time": TimeInput(),
            "confirm_by": TimeInput(),
            "relatives": forms.CheckboxSelectMultiple,
        }

    def clean_weekdays(self):
        return "".join(sorted(self.cleaned_data["weekdays"]))

    def clean(self):
        data = super().clean()
        child = getattr(self, "child", None)
        if child is not None and child.pk and data.get("weekdays") and data.get("handover"):
            problems = services.plan_problems(
                child=child,
                kind=data.get("kind") or FamilyTimePlan.Kind.REGULAR,
                source_dated=data.get("source_dated"),
                starts_on=data.get("starts_on"),
                weekdays=data["weekdays"],
                handover=data["handover"],
                start_time=data.get("start_time"),
                confirm_by=data.get("confirm_by"),
                withhold_surname=data.get("withhold_surname", False),
                withhold_address=data.get("withhold_address", False),
                withhold_car=data.get("withhold_car", False),
                withhold_school=data.get("withhold_school", False),
                relatives=data.get("relatives") or (),
                current=child.family_time_plans.filter(ends_on__isnull=True).first(),
            )
            for problem in problems:
                self.add_error(None, problem)
        return data

    def service_save(self, *, by):
        values = {
            name: self.cleaned_data.get(name) for name in self._meta.fields if name != "child"
        }
        values["relatives"] = list(values["relatives"] or ())
        for name in ("supervising_organisation", "note"):
            values[name] = values[name] or ""
        return services.family_time_plan_set(child=self.child, by=by, **values)


class BookEntryForm(PlacementRecordForm):
    owner_name = "child"
    date_field = "written_on"
    record_service = services.book_entry_add
    record_name = "entry"

    class Meta:
        model = CommunicationBookEntry
        fields = ["side", "written_on", "text"]
        widgets = {
            "written_on": DateInput(),
            "text": forms.Textarea(attrs={"rows": 3, "cols": 60, "maxlength": 1000}),
        }


class FamilyTimeSessionForm(forms.ModelForm):
    """What happened to a session; saved by ``services.family_time_session_record``."""

    outcome = forms.ChoiceField(label="What happened", choices=FamilyTimeSession.Status.choices)
    cancelled_at = forms.DateTimeField(
        label="Cancellation given at",
        required=False,
        widget=DateTimeInput(),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        help_text="For a cancellation: when it was given (the notice is worked out from it). "
        "Leave it empty when the parent did not confirm or was late: the plan's time is used.",
    )

    class Meta:
        model = FamilyTimeSession
        fields = ["cancelled_at", "parent_late_minutes", "note", "miles", "supervisor_note"]
        help_texts = {
            "supervisor_note": "Upload it first under Documents on the child's page.",
            "parent_late_minutes": "For a late parent: the plan may cancel the session "
            "after a number of minutes.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["outcome"].initial = self.instance.status
            self.fields["supervisor_note"].queryset = ChildDocument.objects.filter(
                child=self.instance.child_id
            )

    def clean(self):
        data = super().clean()
        if self.instance.pk and data.get("outcome"):
            for problem in services.session_problems(
                session=self.instance,
                status=data["outcome"],
                cancelled_at=data.get("cancelled_at"),
                miles=data.get("miles"),
                parent_late_minutes=data.get("parent_late_minutes"),
            ):
                self.add_error(None, problem)
        return data


class BookModerationForm(forms.ModelForm):
    decision = forms.ChoiceField(
        label="Decision",
        choices=[("share", "Share it with the other side"), ("hold", "Hold it back")],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label="Why it is held back",
        required=False,
        max_length=300,
        help_text="Needed to hold it back.",
    )

    class Meta:
        model = CommunicationBookEntry
        fields = []

    def clean(self):
        data = super().clean()
        if data.get("decision") == "hold" and not (data.get("reason") or "").strip():
            self.add_error("reason", "Say why the entry is held back.")
        return data
