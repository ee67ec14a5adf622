"""A child's authority to place for adoption (parents' consent, or a placement order), and
the child's statutory health assessments.

The law the authority to place follows (Adoption and Children Act 2002):

- s18(1): an adoption agency may place a child for adoption, or leave a child it has
  placed with carers with them as prospective adopters, only if it is authorised to under
  s19 (consent) or by a placement order (s21), or the child is less than six weeks old.
- s19(1): it is authorised where it is satisfied that each parent or guardian has
  consented to the child being placed for adoption and has not withdrawn that consent.
  Consent is witnessed by a Cafcass officer (s102 and the Family Procedure Rules).
  s19(3): consent does not authorise placing while an application on which a care order
  might be made has not been disposed of, or once a care or placement order has been
  made after the consent was given.
- A baby under six weeks may be placed only where the parent has agreed in writing with
  the agency that the child may be placed (Adoption Agencies Regulations 2005, reg 35(4)).
- s52(3): "Any consent given by the mother to the making of an adoption order is
  ineffective if it is given less than six weeks after the child's birth" (this covers
  s20 advance consent: s52(2)(b)). On its face it does not cover s19 consent to
  placement, but the High Court has said that consent should not be sought before six
  weeks (Sandwell MBC v GC [2008] EWHC 2555 (Fam)); before then the reg 35(4) written
  agreement is the route. The portal refuses a mother's s19 or s20 consent dated less
  than six weeks after the birth: the reading that protects the child and the mother.

The agency also decides that the child should be placed for adoption (Adoption Agencies
Regulations 2005, reg 19) before it places on either consent route.
"""

from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from portal import audit, dates
from portal.calendar import add_weeks
from portal.formats import day

from ..models import Child, CourtOrder, HealthAssessment, ParentConsent
from .common import TransitionRefused
from .deadlines import children_deadlines_refresh, lock_child

# Law: a mother's consent less than six weeks after the birth is ineffective (s52(3)); a
# baby under six weeks may be placed on a written agreement (s18(1), AAR reg 35(4)).
MOTHER_CONSENT_WEEKS = 6
WRITTEN_AGREEMENT_WEEKS = 6


# ---------------------------------------------------------------------------
# Parents' consent
# ---------------------------------------------------------------------------


def consent_problems(
    *, child: Child, consent: ParentConsent, today: date | None = None
) -> list[str]:
    """What is wrong with a consent record, in words."""
    today = today or timezone.localdate()
    problems = []
    born = child.date_of_birth
    # A written agreement recorded on its own (no witness date) is not a consent, whatever
    # the consent boxes say.
    consents = (consent.to_placement or consent.to_adoption_order) and (
        consent.witnessed_on is not None or consent.agreed_in_writing_on is None
    )
    if not consents and consent.agreed_in_writing_on is None:
        problems.append(
            "Say what the parent consents to, or give the date of their written agreement."
        )
    if consents and (consent.witnessed_on is None or not consent.cafcass_officer.strip()):
        problems.append(
            "Consent counts once a Cafcass officer has witnessed it: give the officer and the date."
        )
    for value, label in (
        (consent.witnessed_on, "The date the consent was witnessed"),
        (consent.agreed_in_writing_on, "The date of the written agreement"),
        (consent.counselling_offered_on, "The date counselling was offered"),
        (consent.withdrawn_on, "The date the consent was withdrawn"),
    ):
        if value is None:
            continue
        problems += dates.messages(dates.happened(value, label=label, today=today))
        if born is None:
            problems.append(f"{label} needs the child's date of birth first.")
        elif value < born:
            problems.append(f"{label} cannot be before the birth ({day(born)}).")
    if born is None:
        return list(dict.fromkeys(problems))
    six_weeks = add_weeks(born, MOTHER_CONSENT_WEEKS)
    mothers = consents and consent.parent == ParentConsent.Parent.MOTHER
    if mothers and consent.witnessed_on and consent.witnessed_on < six_weeks:
        problems.append(
            f"A birth mother's consent cannot be given before the baby is six weeks old "
            f"(on {day(six_weeks)}): consent to adoption given earlier is ineffective "
            "(Adoption and Children Act 2002, section 52(3)). Until then the baby may be "
            "placed on her written agreement (Adoption Agencies Regulations 2005, reg 35(4))."
        )
    if consent.agreed_in_writing_on and consent.agreed_in_writing_on >= add_weeks(
        born, WRITTEN_AGREEMENT_WEEKS
    ):
        problems.append(
            "A written agreement is for a baby under six weeks old; from six weeks the "
            "parent's consent is needed, witnessed by a Cafcass officer."
        )
    given = [d for d in (consent.witnessed_on, consent.agreed_in_writing_on) if d]
    if consent.withdrawn_on and given and consent.withdrawn_on < min(given):
        problems.append("Consent cannot be withdrawn before it was given.")
    if consent.withdrawn_on and not given:
        problems.append("Record when the consent was given before its withdrawal.")
    return problems


