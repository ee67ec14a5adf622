from django.apps import AppConfig


class CarersConfig(AppConfig):
    name = "carers"
    verbose_name = "Carers and assessments"

    def ready(self):
        from enquiries.emails import register_private_events_reader
        from enquiries.services.enquiries import register_household_lookup
        from portal import audit, versions
        from portal.adapter import register_home
        from portal.caseloads import register_caseload
        from portal.casenotes import register_notes
        from portal.dashboard import register_panel
        from portal.deadlines import register_deadlines
        from portal.letters import register_recipient_gate
        from portal.retention import register as register_retention
        from portal.search import register_kind
        from portal.subject_access import Provider, register_provider
        from portal.workflow import lock_rank

        from . import access as access_policies
        from . import models, own_area, reminders, retention, roles
        from .letters import register_letters
        from .selectors import (
            SEARCH_KINDS,
            dashboard_panel,
            household_for_enquirer,
            panel_papers_panel,
        )
        from .services.households import CASELOAD
        from .services.notes import HOUSEHOLD_NOTES
        from .subject_access import carer_sections

        roles.grant_roles()
        # Who sees which of our records (portal.access).
        access_policies.register_policies()
        register_panel(template="carers/admin/dashboard_panel.html", context=dashboard_panel)
        register_panel(
            template="carers/admin/panel_papers_panel.html", context=panel_papers_panel, order=10
        )

        # One of our carers who uses the enquiry form again is recognised (carers may
        # read enquiries; enquiries never import carers).
        register_household_lookup(household_for_enquirer)
        for retention_class in retention.CLASSES:
            register_retention(retention_class)
        register_deadlines(reminders.DEADLINES)
        register_notes(HOUSEHOLD_NOTES)
        register_letters()
        # A carer who signs in without a page in mind starts in their own area.
        register_home(own_area.home_for)
        register_private_events_reader(own_area.reads_private_events)
        # An applicant's letters follow the rules of their area.
        register_recipient_gate(own_area.letters_gate)
        for kind in SEARCH_KINDS:
            register_kind(kind)
        # A subject access request: an applicant, household member or support network member.
        register_provider(Provider(name="carers", find=carer_sections, order=20))
        # A household is allocated to its social worker; placements follow it.
        register_caseload(CASELOAD)

        # Lock order (README, "Lock order"): a panel sitting before the households on its
        # agenda; the household before its assessments and reviews; carers' rows before
        # placements'.
        lock_rank(models.PanelSitting, 90)
        lock_rank(models.Household, 100)
        lock_rank(models.Assessment, 110)
        lock_rank(models.FosterCarerReview, 120)

        # Labels in the trail carry references and initials only (portal.audit.label).
        PERSON = ["first_name", "last_name"]
        audit.register(models.Household)
        audit.register(models.Assessment)
        audit.register(models.Applicant, initials=PERSON)
        audit.register(models.HouseholdMember, initials=PERSON)
        audit.register(models.SupportNetworkMember, initials=["name"])
        # A certificate number or a note on a check can reveal a criminal record or health.
        audit.register(models.StatutoryCheck, masked=["certificate_number", "notes"])
        audit.register(models.Document)
        audit.register(models.DocumentRequest, masked=["note"])
        # A form's answers name a GP and speak of health: changed, never what to.
        audit.register(models.OnlineForm, masked=["data"])
        audit.register(models.TrainingCourse)
        audit.register(models.TrainingRecord)
        audit.register(models.PanelSitting)
        audit.register(models.PanelMember)
        audit.register(models.PanelMinutes)
        audit.register(models.FosterCarerReview, masked=["notes"])
        # A case note can say anything about the family: the trail keeps who wrote it, when.
        audit.register(models.HouseholdNote, masked=["text"])

        # The case record keeps every wording it had (portal.versions).
        versions.register(models.StatutoryCheck, fields=["certificate_number", "notes"])
        versions.register(models.FosterCarerReview, fields=["notes"])
        versions.register(models.Document, fields=["title"])
