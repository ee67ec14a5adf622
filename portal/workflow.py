"""The one transition engine: every state a record of ours moves through goes through here.

An app keeps only its data: a ``Table`` of allowed moves, its ``Action`` buttons (label,
warning, note, extra fields, the permission and the guards that may block them) and the
words for its states. The core imports no app; the app passes its ``Workflow``.

A move, inside the caller's transaction, on a row the caller has locked with ``lock``:

1. ``Workflow.check`` refuses in words when the user lacks the permission, the action is
   not open from the record's state, or a guard finds something missing;
2. ``Workflow.move`` checks the table, sets the state and any fields, saves with
   ``update_fields``, records the app's history row (if the app keeps one), writes one
   audit entry named ``<prefix>.<what>`` through ``portal.audit``, and queues the
   follow-up work to run once the transaction commits.

Every refusal is ``Refused``: ``messages`` (a list of sentences) and ``message`` (them
joined), safe to show staff.

The buttons a record offers are computed once, from the same table and guards, by
``Workflow.actions_for``: what the staff form page shows is what a POST is allowed to do,
and the same ``check`` refuses a POST for a blocked action.

Lock order
----------
Rows are locked parent before child, so two requests never wait on each other in a
circle. Each app registers the rank of the models it locks (``lock_rank``, lower first);
``lock`` takes rows of several models in rank order, then by primary key. The ranks in
use are listed in README.md ("Lock order").
"""

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import OperationalError, connection, transaction

from . import audit

# "app_label.modelname" -> rank; rows of lower rank are locked first.
_LOCK_RANKS: dict[str, int] = {}
UNRANKED = 1000


class Refused(Exception):
    """A change that is not allowed now; ``messages`` say why, in plain words."""

    def __init__(self, messages: str | Iterable[str]):
        if isinstance(messages, str):
            messages = [messages]
        self.messages = list(dict.fromkeys(messages))
        self.message = " ".join(self.messages)
        super().__init__(self.message)


# ---------------------------------------------------------------------------
# Locks
# ---------------------------------------------------------------------------


# PostgreSQL's error when a lock was not granted within ``lock_timeout``.
LOCK_NOT_AVAILABLE = "55P03"


def lock_wait_limit(seconds: float) -> None:
    """Wait at most ``seconds`` for any lock for the rest of the transaction (PostgreSQL's
    ``lock_timeout``); past that the statement fails and ``is_lock_timeout`` says so. On
    SQLite, which has one writer at a time, nothing."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT set_config('lock_timeout', %s, true)", [f"{int(seconds * 1000)}ms"]
            )


def is_lock_timeout(error: OperationalError) -> bool:
    """Whether ``error`` is a lock not granted within ``lock_wait_limit``."""
    return getattr(error.__cause__, "sqlstate", None) == LOCK_NOT_AVAILABLE


def lock_rank(model, rank: int) -> None:
    """Say where rows of ``model`` come in the lock order (lower is locked first)."""
    _LOCK_RANKS[model._meta.label_lower] = rank


def _rank(model) -> tuple[int, str]:
    label = model._meta.label_lower
    return (_LOCK_RANKS.get(label, UNRANKED), label)


def lock(*items, related: Sequence[str] = (), no_key: bool = False):
    """Lock rows for the rest of the transaction and return them fresh, in the order given.

    Each item is a model instance, or a ``(model, pk)`` pair. Whatever order they are
    given in, they are locked in the lock order (rank, then primary key), so that two
    callers locking the same rows never deadlock. ``related`` names ``select_related``
    paths for the fetch (only the rows named are locked, not the related ones).
    ``no_key`` takes PostgreSQL's FOR NO KEY UPDATE: lockers still queue one behind the
    other, but inserting a row that refers to a locked one does not wait.
    One item gives one row back; several give a list (``lock_all`` always gives a list).
    """
    found = lock_all(*items, related=related, no_key=no_key)
    return found[0] if len(found) == 1 else found


def lock_all(*items, related: Sequence[str] = (), no_key: bool = False) -> list:
    """``lock`` for any number of rows (none included), always returning a list."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("lock() needs a transaction: call it inside transaction.atomic()")
    wanted = []
    for item in items:
        model, pk = item if isinstance(item, tuple) else (type(item), item.pk)
        wanted.append((model, pk))
    fresh: dict[tuple[str, Any], Any] = {}
    for model, pk in sorted(wanted, key=lambda mp: (_rank(mp[0]), mp[1])):
        key = (model._meta.label_lower, pk)
        if key in fresh:
            continue
        queryset = model._default_manager.all()
        if related:
            queryset = queryset.select_related(*related).select_for_update(
                of=("self",), no_key=no_key
            )
        else:
            queryset = queryset.select_for_update(no_key=no_key)
        fresh[key] = queryset.get(pk=pk)
    return [fresh[(model._meta.label_lower, pk)] for model, pk in wanted]


