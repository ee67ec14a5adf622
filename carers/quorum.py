"""Whether a panel sitting may conduct business: its quorum, from who is present.

Law (the minimum; constants here):
- Adoption panels: Adoption Agencies Regulations 2005, regs 3 to 6 as substituted by the
  Adoption Agencies and Independent Review of Determinations (Amendment) Regulations 2011
  (SI 2011/589, reg 2, in force 1 April 2011). Reg 3(1): the central list includes "(a)
  one or more social workers who have at least three years' relevant post-qualifying
  experience, and (b) the medical adviser to the adoption agency". Reg 4(1): the panel
  members are appointed from the central list, including "(a) a person to chair the
  panel, being an independent person" and "(b) one or two persons who may act as chair
  if the person appointed to chair the panel is absent" (the vice chairs). Reg 6: no
  business unless at least five members meet as a panel, including the chair or a vice
  chair and one of the social workers of reg 3(1)(a).
- Fostering panels: Fostering Services (England) Regulations 2011, reg 23(1) (the central
  list, "including one or more social workers who have at least three years' relevant
  post-qualifying experience"), reg 23(4) (a chair independent of the provider, one or two
  vice chairs) and reg 24 (the same quorum of five).
- Who counts is who is appointed to the panel: the medical adviser is on the adoption
  central list by law (reg 3(1)(b)); the fostering regulations neither require nor exclude
  them, so they count on the fostering panel only when the agency appoints them to it
  (``sits_on_fostering``). Advisers who are not members (the legal adviser) never count.
- A joint adoption and fostering sitting hears both tracks, so it must be quorate as
  both panels: only members who sit on both count.
Panels constituted jointly by two or more agencies (a higher minimum) are not modelled:
the portal serves one agency.

Agency policy above the minimum (``CARERS_PANEL_QUORUM_MEMBERS``,
``CARERS_PANEL_QUORUM_INDEPENDENT``): the stricter of the policy and the law applies.
"""

from collections.abc import Iterable

from django.conf import settings

from .models import PanelMember, PanelSitting

LEGAL_QUORUM_MEMBERS = 5  # AAR 2005 reg 6; FS(E)R 2011 reg 24
# One of the social workers "who have at least three years' relevant post-qualifying
# experience" (AAR 2005 reg 3(1)(a), reg 6; FS(E)R 2011 reg 23(1), reg 24).
LEGAL_QUORUM_SOCIAL_WORKERS = 1


def counts_for(member: PanelMember, kind: str) -> bool:
    """Whether ``member`` counts towards the quorum of a sitting of ``kind``: a member
    (not an adviser only) appointed to that panel."""
    return member.is_member and member.sits_on(kind)


def quorum_problems(kind: str, present: Iterable[PanelMember]) -> list[str]:
    """What the members present lack for a quorum, in words; empty when quorate."""
    counted = [m for m in present if counts_for(m, kind)]
    needed = max(LEGAL_QUORUM_MEMBERS, settings.CARERS_PANEL_QUORUM_MEMBERS)
    independent = settings.CARERS_PANEL_QUORUM_INDEPENDENT
    panel = PanelSitting.Kind(kind).label.lower()
    problems = []
    if len(counted) < needed:
        problems.append(
            f"The {panel} needs at least {needed} members present; {len(counted)} "
            f"{'is' if len(counted) == 1 else 'are'}."
        )
    if not any(m.chairs for m in counted):
        problems.append(f"The {panel} needs its chair or a vice chair present.")
    if sum(m.social_worker_three_years for m in counted) < LEGAL_QUORUM_SOCIAL_WORKERS:
        problems.append(
            f"The {panel} needs a social worker with at least three years' relevant "
            "post-qualifying experience present."
        )
    if sum(m.independent for m in counted) < independent:
        problems.append(
            f"The agency's constitution asks for at least {independent} independent "
            f"member{'s' if independent != 1 else ''} present at the {panel}."
        )
    return problems


def sitting_quorum_problems(sitting: PanelSitting) -> list[str]:
    """The quorum of ``sitting`` from its attendance (one query)."""
    present = [
        row.member for row in sitting.attendance.filter(present=True).select_related("member")
    ]
    return quorum_problems(sitting.kind, present)


def not_quorate_to_recommend(sitting: PanelSitting, *, named: str = "The sitting") -> list[str]:
    """The refusal of a recommendation at a sitting that was not quorate (one message with
    each missing requirement), or nothing. Every recommendation the panel makes (an
    assessment's, a first foster carer review's, an adoption match's) is refused in these
    words."""
    quorum = sitting_quorum_problems(sitting)
    if not quorum:
        return []
    return [
        f"{named} was not quorate, so it cannot make a recommendation. Record who was "
        "present under Panel sittings. " + " ".join(quorum)
    ]
