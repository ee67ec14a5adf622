"""The list filters the placements staff pages share: caseload and overdue."""

from portal import admin_filters

from .. import selectors
from ..models import Placement


class CaseloadFilter(admin_filters.CaseloadFilter):
    mine_label = "Households I support"

    def social_worker_path(self, model) -> str:
        if model is Placement:
            return "household__social_worker"
        return "placement__household__social_worker"


class OverdueFilter(admin_filters.OverdueFilter):
    def overdue_cases(self, queryset, *, today, overdue):
        return selectors.placements_overdue(queryset, today=today, overdue=overdue)
