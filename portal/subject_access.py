"""Subject access: everything the portal holds about one person, as a ZIP of a PDF and JSON.

UK GDPR Art. 15 gives a person the right to a copy of their personal data; Art. 12(3)
says the answer goes without undue delay and at the latest within one month of receipt,
extendable by two further months where necessary, given the complexity and number of
requests (the person is told within the first month). ``due_on`` and ``extended_to``
are that clock.

Each app registers a ``Provider`` from its ``AppConfig.ready()``:

    register_provider(Provider(name="enquiries", order=10, find=enquiry_sections))

``find(person)`` returns the person's records as plain ``Section`` rows (a title, label
and value rows, and what was left out). A provider gives only the person's own details:
another person's (a partner, a child, a birth relative, a referee) are never in a row,
and the section says ``REMOVED`` where they were. Free text staff wrote (notes) may name
other people: such a section carries ``REVIEW`` so the team manager reads it before the
copy goes out. The core names no app.

``subject_access_zip`` builds the ZIP in memory (the PDF is rendered with
``cache=False``) and records the production in the audit trail; nothing is kept on disk.
"""

import io
import json
import zipfile
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import date

from django.conf import settings
from django.utils import timezone

from . import audit, formats
from .calendar import add_months
from .pdf import render_pdf

# UK GDPR Art. 12(3): "without undue delay and in any event within one month of receipt
# of the request". ICO, "Right of access" (how long do we have to comply?): count from
# the day the request is received to the corresponding calendar date in the next month;
# where that month has no such date, the last day of that month. (The ICO allows until
# the next working day when that date is a weekend or bank holiday; the clock keeps the
# calendar date, which is never later than the law's month.)
RESPONSE_MONTHS = 1
# Art. 12(3): "That period may be extended by two further months where necessary,
# taking into account the complexity and number of the requests."
EXTENSION_MONTHS = 2

REMOVED = "removed: details of another person"
REVIEW = (
    "Written by staff: read it for other people's details before this copy is sent, "
    "and mark anything about another person for redaction."
)


def due_on(received_on: date) -> date:
    """The last day to answer a request received on ``received_on`` (Art. 12(3))."""
    return add_months(received_on, RESPONSE_MONTHS)


def extended_to(received_on: date) -> date:
    """The last day once extended by two further months: three months from receipt."""
    return add_months(received_on, RESPONSE_MONTHS + EXTENSION_MONTHS)


@dataclass(frozen=True)
class Person:
    """How the person is identified, as the request form asks: an email address and/or
    a name and date of birth. Providers match on what is given and nothing looser."""

    email: str = ""
    first_name: str = ""
    last_name: str = ""
    date_of_birth: date | None = None

    @property
    def full_name(self) -> str:
        return formats.full_name(self.first_name.strip(), self.last_name.strip())

    @property
    def has_name_and_birth(self) -> bool:
        return bool(self.first_name.strip() and self.last_name.strip() and self.date_of_birth)

    @property
    def normalised_email(self) -> str:
        return self.email.strip().lower()


@dataclass
class Section:
    """One record of the person: a title, label and value rows, and what was left out."""

    title: str
    source: str  # the provider's name: "enquiries", "carers"
    rows: list[tuple[str, str]] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)  # "Partner's name: removed: ..."
    review: str = ""  # REVIEW, when staff wrote free text in it

    def add(self, label: str, value) -> None:
        self.rows.append((label, as_text(value)))

    def leave_out(self, label: str) -> None:
        """Another person's details were here: say so, never what they were."""
        self.removed.append(f"{label}: {REMOVED}")


def as_text(value) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, date):
        return formats.day(value)
    return str(value)


@dataclass(frozen=True)
class Provider:
    name: str
    find: Callable[[Person], list[Section]]
    order: int = 100


_providers: dict[str, Provider] = {}


def register_provider(provider: Provider) -> None:
    _providers[provider.name] = provider


