"""Case notes in the staff area: a read-only list on the case's page, newest first, each
correction shown with the words it corrects, and the two form pages ("Add a note",
"Correct this note") on the one staff form page. Nobody changes or deletes a note; one
written on the wrong case is withdrawn with a reason (``portal.admin_versions``).

A case's admin takes ``CaseNotesAdmin`` (before ``admin.ModelAdmin``) and lists a
``CaseNoteInline`` subclass for its note table; the app registers the table with
``portal.casenotes.register_notes``.
"""

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html, linebreaks

from . import casenotes
from .admin_filters import ReadOnly
from .admin_versions import RecordHistory
from .formats import day
from .forms import DateInput
from .staffpages import case_form_page


class NoteForm(forms.Form):
    kind = forms.ChoiceField(
        label="Kind of note",
        choices=casenotes.NoteKind.choices,
        widget=forms.RadioSelect,
        help_text="Management oversight notes are written by team managers.",
    )
    happened_on = forms.DateField(
        label="Date it happened",
        widget=DateInput(),
        help_text="Today or earlier, and not before the case began.",
    )
    text = forms.CharField(
        label="Note",
        max_length=casenotes.TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 8, "cols": 70}),
        help_text="A note cannot be changed once written: a mistake is put right by a "
        "correction, shown beside it.",
    )


class CaseNoteInline(RecordHistory, ReadOnly, admin.TabularInline):
    """The notes on a case's page, read-only for everyone; a team manager withdraws one
    written on the wrong case (``portal.versions``)."""

    template = "admin/edit_inline/case_notes.html"
    extra = 0
    can_delete = False
    fields = ("happened_on", "kind_display", "note_display", "written", "correction_display")
    readonly_fields = fields
    verbose_name_plural = "case notes"

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("written_by", "corrects", "correction")
            .order_by("-happened_on", "-written_at", "-id")
        )

    @admin.display(description="kind")
    def kind_display(self, note):
        if note.is_management_oversight:
            return format_html("<strong>{}</strong>", note.get_kind_display())
        return note.get_kind_display()

    @admin.display(description="note")
    def note_display(self, note):
        return linebreaks(note.text)

    @admin.display(description="written")
    def written(self, note):
        return f"{note.written_by.get_full_name() or note.written_by.email}, {day(note.written_at)}"

    @admin.display(description="corrections")
    def correction_display(self, note):
        parts = []
        if note.corrects_id:
            parts.append(
                format_html(
                    "<p>Corrects the note of {} written {}:</p><blockquote>{}</blockquote>",
                    day(note.corrects.happened_on),
                    day(note.corrects.written_at),
                    linebreaks(note.corrects.text),
                )
            )
        correction = getattr(note, "correction", None)
        if correction is not None:
            parts.append(
                format_html("<p>Corrected by the note written {}.</p>", day(correction.written_at))
            )
        else:
            case_pk = getattr(note, f"{casenotes.source_for(self.parent_model).case_field}_id")
            url = reverse(
                f"admin:{self.parent_model._meta.app_label}_"
                f"{self.parent_model._meta.model_name}_note_correct",
                args=[case_pk, note.pk],
            )
            parts.append(format_html('<p><a href="{}">Correct this note</a></p>', url))
        return format_html("{}" * len(parts), *parts)


class CaseNotesAdmin:
    """The "Add a note" and "Correct this note" pages of a case's admin."""

    def get_urls(self):
        wrap = self.admin_site.admin_view
        name = f"{self.opts.app_label}_{self.opts.model_name}"
        return [
            path("<int:pk>/notes/add/", wrap(self.note_add_view), name=f"{name}_note_add"),
            path(
                "<int:pk>/notes/<int:note_pk>/correct/",
                wrap(self.note_correct_view),
                name=f"{name}_note_correct",
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = extra_context or {}
        notes = casenotes.source_for(self.model).model._meta
        if str(object_id).isdigit() and request.user.has_perm(
            f"{notes.app_label}.add_{notes.model_name}"
        ):
            name = f"admin:{self.opts.app_label}_{self.opts.model_name}_note_add"
            extra_context["case_note_add_url"] = reverse(name, args=[object_id])
        return super().change_view(request, object_id, form_url, extra_context)

    def _note_case(self, request, pk):
        case = get_object_or_404(self.model, pk=pk)
        source = casenotes.source_for(case)
        notes = source.model._meta
        if not (
            self.has_view_permission(request, case)
            and request.user.has_perm(f"{notes.app_label}.add_{notes.model_name}")
        ):
            raise PermissionDenied
        return case, source

    def notes_url(self, case) -> str:
        """The page that lists the case's notes."""
        return reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[case.pk])

    def _note_page(self, request, case, **page):
        return case_form_page(self, request, case=case, back_url=self.notes_url(case), **page)

    def note_add_view(self, request, pk):
        case, _ = self._note_case(request, pk)
        return self._note_page(
            request,
            case,
            title=f"Add a note: {case}",
            form=NoteForm(request.POST or None),
            perform=lambda form: casenotes.note_add(
                case=case, by=request.user, **form.cleaned_data
            ),
            success="The note is added.",
            submit="Add the note",
        )

    def note_correct_view(self, request, pk, note_pk):
        case, source = self._note_case(request, pk)
        note = get_object_or_404(source.model, pk=note_pk, **{source.case_field: case})
        initial = {"kind": note.kind, "happened_on": note.happened_on, "text": note.text}
        return self._note_page(
            request,
            case,
            title=f"Correct this note: {case}",
            form=NoteForm(request.POST or None, initial=initial),
            perform=lambda form: casenotes.note_correct(
                note=note, by=request.user, **form.cleaned_data
            ),
            state=f"The {note.get_kind_display().lower()} note of {day(note.happened_on)}, "
            f"written {day(note.written_at)}. It keeps its words; the correction is shown "
            "beside it.",
            success="The correction is added.",
            submit="Add the correction",
        )
