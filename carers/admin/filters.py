"""The list filters the household and deadline lists share."""

from django.contrib import admin

from portal import admin_filters

from .. import selectors
from ..models import ADOPTION_STAGES, FOSTERING_STAGES, Deadline, Household, Stage, Track

# ---------------------------------------------------------------------------
# Filters
# ---------------------------------------------------------------------------


class CaseloadFilter(admin_filters.CaseloadFilter):
    social_worker_paths = {
        Household: "social_worker",
        Deadline: "household__social_worker",
    }


class OverdueFilter(admin_filters.OverdueFilter):
    cases_overdue = staticmethod(selectors.households_overdue)


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
