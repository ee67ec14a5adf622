"""Letters: templates team managers edit, filled from a record, stored and sent as a link.

An app registers each kind of letter it sends (``register(LetterKind(...))`` from its
``AppConfig.ready()``): its name and title, the merge fields its templates may use (each
with a demo value for previews), a function giving their values from the record, who
receives it, where the PDF is stored (the app's own documents) and who else may open it.

- **Templates** are Markdown, sanitised like the public pages (``portal.markdown``), with
  merge fields written ``{applicant_names}``; a new line is kept as a line break, as a
  letter's address and signature need. A field is only ever replaced by its value,
  escaped: no template language runs from the database. A template naming a field its
  kind does not have is refused with the field's name and the list of those allowed.
- **Versions.** Every save of a template is a new ``LetterTemplateVersion``; the old ones
  are kept. A letter names the version it was made from, and its PDF is stored once, so
  a later edit never changes a letter already produced.
- **Producing a letter** renders a tagged PDF (``portal.pdf``, never cached: it names
  people), stores it with the record through the kind's ``store``, audits it, and emails
  each recipient through the outbox a link to sign in and read it: never the letter
  itself, and nothing about the person. A recipient without an account gets one, and
  their first link is an invitation to choose a password that leads to the letter.
"""

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from . import audit, formats
from .markdown import render_markdown
from .models import Letter, LetterTemplate, LetterTemplateVersion, User
from .notifications import notify
from .pdf import render_pdf
from .workflow import Refused

# A merge field: anything in single braces. A name that is not a field is refused on save,
# so "{Applicant names}" or "{ref}" never reaches a letter as it was typed.
FIELD = re.compile(r"\{([^{}\n]{0,80})\}")

PDF_TEMPLATE = "pdf/letter.html"


def common_fields() -> dict[str, str]:
    """The merge fields every kind of letter has."""
    return {
        "date": "The day the letter is produced (3 June 2025)",
        "agency_name": f"The agency's name ({settings.AGENCY_NAME})",
        "agency_phone": "The agency's phone number",
        "agency_email": "The agency's email address",
    }


def common_values() -> dict[str, str]:
    return {
        "date": formats.day(timezone.localdate()),
        "agency_name": settings.AGENCY_NAME,
        "agency_phone": settings.AGENCY_PHONE,
        "agency_email": settings.AGENCY_EMAIL,
    }


@dataclass(frozen=True)
class Recipient:
    """Who a letter is sent to; an account is made for an address that has none."""

    email: str
    first_name: str = ""
    last_name: str = ""


@dataclass(frozen=True)
class LetterKind:
    name: str  # "carers.approval": unique, stored on templates and letters
    title: str  # what staff call it: "Approval, with its terms"
    fields: Mapping[str, str]  # merge field -> what it holds (shown to template editors)
    demo: Mapping[str, str]  # merge field -> a made-up value, for previews
    values: Callable[[Any], Mapping[str, str]]  # record -> merge field -> value
    recipients: Callable[[Any], list[Recipient]]  # record -> who receives it
    store: Callable[..., Any]  # store(record, *, title, content, by) -> a document with .file
    may_see: Callable[[Any, Any], bool]  # may_see(user, record): staff with access to it
    default_title: str
    default_body: str
    available: Callable[[Any], bool] = field(default=lambda record: True)
    # The recipient's address is asked for when the letter is produced (a referee's).
    asks_email: bool = False

    def all_fields(self) -> dict[str, str]:
        return {**common_fields(), **self.fields}

    def all_demo(self) -> dict[str, str]:
        return {**common_values(), **self.demo}


_kinds: dict[str, LetterKind] = {}


def register(kind: LetterKind) -> None:
    """Register a kind of letter (from an app's ``AppConfig.ready()``)."""
    missing = set(kind.fields) - set(kind.demo)
    if missing:
        raise ValueError(f"{kind.name}: no demo value for {', '.join(sorted(missing))}")
    problems = template_problems(kind=kind, title=kind.default_title, body=kind.default_body)
    if problems:
        raise ValueError(f"{kind.name}: {' '.join(problems)}")
    _kinds[kind.name] = kind


def kind_get(name: str) -> LetterKind:
    try:
        return _kinds[name]
    except KeyError:
        raise Refused(f"There is no kind of letter called “{name}”.") from None


def kind_find(name: str) -> LetterKind | None:
    """The kind registered under ``name``, or None (a template left by a kind since removed)."""
    return _kinds.get(name)


def kinds() -> list[LetterKind]:
    return list(_kinds.values())


# ---------------------------------------------------------------------------
# Merge fields
# ---------------------------------------------------------------------------


def placeholders(text: str) -> list[str]:
    """The merge fields a text names, in order, each once."""
    return list(dict.fromkeys(match.group(1) for match in FIELD.finditer(text or "")))


