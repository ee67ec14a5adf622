"""What the placements staff pages share: the child link, the access log, read-only
inlines and the staff form page."""

from auditlog.signals import accessed
from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from portal import audit
from portal.admin_filters import ReadOnly
from portal.admin_saves import save_rows
from portal.admin_sections import CaseFields
from portal.admin_versions import RecordHistory
from portal.staffpages import form_page

from ..forms import PlacementInlineFormSet
from ..models import Child


def _child_link(child: Child) -> str:
    return format_html(
        '<a href="{}">{}</a>', reverse("admin:placements_child_change", args=[child.pk]), child
    )


def _log_access(request, instance, action: str, **extra) -> None:
    """Write who opened a record to the audit trail (django-auditlog's access log).

    A child's page uses auditlog's own ``accessed`` signal; other records say what was
    opened (a placement, with the children on it; a letter) in the entry's data.
    """
    if not extra:
        accessed.send(sender=type(instance), instance=instance)
        return
    audit.accessed(instance, action, by=request.user, **extra)


class ReadOnlyInline(ReadOnly, admin.TabularInline):
    extra = 0
    can_delete = False


class ReadOnlyCards(ReadOnlyInline):
    """A read-only list on a case's page: a card per row, never a wide table."""

    template = "admin/edit_inline/case_cards.html"


def _form_page(model_admin, request, **page):
    """The staff form page (portal/staffpages.py) with this admin's media."""
    return form_page(
        request,
        admin_site=model_admin.admin_site,
        opts=model_admin.opts,
        media=model_admin.media,
        **page,
    )


class PlacementRecordInline(RecordHistory, CaseFields, admin.StackedInline):
    """Records kept on a case (a placement, proceedings or a child). Social workers add
    and correct them (each earlier wording kept); a team manager withdraws a mistaken
    row with a reason (``portal.versions``), nobody deletes one.
    Each row is saved by its service (``save_records``, from the admin's ``save_related``)."""

    extra = 0
    formset = PlacementInlineFormSet
    template = "admin/edit_inline/case_stacked.html"


def save_records(formset, *, by) -> dict:
    """Each changed row of a records inline through its service; the refusals, by row."""
    return save_rows(formset, save=lambda form: form.service_save(by=by))
