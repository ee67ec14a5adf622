"""Search across records: one box in the staff area, each app's records behind it.

Each app registers a ``Kind`` of record from its ``AppConfig.ready()``:

    register_kind(Kind(name="households", title="Carer households", permission=...,
                       find=household_search, hit=household_hit, changelist=...))

``find(request, term)`` returns the matching rows as a queryset (the app's selector, in
a fixed number of queries), ``hit(row)`` what the results page shows of one row: a label,
a link and a short context line that says no more than the list page of the kind shows.
A staff member sees only the kinds whose ``permission`` they hold; each kind shows its
first ``SHOWN_PER_KIND`` rows and links to its list, filtered by the same words, for the
rest. Nothing is audited: opening a record from the results is, as it is from a list.
"""

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse

from . import access

SHOWN_PER_KIND = 5
SHORTEST_TERM = 2
LONGEST_TERM = 100


@dataclass(frozen=True)
class Hit:
    """One row found, as the results page shows it."""

    label: str
    link: str
    context: str = ""


@dataclass(frozen=True)
class Kind:
    """A kind of record the staff search finds."""

    name: str
    title: str
    permission: str
    find: Callable[[HttpRequest, str], QuerySet]
    hit: Callable[[object], Hit]
    # The admin list the "see all" link leads to, as a URL name; its search box is given
    # the same words.
    changelist: str
    # What that list is called, when it is not a list of this kind of record.
    list_name: str = ""
    order: int = 100


@dataclass(frozen=True)
class Group:
    kind: Kind
    count: int
    hits: list[Hit]
    see_all: str

    @property
    def more(self) -> bool:
        return self.count > len(self.hits)

    @property
    def see_all_label(self) -> str:
        title = self.kind.title.lower()
        if self.kind.list_name:
            return f"See all {self.count} {title} in the {self.kind.list_name} list"
        return f"See all {self.count} in the {title} list"


_kinds: dict[str, Kind] = {}


def register_kind(kind: Kind) -> None:
    _kinds[kind.name] = kind


def kinds_for(user) -> list[Kind]:
    """The kinds of record ``user`` may search, in their order."""
    return sorted(
        (kind for kind in _kinds.values() if user.has_perm(kind.permission)),
        key=lambda kind: kind.order,
    )


def changelist_matches(model, request: HttpRequest, term: str, queryset: QuerySet) -> QuerySet:
    """The rows of ``queryset`` that the model's admin list finds for ``term``: the same
    fields and rules as its own search box, so "see all" lists exactly the rows counted."""
    model_admin = admin.site._registry[model]
    found, may_have_duplicates = model_admin.get_search_results(request, queryset, term)
    return found.distinct() if may_have_duplicates else found


def problem(term: str) -> str:
    """What is wrong with a search term, in words, or ''."""
    if not term:
        return "Enter a name, a reference, a postcode or an email address to search."
    if len(term) < SHORTEST_TERM:
        return f"Enter at least {SHORTEST_TERM} letters or numbers to search."
    if len(term) > LONGEST_TERM:
        return f"Enter at most {LONGEST_TERM} characters to search."
    return ""


def search(request: HttpRequest, term: str) -> list[Group]:
    """Each kind the user may search, with how many rows match and the first of them.

    Two queries per kind (a count, the first rows) plus what each kind's selector
    prefetches, whatever the number of rows.
    """
    groups = []
    for kind in kinds_for(request.user):
        # The one access policy (portal.access): only the rows the user may see.
        found = access.visible(kind.find(request, term), request.user)
        count = found.count()
        if not count:
            continue
        rows = list(found[:SHOWN_PER_KIND])
        groups.append(
            Group(
                kind=kind,
                count=count,
                hits=[kind.hit(row) for row in rows],
                see_all=f"{reverse(kind.changelist)}?{urlencode({'q': term})}",
            )
        )
    return groups
