"""Whether a panel sitting may conduct business: its quorum, from who is present.

Law (the minimum; constants here):
- Adoption panels: Adoption Agencies Regulations 2005, reg 6 (as substituted by SI
  2011/589): no business unless at least five members meet as a panel, including the
  person appointed to chair it or a vice chair, and a social worker with at least three
  years' relevant post-qualifying experience. Members come from the central list
  (reg 3), which includes the medical adviser (reg 3(1)(b)).
- Fostering panels: Fostering Services (England) Regulations 2011, reg 24: the same
  five, with the chair or a vice chair and a social worker with at least three years'
  relevant post-qualifying experience (central list: reg 23(1)).
- A joint adoption and fostering sitting hears both tracks, so it must be quorate as
  both panels: only members who sit on both count, and the medical adviser (a member of
  the adoption panel only) is not counted.
Panels constituted jointly by two or more agencies (a higher minimum) are not modelled:
the portal serves one agency.

Agency policy above the minimum (``CARERS_PANEL_QUORUM_MEMBERS``,
``CARERS_PANEL_QUORUM_INDEPENDENT``): the stricter of the policy and the law applies.
"""

from collections.abc import Iterable

from django.conf import settings

from .models import PanelMember, PanelSitting

LEGAL_QUORUM_MEMBERS = 5  # AAR 2005 reg 6(1); FS(E)R 2011 reg 24(1)
LEGAL_QUORUM_SOCIAL_WORKERS = 1  # "a social worker with at least three years' ... experience"


def counts_for(member: PanelMember, kind: str) -> bool:
    """Whether ``member`` counts towards the quorum of a sitting of ``kind``."""
    if not member.is_member:
        return False
    if member.role == PanelMember.Role.MEDICAL_ADVISER:
        return kind == PanelSitting.Kind.ADOPTION
    return True


def quorum_problems(kind: str, present: Iterable[PanelMember]) -> list[str]:
    """What the members present lack for a quorum, in words; empty when quorate."""
    counted = [m for m in present if counts_for(m, kind) and m.sits_on(kind)]
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