def consent_record(*, child: Child, by, **values) -> ParentConsent:
    """A parent's consent or written agreement, checked against the law above."""
    with transaction.atomic():
        child = lock_child(child)
        consent = ParentConsent(child=child, recorded_by=by, **values)
        consent.cafcass_officer = consent.cafcass_officer[:120]
        problems = consent_problems(child=child, consent=consent)
        if problems:
            raise TransitionRefused(problems)
        consent.save()
        audit.record(
            child,
            "placements.consent.recorded",
            by=by,
            changes={"consent": [None, str(consent)]},
        )
        children_deadlines_refresh(children=[child])
    return consent


def consent_update(*, consent: ParentConsent, by, **values) -> ParentConsent:
    """A correction, or the date the parent withdrew consent (the record is kept)."""
    with transaction.atomic():
        child = lock_child(Child(pk=consent.child_id))
        consent = ParentConsent.objects.get(pk=consent.pk, child=child)
        for name, value in values.items():
            setattr(consent, name, value)
        problems = consent_problems(child=child, consent=consent)
        if problems:
            raise TransitionRefused(problems)
        consent.save()
        children_deadlines_refresh(children=[child])
    return consent


@dataclass(frozen=True)
class Authority:
    """Whether the agency may place the child for adoption on a day, and on what basis."""

    allowed: bool
    basis: str
    problems: tuple[str, ...] = ()


def _effective(
    consent: ParentConsent, on: date, *, under_six_weeks: bool, order_on: date | None
) -> bool:
    """Whether this record authorises placing on ``on``: s19 consent witnessed by then and
    not overtaken by a care or placement order made after it (s19(3)(b)); or, for a baby
    under six weeks, also the parent's written agreement (AAR reg 35(4)); not withdrawn."""
    if consent.withdrawn_on is not None and consent.withdrawn_on <= on:
        return False
    consented = (
        consent.to_placement
        and consent.witnessed_on is not None
        and consent.witnessed_on <= on
        and (order_on is None or order_on <= consent.witnessed_on)
    )
    agreed = (
        under_six_weeks
        and consent.agreed_in_writing_on is not None
        and consent.agreed_in_writing_on <= on
    )
    return consented or agreed


def authority_to_place(*, child: Child, on: date) -> Authority:
    """The child's authority to be placed for adoption on ``on`` (s18(1), s19, s21).

    A placement order made by then; or every parent with parental responsibility having
    given s19 consent (or, for a baby under six weeks, a reg 35(4) written agreement), none
    withdrawn, the birth mother's among them, after the agency's decision that the child
    should be placed for adoption (reg 19), with no care proceedings still open and no care
    order made after the consent (s19(3)). Four queries.
    """
    orders = dict(
        CourtOrder.objects.filter(
            child=child,
            kind__in=[CourtOrder.Kind.PLACEMENT_ORDER, CourtOrder.Kind.CARE_ORDER],
            made_on__lte=on,
        )
        .values("kind")
        .annotate(latest=Max("made_on"))
        .values_list("kind", "latest")
    )
    placement_order_on = orders.get(CourtOrder.Kind.PLACEMENT_ORDER)
    if placement_order_on is not None:
        return Authority(True, f"Placement order made {day(placement_order_on)}")
    consents = [c for c in child.consents.all() if c.has_parental_responsibility]
    six_weeks = (
        add_weeks(child.date_of_birth, WRITTEN_AGREEMENT_WEEKS) if child.date_of_birth else None
    )
    under_six_weeks = six_weeks is not None and on < six_weeks
    route = "written agreement (AAR reg 35(4)) or consent" if under_six_weeks else "consent (s19)"
    problems = []
    # s19(3)(a): consent does not authorise placing while an application on which a care
    # order might be made has not been disposed of.
    pending = child.proceedings.filter(issued_on__lte=on).exclude(concluded_on__lte=on)
    if pending.exists():
        problems.append(
            f"Care proceedings about {child} are not yet concluded: consent does not "
            "authorise placing while they are (Adoption and Children Act 2002, s19(3)(a))."
        )
    if child.should_be_placed_on is None or child.should_be_placed_on > on:
        problems.append(
            f"Record the agency's decision that {child} should be placed for adoption "
            "(Adoption Agencies Regulations 2005, reg 19) first."
        )
    if not any(c.parent == ParentConsent.Parent.MOTHER for c in consents):
        problems.append(f"Record the birth mother's {route} for {child}, or the placement order.")
    # Each parent's records: a written agreement followed by a witnessed consent, or a
    # withdrawal followed by consent given again, are several rows for one parent.
    by_parent: dict[str, list[ParentConsent]] = {}
    for consent in consents:
        by_parent.setdefault(consent.parent, []).append(consent)
    for records in by_parent.values():
        if any(
            _effective(
                c,
                on,
                under_six_weeks=under_six_weeks,
                order_on=orders.get(CourtOrder.Kind.CARE_ORDER),
            )
            for c in records
        ):
            continue
        withdrawn = [c.withdrawn_on for c in records if c.withdrawn_on and c.withdrawn_on <= on]
        state = f"withdrawn on {day(max(withdrawn))}" if withdrawn else f"not given by {day(on)}"
        problems.append(f"{records[0].get_parent_display()}'s {route} for {child}: {state}.")
    if problems:
        return Authority(
            False,
            "",
            (f"{child} has no placement order made by {day(on)}.", *problems),
        )
    if under_six_weeks:
        return Authority(
            True,
            "Parents' written agreement or consent, baby under six weeks (AAR reg 35(4)); "
            f"from {day(six_weeks)} the parents' consent (s19) or a placement order is "
            "needed to leave the baby with the carers",
        )
    return Authority(True, "Parents' consent to placement (Adoption and Children Act 2002, s19)")


