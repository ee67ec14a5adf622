"""The admin's autocomplete, for a field whose keepers may not browse the model it points to.

Django answers an autocomplete only to users who may view the model searched: picking a
panel member's sign-in would need the whole user admin. ``allow(model, field, ...)`` lets
whoever holds one of ``permissions`` search through that one field, among the rows
``rows(queryset)`` keeps; the search itself is still the target admin's (its
``search_fields``). Everyone else is answered as Django answers them.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.contrib import admin
from django.contrib.admin.views.autocomplete import AutocompleteJsonView
from django.db.models import QuerySet


@dataclass(frozen=True)
class Grant:
    permissions: tuple[str, ...]
    rows: Callable[[QuerySet], QuerySet]


_grants: dict[tuple[str, str], Grant] = {}


def allow(
    model,
    field_name: str,
    *,
    permissions: Iterable[str],
    rows: Callable[[QuerySet], QuerySet] = lambda queryset: queryset,
) -> None:
    """Holders of any of ``permissions`` may search the rows ``rows`` keeps through
    ``model.field_name``'s autocomplete."""
    _grants[(model._meta.label_lower, field_name)] = Grant(tuple(permissions), rows)


class AutocompleteView(AutocompleteJsonView):
    def _grant(self) -> Grant | None:
        field = self.source_field
        return _grants.get((field.model._meta.label_lower, field.name))

    def has_perm(self, request, obj=None):
        if super().has_perm(request, obj):
            return True
        grant = self._grant()
        return grant is not None and any(request.user.has_perm(p) for p in grant.permissions)

    def get_queryset(self):
        grant = self._grant()
        queryset = super().get_queryset()
        # The same rows for everyone searching through the field (the form accepts no
        # others either).
        return grant.rows(queryset) if grant is not None else queryset


def autocomplete_view(request):
    return AutocompleteView.as_view(admin_site=admin.site)(request)


# Read by ``AdminSite.get_urls`` when the admin's URLs are first built.
admin.site.autocomplete_view = autocomplete_view