# ---------------------------------------------------------------------------
# Tables and actions
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Table:
    """The allowed moves of one state field: ``{from_state: (to_state, ...)}``."""

    moves: Mapping[str, Collection[str]]
    field: str = "status"

    def allows(self, from_state: str, to_state: str) -> bool:
        return to_state in self.moves.get(from_state, ())

    def targets(self, from_state: str) -> tuple[str, ...]:
        return tuple(self.moves.get(from_state, ()))


Guard = Callable[[Any, Any], list[str]]


@dataclass(frozen=True)
class Action:
    """A button a record offers.

    ``targets``: the states the action moves to (it is offered when the table allows
    one of them from the current state). ``states``: where it is offered; an action that
    moves nothing (recording a plan, an extension) needs them. ``applies(obj)`` narrows
    further (for example to one assessment track). ``guards`` return what is missing,
    in words; any message blocks the action.
    """

    name: str
    label: str
    targets: tuple[str, ...] = ()
    states: tuple[str, ...] = ()
    # A permission, or a function of the record naming one (a decision whose maker
    # depends on the record's kind).
    permission: str | Callable[[Any], str] = ""
    permission_refused: str | Callable[[Any], str] = ""
    guards: tuple[Guard, ...] = ()
    applies: Callable[[Any], bool] | None = None
    warning: bool = False
    needs_note: bool = False
    fields: tuple[str, ...] = field(default=())
    help: str = ""


@dataclass
class Offered:
    """An action as a user sees it on a record now: open, or blocked with the reasons."""

    action: Action
    record: Any
    blocked_by: list[str]

    @property
    def enabled(self) -> bool:
        return not self.blocked_by

    @property
    def name(self) -> str:
        return self.action.name

    @property
    def label(self) -> str:
        return self.action.label


