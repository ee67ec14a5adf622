"""Who sees which case records: one queryset policy per model, used everywhere.

Each app registers, from its ``AppConfig.ready()``, what relates a staff member to each
of its case records (``register(model, rule)``): ``rule(scope)`` returns a ``Q`` built
on the people whose caseload the user holds (``scope.workers``, a subquery: the user,
and the members of the teams they manage). Several apps may add rules to one model (a
child's worker sees the carers' household of the child's placement: placements adds
that rule to ``carers.Household``); the rules are OR-ed. A record that belongs to
another one (a note, a document, a hearing) follows it (``follows``).

``visible(queryset, user)`` is the only filter: admin lists and pages (``AccessAdmin``),
search, autocomplete, CSV exports (an admin action works on the list's rows), document
downloads, letters and PDFs, the home page panels and the deadlines page all go through
it. It is a handful of ``EXISTS``/``IN`` subqueries in the one SQL statement: never a
query per row.

On top of the relationships:

- a record a team manager shares with a worker (``RecordShare``);
- ``portal.view_all_records`` (named senior staff) and superusers see every record;
- break-glass: a worker who states a reason opens one record outside their caseload for
  ``BREAK_GLASS_MINUTES`` (``break_glass_open``), audited and listed for their managers;
- restricted records (``Restriction``, and what an app marks restricted by itself, such
  as a carer household whose applicant is a member of staff) open only to the staff
  named on the restriction: not to ``view_all_records``, not to superusers, except a
  superuser's break-glass; a worker's break-glass on a restricted record is refused.
- sealed records (``register_seal``: a child after the adoption order) are listed, with
  a neutral label, to whoever the relationships allow, but open only to holders of the
  seal's permission, each opening audited; what belongs to a sealed record follows the
  seal.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from . import audit
from .models import BreakGlassOpening, RecordShare, Restriction, Team, User
from .workflow import Refused

VIEW_ALL = "portal.view_all_records"
REASON_MAX_LENGTH = 2000

Rule = Callable[["Scope"], Q]


@dataclass(frozen=True)
class Seal:
    """Records of a model that only ``permission`` opens (``sealed`` says which)."""

    sealed: Q
    permission: str
    label: Callable[[object], str]  # what lists show of a sealed record
    # The same test on a row in hand (saves a query on every save and audit label).
    row_sealed: Callable[[object], bool] | None = None


@dataclass
class Policy:
    model: type
    rules: list[Rule] = field(default_factory=list)
    # Records restricted without a Restriction row (``auto(scope)``), and those the user
    # must never see even when named (``own(scope)``: their own family's record).
    auto: Rule | None = None
    own: Rule | None = None
    restrictable: bool = False
    seal: Seal | None = None
    # (parent model, path from this record to it, many): the record follows its parent.
    parent: tuple[type, str, bool] | None = None


_policies: dict[str, Policy] = {}


def _label(model) -> str:
    return model._meta.label_lower


def _policy(model) -> Policy:
    return _policies.setdefault(_label(model), Policy(model=model))


def register(model, rule: Rule) -> None:
    """Records of ``model`` that ``rule(scope)`` matches are in the user's caseload."""
    _policy(model).rules.append(rule)


def follows(model, parent, path: str, *, many: bool = False) -> None:
    """Records of ``model`` are visible with their ``parent`` (reached through ``path``;
    ``many``: a record with several parents, visible with any of them)."""
    _policy(model).parent = (parent, path, many)


def register_restrictable(model, *, auto: Rule | None = None, own: Rule | None = None) -> None:
    """``model`` may be restricted (``Restriction``); ``auto(scope)`` marks records
    restricted without one, ``own(scope)`` those the user may never open themself."""
    policy = _policy(model)
    policy.restrictable, policy.auto, policy.own = True, auto, own


def register_seal(
    model,
    *,
    sealed: Q,
    permission: str,
    label: Callable[[object], str],
    row_sealed: Callable[[object], bool] | None = None,
) -> None:
    _policy(model).seal = Seal(
        sealed=sealed, permission=permission, label=label, row_sealed=row_sealed
    )


def policy_for(model) -> Policy | None:
    return _policies.get(_label(model))


def restrictable_models() -> list[type]:
    return [p.model for p in _policies.values() if p.restrictable]


def case_models() -> list[type]:
    """The records a policy holds that are not only part of another (shared, opened)."""
    return [p.model for p in _policies.values() if p.parent is None]


