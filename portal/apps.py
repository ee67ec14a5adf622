from pathlib import Path

from django.apps import AppConfig
from django.conf import settings
from django.db.models.signals import post_migrate


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "Portal"

    def ready(self):
        from allauth.account import signals as account_signals

        from . import audit
        from .dashboard import break_glass_panel, caseloads_panel, outbox_panel, register_panel
        from .invitations import invitations_withdraw_after_password
        from .letters import letter_templates_seed
        from .models import SubjectAccessRequest
        from .notifications import retention_classes
        from .retention import register
        from .roles import sync_role_permissions

        register_panel(template="portal/admin/outbox_panel.html", context=outbox_panel, order=1000)
        for signal in (
            account_signals.password_reset,
            account_signals.password_changed,
            account_signals.password_set,
        ):
            signal.connect(
                invitations_withdraw_after_password,
                dispatch_uid=f"portal.invitations_withdraw:{id(signal)}",
            )
        register_panel(
            template="portal/admin/caseloads_panel.html", context=caseloads_panel, order=900
        )
        register_panel(
            template="portal/admin/break_glass_panel.html", context=break_glass_panel, order=950
        )

        for retention_class in retention_classes():
            register(retention_class)
        # Who asked is hidden in the trail: the request's reference and dates are enough.
        audit.register(
            SubjectAccessRequest,
            masked=["email", "first_name", "last_name", "date_of_birth"],
            initials=["first_name", "last_name"],
        )

        # After every app's migrations, so that every permission exists.
        post_migrate.connect(sync_role_permissions, dispatch_uid="portal.sync_role_permissions")
        # Every kind of letter the apps registered gets its default template.
        post_migrate.connect(letter_templates_seed, dispatch_uid="portal.letter_templates_seed")

        if settings.CELERY_BROKER_URL.startswith("portalfs://"):
            # The embedded broker is a pair of folders; both the web process and the worker
            # may be first to need them.
            for key in ("data_folder_in", "data_folder_out", "processed_folder", "control_folder"):
                Path(settings.CELERY_BROKER_TRANSPORT_OPTIONS[key]).mkdir(
                    parents=True, exist_ok=True
                )
