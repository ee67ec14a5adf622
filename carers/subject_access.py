"""What the carers app holds about a person, for a subject access request
(``portal.subject_access``): an applicant, an other household member or a member of a
household's support network.

An applicant is found by email address or by name and date of birth; a household
member (no email kept) by name and date of birth; a support network member (no date of
birth kept) by email address or full name. Each gets their own row, their household's
address and progress, their checks' dates and states (never a referee's details) and
the documents held, listed by kind and date, not included. The other people in the
household (the other applicant, children and other members, the support network) are
left out and the section says so.
"""

from django.db.models import Q

from portal.subject_access import REVIEW, Person, Section, as_text

from .models import Applicant, Document, Household, HouseholdMember, SupportNetworkMember
from .services import form_kind


def _household_rows(section: Section, household: Household) -> None:
    section.add("Carer household", household.reference)
    section.add("Address line 1", household.address_line_1)
    section.add("Address line 2", household.address_line_2)
    section.add("Town or city", household.town)
    section.add("Postcode", household.postcode)
    section.add("Status", household.get_status_display())
    section.add("Approved as adopters on", household.adopter_approved_on)
    section.add("Approved as foster carers on", household.foster_carer_approved_on)
    for assessment in household.assessments.all():
        section.add(f"{assessment.get_track_display()} assessment", assessment.get_stage_display())


def _others(section: Section, household: Household, *, applicant=None, member=None, network=None):
    """Say who else the household record names, never who they are."""
    others = [a for a in household.applicants.all() if a != applicant]
    if others and applicant is None:
        section.leave_out("The applicants")
    elif others:
        section.leave_out("The other applicant")
    members = [m for m in household.members.all() if m != member]
    if members:
        section.leave_out(f"Other household members, children included ({len(members)})")
    supporters = [s for s in household.support_network.all() if s != network]
    if supporters:
        section.leave_out(f"The household's support network ({len(supporters)})")


def _checks(title: str, checks, household: Household) -> Section:
    section = Section(title=title, source="carers")
    for check in checks:
        label = check.get_kind_display()
        dates = [check.state]
        if check.requested_on:
            dates.append(f"requested {as_text(check.requested_on)}")
        if check.received_on:
            dates.append(f"received {as_text(check.received_on)}")
        if check.expires_on:
            dates.append(f"expires {as_text(check.expires_on)}")
        section.add(label, "; ".join(dates))
        if check.referee_name:
            section.leave_out(f"{label}: the referee")
    return section


def _documents(household: Household, checks) -> Section:
    section = Section(
        title=f"Carer household {household.reference}: documents held", source="carers"
    )
    check_ids = {check.pk for check in checks}
    documents = Document.objects.filter(household=household).filter(
        Q(check_record__isnull=True) | Q(check_record__in=check_ids)
    )
    for document in documents.order_by("uploaded_at", "id"):
        section.add(
            document.get_kind_display(), f"uploaded {as_text(document.uploaded_at)}; not included"
        )
    return section


def _applicant_sections(applicant: Applicant) -> list[Section]:
    household = applicant.household
    section = Section(title=f"Carer household {household.reference}: applicant", source="carers")
    section.add("First name", applicant.first_name)
    section.add("Last name", applicant.last_name)
    section.add("Date of birth", applicant.date_of_birth)
    section.add("Email address", applicant.email)
    section.add("Phone number", applicant.phone)
    section.add("Occupation", applicant.occupation)
    section.add("Has an employer", applicant.has_employer)
    section.add("Has former partners", applicant.has_former_partners)
    section.add("Has lived abroad", applicant.has_lived_abroad)
    _household_rows(section, household)
    _others(section, household, applicant=applicant)
    checks = [
        c
        for c in household.checks.all()
        if c.applicant_id == applicant.pk or (c.applicant_id is None and c.member_id is None)
    ]
    training = Section(title=f"Carer household {household.reference}: training", source="carers")
    for record in applicant.training.select_related("course").order_by("course__name"):
        state = (
            f"completed {as_text(record.completed_on)}" if record.completed_on else "not completed"
        )
        training.add(record.course.name, state)
    forms = Section(title=f"Carer household {household.reference}: forms online", source="carers")
    for online in applicant.online_forms.order_by("kind"):
        sent = f"sent {as_text(online.submitted_at)}" if online.submitted_at else "not sent"
        forms.add(online.get_kind_display(), sent)
        for label, value in form_kind(online.kind).answers(online.data):
            forms.add(f"{online.get_kind_display()}: {label}", value)
    return [
        section,
        _checks(f"Carer household {household.reference}: checks and references", checks, household),
        training,
        forms,
        _documents(household, checks),
    ]


def _member_sections(member: HouseholdMember) -> list[Section]:
    household = member.household
    section = Section(
        title=f"Carer household {household.reference}: household member", source="carers"
    )
    section.add("First name", member.first_name)
    section.add("Last name", member.last_name)
    section.add("Date of birth", member.date_of_birth)
    section.add("Relationship to the applicants", member.relationship)
    _household_rows(section, household)
    _others(section, household, member=member)
    checks = [c for c in household.checks.all() if c.member_id == member.pk]
    return [
        section,
        _checks(f"Carer household {household.reference}: checks", checks, household),
    ]


def _network_section(supporter: SupportNetworkMember) -> Section:
    household = supporter.household
    section = Section(
        title=f"Carer household {household.reference}: support network member",
        source="carers",
        review=REVIEW if supporter.notes else "",
    )
    section.add("Name", supporter.name)
    section.add("Relationship", supporter.relationship)
    section.add("Phone number", supporter.phone)
    section.add("Email address", supporter.email)
    section.add("Notes", supporter.notes)
    section.add("Carer household", household.reference)
    _others(section, household, network=supporter)
    return section


# Each person's household, with the rows their sections read or leave out.
HOUSEHOLD_ROWS = (
    "household__applicants",
    "household__members",
    "household__support_network",
    "household__checks",
    "household__assessments",
)


def _found(model, condition: Q, *order: str):
    return (
        model.objects.filter(condition)
        .select_related("household")
        .prefetch_related(*HOUSEHOLD_ROWS)
        .order_by("household_id", *order)
    )


def carer_sections(person: Person) -> list[Section]:
    nobody = Q(pk__in=[])
    email = person.normalised_email
    by_email = Q(email__iexact=email) if email else nobody
    by_name = nobody
    if person.has_name_and_birth:
        by_name = Q(
            first_name__iexact=person.first_name.strip(),
            last_name__iexact=person.last_name.strip(),
            date_of_birth=person.date_of_birth,
        )
    by_full_name = nobody
    if person.first_name.strip() and person.last_name.strip():
        by_full_name = Q(name__iexact=person.full_name)
    sections: list[Section] = []
    for applicant in _found(Applicant, by_email | by_name, "position"):
        sections.extend(_applicant_sections(applicant))
    for member in _found(HouseholdMember, by_name, "id"):
        sections.extend(_member_sections(member))
    for supporter in _found(SupportNetworkMember, by_email | by_full_name, "id"):
        sections.append(_network_section(supporter))
    return sections
