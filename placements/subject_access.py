"""What the placements app holds about a person, for a subject access request
(``portal.subject_access``): a child's birth relative, named on the child's family time.

A birth relative has no email address or date of birth kept, so they are found by full
name, as a support network member is. They get their own row (relationship, parental
responsibility, contact route, and the address kept for them, if any), the family time
plans that name them, and the communication book entries written on the parents' side,
which staff entered and which may name other people (the section asks for a review).
The child, the carers and the other relatives are left out and the section says so.
"""

from portal.subject_access import REVIEW, Person, Section

from .models import BirthRelative, CommunicationBookEntry


def birth_relative_sections(person: Person) -> list[Section]:
    if not (person.first_name.strip() and person.last_name.strip()):
        return []
    relatives = (
        BirthRelative.objects.filter(name__iexact=person.full_name)
        .prefetch_related("plans")
        .order_by("child_id", "id")
    )
    sections = []
    for relative in relatives:
        section = Section(title="Birth relative of a child we care for", source="placements")
        section.add("Name", relative.name)
        section.add("Relationship to the child", relative.get_relationship_display())
        section.add("Holds parental responsibility", relative.has_parental_responsibility)
        section.add("How we are in contact", relative.get_contact_route_display())
        section.add("Address kept", relative.address)
        for plan in relative.plans.all():
            section.add(
                f"Family time plan, version {plan.version}",
                f"{plan.get_kind_display()} from {plan.starts_on:%d/%m/%Y}, "
                f"{plan.sessions_per_week} a week at {plan.venue}",
            )
        section.leave_out("The child")
        section.leave_out("The carers")
        section.leave_out("Other relatives")
        entries = CommunicationBookEntry.objects.filter(
            child=relative.child_id, side=CommunicationBookEntry.Side.PARENTS
        ).order_by("written_on", "id")
        for entry in entries:
            section.add(f"Communication book entry, {entry.written_on:%d/%m/%Y}", entry.text)
            section.review = REVIEW
        sections.append(section)
    return sections
