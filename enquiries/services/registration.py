"""The Registration of Interest filled in online (``models.RegistrationOfInterest``).

After the initial visit, staff email the enquirer a private link (``registration_link_send``).
The enquirer's answers are kept as typed, however unfinished (``registration_save``), and
sent once (``registration_send``): the answers are checked in full, and sending moves the
enquiry to "Registration of Interest received" through the pipeline's own service, which
starts the decision clock. Staff then accept it by converting the enquiry to a carer
household, whose form is filled in from these answers (``registration_conversion_initial``).

The law behind the form's checks:

- An adopter must be at least 21: Adoption and Children Act 2002, s.50(1) (a couple) and
  s.51(1) (one person). The form refuses an applicant younger than 21 on the day it is
  sent; the carers app checks the age again on the day the registration is accepted.
- The decision on a Registration of Interest is due within
  ``settings.ENQUIRY_ROI_DECISION_WORKING_DAYS`` of its receipt: agency policy, the
  enquiry's own clock (``enquiries/clocks.py``), which sending the form starts.

What the form asks beyond that (the home, the children living there, why Early
Permanence, the declaration) is the agency's own form, as the guidance leaves it to
agencies. How long the link works is agency policy (``settings.ROI_FORM_LINK_DAYS``).
"""

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from portal import audit, dates, formats
from portal.notifications import notify
from portal.validators import POSTCODE_MESSAGE, PersonNameValidator, postcode_normalise
from portal.workflow import lock

from ..emails import absolute
from ..models import Enquiry, RegistrationOfInterest, new_registration_token, token_digest
from .enquiries import EnquiryError, enquiry_mark_roi_received

Status = Enquiry.Status

# An adopter is at least 21 (Adoption and Children Act 2002, ss.50(1) and 51(1)): law.
ADOPTER_MINIMUM_AGE = 21
# A child living at home is under 18: 17 is the oldest age a child's date of birth gives.
CHILD_OLDEST_AGE = 17

# The longest answer each box takes (the household record's columns, for those carried
# over to it).
LENGTHS = {
    "partner_first_name": 80,
    "partner_last_name": 80,
    "address_line_1": 120,
    "address_line_2": 120,
    "town": 80,
    "postcode": 10,
    "local_authority": 80,
    "why": 2000,
    "first_name": 80,
    "last_name": 80,
    "relationship": 60,
}

YES, NO = "yes", "no"


def couple(enquiry: Enquiry) -> bool:
    return enquiry.household == Enquiry.Household.COUPLE


def child_count(enquiry: Enquiry) -> int:
    return len(enquiry.children_ages or [])


def child_field(number: int, name: str) -> str:
    return f"child_{number}_{name}"


def registration_fields(enquiry: Enquiry) -> list[str]:
    """The form's answers for this enquiry, in the order they are asked: a partner's
    only for a couple, one set per child the enquiry listed."""
    fields = ["date_of_birth"]
    if couple(enquiry):
        fields += ["partner_first_name", "partner_last_name", "partner_date_of_birth"]
    fields += ["address_line_1", "address_line_2", "town", "postcode", "local_authority"]
    fields += ["has_pets"]
    for number in range(1, child_count(enquiry) + 1):
        fields += [
            child_field(number, name)
            for name in ("first_name", "last_name", "relationship", "date_of_birth")
        ]
    return [*fields, "why", "declaration"]


def limit(name: str) -> int | None:
    """The longest answer the box ``name`` takes (None: a date or a choice)."""
    return LENGTHS.get(name.split("_", 2)[2] if name.startswith("child_") else name)


def too_long_message(name: str) -> str:
    if name == "postcode":
        return POSTCODE_MESSAGE
    return f"This answer must be {limit(name)} characters or fewer"


# -- reading the answers ---------------------------------------------------------------------


def _text(data: dict, name: str) -> str:
    value = data.get(name)
    return " ".join(str(value).split()) if isinstance(value, str) else ""


def _date_parts(data: dict, name: str) -> list[str]:
    value = data.get(name)
    if not isinstance(value, list | tuple) or len(value) != 3:
        return ["", "", ""]
    return [str(part or "").strip() for part in value]


def parse_date(data: dict, name: str) -> tuple[date | None, str]:
    """A date kept as its day, month and year boxes: ``(the date, "")``, or ``(None, why
    not)``; ``(None, "")`` when all three are empty."""
    day_, month, year = _date_parts(data, name)
    if not (day_ or month or year):
        return None, ""
    missing = [what for what, part in (("day", day_), ("month", month), ("year", year)) if not part]
    if missing:
        return None, f"must include a {' and a '.join(missing)}"
    if not (day_.isdigit() and month.isdigit() and year.isdigit()) or len(year) != 4:
        return None, "must be a real date, with the year in four figures, like 27 3 1985"
    try:
        return date(int(year), int(month), int(day_)), ""
    except ValueError:
        return None, "must be a real date"