def authority_needed_by(*, child: Child, placed_for_adoption_on: date) -> date | None:
    """For a baby placed for adoption under six weeks old on a written agreement: the day
    they are six weeks old, from which consent (s19) or a placement order must authorise
    leaving them with the carers (s18(1)); None once that authority is there (judged today,
    so consent witnessed late still clears it) or where it was never needed."""
    if child.date_of_birth is None:
        return None
    six_weeks = add_weeks(child.date_of_birth, WRITTEN_AGREEMENT_WEEKS)
    if placed_for_adoption_on >= six_weeks:
        return None
    on = max(six_weeks, timezone.localdate())
    return None if authority_to_place(child=child, on=on).allowed else six_weeks


# ---------------------------------------------------------------------------
# Health assessments (CPPCR 2010 reg 7)
# ---------------------------------------------------------------------------


def health_assessment_problems(
    *, child: Child, kind: str, done_on: date, assessment_pk=None, today: date | None = None
) -> list[str]:
    problems = dates.messages(
        dates.happened(done_on, label="The date of the assessment", today=today)
        or dates.in_order(
            done_on,
            child.date_of_birth,
            label="The date of the assessment",
            earlier_label="the date of birth",
        )
    )
    if kind not in HealthAssessment.Kind.values:
        problems.append("Say which assessment it was.")
    others = child.health_assessments.exclude(pk=assessment_pk)
    if kind == HealthAssessment.Kind.INITIAL and others.filter(kind=kind).exists():
        problems.append("The initial health assessment is already recorded.")
    if others.filter(done_on=done_on).exists():
        problems.append(f"An assessment on {day(done_on)} is already recorded.")
    return problems


def health_assessment_record(
    *, child: Child, kind: str, done_on: date, by, note: str = ""
) -> HealthAssessment:
    with transaction.atomic():
        child = lock_child(child)
        problems = health_assessment_problems(child=child, kind=kind, done_on=done_on)
        if problems:
            raise TransitionRefused(problems)
        assessment = HealthAssessment.objects.create(
            child=child, kind=kind, done_on=done_on, note=note[:300]
        )
        children_deadlines_refresh(children=[child])
    return assessment


def health_assessment_update(
    *, assessment: HealthAssessment, kind: str, done_on: date, by, note: str = ""
) -> HealthAssessment:
    with transaction.atomic():
        child = lock_child(Child(pk=assessment.child_id))
        assessment = HealthAssessment.objects.get(pk=assessment.pk, child=child)
        problems = health_assessment_problems(
            child=child, kind=kind, done_on=done_on, assessment_pk=assessment.pk
        )
        if problems:
            raise TransitionRefused(problems)
        assessment.kind, assessment.done_on, assessment.note = kind, done_on, note[:300]
        assessment.save(update_fields=["kind", "done_on", "note"])
        children_deadlines_refresh(children=[child])
    return assessment
