"""Case notes: what happened on a case (a call, a visit, an email, a meeting, management
oversight), written once.

A note records the day it happened (``happened_on``: today or earlier, and not before
the case began, by ``portal.dates``), its kind and its text, who wrote it and when. It
is never changed or deleted: a note written on the wrong case is *withdrawn* with a
reason (``note_withdraw``, ``portal.versions``); a mistake is put right by a *correction*, a new note that
names the note it corrects (``corrects``), so the old wording is kept beside the new.
Corrections form a chain: a note is corrected at most once (a unique key in the
database), and a correction may itself be corrected; a note already corrected is
refused with words saying to correct its latest correction instead.

Management oversight (a team manager's recorded direction on a case, as Ofsted asks to
see under the Adoption Agencies Regulations 2005 and the Fostering Services (England)
Regulations 2011, reg 11 on monitoring) is a kind only team managers may choose;
``is_management_oversight`` is set by ``note_add``/``note_correct`` alone, when the
author is a team manager writing that kind, so the mark stays true of the note if the
author later changes role.

Each app keeps its notes in its own table on the abstract ``CaseNoteBase`` (a real
foreign key to its case, with its cascade and index) and registers a ``NoteSource``
from its ``AppConfig.ready()``: the foreign key to the case, the day the case began and
what that day is called. The core names no app.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db import models, transaction
from django.db.models import F, Q
from django.utils import timezone

from . import audit, dates, versions
from .audit import AuditNamed
from .formats import day
from .roles import Role
from .versions import CaseRecord
from .workflow import Refused, lock

TEXT_MAX_LENGTH = 10_000


class NoteKind(models.TextChoices):
    CALL = "call", "Telephone call"
    VISIT = "visit", "Visit"
    EMAIL = "email", "Email"
    MEETING = "meeting", "Meeting"
    MANAGEMENT_OVERSIGHT = "management_oversight", "Management oversight"


class CaseNoteBase(AuditNamed, CaseRecord):
    """A note on a case, written once. The concrete table adds the foreign key to its case."""

    kind = models.CharField(max_length=30, choices=NoteKind.choices)
    happened_on = models.DateField("date", help_text="The day it happened (today or earlier).")
    text = models.TextField("note", max_length=TEXT_MAX_LENGTH)
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", editable=False
    )
    written_at = models.DateTimeField(default=timezone.now, editable=False)
    corrects = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="correction",
        editable=False,
        help_text="The note this one corrects; that note keeps its own words.",
    )
    is_management_oversight = models.BooleanField(default=False, editable=False)

    class Meta:
        abstract = True
        ordering = ["-happened_on", "-written_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(is_management_oversight=False) | Q(kind=NoteKind.MANAGEMENT_OVERSIGHT),
                name="%(app_label)s_%(class)s_oversight_is_its_kind",
            ),
            models.CheckConstraint(
                condition=~Q(corrects=F("pk")), name="%(app_label)s_%(class)s_not_itself"
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} on {day(self.happened_on)}"


@dataclass(frozen=True)
class NoteSource:
    """How one app's note table plugs in: the case it belongs to and when that case began."""

    model: type[CaseNoteBase]
    case_field: str  # the foreign key to the case: "household"
    began_on: Callable[[models.Model], date | None]
    began_label: str  # "the day the household was registered"

    @property
    def case_model(self):
        return self.model._meta.get_field(self.case_field).related_model


_sources: dict[str, NoteSource] = {}


def register_notes(source: NoteSource) -> None:
    """Apps register their note table (from ``AppConfig.ready``)."""
    _sources[source.case_model._meta.label] = source


def source_for(case) -> NoteSource:
    """The notes of ``case`` (a case, or its model)."""
    model = case if isinstance(case, type) else type(case)
    return _sources[model._meta.label]


def _source_of_note(note) -> NoteSource:
    return next(source for source in _sources.values() if source.model is type(note))


def is_team_manager(user) -> bool:
    return user.groups.filter(name=Role.TEAM_MANAGERS).exists()


def note_problems(*, source: NoteSource, case, kind: str, happened_on, text: str, by):
    """What stops this note being written, in words (empty when it may be)."""
    problems = dates.messages(dates.happened(happened_on, label="The date", field="happened_on"))
    problems += dates.messages(
        dates.in_order(
            happened_on,
            source.began_on(case),
            label="The date",
            earlier_label=source.began_label,
            field="happened_on",
        )
    )
    if kind not in NoteKind.values:
        problems.append("Choose what kind of note this is.")
    elif kind == NoteKind.MANAGEMENT_OVERSIGHT and not is_team_manager(by):
        problems.append("Only team managers write management oversight notes.")
    if not (text or "").strip():
        problems.append("Write the note.")
    elif len(text) > TEXT_MAX_LENGTH:
        problems.append(f"A note can be at most {TEXT_MAX_LENGTH:,} characters long.")
    return list(dict.fromkeys(problems))


def _write(source, case, written: dict, *, by, corrects=None, action: str):
    """Check and save one note; ``written`` is what the author wrote: kind, date, text."""
    problems = note_problems(source=source, case=case, by=by, **written)
    if problems:
        raise Refused(problems)
    note = source.model(
        **{source.case_field: case},
        **written,
        written_by=by,
        corrects=corrects,
        is_management_oversight=written["kind"] == NoteKind.MANAGEMENT_OVERSIGHT,
    )
    note.text = note.text.strip()
    audit.name_next_save(note, f"{source.model._meta.label_lower}.{action}")
    note.save(force_insert=True)
    return note


def note_add(*, case, kind: str, happened_on: date, text: str, by):
    """Write a note on ``case`` (a household, a child, a placement: any registered case)."""
    written = {"kind": kind, "happened_on": happened_on, "text": text}
    return _write(source_for(case), case, written, by=by, action="added")


def note_correct(*, note: CaseNoteBase, kind: str, happened_on: date, text: str, by):
    """Write a correction of ``note``: a new note on the same case naming it. The note
    corrected is left exactly as it was."""
    source = _source_of_note(note)
    written = {"kind": kind, "happened_on": happened_on, "text": text}
    with transaction.atomic():
        # Two people correcting the same note at once: the second waits, then is refused.
        original = lock(note)
        correction = source.model.all_objects.filter(corrects=original).first()
        if correction is not None and correction.is_withdrawn:
            raise Refused(
                "This note's correction was withdrawn, and a note is corrected once: "
                "write a new note instead."
            )
        if correction is not None:
            raise Refused(
                "This note has already been corrected: correct its latest correction instead."
            )
        case = getattr(original, source.case_field)
        return _write(source, case, written, by=by, corrects=original, action="corrected")


def note_withdraw(*, note: CaseNoteBase, reason: str, by):
    """Withdraw ``note`` (written on the wrong case): it keeps its words, leaves the
    case's notes and stays readable, with the reason, in the case's history."""
    return versions.withdraw(record=note, reason=reason, by=by)
