"""Who sees children, placements and their records (``portal.access``).

- a child: their own social worker, and the carers' social worker of any placement or
  reg 25A approval linking the child to a household;
- a placement: the carers' social worker, and the social worker of any child on it;
- the carers' household of a placement: also the social worker of a child placed there
  (added to the household's own rule);
- a child's records (documents, notes, approvals, proceedings, brothers and sisters,
  exemptions from the terms of approval, family time: relatives, plans, sessions and the
  communication book; referrals) follow the child, a placement's records the placement,
  a referral's links, match and deadlines the referral; a referral may be restricted
  like the child;
- carers on hold for matching follow the carers' household.

A child is sealed once the adoption order is recorded: listed as "sealed record" to
whoever the relationships allow, opened only with ``placements.view_sealed_child``.
"""

from django.db.models import Exists, OuterRef, Q

from carers.models import Household
from portal import access

from .models import (
    AdoptionMatch,
    BirthRelative,
    Child,
    ChildDocument,
    ChildNote,
    CommunicationBookEntry,
    FamilyTimePlan,
    FamilyTimeSession,
    Link,
    Match,
    MatchingPause,
    Placement,
    PlacementChild,
    PlacementDeadline,
    PlacementNote,
    Proceedings,
    Referral,
    ReferralDeadline,
    SiblingGroup,
    TemporaryApproval,
    TermsExemption,
)

SEALED_PERMISSION = "placements.view_sealed_child"


def _child(scope) -> Q:
    workers = scope.workers
    placed = PlacementChild.objects.filter(
        child=OuterRef("pk"), placement__household__social_worker__in=workers
    )
    approved = TemporaryApproval.objects.filter(
        child=OuterRef("pk"), household__social_worker__in=workers
    )
    q = Q(social_worker__in=workers) | Q(Exists(placed)) | Q(Exists(approved))
    if scope.sees_unallocated:
        # Nobody's yet: not allocated and not linked to any carers.
        q |= Q(social_worker__isnull=True) & ~Q(
            Exists(PlacementChild.objects.filter(child=OuterRef("pk")))
        )
    return q


def _placement(scope) -> Q:
    children = PlacementChild.objects.filter(
        placement=OuterRef("pk"), child__social_worker__in=scope.workers
    )
    return scope.worker("household__social_worker") | Q(Exists(children))


def _referral(scope) -> Q:
    """The referral's own worker (family finding), and whoever sees the child."""
    children = Child.objects.filter(_child(scope)).values("pk")
    return scope.worker("social_worker") | Q(child__in=children)


def _household(scope) -> Q:
    children = PlacementChild.objects.filter(
        placement__household=OuterRef("pk"), child__social_worker__in=scope.workers
    )
    return Q(Exists(children))


def sealed_label(child) -> str:
    return f"{child.reference} (sealed record)"


def register_policies() -> None:
    access.register(Child, _child)
    access.register_restrictable(Child)
    access.register_seal(
        Child,
        sealed=Q(sealed_on__isnull=False),
        permission=SEALED_PERMISSION,
        label=sealed_label,
        row_sealed=lambda child: child.sealed_on is not None,
    )
    access.register(Placement, _placement)
    access.register(Household, _household)
    for model in (
        ChildDocument,
        ChildNote,
        TemporaryApproval,
        TermsExemption,
        BirthRelative,
        FamilyTimePlan,
        FamilyTimeSession,
        CommunicationBookEntry,
    ):
        access.follows(model, Child, "child")
    access.register(Referral, _referral)
    access.register_restrictable(Referral)
    access.follows(AdoptionMatch, Placement, "placement")
    for model in (Link, Match, ReferralDeadline):
        access.follows(model, Referral, "referral")
    access.follows(MatchingPause, Household, "household")
    access.follows(Proceedings, Child, "children", many=True)
    access.follows(SiblingGroup, Child, "children", many=True)
    for model in (PlacementNote, PlacementDeadline):
        access.follows(model, Placement, "placement")
