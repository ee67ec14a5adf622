"""The one entry point for the audit trail (django-auditlog).

Every audit entry carries a dotted action name, ``app.model.what`` (for example
``carers.assessment.stage_1_started``), in ``additional_data["action"]``. There are two
ways an entry is written, and both go through this module:

- ``record(instance, action, by=..., changes=...)`` writes an entry with the changes a
  service names itself (a state change, a field set by a move). Masked fields are
  hidden here, so a caller cannot leak them by forgetting.
- ``name_next_save(instance, action)`` names the entry auditlog writes on its own for
  the next save or delete of ``instance`` (the diff of every field); models that take
  names this way inherit ``AuditNamed``.

``register(model, masked=..., excluded=..., initials=...)`` registers a model with
auditlog and remembers its masked fields: the one place that says which fields are
hidden. A masked value is replaced completely by ``MASK`` (auditlog's own default keeps
half of it).

Every entry's label (auditlog's ``object_repr``, which it takes from ``str()``) is set
here by ``label()``: the record's reference, or its kind and number, and the initials of
a person (``initials`` fields), never a name or a title. Foreign keys are stored by
primary key (``AUDITLOG_USE_FK_STRING_REPRESENTATION`` is off), so no other record's
name reaches ``changes`` either.
"""

from collections.abc import Iterable, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime

from auditlog.context import auditlog_value, disable_auditlog
from auditlog.models import LogEntry
from auditlog.registry import auditlog
from auditlog.signals import pre_log
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.db.models.signals import pre_save
from django.utils.text import capfirst

MASK = "[hidden]"

# "app_label.modelname" -> the fields whose values never reach the audit trail.
_MASKED: dict[str, frozenset[str]] = {}
# Fields masked on every model that has them: a withdrawal's reason may repeat what was
# withdrawn (the record keeps it, readable through the record: portal.versions).
ALWAYS_MASKED = ("withdrawn_reason",)
# Relations that are not the row's own values: its earlier versions (portal.versions).
ALWAYS_EXCLUDED = ("versions",)

# "app_label.modelname" -> the name fields a label shows as initials only.
_INITIALS: dict[str, tuple[str, ...]] = {}


def mask(value) -> str:
    """auditlog's mask callable for every masked field: nothing of the value is kept."""
    return MASK


def _label(model) -> str:
    return model._meta.label_lower


def register(
    model,
    *,
    masked: Iterable[str] = (),
    excluded: Iterable[str] = (),
    initials: Iterable[str] = (),
) -> None:
    """Audit every change to ``model``; ``masked`` fields are recorded as changed, never
    with their values; ``excluded`` fields are not recorded at all; a person's
    ``initials`` fields (``first_name``, ``last_name``) give the initials in the label."""
    fields = {field.name for field in model._meta.get_fields()}
    masked = [*masked, *(name for name in ALWAYS_MASKED if name in fields)]
    excluded = [*excluded, *(name for name in ALWAYS_EXCLUDED if name in fields)]
    _MASKED[_label(model)] = frozenset(masked)
    _INITIALS[_label(model)] = tuple(initials)
    options = {}
    if masked:
        options.update(mask_fields=masked, mask_callable="portal.audit.mask")
    if excluded:
        options["exclude_fields"] = list(excluded)
    auditlog.register(model, **options)


def masked_fields(model) -> frozenset[str]:
    return _MASKED.get(_label(model), frozenset())


def registered_models() -> list:
    """Every model registered through ``register``."""
    return [model for model in auditlog.get_models() if _label(model) in _MASKED]


def initials_of(*names: str) -> str:
    """ "Jo Ann", "Smith" -> "J. A. S." """
    return " ".join(f"{word[0].upper()}." for name in names for word in (name or "").split())


def label_for(model, pk, row=None) -> str:
    """The audit label of the row ``pk`` of ``model`` (``row`` when it is at hand): its
    reference, or its kind and number, with a person's initials; never a name."""
    reference = getattr(row, "reference", None)
    text = (
        reference
        if isinstance(reference, str) and reference
        else f"{capfirst(model._meta.verbose_name)} {pk if pk is not None else '(new)'}"
    )
    fields = _INITIALS.get(_label(model), ())
    letters = initials_of(*(getattr(row, name, "") for name in fields)) if row is not None else ""
    if letters and _sealed(row):
        # A sealed record (an adopted child's) is named by its reference alone.
        letters = ""
    return f"{text} ({letters})" if letters else text


def _sealed(row) -> bool:
    from . import access  # the access policy reads the audit trail: imported when needed

    return access.is_sealed(row)


def relabel(instance) -> int:
    """Write ``instance``'s label again on every audit entry about it (a record sealed
    since: its earlier entries lose the initials too). Returns how many changed."""
    return LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(type(instance)),
        object_pk=str(instance.pk),
    ).update(object_repr=label(instance))


def label(instance) -> str:
    """The label every audit entry of ``instance`` carries instead of ``str(instance)``."""
    return label_for(type(instance), instance.pk, instance)


