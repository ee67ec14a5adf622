import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone

from .enquiries import Enquiry

# ---------------------------------------------------------------------------
# The Registration of Interest, online
#
# After the initial visit the recruitment team emails the enquirer a private link to the
# agency's Registration of Interest form. The answers are kept as they are typed (saved
# for later, however unfinished) and sent once; sending moves the enquiry to
# "Registration of Interest received", which starts the decision clock
# (enquiries/clocks.py), and the answers fill in the household staff make from it.
#
# Only a digest of the link's token is stored: the link itself is in the email alone.
# A new link (sent again) replaces the old one and keeps the answers. The answers go when
# the enquiry is anonymised.
# ---------------------------------------------------------------------------


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_registration_token() -> tuple[str, str]:
    """A link's token and the digest stored for it."""
    token = secrets.token_urlsafe(32)
    return token, token_digest(token)


class RegistrationOfInterest(models.Model):
    enquiry = models.OneToOneField(
        Enquiry, on_delete=models.CASCADE, related_name="registration", editable=False
    )
    token_digest = models.CharField(max_length=64, unique=True, editable=False)
    link_sent_at = models.DateTimeField("form emailed at", editable=False)
    link_sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        editable=False,
        verbose_name="emailed by",
    )
    # The answers as last saved, by the form's field names (see services.registration).
    data = models.JSONField(default=dict, blank=True, editable=False)
    saved_at = models.DateTimeField("answers saved at", null=True, editable=False)
    submitted_at = models.DateTimeField("sent at", null=True, editable=False)

    class Meta:
        verbose_name = "Registration of Interest form"

    def __str__(self):
        return f"Registration of Interest for {self.enquiry.reference}"

    @property
    def link_expires_at(self):
        return self.link_sent_at + timedelta(days=settings.ROI_FORM_LINK_DAYS)

    def link_expired(self, now=None) -> bool:
        return (now or timezone.now()) >= self.link_expires_at
