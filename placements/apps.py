from django.apps import AppConfig


class PlacementsConfig(AppConfig):
    name = "placements"
    verbose_name = "Placements"

    def ready(self):
        from carers.services import register_sitting_recommendations
        from portal import audit, versions
        from portal.caseloads import register_caseload
        from portal.casenotes import register_notes
        from portal.dashboard import register_panel
        from portal.deadlines import register_deadlines
        from portal.retention import register as register_retention
        from portal.search import register_kind
        from portal.subject_access import Provider, register_provider
        from portal.workflow import lock_rank

        from . import access as access_policies
        from . import models, reminders, retention, roles
        from .selectors import SEARCH_KINDS, dashboard_panel
        from .selectors.matching import referrals_panel
        from .services.deadlines import CHILDREN_CASELOAD, PLACEMENTS_CASELOAD
        from .services.matching import adoption_match_at_sitting
        from .services.notes import CHILD_NOTES, PLACEMENT_NOTES
        from .subject_access import birth_relative_sections

        roles.grant_roles()
        # A sitting's attendance is frozen once it recommended an adoption match too.
        register_sitting_recommendations(adoption_match_at_sitting)
        # Who sees which of our records (portal.access).
        access_policies.register_policies()
        for retention_class in retention.CLASSES:
            register_retention(retention_class)
        register_deadlines(reminders.DEADLINES)
        register_deadlines(reminders.REFERRAL_DEADLINES)
        # A subject access request from a child's birth relative.
        register_provider(Provider(name="placements", find=birth_relative_sections, order=30))
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
        register_panel(
            template="placements/admin/referrals_panel.html", context=referrals_panel, order=105
        )

        # Lock order (README, "Lock order"): after carers' rows; proceedings (shared by
        # brothers and sisters) before the placements whose clocks they move, the
        # placement before its children, the children before their reg 25A approvals.
        lock_rank(models.Proceedings, 190)
        lock_rank(models.Placement, 200)
        lock_rank(models.Child, 210)
        lock_rank(models.TemporaryApproval, 220)
        # Matching: a referral after its child, a link after its referral.
        lock_rank(models.Referral, 230)
        lock_rank(models.Link, 240)

        # Names and notes about children and birth families are hidden in the audit trail
        # (the trail says what changed and who changed it); the record itself has them.
        audit.register(
            models.Child,
            masked=["first_name", "last_name"],
            excluded=["updated_at"],
            initials=["first_name", "last_name"],
        )
        audit.register(models.SiblingGroup, masked=["notes"])
        audit.register(models.Placement, masked=["outcome_note"], excluded=["updated_at"])
        audit.register(models.PlacementChild)
        audit.register(models.TemporaryApproval)
        audit.register(models.ProceedingsExtension, masked=["reason"])
        audit.register(models.Hearing, masked=["outcome_note"])
        audit.register(models.CourtOrder)
        audit.register(models.BirthRelative, masked=["name", "address", "address_reason"])
        audit.register(models.FamilyTimePlan, masked=["note"])
        audit.register(models.FamilyTimeSession, masked=["note"])
        audit.register(models.CommunicationBookEntry, masked=["text", "held_back_reason"])
        audit.register(models.LookedAfterReview, masked=["note"])
        audit.register(models.SocialWorkerVisit, masked=["note"])
        audit.register(models.Proceedings, masked=["case_number"], excluded=["updated_at"])
        audit.register(models.ParentConsent, masked=["cafcass_officer"])
        audit.register(models.HealthAssessment, masked=["note"])
        audit.register(models.ChildDocument, masked=["title"])
        audit.register(models.ChildProfessional)
        audit.register(models.Professional, masked=["name", "email", "phone"], initials=["name"])
        audit.register(models.LocalAuthority)
        audit.register(models.ChildNote, masked=["text"])
        audit.register(models.PlacementNote, masked=["text"])
        audit.register(
            models.Referral,
            masked=["hospital", "heritage", "religion", "language", "emergency_reason"],
            excluded=["updated_at"],
        )
        audit.register(models.Link, masked=["reasons", "agency_view"])
        audit.register(models.Match, masked=["support_plan", "family_time_transport_plan"])
        audit.register(models.MatchingPause, masked=["reason"])
        audit.register(models.AdoptionMatch)

        # The case record keeps every wording it had (portal.versions): what the trail
        # masks is readable through the record, to those who may see the record.
        for model, fields in (
            (models.SiblingGroup, ["notes"]),
            (models.Placement, ["outcome_note"]),
            (models.ProceedingsExtension, ["reason"]),
            (models.Hearing, ["outcome_note"]),
            (models.LookedAfterReview, ["note"]),
            (models.SocialWorkerVisit, ["note"]),
            (models.Proceedings, ["case_number"]),
            (models.ParentConsent, ["cafcass_officer"]),
            (models.HealthAssessment, ["note"]),
            (models.ChildDocument, ["title"]),
            (models.FamilyTimeSession, ["note"]),
        ):
            versions.register(model, fields=fields)
