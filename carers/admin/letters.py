"""A household's letters: the ones its assessment's steps and checks call for, and those sent.

Each letter is made from its template's current version by ``portal.letters``, kept with
the household's documents and emailed to its recipients as a link to sign in and read it.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse

from portal import letters
from portal.staffpages import form_page

from ..forms import LetterProduceForm
from ..letters import ASSESSMENT_KIND_NAMES, CHECK_KIND_NAMES
from ..models import Assessment, Household, StatutoryCheck

PRODUCE_PERMISSION = "carers.change_assessment"


def letters_due(household: Household) -> list[dict]:
    """The letters that fit the household's records now: one row per kind and record."""
    assessments = list(
        Assessment.objects.filter(household=household).select_related("panel", "household")
    )
    checks = list(
        StatutoryCheck.objects.filter(household=household, applicant__isnull=False)
        .select_related("applicant", "household")
        .order_by("kind", "id")
    )
    rows = []
    for assessment in assessments:
        for name in ASSESSMENT_KIND_NAMES:
            kind = letters.kind_get(name)
            if kind.available(assessment):
                rows.append(
                    {"kind": kind, "record": assessment, "about": assessment.get_track_display()}
                )
    for check in checks:
        for name in CHECK_KIND_NAMES:
            kind = letters.kind_get(name)
            if kind.available(check):
                about = check.applicant.full_name
                if check.referee_name:
                    about = f"{about}: {check.referee_name}"
                rows.append({"kind": kind, "record": check, "about": about})
    return rows


def letters_after_move(*, before: Assessment, after: Assessment) -> str:
    """What a step's success message adds: the letters the step has made fit, if any."""
    titles = [
        kind.title
        for kind in map(letters.kind_get, ASSESSMENT_KIND_NAMES)
        if kind.available(after) and not kind.available(before)
    ]
    if not titles:
        return ""
    listed = ", ".join(f"“{title}”" for title in titles)
    return f" To send the letter for this step ({listed}), use Letters on the household page."


class HouseholdLettersAdmin:
    """Mix into the household admin: its letters page and the page that produces one."""

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<int:pk>/letters/", wrap(self.letters_view), name="carers_household_letters"),
            path(
                "<int:pk>/letters/<str:kind>/<int:record_pk>/",
                wrap(self.letter_produce_view),
                name="carers_household_letter_produce",
            ),
            *super().get_urls(),
        ]

    def _letters_household(self, request, pk) -> Household:
        household = get_object_or_404(Household.objects.select_related("social_worker"), pk=pk)
        if not self.has_view_permission(request, household):
            raise PermissionDenied
        return household

    def letters_view(self, request, pk):
        household = self._letters_household(request, pk)
        can_produce = request.user.has_perm(PRODUCE_PERMISSION)
        due = letters_due(household)
        for row in due:
            row["url"] = reverse(
                "admin:carers_household_letter_produce",
                args=[household.pk, row["kind"].name, row["record"].pk],
            )
        sent = [
            *letters.letters_for(Assessment, (a.pk for a in household.assessments.all())),
            *letters.letters_for(StatutoryCheck, household.checks.values_list("pk", flat=True)),
        ]
        sent.sort(key=lambda letter: letter.produced_at, reverse=True)
        return TemplateResponse(
            request,
            "carers/admin/household_letters.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "title": f"Letters: {household}",
                "household": household,
                "due": due,
                "sent": sent,
                "can_produce": can_produce,
                "change_url": reverse("admin:carers_household_change", args=[household.pk]),
            },
        )

    def letter_produce_view(self, request, pk, kind, record_pk):
        household = self._letters_household(request, pk)
        if not request.user.has_perm(PRODUCE_PERMISSION):
            raise PermissionDenied
        if kind in ASSESSMENT_KIND_NAMES:
            record = get_object_or_404(
                Assessment.objects.select_related("panel", "household"),
                pk=record_pk,
                household=household,
            )
        elif kind in CHECK_KIND_NAMES:
            record = get_object_or_404(
                StatutoryCheck.objects.select_related("applicant", "household"),
                pk=record_pk,
                household=household,
            )
        else:
            raise Http404("No such letter")
        letter_kind = letters.kind_get(kind)
        letters_url = reverse("admin:carers_household_letters", args=[household.pk])
        recipients = [r for r in letter_kind.recipients(record) if r.email.strip()]
        if letter_kind.asks_email:
            intro = "The letter is made from its template as it stands now and kept with the household's documents."
        else:
            intro = (
                "The letter is made from its template as it stands now, kept with the household's "
                f"documents and sent as a link to: {', '.join(r.email for r in recipients) or 'nobody (no email address recorded)'}."
            )
        blocked = (
            []
            if letter_kind.available(record)
            else [f"“{letter_kind.title}” does not fit this record at its current stage."]
        )
        if not letter_kind.asks_email and not recipients:
            blocked.append(
                "Nobody to send it to: record an email address for the applicants first "
                "(the household's People section)."
            )

        def produce(form):
            people = (
                [
                    letters.Recipient(
                        email=form.cleaned_data["email"],
                        first_name=getattr(record, "referee_name", ""),
                    )
                ]
                if letter_kind.asks_email
                else None
            )
            return letters.letter_produce(
                kind=kind,
                record=record,
                by=request.user,
                recipients=people,
                seen=form.cleaned_data["seen"],
            )

        return form_page(
            request,
            admin_site=self.admin_site,
            opts=self.opts,
            title=f"{letter_kind.title}: {household}",
            crumbs=[
                (str(household), reverse("admin:carers_household_change", args=[household.pk])),
                ("Letters", letters_url),
            ],
            back_url=letters_url,
            form=LetterProduceForm(
                request.POST if request.method == "POST" else None,
                asks_email=letter_kind.asks_email,
                initial={"seen": letters.letter_newest_pk(kind=kind, record=record)},
            ),
            perform=produce,
            intro=intro,
            blocked_by=blocked,
            submit="Produce and send the letter",
            success=lambda letter: (
                f"“{letter.title}” is produced, kept with the household's documents and "
                "emailed as a link to sign in and read it."
            ),
        )