# The record auditlog is about to write an automatic entry for (its ``pre_log`` signal),
# read back when the entry is saved: auditlog itself labels entries with ``str()``.
_logging: ContextVar = ContextVar("portal_audit_logging", default=None)


def _remember_instance(sender, instance, **kwargs):
    _logging.set(instance)


def _label_entry(sender, instance: LogEntry, raw=False, **kwargs):
    if raw or instance.pk is not None:
        return
    model = instance.content_type.model_class()
    row = _logging.get()
    _logging.set(None)
    if not (isinstance(row, model) if model else False) or str(row.pk) != str(instance.object_pk):
        row = None
    instance.object_repr = label_for(model, instance.object_pk, row) if model else MASK


pre_log.connect(_remember_instance, dispatch_uid="portal.audit.remember_instance")
pre_save.connect(_label_entry, sender=LogEntry, dispatch_uid="portal.audit.label_entry")


def as_text(value) -> str | None:
    """A value as the audit trail stores it: dates in ISO form, rows by primary key."""
    if value is None:
        return None
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return str(getattr(value, "pk", value))


def hide(changes, fields: Iterable[str]):
    """``changes`` (auditlog's ``{field: [old, new]}``) with the values of ``fields`` hidden."""
    if not isinstance(changes, Mapping):
        return changes
    fields = set(fields)
    return {
        name: [MASK if v not in (None, "", "None") else v for v in values]
        if name in fields and isinstance(values, list)
        else values
        for name, values in changes.items()
    }


def record(instance, action: str, *, by=None, changes: Mapping | None = None, **extra) -> LogEntry:
    """Write one audit entry named ``action`` for ``instance``.

    ``changes`` maps a field to its ``[old, new]`` values; they are stored as text and
    the model's masked fields are hidden. ``extra`` is kept beside the action's name
    (the reason a team manager gave).
    """
    stored = {name: [as_text(old), as_text(new)] for name, (old, new) in (changes or {}).items()}
    _logging.set(instance)
    return LogEntry.objects.log_create(
        instance,
        force_log=True,
        action=LogEntry.Action.UPDATE,
        changes=hide(stored, masked_fields(type(instance))),
        actor=by,
        actor_email=getattr(by, "email", None),
        additional_data={"action": action, **extra},
    )


def accessed(instance, action: str, *, by, **extra) -> LogEntry:
    """Write who opened or downloaded a record (an access entry), named ``action``;
    ``extra`` says what was opened with it (the children on a placement)."""
    _logging.set(instance)
    return LogEntry.objects.log_create(
        instance,
        force_log=True,
        action=LogEntry.Action.ACCESS,
        actor=by,
        actor_email=getattr(by, "email", None),
        additional_data={"action": action, **extra},
    )


def history_hide(rows: Mapping, *, public_addresses: bool = False) -> int:
    """Hide the masked fields' values in every audit entry already written for ``rows``
    (``{model: [pk, ...]}``), entries from before a field was masked included; with
    ``public_addresses``, also forget the address of entries no staff member made (the
    public's own submissions). For anonymisation: the history stays, the person goes.
    Returns how many entries changed."""
    condition = Q(pk__in=[])
    for model, pks in rows.items():
        content_type = ContentType.objects.get_for_model(model)
        condition |= Q(content_type=content_type, object_pk__in=[str(pk) for pk in pks])
    entries = LogEntry.objects.filter(condition).select_related("content_type")
    changed = 0
    for entry in entries:
        hidden = hide(entry.changes, masked_fields(entry.content_type.model_class()))
        if hidden != entry.changes:
            LogEntry.objects.filter(pk=entry.pk).update(changes=hidden)
            changed += 1
    if public_addresses:
        entries.filter(actor__isnull=True, remote_addr__isnull=False).update(remote_addr=None)
    return changed


def current_actor():
    """The staff member making the request in hand (auditlog's middleware says who), or
    ``None`` in a background job."""
    value = auditlog_value.get(None) or {}
    # auditlog leaves the last request's value behind when the request ends: it holds
    # only while the request's own receiver is still connected.
    live = any(key[0] == value.get("signal_duid") for key, *_ in pre_save.receivers)
    actor = value.get("actor") if live else None
    return actor if getattr(actor, "pk", None) else None


def name_next_save(instance, action: str) -> None:
    """Name the entry auditlog writes for the next save or delete of ``instance``."""
    instance._audit_action = action


@contextmanager
def silenced():
    """Saves inside write no automatic entry: the caller records its own with ``record``."""
    with disable_auditlog():
        yield


class AuditNamed:
    """For models whose automatic audit entries carry the name a service gave them.

    Without a name the entry is ``app.model.edited`` (a change made in the admin);
    a model known by a shorter name sets ``audit_prefix`` (``"enquiries.event"``).
    """

    audit_prefix = ""

    def get_additional_data(self):
        # auditlog calls this when it writes an entry for a save or delete.
        prefix = self.audit_prefix or f"{self._meta.app_label}.{self._meta.model_name}"
        default = f"{prefix}.edited"
        return {"action": getattr(self, "_audit_action", None) or default}
