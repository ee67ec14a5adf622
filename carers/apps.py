from django.apps import AppConfig


class CarersConfig(AppConfig):
    name = "carers"
    verbose_name = "Carers and assessments"

    def ready(self):
        from auditlog.registry import auditlog

        from enquiries.services.enquiries import register_household_lookup
        from portal.dashboard import register_panel
        from portal.deadlines import register_deadlines

        from . import models, reminders, roles
        from .selectors import dashboard_panel, household_for_enquirer

        roles.grant_roles()
        register_panel(template="carers/admin/dashboard_panel.html", context=dashboard_panel)

        # One of our carers who uses the enquiry form again is recognised (carers may
        # read enquiries; enquiries never import carers).
        register_household_lookup(household_for_enquirer)
        register_deadlines(reminders.DEADLINES)

        auditlog.register(models.Household)
        auditlog.register(models.Assessment)
        auditlog.register(models.Applicant)
        auditlog.register(models.HouseholdMember)
        auditlog.register(models.SupportNetworkMember)
        # A certificate number or a note on a check can reveal a criminal record or health.
        auditlog.register(models.StatutoryCheck, mask_fields=["certificate_number", "notes"])
        auditlog.register(models.Document)
        auditlog.register(models.TrainingCourse)
        auditlog.register(models.TrainingRecord)
        auditlog.register(models.PanelSitting)
        auditlog.register(models.FosterCarerReview, mask_fields=["notes"])
