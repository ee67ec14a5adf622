"""Reallocating work in the staff area, for team managers (``portal.caseloads``).

- "Reallocate" on a case's page: one record to another social worker, with the reason.
  A case's admin takes ``ReallocateAdmin`` (before ``admin.ModelAdmin``); the page's
  object tools (``object_tools``: label and address) show the link to those who may use it.
- "Move a caseload" (``CaseloadMoveAdmin``, on the staff accounts' admin): every open
  record of one worker to another. The first submission shows how many of each kind
  will move; the second, with the same two people, moves them.

Both are the one staff form page (``portal.staffpages.form_page``).
"""

from django import forms
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.urls import path, reverse

from . import caseloads
from .models import User
from .roles import Role
from .staffpages import form_page

REASON_HELP = (
    "Why the work moves (a worker leaving, a change of team, balancing caseloads). "
    "Kept in the record's history."
)


class WorkerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, user):
        return user.get_full_name() or user.email


def _reason_field():
    return forms.CharField(
        label="Reason",
        max_length=caseloads.REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4, "cols": 70}),
        help_text=REASON_HELP,
    )


class ReallocateForm(forms.Form):
    """Who takes the work on, and why (the fields every reallocation asks for)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to"] = WorkerChoiceField(
            label="New social worker",
            queryset=caseloads.social_workers(),
            help_text="Active members of the social workers' team.",
        )
        self.fields["reason"] = _reason_field()


class CaseloadMoveForm(ReallocateForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields = {
            "from_worker": WorkerChoiceField(
                label="Whose caseload",
                queryset=User.objects.filter(
                    Q(groups__name=Role.SOCIAL_WORKERS) | Q(is_active=False), is_staff=True
                )
                .distinct()
                .order_by("first_name", "last_name", "email"),
                help_text="Members of the social workers' team, and closed staff accounts "
                "(someone who has left).",
            ),
            **self.fields,
        }

    def clean(self):
        data = super().clean()
        if data.get("from_worker") and data.get("to") and data["from_worker"] == data["to"]:
            self.add_error("to", "Choose someone other than the worker whose caseload moves.")
        return data


def _worker(user) -> str:
    return user.get_full_name() or user.email


def _counts_text(counts: dict[str, int]) -> str:
    return caseloads.counts_text(counts) or "nothing"


class ReallocateAdmin:
    """The "Reallocate" page of a case's admin (the case registered with
    ``portal.caseloads.register_caseload``)."""

    def get_urls(self):
        wrap = self.admin_site.admin_view
        name = f"{self.opts.app_label}_{self.opts.model_name}_reallocate"
        return [
            path("<int:pk>/reallocate/", wrap(self.reallocate_view), name=name),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = extra_context or {}
        if str(object_id).isdigit() and request.user.has_perm(caseloads.PERMISSION):
            name = f"admin:{self.opts.app_label}_{self.opts.model_name}_reallocate"
            tools = extra_context.setdefault("object_tools", [])
            tools.append(("Reallocate", reverse(name, args=[object_id])))
        return super().change_view(request, object_id, form_url, extra_context)

    def reallocate_view(self, request, pk):
        record = get_object_or_404(self.model, pk=pk)
        if not (
            request.user.has_perm(caseloads.PERMISSION)
            and self.has_view_permission(request, record)
        ):
            raise PermissionDenied
        back = reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[pk])
        part = caseloads.part_for(record)
        holder = caseloads.holder_of(record)
        blocked, intro, state = [], "", ""
        if holder is None:
            blocked.append("Only open work is reallocated: this record has no open case.")
        else:
            holder_part = caseloads.part_for(holder)
            if not holder_part.model.objects.filter(holder_part.open, pk=holder.pk).exists():
                blocked.append(f"{holder} is closed: only open work is reallocated.")
            worker = getattr(holder, holder_part.worker_path)
            state = f"Allocated to {_worker(worker)}." if worker else "Not allocated to anyone."
            if not part.moves:
                intro = (
                    f"The social worker of {self.opts.verbose_name_plural} is the one "
                    f"supporting their carers: this reallocates the carer household "
                    f"{holder}, with all its open placements."
                )
            else:
                intro = (
                    "Its open deadlines and their reminders go to the new worker; "
                    "open placements with these carers move too."
                )
        return form_page(
            request,
            admin_site=self.admin_site,
            opts=self.opts,
            media=self.media,
            form=ReallocateForm(request.POST or None),
            title=f"Reallocate: {record}",
            crumbs=[(str(record), back)],
            back_url=back,
            intro=intro,
            state=state,
            blocked_by=blocked,
            perform=lambda form: caseloads.record_reallocate(
                record=record, by=request.user, **form.cleaned_data
            ),
            success=lambda moved: (
                f"{moved} is now allocated to "
                f"{_worker(getattr(moved, caseloads.part_for(moved).worker_path))}."
            ),
            submit="Reallocate",
        )


class CaseloadMoveAdmin:
    """The "Move a caseload" page, on the staff accounts' admin."""

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("move-caseload/", wrap(self.caseload_move_view), name="portal_user_move_caseload"),
            *super().get_urls(),
        ]

    def caseload_move_view(self, request):
        if not request.user.has_perm(caseloads.PERMISSION):
            raise PermissionDenied
        back = reverse("admin:index")
        form = CaseloadMoveForm(request.POST or None)
        page = {
            "admin_site": self.admin_site,
            "opts": self.opts,
            "title": "Move a caseload",
            "back_url": back,
            "intro": "Every open carer household of one worker, with its placements and "
            "children, goes to another social worker. Open deadlines and their reminders "
            "follow, and the home page and caseload lists show them to the new worker.",
        }

        def perform(form):
            data = form.cleaned_data
            previewed = f"{data['from_worker'].pk}:{data['to'].pk}"
            if request.POST.get("previewed") != previewed:
                counts = {
                    part.plural: count
                    for part, count in caseloads.caseload_counts(data["from_worker"])
                }
                return form_page(
                    request,
                    form=form,
                    perform=perform,
                    submitted=False,
                    state=f"{_worker(data['from_worker'])} has {_counts_text(counts)} open. "
                    f"All of it will move to {_worker(data['to'])}.",
                    warning="Check before you confirm.",
                    hidden={"previewed": previewed},
                    submit="Move the caseload",
                    **page,
                )
            moved = caseloads.caseload_move(by=request.user, **data)
            return moved, data["to"]

        def success(result):
            moved, to = result
            return f"Moved to {_worker(to)}: {_counts_text(moved)}."

        return form_page(
            request,
            form=form,
            perform=perform,
            success=success,
            success_url=lambda result: _caseload_url(result[1]),
            submit="Show what will move",
            **page,
        )


def _caseload_url(worker) -> str:
    """The first registered list, filtered to the worker's caseload."""
    for part in caseloads.registered_parts():
        if part.changelist:
            return reverse(part.changelist) + f"?caseload={worker.pk}"
    return reverse("admin:index")
