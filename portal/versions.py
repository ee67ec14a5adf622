"""History that is never lost: the earlier wording of the case record, and withdrawal
in place of deletion.

- **Versions.** An app registers the fields that form a case record
  (``register(model, fields=[...])``, from its ``AppConfig.ready()``, beside its
  ``audit.register``). Whenever a registered field is changed, the wording it had is
  kept as a ``RecordVersion`` (who changed it, when), whichever screen or service saved
  it. The audit trail keeps masking those values (it is read by more people); the
  versions are read *through the record* (``versions_of``), so whoever may see the
  record sees its earlier wording, and nobody else does.
- **Withdrawal.** Case-record rows (notes, documents, reviews, visits, hearings...)
  inherit ``CaseRecord``: staff never delete them. A row entered by mistake is
  *withdrawn* (``withdraw``) with a reason in words; it keeps its words, leaves the
  current lists, counts and clocks (the default manager, ``objects``, holds the current
  rows only, so every clock, list and related set reads them alone), and stays readable
  under "Withdrawn" on its case's page (``all_objects``). Erasing at the end of the
  retention period (``portal.retention``) is not a withdrawal: it removes the row and
  its versions together.

Notes are never edited at all (``portal.casenotes``: a correction is a new note), so a
note's earlier wording is the note it corrects.
"""

from collections.abc import Iterable

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.db.models.signals import post_delete, pre_save
from django.utils import timezone

from . import audit
from .formats import day
from .workflow import Refused, lock

REASON_MAX_LENGTH = 500
# Held by team managers (the apps' roles): the people who used to delete mistaken rows.
WITHDRAW_PERMISSION = "portal.withdraw_record"

# "app_label.modelname" -> the fields whose earlier wording is kept.
_VERSIONED: dict[str, tuple[str, ...]] = {}


class CurrentRecords(models.Manager):
    """The rows in the record now: withdrawn rows left out."""

    def get_queryset(self):
        return super().get_queryset().filter(withdrawn_at__isnull=True)


class CaseRecord(models.Model):
    """A row of a case record: withdrawn with a reason, never deleted by staff."""

    withdrawn_at = models.DateTimeField(null=True, blank=True, editable=False)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    withdrawn_reason = models.CharField(
        "reason for withdrawing", max_length=REASON_MAX_LENGTH, blank=True, editable=False
    )
    versions = GenericRelation("portal.RecordVersion")

    objects = CurrentRecords()
    all_objects = models.Manager()  # noqa: DJ012 - the second manager, not a field

    class Meta:
        abstract = True

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None


def _label(model) -> str:
    return model._meta.label_lower


def register(model, *, fields: Iterable[str]) -> None:
    """Keep the earlier wording of ``fields`` of ``model`` whenever one is changed."""
    _VERSIONED[_label(model)] = tuple(fields)
    pre_save.connect(_keep_earlier_wording, sender=model, dispatch_uid=f"versions:{model}")
    # Erased at the end of its retention period: its versions go with it.
    post_delete.connect(_erase_versions, sender=model, dispatch_uid=f"versions:{model}")


def versioned_fields(model) -> tuple[str, ...]:
    return _VERSIONED.get(_label(model), ())


def registered_models() -> list:
    from django.apps import apps

    return [apps.get_model(label) for label in _VERSIONED]


def _keep_earlier_wording(sender, instance, raw=False, update_fields=None, **kwargs):
    if raw or instance._state.adding or instance.pk is None:
        return
    fields = [
        name for name in versioned_fields(sender) if update_fields is None or name in update_fields
    ]
    if not fields:
        return
    before = sender._base_manager.filter(pk=instance.pk).values(*fields).first()
    if before is None:
        return
    content_type = ContentType.objects.get_for_model(sender)
    by = audit.current_actor()
    kept = [
        RecordVersion(
            content_type=content_type,
            object_id=instance.pk,
            field=name,
            text=str(before[name]),
            changed_by=by,
        )
        for name in fields
        if before[name] not in (None, "") and before[name] != getattr(instance, name)
    ]
    RecordVersion.objects.bulk_create(kept)


def _erase_versions(sender, instance, **kwargs):
    RecordVersion.objects.filter(
        content_type=ContentType.objects.get_for_model(sender), object_id=instance.pk
    ).delete()


def versions_of(record) -> list:
    """The earlier wording of ``record``, newest first, each with its field's label.
    Read only for a record the reader has already been allowed to open."""
    rows = getattr(record, "_prefetched_objects_cache", {}).get("versions")
    if rows is None:
        rows = RecordVersion.objects.filter(
            content_type=ContentType.objects.get_for_model(type(record)), object_id=record.pk
        ).select_related("changed_by")
    return sorted(rows, key=lambda version: (version.changed_at, version.pk), reverse=True)


def field_label(model, name: str) -> str:
    return str(model._meta.get_field(name).verbose_name)


def already_withdrawn(record) -> Refused:
    """The refusal for a row no longer in the current record (for a caller that locks
    the row itself and does not find it)."""
    earlier = type(record).all_objects.filter(pk=record.pk).first()
    when = f" on {day(earlier.withdrawn_at)}" if earlier and earlier.withdrawn_at else ""
    return Refused(f"This was already withdrawn{when}.")


def withdraw(*, record: CaseRecord, reason: str, by) -> CaseRecord:
    """Withdraw ``record`` (entered by mistake, on the wrong case): it keeps its words and
    leaves the current record. Call inside the app's transaction when its clocks follow."""
    if not by.has_perm(WITHDRAW_PERMISSION):
        raise PermissionDenied("Only a team manager withdraws a record.")
    reason = (reason or "").strip()
    problems = []
    if not reason:
        problems.append("Say in words why this is withdrawn.")
    elif len(reason) > REASON_MAX_LENGTH:
        problems.append(f"The reason can be at most {REASON_MAX_LENGTH} characters long.")
    if problems:
        raise Refused(problems)
    model = type(record)
    with transaction.atomic():
        try:
            # Two people withdrawing the same row at once: the second finds it gone.
            current = lock(record)
        except model.DoesNotExist:
            raise already_withdrawn(record) from None
        current.withdrawn_at = timezone.now()
        current.withdrawn_by = by
        current.withdrawn_reason = reason
        with audit.silenced():
            current.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawn_reason"])
        # The reason is masked in the trail (audit.ALWAYS_MASKED): the record keeps it.
        audit.record(
            current,
            f"{_label(model)}.withdrawn",
            by=by,
            changes={
                "withdrawn_at": (None, current.withdrawn_at),
                "withdrawn_by": (None, by),
                "withdrawn_reason": ("", reason),
            },
        )
    return current


# Imported last: portal.models is loaded by the time any record is saved.
from .models import RecordVersion  # noqa: E402