class Scope:
    """What relates ``user`` to records, as subqueries for the rules."""

    def __init__(self, user):
        self.user = user
        self.pk = user.pk
        managed = Team.objects.filter(managers=user)
        self.manages = Team.members.through.objects.filter(team__in=managed)
        # The user and every member of a team they manage.
        self.workers = User.objects.filter(
            Q(pk=user.pk) | Q(pk__in=self.manages.values("user_id"))
        ).values("pk")
        self.sees_unallocated = user.has_perm("portal.reallocate_caseload")
        self.sees_all = user.is_superuser or user.has_perm(VIEW_ALL)

    def worker(self, path: str) -> Q:
        """Records whose worker (at ``path``) is in the user's caseloads; a team manager
        also sees the unallocated ones, to allocate them."""
        q = Q(**{f"{path}__in": self.workers})
        if self.sees_unallocated:
            q |= Q(**{f"{path}__isnull": True})
        return q


def _linked_rows(model_class, model, user_field: str, user, **extra) -> Q:
    content_type = ContentType.objects.get_for_model(model)
    rows = model_class.objects.filter(content_type=content_type, **extra)
    if user_field:
        rows = rows.filter(**{user_field: user})
    return Q(pk__in=rows.values("object_id"))


def _opened(model, user) -> Q:
    return _linked_rows(BreakGlassOpening, model, "user", user, until__gt=timezone.now())


def _restricted(policy: Policy, scope: Scope) -> Q:
    q = _linked_rows(Restriction, policy.model, "", None)
    if policy.auto is not None:
        q |= policy.auto(scope)
    return q


def _named(model, user) -> Q:
    return _linked_rows(Restriction, model, "staff", user)


def visible_q(model, user) -> Q:
    """The ``Q`` of ``model``'s records ``user`` may see (everything for a model with no
    policy)."""
    policy = policy_for(model)
    if policy is None:
        return Q()
    if not (user and user.is_authenticated and user.is_staff and user.is_active):
        return Q(pk__in=[])
    scope = Scope(user)
    if policy.parent is not None:
        parent, path, many = policy.parent
        parent_rows = visible(parent._default_manager.all(), user)
        parent_policy = policy_for(parent)
        if parent_policy.seal and not user.has_perm(parent_policy.seal.permission):
            parent_rows = parent_rows.exclude(parent_policy.seal.sealed)
        q = Q(**{f"{path}__in": parent_rows.values("pk")})
        if many:
            # Subqueries, so that a record with two visible parents is listed once; one
            # with no parent yet (an empty group of brothers and sisters) tells nothing.
            rows = policy.model._default_manager
            return Q(pk__in=rows.filter(q).values("pk")) | ~Q(
                pk__in=rows.filter(**{f"{path}__isnull": False}).values("pk")
            )
        return q
    opened = _opened(model, user)
    if scope.sees_all:
        base = Q()
    else:
        base = _linked_rows(RecordShare, model, "shared_with", user) | opened
        for rule in policy.rules:
            base |= rule(scope)
    if not policy.restrictable:
        return base
    allowed = ~_restricted(policy, scope) | _named(model, user)
    if user.is_superuser:
        allowed |= opened
    q = base & allowed
    if policy.own is not None:
        q &= ~policy.own(scope)
    return q


def visible(queryset: QuerySet, user) -> QuerySet:
    """The rows of ``queryset`` that ``user`` may see."""
    return queryset.filter(visible_q(queryset.model, user))


def may_see(user, record) -> bool:
    return visible(type(record)._default_manager.filter(pk=record.pk), user).exists()


def is_restricted(record, user) -> bool:
    policy = policy_for(record)
    if policy is None or not policy.restrictable:
        return False
    rows = type(record)._default_manager.filter(pk=record.pk)
    scope = Scope(user)
    q = _restricted(policy, scope)
    if policy.own is not None:
        q |= policy.own(scope)
    return rows.filter(q).exists()


def is_sealed(record) -> bool:
    policy = policy_for(record)
    if policy is None or policy.seal is None:
        return False
    if policy.seal.row_sealed is not None:
        return policy.seal.row_sealed(record)
    return type(record)._default_manager.filter(policy.seal.sealed, pk=record.pk).exists()


def may_open_sealed(user, record) -> bool:
    return user.has_perm(policy_for(record).seal.permission)


