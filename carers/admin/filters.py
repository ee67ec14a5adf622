"""The list filters the household and deadline lists share."""

from django.contrib import admin
from django.utils import timezone

from .. import selectors
from ..models import ADOPTION_STAGES, FOSTERING_STAGES, Deadline, Household, Stage, Track

# ---------------------------------------------------------------------------
# Filters
# ---------------------------------------------------------------------------


class CaseloadFilter(admin.SimpleListFilter):
    title = "caseload"
    parameter_name = "caseload"

    def lookups(self, request, model_admin):
        return [("mine", "My caseload"), ("unassigned", "No social worker")]

    def queryset(self, request, queryset):
        prefix = "" if queryset.model is Household else "household__"
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
        if queryset.model is Deadline:
            if self.value() == "yes":
                return queryset.filter(due_on__lt=today)
            if self.value() == "no":
                return queryset.filter(due_on__gte=today)
            return queryset
        if self.value() in ("yes", "no"):
            return selectors.households_overdue(
                queryset, today=today, overdue=self.value() == "yes"
            )
        return queryset


class StageFilter(admin.SimpleListFilter):
    title = "stage"
    parameter_name = "stage"

    def lookups(self, request, model_admin):
        adoption = [(f"adoption:{s.value}", f"Adoption: {s.label}") for s in ADOPTION_STAGES]
        fostering = [(f"fostering:{s.value}", f"Fostering: {s.label}") for s in FOSTERING_STAGES]
        return adoption + fostering

    def queryset(self, request, queryset):
        value = self.value() or ""
        track, _, stage = value.partition(":")
        if track in Track.values and stage in Stage.values:
            return queryset.filter(assessments__track=track, assessments__stage=stage)
        return queryset