def template_problems(*, kind: LetterKind, title: str, body: str) -> list[str]:
    """What is wrong with a template's merge fields, in words (empty when nothing is)."""
    allowed = kind.all_fields()
    listed = ", ".join(f"{{{name}}}" for name in allowed)
    problems = []
    for name in placeholders(f"{title}\n{body}"):
        if name not in allowed:
            problems.append(
                f"“{{{name}}}” is not a merge field of this letter. "
                f"The merge fields of “{kind.title}” are: {listed}."
            )
    if "{" in FIELD.sub("", f"{title}\n{body}") or "}" in FIELD.sub("", f"{title}\n{body}"):
        problems.append(
            "A brace is not closed or not opened: write each merge field in one pair of "
            "braces on one line, like {date}."
        )
    return problems


def fill_text(text: str, values: Mapping[str, str]) -> str:
    """Plain text (a title) with its merge fields replaced by their values."""
    return FIELD.sub(lambda match: str(values.get(match.group(1), "")), text)


def fill_markdown(body: str, values: Mapping[str, str]) -> SafeString:
    """The body as sanitised HTML with each merge field replaced by its escaped value.

    The fields are swapped for plain words before the Markdown is rendered and the values
    put in after it is cleaned, so a value is never read as Markdown or HTML.
    """
    found: dict[str, str] = {}

    def mark(match: re.Match) -> str:
        token = f"mergefield{len(found)}x{id(found)}"
        found[token] = match.group(1)
        return token

    html = str(render_markdown(FIELD.sub(mark, body or ""), top_heading=2, line_breaks=True))
    for token, name in found.items():
        value = escape(str(values.get(name, ""))).replace("\n", "<br>")
        html = html.replace(token, value)
    return mark_safe(html)  # noqa: S308 - sanitised HTML with escaped values


def letter_pdf(*, title: str, body: str, values: Mapping[str, str], lang: str = "en-GB") -> bytes:
    """A letter as a tagged PDF (never cached: letters name people)."""
    filled_title = fill_text(title, values)
    return render_pdf(
        template=PDF_TEMPLATE,
        context={"letter_title": filled_title, "letter_body": fill_markdown(body, values)},
        title=filled_title,
        lang=lang,
        cache=False,
    )


def letter_preview(*, kind: LetterKind, title: str, body: str) -> bytes:
    """The template as a PDF filled with the kind's demo values."""
    return letter_pdf(title=title, body=body, values=kind.all_demo())


# ---------------------------------------------------------------------------
# Templates and their versions
# ---------------------------------------------------------------------------


def letter_template_save(*, template: LetterTemplate, title: str, body: str, by) -> LetterTemplate:
    """Save a template as a new version; refused, with what is wrong, when a field is unknown."""
    kind = kind_get(template.kind)
    problems = template_problems(kind=kind, title=title, body=body)
    if problems:
        raise Refused(problems)
    with transaction.atomic():
        template = LetterTemplate.objects.select_for_update().get(pk=template.pk)
        before = (template.title, template.version)
        template.title, template.body = title.strip(), body
        template.version += 1
        template.updated_at, template.updated_by = timezone.now(), by
        template.save()
        LetterTemplateVersion.objects.create(
            template=template,
            number=template.version,
            title=template.title,
            body=template.body,
            created_at=template.updated_at,
            created_by=by,
        )
        audit.record(
            template,
            "portal.lettertemplate.saved",
            by=by,
            changes={
                "title": [before[0], template.title],
                "version": [before[1], template.version],
            },
        )
    return template


def letter_templates_seed(**kwargs) -> int:
    """Give every registered kind its default template, if it has none (after ``migrate``)."""
    if LetterTemplate._meta.db_table not in _tables():
        return 0
    existing = set(LetterTemplate.objects.values_list("kind", flat=True))
    made = 0
    for kind in kinds():
        if kind.name in existing:
            continue
        with transaction.atomic():
            template = LetterTemplate.objects.create(
                kind=kind.name, title=kind.default_title, body=kind.default_body, version=1
            )
            LetterTemplateVersion.objects.create(
                template=template, number=1, title=template.title, body=template.body
            )
        made += 1
    return made


def _tables() -> list[str]:
    from django.db import connection

    return connection.introspection.table_names()


def letter_template_for(kind: str) -> LetterTemplateVersion:
    """The current version of a kind's template."""
    template = LetterTemplate.objects.filter(kind=kind).first()
    if template is None:
        raise Refused(
            f"There is no template for “{kind_get(kind).title}” yet: a team manager adds it "
            "under Letter templates."
        )
    return template.versions.get(number=template.version)


# ---------------------------------------------------------------------------
# Producing a letter
# ---------------------------------------------------------------------------


def _recipient_account(recipient: Recipient) -> User:
    email = recipient.email.strip().lower()
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        user = User(email=email, first_name=recipient.first_name, last_name=recipient.last_name)
        user.set_unusable_password()
        user.save()
    return user


