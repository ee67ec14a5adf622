"""Staff roles: Django groups and the permissions each one holds.

The groups are created by a migration (``portal/migrations/0002_roles.py``).
Each app grants its own permissions to the roles from its ``AppConfig.ready()``
(``grant(Role.SOCIAL_WORKERS, [...])`` in the app's ``roles.py``), so the core
names no app. The groups' permissions are kept in step with what was granted
after every ``migrate``, because Django creates an app's permissions only once
its models exist.
"""

from collections.abc import Iterable

from django.apps import apps as global_apps
from django.db import DEFAULT_DB_ALIAS


class Role:
    EVENTS_TEAM = "Events team"
    RECRUITMENT_TEAM = "Recruitment team"
    SOCIAL_WORKERS = "Social workers"
    TEAM_MANAGERS = "Team managers"
    CONTENT_EDITORS = "Content editors"
    # Members of the adoption and fostering panels, often not staff: they sign in (with
    # MFA, as staff do) to read the papers of the sittings they sit on, and nothing else.
    PANEL_MEMBERS = "Panel members"

    ALL = (
        EVENTS_TEAM,
        RECRUITMENT_TEAM,
        SOCIAL_WORKERS,
        TEAM_MANAGERS,
        CONTENT_EDITORS,
        PANEL_MEMBERS,
    )


def model_perms(model: str, actions=("view", "add", "change", "delete")) -> list[str]:
    """``model_perms("app.model", ("view",))`` -> ``["app.view_model"]``."""
    app_label, model_name = model.split(".")
    return [f"{app_label}.{action}_{model_name}" for action in actions]


def view(model: str) -> list[str]:
    return model_perms(model, ("view",))


# Role -> the permissions granted to it, "app_label.codename", in the order granted.
# Each app grants its own from its ``AppConfig.ready()`` (its ``roles.py``).
_granted: dict[str, dict[str, None]] = {role: {} for role in Role.ALL}


def grant(role: str, perms: Iterable[str]) -> None:
    """Give ``role`` these permissions from the next ``migrate`` on. Granting twice is harmless."""
    if role not in _granted:
        raise ValueError(f"{role!r} is not a role: roles are {', '.join(Role.ALL)}.")
    for perm in perms:
        app_label, _, codename = perm.partition(".")
        if not app_label or not codename:
            raise ValueError(f"{perm!r} is not an app_label.codename permission.")
        _granted[role][perm] = None


def grant_casework(casework: Iterable[str], management: Iterable[str]) -> None:
    """Case records (carer households, placements) are for social workers and team
    managers only: both keep the records (``casework``); team managers alone hold
    ``management`` (decisions, catalogues, deleting)."""
    casework = list(casework)
    grant(Role.SOCIAL_WORKERS, casework)
    grant(Role.TEAM_MANAGERS, [*casework, *management])


def role_permissions() -> dict[str, list[str]]:
    """Every role and the permissions granted to it so far."""
    return {role: list(perms) for role, perms in _granted.items()}


# The core's own records: the outbox and the audit trail are for team managers.
grant(Role.TEAM_MANAGERS, [*view("portal.notification"), *view("auditlog.logentry")])
# The export log (portal.exports): team managers see who downloaded what; no one edits it.
grant(Role.TEAM_MANAGERS, view("portal.exportlog"))
# Letter templates: team managers edit the words (each save a new version).
grant(Role.TEAM_MANAGERS, model_perms("portal.lettertemplate", ("view", "change")))
# The retention schedule: team managers set and lift legal holds and read the job's reports.
grant(Role.TEAM_MANAGERS, model_perms("portal.legalhold", ("view", "add", "delete")))
grant(Role.TEAM_MANAGERS, view("portal.retentionrun"))
# Team managers give a case, or a whole caseload, to another social worker (portal.caseloads).
grant(Role.TEAM_MANAGERS, ["portal.reallocate_caseload"])

# Access by relationship (portal.access): team managers keep their teams, share a record
# with a worker, restrict records to named staff, and see their team's break-glass openings.
grant(Role.TEAM_MANAGERS, model_perms("portal.team", ("view", "add", "change")))
grant(Role.TEAM_MANAGERS, model_perms("portal.recordshare", ("view", "add", "delete")))
grant(Role.TEAM_MANAGERS, model_perms("portal.restriction"))
grant(Role.TEAM_MANAGERS, view("portal.breakglassopening"))

# Subject access requests (portal.subject_access): team managers record them, produce the
# copy and mark them answered; the log of requests is kept (nobody deletes one).
grant(Role.TEAM_MANAGERS, model_perms("portal.subjectaccessrequest", ("view", "add", "change")))


def sync_role_permissions(using=DEFAULT_DB_ALIAS, apps=global_apps, **kwargs) -> None:
    """Give each role exactly the permissions granted to it that exist."""
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    existing = {
        f"{app_label}.{codename}": pk
        for pk, app_label, codename in Permission.objects.using(using).values_list(
            "pk", "content_type__app_label", "codename"
        )
    }
    for role, wanted in role_permissions().items():
        group, _ = Group.objects.using(using).get_or_create(name=role)
        group.permissions.set([existing[dotted] for dotted in wanted if dotted in existing])
