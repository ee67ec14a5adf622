from django.apps import AppConfig


class PlacementsConfig(AppConfig):
    name = "placements"
    verbose_name = "Placements"

    def ready(self):
        from auditlog.registry import auditlog

        from portal.deadlines import register_deadlines

        from . import models, reminders, roles

        roles.grant_roles()
        register_deadlines(reminders.DEADLINES)

        # Names and notes about children and birth families are hidden in the audit trail
        # (the trail says what changed and who changed it); the record itself has them.
        mask = "placements.services.audit_mask"
        auditlog.register(
            models.Child,
            exclude_fields=["updated_at"],
            mask_fields=["first_name", "last_name"],
            mask_callable=mask,
        )
        auditlog.register(models.SiblingGroup, mask_fields=["notes"], mask_callable=mask)
        auditlog.register(
            models.Placement,
            exclude_fields=["updated_at"],
            mask_fields=["outcome_note", "case_number"],
            mask_callable=mask,
        )
        auditlog.register(models.PlacementChild)
        auditlog.register(models.TemporaryApproval)
        auditlog.register(models.ProceedingsExtension, mask_fields=["reason"], mask_callable=mask)
        auditlog.register(models.Hearing, mask_fields=["outcome_note"], mask_callable=mask)
        auditlog.register(models.CourtOrder)
        auditlog.register(
            models.FamilyTimeArrangement, mask_fields=["with_whom"], mask_callable=mask
        )
        auditlog.register(models.FamilyTimeSession, mask_fields=["note"], mask_callable=mask)
        auditlog.register(models.LookedAfterReview, mask_fields=["note"], mask_callable=mask)
        auditlog.register(models.SocialWorkerVisit, mask_fields=["note"], mask_callable=mask)
