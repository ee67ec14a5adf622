"""Access by relationship in the staff area (``portal.access``).

``AccessAdmin`` goes before ``admin.ModelAdmin`` on the admin of every case record: its
list, autocomplete, search and CSV exports hold only what the policy lets the user see;
a record outside it, opened by its address (its page, history or delete page), answers
the break-glass page (status 403) where the worker may say why they need it; a sealed
record opens only to holders of the seal's permission, each opening audited.

The teams, shared records, restrictions and the list of break-glass openings are the
admin pages below, for team managers.
"""

from django import forms
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone

from . import access
from .admin_filters import ReadOnly
from .models import BreakGlassOpening, RecordShare, Restriction, Team, User
from .staffpages import form_page
from .workflow import Refused


class BreakGlassForm(forms.Form):
    reason = forms.CharField(
        label="Why you need to open this record",
        max_length=access.REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4, "cols": 70}),
        help_text="Your reason, your name and the time are kept in the record's history and "
        "shown to your team manager.",
    )


class AccessAdmin:
    """The access policy on a case record's admin (before ``admin.ModelAdmin``)."""

    def get_queryset(self, request):
        return access.visible(super().get_queryset(request), request.user)

    def _sees(self, request, obj) -> bool:
        """Whether the user may see ``obj``: one query per record and request."""
        if obj is None or obj.pk is None:
            return True
        seen = request.__dict__.setdefault("_access_seen", {})
        key = (obj._meta.label_lower, obj.pk)
        if key not in seen:
            seen[key] = access.may_see(request.user, obj)
        return seen[key]

    # Every page of the admin (and each extra view that asks) answers for a record only
    # when the user may see it.
    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) and self._sees(request, obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._sees(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._sees(request, obj)

    def _outside(self, request, object_id):
        """The record at ``object_id`` when the user may not open it as it is, else None."""
        if not str(object_id).isdigit():
            return None
        record = self.model._default_manager.filter(pk=object_id).first()
        if record is None:
            return None
        if not self.get_queryset(request).filter(pk=record.pk).exists():
            return record
        return None

    def _guarded(self, request, object_id, view):
        if not self.has_view_or_change_permission(request):
            # No access to records of this kind at all (an events worker, a panel member):
            # breaking the glass would open nothing to them, so it is not offered.
            raise PermissionDenied
        record = self._outside(request, object_id)
        if record is not None:
            return self.break_glass_view(request, record)
        if str(object_id).isdigit() and access.policy_for(self.model) is not None:
            opened = self.model._default_manager.filter(pk=object_id).first()
            if opened is not None and access.is_sealed(opened):
                if not access.may_open_sealed(request.user, opened):
                    return self.break_glass_view(request, opened)
                if request.method == "GET":
                    access.record_opened(record=opened, user=request.user)
        return view()

    def change_view(self, request, object_id, form_url="", extra_context=None):
        return self._guarded(
            request,
            object_id,
            lambda: super(AccessAdmin, self).change_view(
                request, object_id, form_url, extra_context
            ),
        )

    def history_view(self, request, object_id, extra_context=None):
        return self._guarded(
            request,
            object_id,
            lambda: super(AccessAdmin, self).history_view(request, object_id, extra_context),
        )

    def delete_view(self, request, object_id, extra_context=None):
        return self._guarded(
            request,
            object_id,
            lambda: super(AccessAdmin, self).delete_view(request, object_id, extra_context),
        )

    def break_glass_view(self, request, record):
        """The page a record outside the user's caseload answers: say why, or be refused."""
        label = f"{self.opts.verbose_name} {record.pk}"
        problem = access.break_glass_problem(record=record, user=request.user)
        back = reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist")
        response = form_page(
            request,
            admin_site=self.admin_site,
            opts=self.opts,
            media=self.media,
            form=BreakGlassForm(request.POST or None),
            title=f"Not in your caseload: {label}",
            back_url=back,
            intro="This record is not allocated to you or your team. If you need it now "
            "(an emergency, a call out of hours), say why: it opens to you for "
            f"{_minutes()} and your team manager sees that you opened it.",
            blocked_by=[problem] if problem else [],
            perform=lambda form: access.break_glass_open(
                record=record, user=request.user, reason=form.cleaned_data["reason"]
            ),
            success=f"{label} is open to you for {_minutes()}.",
            success_url=request.path,
            submit="Open the record",
        )
        if not isinstance(response, HttpResponseRedirect):
            response.status_code = 403
        return response


def _minutes() -> str:
    from django.conf import settings

    minutes = settings.BREAK_GLASS_MINUTES
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


class CaseRecordForm(forms.ModelForm):
    """The kind and number of a case record (a share or a restriction)."""

    kinds = access.case_models
    by = None

    def clean(self):
        cleaned = super().clean()
        content_type, object_id = cleaned.get("content_type"), cleaned.get("object_id")
        if self.instance.pk is None and content_type and object_id is not None:
            try:
                access.case_record(content_type, object_id, self.by)
            except Refused as refusal:
                self.add_error("object_id", refusal.messages)
        return cleaned

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "content_type" in self.fields:
            self.fields["content_type"].queryset = ContentType.objects.filter(
                pk__in=[ContentType.objects.get_for_model(m).pk for m in type(self).kinds()]
            )


class RecordShareForm(CaseRecordForm):
    class Meta:
        model = RecordShare
        fields = ("content_type", "object_id", "shared_with", "reason")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "shared_with" in self.fields:
            self.fields["shared_with"].queryset = User.objects.filter(
                is_staff=True, is_active=True
            ).order_by("first_name", "last_name", "email")


class RestrictionForm(CaseRecordForm):
    kinds = access.restrictable_models

    class Meta:
        model = Restriction
        fields = ("content_type", "object_id", "reason", "staff")
        widgets = {"staff": forms.CheckboxSelectMultiple}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "staff" in self.fields:
            self.fields["staff"].queryset = User.objects.filter(
                is_staff=True, is_active=True
            ).order_by("first_name", "last_name", "email")
            self.fields["staff"].help_text = "Only these people may open the record."


class ByUser:
    """The form knows who saves it, so that it refuses a record they cannot see."""

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        return type(form.__name__, (form,), {"by": request.user})


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ("name", "manager_names", "member_count")
    search_fields = ("name",)
    filter_horizontal = ("managers", "members")

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("managers", "members")

    @admin.display(description="team managers")
    def manager_names(self, team):
        return ", ".join(str(user) for user in team.managers.all())

    @admin.display(description="members")
    def member_count(self, team):
        return len(team.members.all())


@admin.register(RecordShare)
class RecordShareAdmin(ByUser, admin.ModelAdmin):
    """A share is added or withdrawn, never edited."""

    form = RecordShareForm
    list_display = ("__str__", "reason", "shared_by", "shared_at")
    list_select_related = ("content_type", "shared_with", "shared_by")
    readonly_fields = ("shared_by", "shared_at")

    def get_fields(self, request, obj=None):
        fields = ("content_type", "object_id", "shared_with", "reason")
        return fields if obj is None else (*fields, "shared_by", "shared_at")

    def get_readonly_fields(self, request, obj=None):
        return self.get_fields(request, obj) if obj else ()

    def has_change_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        access.record_share_add(share=obj, by=request.user)


@admin.register(Restriction)
class RestrictionAdmin(ByUser, admin.ModelAdmin):
    form = RestrictionForm
    list_display = ("__str__", "reason", "set_by", "set_at")
    list_select_related = ("content_type", "set_by")
    readonly_fields = ("set_by", "set_at")

    def get_fields(self, request, obj=None):
        fields = ("content_type", "object_id", "reason", "staff")
        return fields if obj is None else (*fields, "set_by", "set_at")

    def get_readonly_fields(self, request, obj=None):
        return ("content_type", "object_id", "set_by", "set_at") if obj else ()

    def save_model(self, request, obj, form, change):
        pass  # saved with its named staff in ``save_related``: one service call

    def save_related(self, request, form, formsets, change):
        access.restriction_set(
            restriction=form.instance, staff=form.cleaned_data["staff"], by=request.user
        )

    def delete_model(self, request, obj):
        access.restriction_lift(restriction=obj, by=request.user)

    def delete_queryset(self, request, queryset):
        for restriction in queryset:
            access.restriction_lift(restriction=restriction, by=request.user)


@admin.register(BreakGlassOpening)
class BreakGlassOpeningAdmin(ReadOnly, admin.ModelAdmin):
    """Who opened a record outside their caseload, why, and until when: a team manager
    sees their team members' openings."""

    list_display = ("opened_at", "user", "record_label", "reason", "open_now")
    list_select_related = ("user", "content_type")
    fields = readonly_fields = ("user", "record_label", "reason", "opened_at", "until")

    def get_queryset(self, request):
        if not self.has_view_permission(request):
            # Refused by the permission check, not as a record that does not exist.
            return super().get_queryset(request)
        return access.break_glass_for_manager(request.user)

    @admin.display(description="record")
    def record_label(self, opening):
        return f"{opening.content_type.name} {opening.object_id}"

    @admin.display(description="still open", boolean=True)
    def open_now(self, opening):
        return opening.until > timezone.now()
