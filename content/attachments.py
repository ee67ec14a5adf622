"""Attachments the content app builds for the notification outbox."""

import logging

from portal.notifications import Attachment, AttachmentUnavailable

logger = logging.getLogger(__name__)


def information_pack_attachment(spec: dict) -> Attachment:
    """``{"kind": "information-pack", "for": "Jo"}``: the pack with Jo's name on its cover."""
    from . import services

    name = str(spec.get("for") or "")
    try:
        data = services.information_pack_personalised(name=name)
    except Exception as exc:  # noqa: BLE001 - any failure sends the email without the pack
        # The type only: the message could carry the enquirer's name into the logs.
        logger.warning("Could not build the information pack attachment (%s)", type(exc).__name__)
        raise AttachmentUnavailable(f"information pack: {type(exc).__name__}") from exc
    return Attachment(filename="information-pack.pdf", content=data, mimetype="application/pdf")
