"""The list filters the placements staff pages share: caseload and overdue."""

from portal import admin_filters

from .. import selectors
from ..models import FamilyTimeSession, Placement, PlacementDeadline


class CaseloadFilter(admin_filters.CaseloadFilter):
    mine_label = "Households I support"

    social_worker_paths = {
        Placement: "household__social_worker",
        # The person reminded: the carers' social worker, or the agency's worker for the
        # child where the agency holds the duty.
        PlacementDeadline: "worker",
        FamilyTimeSession: "placement__household__social_worker",
    }


class OverdueFilter(admin_filters.OverdueFilter):
    cases_overdue = staticmethod(selectors.placements_overdue)