def _link_for(user: User, letter: Letter, *, by) -> tuple[str, bool]:
    """The path the email links to, and whether it is an invitation to choose a password."""
    from .invitations import invitation_create

    path = f"/letters/{letter.pk}/"
    if user.is_staff or user.has_usable_password():
        return path, False
    token = invitation_create(user=user, by=by, next_path=path)
    return f"/accounts/invitation/{token}/", True


def letter_newest_pk(*, kind: str, record) -> int:
    """The newest letter of ``kind`` for ``record`` (0 for none): what a produce form saw."""
    newest = (
        Letter.objects.filter(
            kind=kind,
            record_type=ContentType.objects.get_for_model(record),
            record_id=record.pk,
        )
        .order_by("-pk")
        .values_list("pk", flat=True)
        .first()
    )
    return newest or 0


def letter_produce(
    *,
    kind: str,
    record,
    by,
    recipients: Iterable[Recipient] | None = None,
    seen: int | None = None,
) -> Letter:
    """Make the letter of ``kind`` for ``record`` from its template's current version,
    store it with the record and email each recipient a link to read it.

    ``seen`` is ``letter_newest_pk`` when the person asked for it: a letter of the same
    kind produced since (a second click, a colleague at the same moment) refuses this one,
    so a letter is never sent twice by accident."""
    letter_kind = kind_get(kind)
    if not letter_kind.may_see(by, record):
        raise Refused("You do not have access to this record.")
    if not letter_kind.available(record):
        raise Refused(f"“{letter_kind.title}” does not fit this record at its current stage.")
    people = list(recipients) if recipients is not None else letter_kind.recipients(record)
    people = [person for person in people if person.email.strip()]
    if not people:
        raise Refused(
            f"Nobody to send “{letter_kind.title}” to: record an email address for them first."
        )
    version = letter_template_for(kind)
    values = {**common_values(), **letter_kind.values(record)}
    title = fill_text(version.title, values)
    # Rendering takes a second or two: done before the transaction, which stays short.
    content = letter_pdf(title=version.title, body=version.body, values=values)
    with transaction.atomic():
        if seen is not None:
            # The record's row serialises two requests producing its letters at once.
            type(record).objects.select_for_update().filter(pk=record.pk).exists()
            if letter_newest_pk(kind=kind, record=record) > seen:
                raise Refused(
                    f"“{letter_kind.title}” was produced for this record after this page "
                    "was opened, so it was not produced again. It is in the list of letters "
                    "sent; to send another copy, open the letters page again."
                )
        document = letter_kind.store(record, title=title, content=content, by=by)
        letter = Letter.objects.create(
            kind=kind,
            version=version,
            title=title[:150],
            record_type=ContentType.objects.get_for_model(record),
            record_id=record.pk,
            document_type=ContentType.objects.get_for_model(document),
            document_id=document.pk,
            produced_by=by,
        )
        users = [_recipient_account(person) for person in people]
        letter.recipients.set(users)
        audit.record(
            letter,
            "portal.letter.produced",
            by=by,
            changes={"version": [None, version.pk], "document": [None, document.pk]},
        )
        for user in users:
            path, invited = _link_for(user, letter, by=by)
            notify(
                key=f"letter:{letter.pk}:to:{user.pk}",
                to=user.email,
                template="portal/letter_ready",
                context={
                    "letter_path": path,
                    "invited": invited,
                    "valid_days": settings.STAFF_INVITATION_VALID_DAYS,
                },
            )
    return letter


def letter_record(letter: Letter):
    return letter.record_type.get_object_for_this_type(pk=letter.record_id)


def letter_document(letter: Letter):
    return letter.document_type.get_object_for_this_type(pk=letter.document_id)


# Rules an app adds for recipients who are not staff (the carers' own area: an applicant's
# letters follow the rules of their area). ``gate(user)`` returns "" to let them read, a
# path to send them to first (two-step sign-in), or "refuse".
_recipient_gates: list[Callable[[Any], str]] = []


def register_recipient_gate(gate: Callable[[Any], str]) -> None:
    _recipient_gates.append(gate)


def recipient_gate(user) -> str:
    """What the apps' rules say of a recipient who is not staff: "", a path, or "refuse"."""
    for gate in _recipient_gates:
        answer = gate(user)
        if answer:
            return answer
    return ""


def letter_may_open(*, user, letter: Letter) -> bool:
    """The recipients may read a letter, and staff who may see the record it belongs to."""
    if not user.is_authenticated:
        return False
    if letter.recipients.filter(pk=user.pk).exists():
        return True
    if not user.is_staff:
        return False
    kind = kind_find(letter.kind)
    return kind is not None and kind.may_see(user, letter_record(letter))


def letters_for(model, pks: Iterable[int]) -> list[Letter]:
    """The letters produced for these records of ``model``, newest first, in one query."""
    return list(
        Letter.objects.filter(
            record_type=ContentType.objects.get_for_model(model), record_id__in=list(pks)
        ).select_related("version", "produced_by")
    )