def _date_problem(data: dict, name: str, label: str, *, required: bool = True) -> str:
    value, why = parse_date(data, name)
    if why:
        return f"{label} {why}"
    if value is None:
        return f"Enter {label[0].lower()}{label[1:]}" if required else ""
    return ""


# -- what stops it going -----------------------------------------------------------------------


def _name_problem(value: str, label: str) -> str:
    try:
        PersonNameValidator(label)(value)
    except ValidationError as problem:
        return problem.messages[0]
    return ""


def _adult_problem(born: date, whose: str, today: date) -> str:
    wrong = dates.born(born, label=f"{whose} date of birth", today=today)
    if wrong:
        return wrong[0].message
    age = dates.age_in_years(born, today)
    if age < ADOPTER_MINIMUM_AGE:
        return (
            f"{whose} date of birth ({formats.day(born)}) makes them {age} today: you must be "
            f"{ADOPTER_MINIMUM_AGE} or over to adopt. If the date is right, talk to us before "
            "you send the form."
        )
    return ""


def registration_problems(enquiry: Enquiry, data: dict, *, today: date) -> dict[str, str]:
    """What stops the answers being sent, by field, in words (empty: they can go)."""
    problems: dict[str, str] = {}

    def need(name: str, message: str) -> None:
        if not _text(data, name):
            problems[name] = message

    def adult(name: str, whose: str) -> None:
        problem = _date_problem(data, name, f"{whose} date of birth")
        born, _ = parse_date(data, name)
        if not problem and born is not None:
            problem = _adult_problem(born, whose, today)
        if problem:
            problems[name] = problem

    adult("date_of_birth", "Your")
    if couple(enquiry):
        for name, label in (("partner_first_name", "first"), ("partner_last_name", "last")):
            value = _text(data, name)
            problem = (
                _name_problem(value, f"Your partner's {label} name")
                if value
                else f"Enter your partner's {label} name"
            )
            if problem:
                problems[name] = problem
        adult("partner_date_of_birth", "Your partner's")
    need("address_line_1", "Enter the first line of your address")
    need("town", "Enter your town or city")
    if _text(data, "postcode"):
        try:
            postcode_normalise(_text(data, "postcode"))
        except ValidationError as problem:
            problems["postcode"] = problem.messages[0]
    else:
        problems["postcode"] = "Enter your postcode"
    need("local_authority", "Enter the local council for where you live")
    if data.get("has_pets") not in (YES, NO):
        problems["has_pets"] = "Select yes if you have pets at home"
    for number, age in enumerate(enquiry.children_ages or [], start=1):
        which = f"child {number} (aged {age} when you enquired)"
        first = child_field(number, "first_name")
        if _text(data, first):
            problem = _name_problem(_text(data, first), f"The first name of {which}")
            if problem:
                problems[first] = problem
        else:
            problems[first] = f"Enter the first name of {which}"
        need(child_field(number, "relationship"), f"Say who {which} is to you")
        born_name = child_field(number, "date_of_birth")
        problem = _date_problem(data, born_name, f"The date of birth of {which}")
        born, _ = parse_date(data, born_name)
        if not problem and born is not None:
            wrong = dates.born(
                born, label=f"The date of birth of {which}", oldest=CHILD_OLDEST_AGE, today=today
            )
            problem = wrong[0].message if wrong else ""
        if problem:
            problems[born_name] = problem
    need("why", "Tell us why you want to care for a child through Early Permanence")
    if data.get("declaration") is not True:
        problems["declaration"] = "Confirm that what you have told us is true"
    return problems


def registration_too_long(enquiry: Enquiry, data: dict) -> dict[str, str]:
    """Answers longer than their box takes (refused even for *Save for later*)."""
    return {
        name: too_long_message(name)
        for name in registration_fields(enquiry)
        if (most := limit(name)) and isinstance(data.get(name), str) and len(data[name]) > most
    }


# -- the answers, to read ----------------------------------------------------------------------


def _postcode(data: dict) -> str:
    """The postcode as it is written (SW1A 1AA), or as typed if it is not one yet."""
    typed = _text(data, "postcode")
    try:
        return postcode_normalise(typed)
    except ValidationError:
        return typed


def _day_of(data: dict, name: str) -> str:
    value, _ = parse_date(data, name)
    return formats.day(value) if value else ""