def sections_for(person: Person) -> list[Section]:
    """Every app's sections for this person, in the providers' order."""
    sections: list[Section] = []
    for provider in sorted(_providers.values(), key=lambda p: (p.order, p.name)):
        sections.extend(provider.find(person))
    return sections


def as_json(sections: list[Section], *, reference: str, produced_on: date) -> str:
    return json.dumps(
        {
            "request": reference,
            "produced_on": produced_on.isoformat(),
            "controller": settings.AGENCY_NAME,
            "sections": [
                {
                    "title": s.title,
                    "source": s.source,
                    "rows": [{"label": label, "value": value} for label, value in s.rows],
                    "removed": s.removed,
                    "review": s.review,
                }
                for s in sections
            ],
        },
        ensure_ascii=False,
        indent=2,
    )


def as_pdf(sections: list[Section], *, reference: str, produced_on: date) -> bytes:
    return render_pdf(
        template="portal/subject_access.html",
        context={
            "sections": [asdict(s) for s in sections],
            "reference": reference,
            "produced_on": produced_on,
            "removed_words": REMOVED,
        },
        title=f"Your personal data: request {reference}",
        cache=False,
    )


def subject_access_zip(*, request_record, by) -> bytes:
    """The ZIP for a recorded request: ``records.pdf`` and ``records.json`` of the same
    sections. Built in memory; its production is audited (who, when, how many sections)."""
    person = request_record.person
    sections = sections_for(person)
    produced_on = timezone.localdate()
    reference = request_record.reference
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "records.pdf", as_pdf(sections, reference=reference, produced_on=produced_on)
        )
        archive.writestr(
            "records.json", as_json(sections, reference=reference, produced_on=produced_on)
        )
    request_record.last_produced_at = timezone.now()
    request_record.save(update_fields=["last_produced_at"])
    audit.accessed(
        request_record,
        "portal.subjectaccessrequest.produced",
        by=by,
        sections=len(sections),
    )
    return buffer.getvalue()


# -- the log of requests ---------------------------------------------------------------------


class SubjectAccessError(Exception):
    """A request could not be changed; the message is safe to show staff."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def subject_access_request_record(*, request_record, by):
    """A new request: its clock from the day it was received."""
    from .models import SubjectAccessRequest

    if not isinstance(request_record, SubjectAccessRequest) or request_record.pk:
        raise SubjectAccessError("Only a new request can be recorded.")
    request_record.email = request_record.email.strip().lower()
    request_record.due_on = due_on(request_record.received_on)
    request_record.recorded_by = by
    request_record.save()
    return request_record


def subject_access_request_extend(*, request_record, reason: str, by):
    """Extend the answer by two further months (Art. 12(3)); the person must be told, with
    the reasons, within the first month."""
    reason = reason.strip()
    if not reason:
        raise SubjectAccessError("Give the reason for extending, as the person is told it.")
    if request_record.completed_on:
        raise SubjectAccessError(f"{request_record} has been answered.")
    if request_record.extended_to:
        raise SubjectAccessError(f"{request_record} has already been extended.")
    if timezone.localdate() > request_record.due_on:
        raise SubjectAccessError(
            "An extension is given within the first month: this request is past its due date."
        )
    request_record.extended_to = extended_to(request_record.received_on)
    request_record.extension_reason = reason[:300]
    request_record.save(update_fields=["extended_to", "extension_reason"])
    audit.record(
        request_record,
        "portal.subjectaccessrequest.extended",
        by=by,
        changes={"extended_to": (None, request_record.extended_to)},
    )
    return request_record


def subject_access_request_complete(*, request_record, by, on: date | None = None):
    """The copy has been sent: the request is answered."""
    on = on or timezone.localdate()
    if request_record.completed_on:
        raise SubjectAccessError(f"{request_record} has already been answered.")
    if request_record.last_produced_at is None:
        raise SubjectAccessError(
            f"Produce the copy for {request_record} before marking it answered."
        )
    request_record.completed_on = on
    request_record.completed_by = by
    request_record.save(update_fields=["completed_on", "completed_by"])
    return request_record
