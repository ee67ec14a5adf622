"""What every casework list offers, whatever the app: caseload and overdue filters, the
overdue tag and columns, and read-only lists.

An app subclasses them with what only it knows: where a record's social worker is
(``social_worker_paths``) and which of its cases have something overdue
(``cases_overdue``). Lists of an app's deadlines (tables on
``portal.deadlines.DeadlineBase``) are filtered here, with the kinds that are never
late left out. Whatever is late says so with the one "Overdue" tag
(``portal/overdue_tag.html``), never with the admin's green tick or red cross.
"""

from datetime import date

from django.contrib import admin
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.html import format_html

from . import formats
from .deadlines import DeadlineBase
from .models import User


def overdue_tag() -> str:
    """The red "Overdue" tag, as HTML (templates include ``portal/overdue_tag.html``)."""
    return render_to_string("portal/overdue_tag.html")


class ReadOnly:
    """For lists (and inlines) whose rows follow the facts: nobody adds, changes or
    deletes them here."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class CaseListColumns:
    """The next deadline and the overdue count of a list of cases, from the annotations
    of ``portal.deadlines.cases_with_next_deadline``."""

    @admin.display(description="next deadline", ordering="next_deadline_on")
    def next_deadline(self, obj):
        if obj.next_deadline_on is None:
            return "—"
        return format_html(
            '{}<br><span class="quiet">{}</span>',
            formats.day(obj.next_deadline_on),
            obj.next_deadline_label,
        )

    @admin.display(description="overdue", ordering="overdue_count")
    def overdue(self, obj):
        if obj.overdue_count:
            return format_html('<strong class="overdue-tag">{} overdue</strong>', obj.overdue_count)
        return "—"


class OverdueColumn:
    """The "overdue" column of a list of deadlines: the tag, or nothing."""

    @admin.display(description="overdue")
    def is_overdue(self, obj):
        return overdue_tag() if obj.is_overdue() else ""


class CaseloadFilter(admin.SimpleListFilter):
    title = "caseload"
    parameter_name = "caseload"
    mine_label = "My caseload"

    # The lookup from a row to its case's social worker, per model the filter is used on
    # (``{Household: "social_worker", Deadline: "household__social_worker"}``).
    social_worker_paths: dict = {}

    def lookups(self, request, model_admin):
        choices = [("mine", self.mine_label), ("unassigned", "No social worker")]
        # One colleague's caseload (the team managers' home page links here): named
        # only when asked for, so the plain list reads no list of staff.
        if (self.value() or "").isdigit():
            worker = User.objects.filter(pk=int(self.value())).first()
            if worker is not None:
                choices.append((str(worker.pk), str(worker)))
        return choices

    def queryset(self, request, queryset):
        path = self.social_worker_paths[queryset.model]
        if (self.value() or "").isdigit():
            return queryset.filter(**{f"{path}_id": int(self.value())})
        if self.value() == "mine":
            return queryset.filter(**{path: request.user})
        if self.value() == "unassigned":
            return queryset.filter(**{f"{path}__isnull": True})
        return queryset


def deadlines_overdue(queryset: QuerySet, *, today: date) -> QuerySet:
    """The deadlines of ``queryset`` that are late today."""
    return queryset.filter(due_on__lt=today).exclude(kind__in=queryset.model.never_late_kinds)


class OverdueFilter(admin.SimpleListFilter):
    title = "overdue"
    parameter_name = "overdue"

    # The app's selector for its cases with (``overdue=True``) or without something late
    # today: ``cases_overdue(queryset, *, today, overdue)``.
    cases_overdue = None

    def lookups(self, request, model_admin):
        return [("yes", "Something overdue"), ("no", "Nothing overdue")]

    def queryset(self, request, queryset):
        if self.value() not in ("yes", "no"):
            return queryset
        today = timezone.localdate()
        wanted = self.value() == "yes"
        if issubclass(queryset.model, DeadlineBase):
            late = deadlines_overdue(queryset, today=today)
            return late if wanted else queryset.exclude(pk__in=late.values("pk"))
        return self.cases_overdue(queryset, today=today, overdue=wanted)
