"""The list filters the placements staff pages share: caseload and overdue."""

from django.contrib import admin
from django.utils import timezone

from .. import selectors
from ..models import OVERDUE_KINDS, Placement, PlacementDeadline


class CaseloadFilter(admin.SimpleListFilter):
    title = "caseload"
    parameter_name = "caseload"

    def lookups(self, request, model_admin):
        return [("mine", "Households I support"), ("unassigned", "No social worker")]

    def queryset(self, request, queryset):
        prefix = "household__" if queryset.model is Placement else "placement__household__"
        if self.value() == "mine":
            return queryset.filter(**{f"{prefix}social_worker": request.user})
        if self.value() == "unassigned":
            return queryset.filter(**{f"{prefix}social_worker__isnull": True})
        return queryset


class OverdueFilter(admin.SimpleListFilter):
    title = "overdue"
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [("yes", "Something overdue"), ("no", "Nothing overdue")]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        if queryset.model is PlacementDeadline:
            overdue = queryset.filter(due_on__lt=today, kind__in=OVERDUE_KINDS)
            if self.value() == "yes":
                return overdue
            if self.value() == "no":
                return queryset.exclude(pk__in=overdue.values("pk"))
            return queryset
        if self.value() in ("yes", "no"):
            return selectors.placements_overdue(
                queryset, today=today, overdue=self.value() == "yes"
            )
        return queryset
