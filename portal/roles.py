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


# Every app adds its rows here when it adds models. "app_label.codename".
ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.EVENTS_TEAM: [],
    Role.RECRUITMENT_TEAM: [],
    Role.SOCIAL_WORKERS: [],
    Role.TEAM_MANAGERS: [
        *_view("portal.notification"),
        *_view("auditlog.logentry"),
    ],
    Role.CONTENT_EDITORS: [],
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
