from django.apps import AppConfig


class PlacementsConfig(AppConfig):
    name = "placements"
    verbose_name = "Placements"

    def ready(self):
        from portal import audit
        from portal.caseloads import register_caseload
        from portal.casenotes import register_notes
        from portal.dashboard import register_panel
        from portal.deadlines import register_deadlines
        from portal.retention import register as register_retention
        from portal.search import register_kind
        from portal.workflow import lock_rank

        from . import access as access_policies
        from . import models, reminders, retention, roles
        from .selectors import SEARCH_KINDS, dashboard_panel
        from .services.deadlines import CHILDREN_CASELOAD, PLACEMENTS_CASELOAD
        from .services.notes import CHILD_NOTES, PLACEMENT_NOTES

        roles.grant_roles()
        # Who sees which of our records (portal.access).
        access_policies.register_policies()
        for retention_class in retention.CLASSES:
            register_retention(retention_class)
        register_deadlines(reminders.DEADLINES)
        register_notes(CHILD_NOTES)
        register_notes(PLACEMENT_NOTES)
        for kind in SEARCH_KINDS:
            register_kind(kind)
        # Placements and their children are allocated through their carers' household.
        register_caseload(PLACEMENTS_CASELOAD)
        register_caseload(CHILDREN_CASELOAD)
        register_panel(
            template="placements/admin/dashboard_panel.html", context=dashboard_panel, order=110
        )

        # Lock order (README, "Lock order"): after carers' rows; proceedings (shared by
        # brothers and sisters) before the placements whose clocks they move, the
        # placement before its children, the children before their reg 25A approvals.
        lock_rank(models.Proceedings, 190)
        lock_rank(models.Placement, 200)
        lock_rank(models.Child, 210)
        lock_rank(models.TemporaryApproval, 220)

        # Names and notes about children and birth families are hidden in the audit trail
        # (the trail says what changed and who changed it); the record itself has them.
        audit.register(models.Child, masked=["first_name", "last_name"], excluded=["updated_at"])
        audit.register(models.SiblingGroup, masked=["notes"])
        audit.register(models.Placement, masked=["outcome_note"], excluded=["updated_at"])
        audit.register(models.PlacementChild)
        audit.register(models.TemporaryApproval)
        audit.register(models.ProceedingsExtension, masked=["reason"])
        audit.register(models.Hearing, masked=["outcome_note"])
        audit.register(models.CourtOrder)
        audit.register(models.FamilyTimeArrangement, masked=["with_whom"])
        audit.register(models.FamilyTimeSession, masked=["note"])
        audit.register(models.LookedAfterReview, masked=["note"])
        audit.register(models.SocialWorkerVisit, masked=["note"])
        audit.register(models.Proceedings, masked=["case_number"], excluded=["updated_at"])
        audit.register(models.ParentConsent, masked=["cafcass_officer"])
        audit.register(models.HealthAssessment, masked=["note"])
        audit.register(models.ChildDocument, masked=["title"])
        audit.register(models.ChildProfessional)
        audit.register(models.Professional, masked=["name", "email", "phone"])
        audit.register(models.LocalAuthority)
        audit.register(models.ChildNote, masked=["text"])
        audit.register(models.PlacementNote, masked=["text"])
