"""Staff roles: Django groups and the permissions each one holds.

The groups are created by a migration (``portal/migrations/0002_roles.py``).
Their permissions are kept in step with ``ROLE_PERMISSIONS`` after every
``migrate``, because Django creates an app's permissions only once its models
exist. Permissions are named here as strings so the core imports no app.

Carer and placement records are for social workers and team managers only.
"""

from django.apps import apps as global_apps
from django.db import DEFAULT_DB_ALIAS


class Role:
    EVENTS_TEAM = "Events team"
    RECRUITMENT_TEAM = "Recruitment team"
    SOCIAL_WORKERS = "Social workers"
    TEAM_MANAGERS = "Team managers"
    CONTENT_EDITORS = "Content editors"

    ALL = (EVENTS_TEAM, RECRUITMENT_TEAM, SOCIAL_WORKERS, TEAM_MANAGERS, CONTENT_EDITORS)


def _model_perms(model: str, actions=("view", "add", "change", "delete")) -> list[str]:
    app_label, model_name = model.split(".")
    return [f"{app_label}.{action}_{model_name}" for action in actions]


def _view(model: str) -> list[str]:
    return _model_perms(model, ("view",))


# Carer households and assessments: social workers keep the records and move the stages;
# only team managers record agency decisions, edit the training catalogue or delete.
CARERS_CASEWORK = [
    *_model_perms("carers.household", ("view", "add", "change")),
    *_model_perms("carers.assessment", ("view", "change")),
    *_model_perms("carers.applicant"),
    *_model_perms("carers.householdmember"),
    *_model_perms("carers.supportnetworkmember"),
    *_model_perms("carers.statutorycheck"),
    *_model_perms("carers.trainingrecord"),
    *_model_perms("carers.document", ("view", "add")),
    *_model_perms("carers.panelsitting", ("view", "add", "change")),
    *_model_perms("carers.fostercarerreview", ("view", "change")),
    *_view("carers.stagechange"),
    *_view("carers.trainingcourse"),
    *_view("carers.deadline"),
]
# Enquiries: the recruitment team works them; team managers and social workers may look.
ENQUIRIES_VIEW = [
    *_view("enquiries.enquiry"),
    *_view("enquiries.enquirycontact"),
    *_view("enquiries.enquirystatuschange"),
    *_view("enquiries.enquirynote"),
]
ENQUIRIES_WORK = [
    *ENQUIRIES_VIEW,
    "enquiries.change_enquiry",
    "enquiries.add_enquirynote",
    "enquiries.export_enquiry",
]
CARERS_MANAGEMENT = [
    "carers.record_agency_decision",
    *_model_perms("carers.trainingcourse", ("add", "change", "delete")),
    "carers.delete_panelsitting",
    "carers.delete_document",
]

# Children and placements: the most sensitive records, for social workers and team managers
# only. Social workers record placements and keep their records; team managers also grant
# reg 25A approvals, delete mistaken records and see the EP measures.
_PLACEMENT_RECORDS = (
    "placements.proceedingsextension",
    "placements.hearing",
    "placements.familytimearrangement",
    "placements.familytimesession",
    "placements.lookedafterreview",
    "placements.socialworkervisit",
)
PLACEMENTS_CASEWORK = [
    *_model_perms("placements.child", ("view", "add", "change")),
    *_model_perms("placements.siblinggroup", ("view", "add", "change")),
    *_model_perms("placements.placement", ("view", "add", "change")),
    "placements.issue_leave_letter",
    *[
        perm
        for model in _PLACEMENT_RECORDS
        for perm in _model_perms(model, ("view", "add", "change"))
    ],
    *_view("placements.placementchild"),
    *_view("placements.courtorder"),
    *_view("placements.temporaryapproval"),
    *_view("placements.placementdeadline"),
]
PLACEMENTS_MANAGEMENT = [
    "placements.view_measures",
    "placements.grant_temporary_approval",
    "placements.add_temporaryapproval",
    *[perm for model in _PLACEMENT_RECORDS for perm in _model_perms(model, ("delete",))],
]

# Every app adds its rows here when it adds models. "app_label.codename".
ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.EVENTS_TEAM: [
        # Information events and their bookings; nothing about carers or placements.
        *_model_perms("enquiries.informationevent", ("view", "add", "change")),
        *_model_perms("enquiries.booking", ("view", "change")),
    ],
    Role.RECRUITMENT_TEAM: [
        *ENQUIRIES_WORK,
    ],
    Role.SOCIAL_WORKERS: [
        *CARERS_CASEWORK,
        *ENQUIRIES_VIEW,
        *PLACEMENTS_CASEWORK,
    ],
    Role.TEAM_MANAGERS: [
        *_view("portal.notification"),
        *_view("auditlog.logentry"),
        *CARERS_CASEWORK,
        *CARERS_MANAGEMENT,
        *ENQUIRIES_VIEW,
        "enquiries.export_enquiry",
        *PLACEMENTS_CASEWORK,
        *PLACEMENTS_MANAGEMENT,
    ],
    Role.CONTENT_EDITORS: [
        # Public pages, FAQs, stories and the eligibility checker's postcode areas.
        *_model_perms("content.page"),
        *_model_perms("content.faqtopic"),
        *_model_perms("content.faq"),
        *_model_perms("content.story"),
        *_model_perms("content.servedpostcodearea"),
        *_view("content.eligibilitycompletioncount"),
    ],
}


def sync_role_permissions(using=DEFAULT_DB_ALIAS, apps=global_apps, **kwargs) -> None:
    """Give each role exactly the permissions in ``ROLE_PERMISSIONS`` that exist."""
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    existing = {
        f"{app_label}.{codename}": pk
        for pk, app_label, codename in Permission.objects.using(using).values_list(
            "pk", "content_type__app_label", "codename"
        )
    }
    for role, wanted in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.using(using).get_or_create(name=role)
        group.permissions.set([existing[dotted] for dotted in wanted if dotted in existing])