def sealed_label(record) -> str:
    return policy_for(record).seal.label(record)


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not any(character.isalpha() for character in reason):
        raise Refused("Say why you need to open this record, in words.")
    return reason[:REASON_MAX_LENGTH]


def break_glass_problem(*, record, user) -> str:
    """Why ``user`` may not break the glass on ``record``, in words, or ''."""
    if not (user.is_staff and user.is_active):
        return "Only staff open case records."
    opts = record._meta
    if not any(
        user.has_perm(f"{opts.app_label}.{action}_{opts.model_name}")
        for action in ("view", "change")
    ):
        return (
            f"Your role gives no access to {opts.verbose_name_plural}: opening this one "
            "outside your caseload would not let you read it."
        )
    if is_sealed(record):
        return "This record is sealed: only staff allowed to open sealed records may open it."
    policy = policy_for(record)
    if policy is not None and policy.own is not None:
        rows = type(record)._default_manager.filter(pk=record.pk)
        if rows.filter(policy.own(Scope(user))).exists():
            return "This is your own family's record: you may not open it."
    if is_restricted(record, user) and not user.is_superuser:
        return (
            "This record is restricted to named staff. Ask the team manager who set the "
            "restriction to name you."
        )
    return ""


def break_glass_open(*, record, user, reason: str) -> BreakGlassOpening:
    """Open ``record`` to ``user`` for ``BREAK_GLASS_MINUTES``, with their reason; audited."""
    problem = break_glass_problem(record=record, user=user)
    if problem:
        raise Refused(problem)
    reason = _reason(reason)
    now = timezone.now()
    with transaction.atomic():
        opening = BreakGlassOpening.objects.create(
            content_type=ContentType.objects.get_for_model(record),
            object_id=record.pk,
            user=user,
            reason=reason,
            opened_at=now,
            until=now + timedelta(minutes=settings.BREAK_GLASS_MINUTES),
        )
        audit.accessed(
            record,
            f"{record._meta.app_label}.{record._meta.model_name}.break_glass",
            by=user,
            reason=reason,
            until=opening.until.isoformat(),
        )
    return opening


def break_glass_for_manager(user) -> QuerySet:
    """Break-glass openings by the members of the teams ``user`` manages (all of them for
    senior staff and superusers), newest first."""
    rows = BreakGlassOpening.objects.select_related("user", "content_type")
    if user.is_superuser or user.has_perm(VIEW_ALL):
        return rows
    return rows.filter(user__teams__managers=user).distinct()


def case_record(content_type, object_id, by):
    model = content_type.model_class() if content_type else None
    if model is None or model not in case_models():
        raise Refused("Choose a kind of case record.")
    record = model._default_manager.filter(pk=object_id).first()
    if record is None or not (by.is_superuser or may_see(by, record)):
        raise Refused(f"There is no {content_type.name} {object_id} that you can see.")
    return record


def record_share_add(*, share: RecordShare, by) -> RecordShare:
    """A team manager shares a record of their team's with a worker; audited."""
    if not by.has_perm("portal.add_recordshare"):
        raise Refused("Only team managers share records.")
    record = case_record(share.content_type, share.object_id, by)
    share.shared_by = by
    with transaction.atomic():
        share.save()
        audit.record(
            record,
            f"{record._meta.app_label}.{record._meta.model_name}.shared",
            by=by,
            shared_with=share.shared_with_id,
            reason=share.reason,
        )
    return share


def restriction_set(*, restriction: Restriction, staff, by) -> Restriction:
    """Restrict a record to named staff (or change who is named); audited."""
    if not by.has_perm("portal.add_restriction"):
        raise Refused("Only team managers restrict records.")
    if restriction.pk is None:
        case_record(restriction.content_type, restriction.object_id, by)
        restriction.set_by = by
    record = restriction.record
    with transaction.atomic():
        restriction.save()
        restriction.staff.set(staff)
        audit.record(
            record,
            f"{record._meta.app_label}.{record._meta.model_name}.restricted",
            by=by,
            named=sorted(user.pk for user in staff),
        )
    return restriction


def restriction_lift(*, restriction: Restriction, by) -> None:
    record = restriction.record
    with transaction.atomic():
        restriction.delete()
        audit.record(
            record, f"{record._meta.app_label}.{record._meta.model_name}.unrestricted", by=by
        )


def record_opened(*, record, user) -> None:
    """Audit the opening of a sealed record (every opening)."""
    audit.accessed(
        record, f"{record._meta.app_label}.{record._meta.model_name}.sealed_opened", by=user
    )
