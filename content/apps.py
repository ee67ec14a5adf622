from django.apps import AppConfig
from django.apps import apps as global_apps
from django.db.models.signals import post_migrate


def install_shipped_content(sender, using, apps=global_apps, **kwargs):
    """After migrate, and after a test flush: the shipped content, once per database."""
    from .shipped import install

    install(apps, using=using)


class ContentConfig(AppConfig):
    name = "content"
    verbose_name = "Public content"

    def ready(self):
        from portal import audit
        from portal.notifications import register_attachment_builder

        from . import roles
        from .attachments import information_pack_attachment
        from .models import FAQ, FAQTopic, Page, ServedPostcodeArea, Story

        roles.grant_roles()
        register_attachment_builder("information-pack", information_pack_attachment)
        audit.register(Page, excluded=["updated_at"])
        audit.register(FAQTopic)
        audit.register(FAQ, excluded=["updated_at"])
        audit.register(Story, excluded=["updated_at"])
        audit.register(ServedPostcodeArea)
        post_migrate.connect(
            install_shipped_content, sender=self, dispatch_uid="content.install_shipped_content"
        )