def registration_answers(enquiry: Enquiry, data: dict) -> list[tuple[str, str]]:
    """The answers as (question, answer), for the enquirer, staff and a subject access
    request."""
    rows = [
        ("Name", f"{enquiry.first_name} {enquiry.last_name}".strip()),
        ("Date of birth", _day_of(data, "date_of_birth")),
    ]
    if couple(enquiry):
        partner = f"{_text(data, 'partner_first_name')} {_text(data, 'partner_last_name')}"
        rows += [
            ("Partner's name", partner.strip()),
            ("Partner's date of birth", _day_of(data, "partner_date_of_birth")),
        ]
    address = [_text(data, name) for name in ("address_line_1", "address_line_2", "town")]
    rows += [
        ("Address", ", ".join(filter(None, [*address, _postcode(data)]))),
        ("Local council", _text(data, "local_authority")),
        ("Pets at home", {YES: "Yes", NO: "No"}.get(data.get("has_pets"), "")),
    ]
    for number in range(1, child_count(enquiry) + 1):
        name = " ".join(
            filter(
                None,
                (_text(data, child_field(number, part)) for part in ("first_name", "last_name")),
            )
        )
        relationship = _text(data, child_field(number, "relationship"))
        born = _day_of(data, child_field(number, "date_of_birth"))
        rows.append(
            (
                f"Child {number} at home",
                ", ".join(filter(None, (name, relationship, f"born {born}" if born else ""))),
            )
        )
    rows += [
        ("Why Early Permanence", str(data.get("why") or "").strip()),
        ("Declaration", "Confirmed" if data.get("declaration") is True else "Not confirmed"),
    ]
    return rows


def registration_sent(enquiry: Enquiry) -> RegistrationOfInterest | None:
    """The enquiry's Registration of Interest if it was sent online, else None."""
    registration = getattr(enquiry, "registration", None)
    return registration if registration is not None and registration.submitted_at else None


def registration_conversion_initial(enquiry: Enquiry) -> dict:
    """What the sent form gives the household staff make from the enquiry: the
    conversion form's starting values (staff check and may change each)."""
    registration = registration_sent(enquiry)
    if registration is None:
        return {}
    data = registration.data
    initial = {
        name: _text(data, name)
        for name in ("address_line_1", "address_line_2", "town", "local_authority")
    }
    initial["postcode"] = _postcode(data)
    initial["has_pets"] = data.get("has_pets") == YES
    initial["date_of_birth_1"] = parse_date(data, "date_of_birth")[0]
    if couple(enquiry):
        initial["partner_first_name"] = _text(data, "partner_first_name")
        initial["partner_last_name"] = _text(data, "partner_last_name")
        initial["date_of_birth_2"] = parse_date(data, "partner_date_of_birth")[0]
    for number in range(1, child_count(enquiry) + 1):
        for name in ("first_name", "last_name", "relationship"):
            initial[child_field(number, name)] = _text(data, child_field(number, name))
        initial[child_field(number, "date_of_birth")] = parse_date(
            data, child_field(number, "date_of_birth")
        )[0]
    return initial


# -- the link ----------------------------------------------------------------------------------


def registration_for_token(token: str) -> RegistrationOfInterest | None:
    """The registration a link's token opens, whatever its state (the page says what it
    can), or None for a token no link carries."""
    if not token or len(token) > 64:
        return None
    return (
        RegistrationOfInterest.objects.select_related("enquiry")
        .filter(token_digest=token_digest(token))
        .first()
    )


def registration_link_send(*, enquiry: Enquiry, by, now: datetime | None = None) -> str:
    """Email the enquirer a link to the form: the token it carries (for the tests; it is
    stored only as a digest). Only after the initial visit, and not once a form is sent.
    A new link replaces the one before, which stops working, and keeps the answers."""
    now = now or timezone.now()
    token, digest = new_registration_token()
    with transaction.atomic():
        locked = lock(enquiry)
        if locked.status != Status.INITIAL_VISIT_DONE:
            raise EnquiryError(
                "The Registration of Interest form is sent after the initial visit: this "
                f"enquiry is at “{locked.get_status_display()}”."
            )
        registration = (
            RegistrationOfInterest.objects.select_for_update().filter(enquiry=locked).first()
        )
        if registration is not None and registration.submitted_at is not None:
            raise EnquiryError(
                "The enquirer sent their Registration of Interest on "
                f"{formats.day(timezone.localdate(registration.submitted_at))}."
            )
        again = registration is not None
        if registration is None:
            registration = RegistrationOfInterest(enquiry=locked)
        registration.token_digest = digest
        registration.link_sent_at = now
        registration.link_sent_by = by
        registration.save()
        audit.record(
            locked,
            "enquiries.enquiry.roi_form_sent_again" if again else "enquiries.enquiry.roi_form_sent",
            by=by,
        )
        locked.notes.create(
            author=by,
            text="Registration of Interest form emailed again (the earlier link stops working)."
            if again
            else "Registration of Interest form emailed.",
        )
        notify(
            key=f"enquiry:{locked.pk}:roi-form:{digest[:16]}",
            to=locked.email,
            template="enquiries/roi_form_link",
            context={
                "first_name": locked.first_name,
                "form_url": absolute(f"/register-interest/{token}/"),
                "expires_on": formats.day(timezone.localdate(registration.link_expires_at)),
            },
        )
    return token


