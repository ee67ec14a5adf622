"""A case's page in sections: one page per part of the case, each fitting the screen.

A case's change page (a household, a placement, a child) is split into sections a
worker moves between by a row of links (``aria-current`` on the one shown). Each
section is its own page, with no script needed: the first at the admin's own change
URL, the others under it (``<pk>/change/people/``). A section's form holds only its own
fields and inlines, so Django's formset management forms are only those of the inlines
shown, and saving a section never touches, nor requires, what another section holds.

A case's admin takes ``CaseSectionsAdmin`` (first among its bases) and lists its
``Section``s; the template extends ``admin/case_page.html``. ``current_section`` tells
the admin's ``change_view`` which panels to build, so a section reads only what it shows.
"""

from dataclasses import dataclass

from django.contrib.admin.widgets import RelatedFieldWidgetWrapper
from django.db import models
from django.http import Http404
from django.urls import path, reverse

from .admin_notes import CaseNoteInline
from .forms import DateInput


@dataclass(frozen=True)
class Section:
    """``name`` is the URL's last part; ``inlines`` are the inline classes shown;
    ``details`` whether the case's own fields are on it, or ``fields`` which of them
    (a group headed by ``label``); ``saves`` whether it has a form to save (a section of
    read-only lists shows no save buttons)."""

    name: str
    label: str
    inlines: tuple = ()
    details: bool = False
    saves: bool = True
    fields: tuple[str, ...] = ()


class CaseFields:
    """The boxes of a case's page: every date in the staff area's one date box, and a
    choice of a related row as a plain list, without the admin's pop-up links beside it
    (they open pages a social worker may not see)."""

    formfield_overrides = {models.DateField: {"widget": DateInput}}

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if field is not None and isinstance(field.widget, RelatedFieldWidgetWrapper):
            field.widget = field.widget.widget
        return field


class CaseSectionsAdmin(CaseFields):
    sections: tuple[Section, ...] = ()

    def _section_url_name(self) -> str:
        return f"{self.opts.app_label}_{self.opts.model_name}_section"

    def get_urls(self):
        return [
            path(
                "<int:object_id>/change/<slug:section>/",
                self.admin_site.admin_view(self.section_view),
                name=self._section_url_name(),
            ),
            *super().get_urls(),
        ]

    def section_named(self, name: str) -> Section:
        return next(section for section in self.sections if section.name == name)

    def section_url(self, pk, section: Section) -> str:
        if section == self.sections[0]:
            name = f"admin:{self.opts.app_label}_{self.opts.model_name}_change"
            return reverse(name, args=[pk])
        return reverse(f"admin:{self._section_url_name()}", args=[pk, section.name])

    def notes_url(self, case) -> str:
        """The section that lists the case's notes (``portal.admin_notes``)."""
        holds_notes = (
            section
            for section in self.sections
            if any(issubclass(inline, CaseNoteInline) for inline in section.inlines)
        )
        return self.section_url(case.pk, next(holds_notes, self.sections[0]))

    def section_view(self, request, object_id, section):
        chosen = next((s for s in self.sections[1:] if s.name == section), None)
        if chosen is None:
            raise Http404("No such section")
        request.case_section = chosen
        return self.change_view(request, str(object_id))

    def current_section(self, request, obj) -> Section | None:
        """The section shown; None on the add page, which keeps every inline."""
        if obj is None:
            return None
        return getattr(request, "case_section", None) or self.sections[0]

    def get_inline_instances(self, request, obj=None):
        instances = super().get_inline_instances(request, obj)
        section = self.current_section(request, obj)
        if section is None:
            return instances
        return [inline for inline in instances if type(inline) in section.inlines]

    def get_fieldsets(self, request, obj=None):
        section = self.current_section(request, obj)
        if section is not None and section.fields:
            return [(section.label, {"fields": section.fields})]
        if section is not None and not section.details:
            return []
        return super().get_fieldsets(request, obj)

    def details_shown(self, request, obj) -> bool:
        """Whether this save carries the case's own fields (else ``save_model`` has
        nothing to save)."""
        section = self.current_section(request, obj)
        return section is None or section.details or bool(section.fields)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = extra_context or {}
        obj = self.get_object(request, object_id) if str(object_id).isdigit() else None
        if obj is not None:
            current = self.current_section(request, obj)
            extra_context["case_section"] = current
            extra_context["case_sections"] = [
                {
                    "label": section.label,
                    "url": self.section_url(obj.pk, section),
                    "current": section == current,
                }
                for section in self.sections
            ]
            name = self.opts.verbose_name
            extra_context.setdefault(
                "title", f"{name[:1].upper()}{name[1:]} {obj}: {current.label}"
            )
            extra_context.setdefault("subtitle", None)
        return super().change_view(request, object_id, form_url, extra_context)