class Workflow:
    """One record type's moves, buttons and audit names.

    ``table`` is a ``Table``, or a function of the record returning one (a record whose
    moves depend on another field, such as an assessment's track). ``audit_prefix`` is
    the start of every audit name (``"carers.assessment"``). ``permission`` and
    ``permission_refused`` are the defaults for actions that do not name their own.
    ``state_label(record)`` is the current state in words, for refusals;
    ``not_open(action, record)`` says, in the app's words, why an action is not possible
    in the record's state (by default: "<label> is not possible: it is “<state>” now.").
    """

    def __init__(
        self,
        *,
        table: Table | Callable[[Any], Table],
        actions: Iterable[Action],
        audit_prefix: str,
        permission: str = "",
        permission_refused: str = "You do not have permission to make this change.",
        state_label: Callable[[Any], str] | None = None,
        target_label: Callable[[str], str] | None = None,
        not_open: Callable[[Action, Any], str] | None = None,
    ):
        self._table = table
        self.actions: dict[str, Action] = {a.name: a for a in actions}
        self.audit_prefix = audit_prefix
        self.permission = permission
        self.permission_refused = permission_refused
        self._state_label = state_label
        self._target_label = target_label or str
        self._not_open = not_open

    # -- reading ----------------------------------------------------------------------

    def table_of(self, record) -> Table:
        return self._table(record) if callable(self._table) else self._table

    def state_of(self, record) -> str:
        return getattr(record, self.table_of(record).field)

    def state_label(self, record) -> str:
        if self._state_label:
            return self._state_label(record)
        name = self.table_of(record).field
        display = getattr(record, f"get_{name}_display", None)
        return display() if display else str(getattr(record, name))

    def is_open(self, action: Action, record) -> bool:
        """Whether ``action`` belongs on ``record`` in its current state (blocked or not)."""
        if action.applies is not None and not action.applies(record):
            return False
        state = self.state_of(record)
        if action.states and state not in action.states:
            return False
        if not action.targets:
            return bool(action.states)
        table = self.table_of(record)
        return any(table.allows(state, target) for target in action.targets)

    def _permission_problems(self, action: Action, user, record) -> list[str]:
        permission = action.permission or self.permission
        if callable(permission):
            permission = permission(record)
        if permission and not user.has_perm(permission):
            refused = action.permission_refused or self.permission_refused
            return [refused(record) if callable(refused) else refused]
        return []

    def guard_problems(self, action: Action, record, context=None) -> list[str]:
        """What the action's guards find missing on ``record`` (permission aside)."""
        problems: list[str] = []
        for guard in action.guards:
            problems += guard(record, context)
        return list(dict.fromkeys(problems))

    def blocked_by(self, action: Action, record, *, user, context=None) -> list[str]:
        problems = self._permission_problems(action, user, record)
        problems += self.guard_problems(action, record, context)
        return list(dict.fromkeys(problems))

    def actions_for(self, record, *, user, context=None) -> list[Offered]:
        """The actions open on ``record`` now, in table order, each with what blocks it."""
        return [
            Offered(action, record, self.blocked_by(action, record, user=user, context=context))
            for action in self.actions.values()
            if self.is_open(action, record)
        ]

    def offered(self, record, action_name: str, *, user, context=None) -> Offered | None:
        """The one action as ``actions_for`` offers it, or None when it is not open now."""
        action = self.actions.get(action_name)
        if action is None or not self.is_open(action, record):
            return None
        return Offered(action, record, self.blocked_by(action, record, user=user, context=context))

    # -- writing ----------------------------------------------------------------------

    def check_open(self, record, action_name: str, *, user) -> Action:
        """Refuse unless ``user`` has the permission and the action is open from the state.

        The first half of ``check``, for a caller that checks something of its own (the
        date of the move) before the guards; it then calls ``guard_problems``.
        """
        action = self.actions[action_name]
        problems = self._permission_problems(action, user, record)
        if problems:
            raise Refused(problems)
        if not self.is_open(action, record):
            if self._not_open is not None:
                raise Refused(self._not_open(action, record))
            raise Refused(
                f"{action.label} is not possible: it is “{self.state_label(record)}” now."
            )
        return action

    def check(self, record, action_name: str, *, user, context=None) -> Action:
        """Refuse (``Refused``) unless ``user`` may take ``action_name`` on ``record`` now.

        Call it on the locked row: the state it checks is the one the move will change.
        """
        action = self.check_open(record, action_name, user=user)
        problems = self.guard_problems(action, record, context)
        if problems:
            raise Refused(problems)
        return action

    def move(
        self,
        record,
        *,
        to: str,
        by,
        what: str,
        fields: Mapping[str, Any] | None = None,
        also_save: Sequence[str] = (),
        history: Callable[[Any, str, str], Any] | None = None,
        after_commit: Iterable[Callable[[], Any]] = (),
    ) -> str:
        """Move the locked ``record`` to ``to`` and return the state it left.

        ``fields`` are set with the state and recorded in the audit entry; ``also_save``
        names fields the caller has set itself (saved, not audited). ``history(record,
        from_state, to_state)`` writes the app's own history row. The audit entry is
        named ``<audit_prefix>.<what>``. ``after_commit`` callables run once the
        transaction commits (never if it rolls back).
        """
        if not transaction.get_connection().in_atomic_block:
            raise RuntimeError("Workflow.move needs the caller's transaction")
        table = self.table_of(record)
        from_state = getattr(record, table.field)
        if not table.allows(from_state, to):
            raise Refused(
                f"“{self.state_label(record)}” cannot move to “{self._target_label(to)}”."
            )
        fields = dict(fields or {})
        changes = {table.field: [from_state, to]}
        for name, value in fields.items():
            changes[name] = [getattr(record, name), value]
            setattr(record, name, value)
        setattr(record, table.field, to)
        stamped = [f.name for f in record._meta.concrete_fields if f.name == "updated_at"]
        update_fields = list(dict.fromkeys([table.field, *fields, *also_save, *stamped]))
        with audit.silenced():
            record.save(update_fields=update_fields)
        if history is not None:
            history(record, from_state, to)
        audit.record(record, f"{self.audit_prefix}.{what}", by=by, changes=changes)
        for work in after_commit:
            transaction.on_commit(work)
        return from_state