# -- saving and sending ------------------------------------------------------------------------


class RegistrationClosed(EnquiryError):
    """The form cannot be changed now: sent, the link replaced or expired, or the enquiry
    moved on. The message says which, for the enquirer."""


def _locked(registration: RegistrationOfInterest, *, now: datetime) -> RegistrationOfInterest:
    enquiry = lock(registration.enquiry)
    locked = RegistrationOfInterest.objects.select_for_update().get(pk=registration.pk)
    locked.enquiry = enquiry
    if locked.token_digest != registration.token_digest:
        raise RegistrationClosed(
            "This link has been replaced by a newer one: use the link in our latest email."
        )
    if locked.submitted_at is not None:
        raise RegistrationClosed(
            f"You sent this form on {formats.day(timezone.localdate(locked.submitted_at))}."
        )
    if enquiry.status != Status.INITIAL_VISIT_DONE:
        raise RegistrationClosed("This form is closed. Contact us if you still want to apply.")
    if locked.link_expired(now):
        raise RegistrationClosed(
            "This link has expired. Contact us and we will send you a new one: what you "
            "saved is kept."
        )
    return locked


def _keep(registration: RegistrationOfInterest, data: dict, *, now: datetime) -> None:
    fields = registration_fields(registration.enquiry)
    registration.data = {name: data.get(name) for name in fields}
    registration.saved_at = now
    registration.save(update_fields=["data", "saved_at"])


def registration_save(
    *, registration: RegistrationOfInterest, data: dict, now: datetime | None = None
) -> RegistrationOfInterest:
    """Keep the answers as they stand, however unfinished. Refused in words
    (``RegistrationClosed``) once the form cannot change; an answer too long for its box
    is refused (``ValidationError`` by field) and nothing is saved."""
    now = now or timezone.now()
    too_long = registration_too_long(registration.enquiry, data)
    if too_long:
        raise ValidationError(too_long)
    with transaction.atomic():
        locked = _locked(registration, now=now)
        _keep(locked, data, now=now)
    return locked


def registration_send(
    *, registration: RegistrationOfInterest, data: dict, now: datetime | None = None
) -> tuple[RegistrationOfInterest, bool]:
    """Keep the answers, check them in full and send them, once, under the enquiry's and
    the form's row locks: ``(registration, sent_now)``. A form sent already (the second
    press of a double click) is left as it was: ``(registration, False)``. Answers that
    do not pass are kept, and ``ValidationError`` carries the problems by field.

    Sending moves the enquiry to "Registration of Interest received" on the day it is
    sent (``enquiry_mark_roi_received``) and tells the team, with nothing of the answers.
    """
    now = now or timezone.now()
    too_long = registration_too_long(registration.enquiry, data)
    if too_long:
        raise ValidationError(too_long)
    with transaction.atomic():
        try:
            locked = _locked(registration, now=now)
        except RegistrationClosed:
            current = RegistrationOfInterest.objects.get(pk=registration.pk)
            if (
                current.submitted_at is not None
                and current.token_digest == registration.token_digest
            ):
                return current, False
            raise
        _keep(locked, data, now=now)
        problems = registration_problems(locked.enquiry, locked.data, today=timezone.localdate(now))
        if not problems:
            locked.submitted_at = now
            locked.save(update_fields=["submitted_at"])
            enquiry_mark_roi_received(
                enquiry=locked.enquiry, by=None, note="Sent online by the enquirer.", now=now
            )
            _tell_the_team(locked.enquiry)
    if problems:  # the answers are kept (committed above); what stops them, in words
        raise ValidationError(problems)
    return locked, True


def _tell_the_team(enquiry: Enquiry) -> None:
    from django.conf import settings

    worker = enquiry.assigned_to
    to = worker.email if worker is not None and worker.is_active and worker.email else ""
    notify(
        key=f"enquiry:{enquiry.pk}:roi-form:received",
        to=to or settings.RECRUITMENT_TEAM_EMAIL,
        template="enquiries/roi_form_received",
        context={
            "reference": enquiry.reference,
            "admin_url": absolute(enquiry.get_absolute_url()),
        },
    )
