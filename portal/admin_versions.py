"""History and withdrawal in the staff area (``portal.versions``).

- ``RecordHistory``: for an inline of case-record rows, a "history" column with each
  row's earlier wording (who changed it, when) and, for those who may, the link that
  withdraws the row. The versions are read through the rows the case's page already
  shows (one prefetch), so only people who may see the record see its history.
- ``CaseWithdrawals``: on a case's admin, the "Withdraw" page of each row kept on the
  case (``<case pk>/withdraw/<app.model>/<row pk>/``): it asks for the reason in words
  and calls the app's service (``withdrawals``: model label -> service). A case's page
  also lists what was withdrawn from it, with who, when and why (``withdrawn_rows``).
"""

from collections.abc import Callable

from django import forms
from django.apps import apps
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.forms.models import _get_foreign_key
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.template.defaultfilters import linebreaks_filter
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from . import versions
from .formats import day
from .staffpages import case_form_page


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label="Why is this withdrawn?",
        max_length=versions.REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
        error_messages={"required": "Say in words why this is withdrawn."},
        help_text="For example: written on the wrong child's record. The record keeps its "
        "words; they stay readable in its history.",
    )


def _who(user) -> str:
    if user is None:
        return "the portal"
    return user.get_full_name() or user.email


def history_html(record) -> str:
    """The earlier wording of ``record``, newest first, for its case's page."""
    rows = versions.versions_of(record)
    if not rows:
        return ""
    items = format_html_join(
        "",
        '<li>{} before {} changed it on {}:<div class="earlier-wording">{}</div></li>',
        (
            (
                versions.field_label(type(record), row.field).capitalize(),
                _who(row.changed_by),
                day(row.changed_at),
                linebreaks_filter(row.text, autoescape=True),
            )
            for row in rows
        ),
    )
    return format_html("<p><strong>Earlier versions</strong></p><ul>{}</ul>", items)


def withdraw_url(case_admin_opts, case_pk, record) -> str:
    return reverse(
        f"admin:{case_admin_opts.app_label}_{case_admin_opts.model_name}_withdraw",
        args=[case_pk, record._meta.label_lower, record.pk],
    )


class RecordHistory:
    """An inline of case-record rows with their earlier versions and "Withdraw" link:
    a "history" column, or (``history_column = False``) for an inline drawn by its own
    template, the ``history_of`` filter."""

    history_column = True

    @property
    def _kept(self) -> bool:
        """Whether the rows are case records (``versions.CaseRecord``: their versions kept,
        withdrawn rather than deleted); rows of other kinds (family time's) are corrected
        in place and have no history column."""
        return hasattr(self.model, "all_objects")

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if not self._kept:
            return queryset
        self._may_withdraw = request.user.has_perm(versions.WITHDRAW_PERMISSION)
        return queryset.prefetch_related("versions__changed_by")

    def get_readonly_fields(self, request, obj=None):
        extra = ("history",) if self.history_column and self._kept else ()
        return (*super().get_readonly_fields(request, obj), *extra)

    def get_fields(self, request, obj=None):
        extra = ("history",) if self.history_column and self._kept else ()
        return (*super().get_fields(request, obj), *extra)

    @admin.display(description="history")
    def history(self, record):
        if record.pk is None:
            return ""
        parts = [history_html(record)]
        if getattr(self, "_may_withdraw", False):
            case_pk = getattr(record, f"{_get_foreign_key(self.parent_model, self.model).name}_id")
            parts.append(
                format_html(
                    '<p><a class="button" href="{}">Withdraw this {}</a></p>',
                    withdraw_url(self.parent_model._meta, case_pk, record),
                    self.model._meta.verbose_name,
                )
            )
        return format_html("{}" * len(parts), *parts)


class CaseWithdrawals:
    """The "Withdraw" pages of the rows kept on a case, and the case's withdrawn rows."""

    # "app_label.modelname" -> the app's service, called as service(record=, reason=, by=)
    withdrawals: dict[str, Callable] = {}

    def get_urls(self):
        wrap = self.admin_site.admin_view
        name = f"{self.opts.app_label}_{self.opts.model_name}_withdraw"
        return [
            path(
                "<int:pk>/withdraw/<str:model>/<int:record_pk>/",
                wrap(self.withdraw_view),
                name=name,
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = extra_context or {}
        if str(object_id).isdigit():
            extra_context["withdrawn_rows"] = self.withdrawn_rows(int(object_id))
        return super().change_view(request, object_id, form_url, extra_context)

    def withdrawn_rows(self, case_pk: int) -> list:
        """What was withdrawn from the case, newest first (one query per kind of row)."""
        rows = []
        for label in self.withdrawals:
            model = apps.get_model(label)
            fk = _get_foreign_key(self.model, model)
            rows += list(
                model.all_objects.filter(**{fk.name: case_pk}, withdrawn_at__isnull=False)
                .select_related("withdrawn_by")
                .prefetch_related("versions__changed_by")
            )
        rows.sort(key=lambda row: row.withdrawn_at, reverse=True)
        return [
            {
                "what": f"{row._meta.verbose_name.capitalize()}: {row}",
                "by": _who(row.withdrawn_by),
                "on": day(row.withdrawn_at),
                "reason": row.withdrawn_reason,
                "fields": [
                    (versions.field_label(type(row), name).capitalize(), getattr(row, name))
                    for name in (*versions.versioned_fields(type(row)), *_text_fields(row))
                ],
                "history": history_html(row),
            }
            for row in rows
        ]

    def withdraw_view(self, request, pk, model, record_pk):
        # Who may withdraw is asked first, so a role without the permission is refused
        # whether or not the case is in their caseload.
        if not (
            self.has_view_permission(request)
            and request.user.has_perm(versions.WITHDRAW_PERMISSION)
        ):
            raise PermissionDenied
        case = self.get_object(request, str(pk))
        service = self.withdrawals.get(model)
        if case is None or service is None:
            raise Http404
        if not self.has_view_permission(request, case):
            raise PermissionDenied
        record_model = apps.get_model(model)
        fk = _get_foreign_key(self.model, record_model)
        # A row already withdrawn opens too: the service refuses it again, with its date.
        record = get_object_or_404(record_model.all_objects, pk=record_pk, **{fk.name: case})
        back = reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[pk])
        return case_form_page(
            self,
            request,
            case=case,
            back_url=back,
            title=f"Withdraw this {record_model._meta.verbose_name}: {case}",
            state=f"{record_model._meta.verbose_name.capitalize()}: {record}. Withdrawn, it "
            "leaves the current record, its counts and its clocks, and stays readable under "
            "“Withdrawn” on this page. Nothing is deleted.",
            form=WithdrawForm(request.POST or None),
            perform=lambda form: service(
                record=record, reason=form.cleaned_data["reason"], by=request.user
            ),
            success="It is withdrawn.",
            submit="Withdraw",
        )


def _text_fields(row) -> tuple[str, ...]:
    """A note's own text (notes are never edited, so they have no versions)."""
    return ("text",) if hasattr(row, "corrects_id") else ()
