"""A household's own area, from the staff side: where each applicant's access stands, and
the button that invites them (``services.applicant_invite``)."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from portal.staffpages import form_page

from .. import services
from ..forms import DocumentRequestForm, EventOfferForm
from ..models import Applicant, DocumentRequest, EventOffer, Household, OnlineForm


def offers_with_bookings(household: Household) -> list[dict]:
    """The events offered to the household, each with its applicants' active bookings.
    Two queries."""
    from enquiries.models import Booking

    offers = list(
        EventOffer.objects.filter(household=household)
        .select_related("event")
        .order_by("event__starts_at", "pk")
    )
    emails = [
        email.strip().lower()
        for email in household.applicants.values_list("email", flat=True)
        if email.strip()
    ]
    booked: dict[int, list] = {}
    for booking in Booking.objects.active().filter(
        event__in=[offer.event_id for offer in offers], email__in=emails
    ):
        booked.setdefault(booking.event_id, []).append(booking)
    return [{"offer": offer, "bookings": booked.get(offer.event_id, [])} for offer in offers]


class HouseholdOwnAreaAdmin:
    """Adds ``<pk>/own-area/`` to the household admin."""

    def get_urls(self):
        return [
            path(
                "<int:pk>/own-area/",
                self.admin_site.admin_view(self.own_area_view),
                name="carers_household_own_area",
            ),
            path(
                "<int:pk>/own-area/offer/",
                self.admin_site.admin_view(self.offer_event_view),
                name="carers_household_offer_event",
            ),
            path(
                "<int:pk>/own-area/ask/",
                self.admin_site.admin_view(self.ask_document_view),
                name="carers_household_ask_document",
            ),
            *super().get_urls(),
        ]

    def own_area_view(self, request, pk):
        household = get_object_or_404(Household.objects.select_related("social_worker"), pk=pk)
        if not self.has_view_permission(request, household):
            raise PermissionDenied
        can_invite = self.has_change_permission(request, household)
        here = reverse("admin:carers_household_own_area", args=[household.pk])
        if request.method == "POST":
            if not can_invite:
                raise PermissionDenied
            action = request.POST.get("action", "invite")
            if action == "withdraw_offer":
                return self._withdraw_offer(request, household, here)
            if action == "withdraw":
                return self._withdraw_request(request, household, here)
            else:
                return self._invite(request, household, here)
        applicants = list(household.applicants.select_related("account").order_by("position"))
        rows = [
            {
                "applicant": applicant,
                "status": services.own_area_status(applicant),
                "problems": services.applicant_invite_problems(
                    applicant=applicant, by=request.user
                ),
            }
            for applicant in applicants
        ]
        return TemplateResponse(
            request,
            "carers/admin/household_own_area.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "title": f"Applicants' own area: {household}",
                "household": household,
                "rows": rows,
                "ask_url": reverse("admin:carers_household_ask_document", args=[household.pk]),
                "offer_url": reverse("admin:carers_household_offer_event", args=[household.pk]),
                "offers": offers_with_bookings(household),
                "requests": list(
                    household.document_requests.select_related(
                        "document", "requested_by", "sent_by"
                    ).order_by("-requested_on", "-pk")
                ),
                # The forms the applicants fill in online: sent ones with their answers.
                "forms": [
                    (online, kind.answers(online.data), kind.sent_note)
                    for online in OnlineForm.objects.filter(applicant__household=household)
                    .select_related("applicant")
                    .order_by("applicant__position", "kind")
                    for kind in [services.form_kind(online.kind)]
                ],
                "can_invite": can_invite,
                "valid_days": settings.STAFF_INVITATION_VALID_DAYS,
                "here": here,
                "change_url": reverse("admin:carers_household_change", args=[household.pk]),
            },
        )

    @staticmethod
    def _posted(request, name: str, queryset, household):
        """The household's row whose id the pressed button sent as ``name``, or 404."""
        chosen = str(request.POST.get(name, ""))
        return get_object_or_404(
            queryset, pk=chosen if chosen.isdigit() else None, household=household
        )

    def _invite(self, request, household, here):
        applicant = self._posted(request, "applicant", Applicant.objects.all(), household)
        try:
            services.applicant_invite(applicant=applicant, by=request.user)
        except services.TransitionRefused as refusal:
            for message in refusal.messages:
                messages.error(request, f"{applicant.full_name} was not invited. {message}")
        else:
            messages.success(
                request,
                f"{applicant.full_name} is invited: an email with the way in is on its way "
                f"to {applicant.email}.",
            )
        return redirect(here)

    def _withdraw_request(self, request, household, here):
        asked = self._posted(request, "request", DocumentRequest.objects.all(), household)
        try:
            services.document_request_withdraw(request=asked, by=request.user)
        except services.TransitionRefused as refusal:
            for message in refusal.messages:
                messages.error(request, message)
        else:
            messages.success(request, f"“{asked.title}” is no longer asked for.")
        return redirect(here)

    def _withdraw_offer(self, request, household, here):
        offer = self._posted(
            request, "offer", EventOffer.objects.select_related("event", "household"), household
        )
        try:
            services.event_offer_withdraw(offer=offer, by=request.user)
        except services.TransitionRefused as refusal:
            for message in refusal.messages:
                messages.error(request, message)
        else:
            messages.success(request, f"“{offer.event.title}” is no longer offered.")
        return redirect(here)

    def _own_area_form(self, request, pk, *, title, form_class, perform, **page):
        """A form of the own-area page (ask for a document, offer an event), on the staff
        area's one form page; back to the own-area page when done."""
        household = get_object_or_404(Household, pk=pk)
        if not self.has_change_permission(request, household):
            raise PermissionDenied
        here = reverse("admin:carers_household_own_area", args=[household.pk])
        return form_page(
            request,
            admin_site=self.admin_site,
            opts=self.opts,
            title=f"{title}: {household}",
            crumbs=[
                (str(household), reverse("admin:carers_household_change", args=[household.pk])),
                ("Own area", here),
            ],
            back_url=here,
            form=form_class(request.POST or None, household=household),
            perform=lambda form: perform(household, form.cleaned_data),
            success_url=here,
            **page,
        )

    def ask_document_view(self, request, pk):
        """Ask the applicants for a document."""
        return self._own_area_form(
            request,
            pk,
            title="Ask for a document",
            form_class=DocumentRequestForm,
            intro=(
                "The applicants see what you ask for in their own area and send the file "
                "from there; those invited to their area are told by email. You are emailed "
                "when it arrives, and it is kept with the household's documents."
            ),
            perform=lambda household, data: services.document_request_create(
                household=household, by=request.user, **data
            ),
            success=lambda asked: f"“{asked.title}” is asked for.",
            submit="Ask for it",
        )

    def offer_event_view(self, request, pk):
        """Offer a private event (training, a group) to the household's applicants."""
        return self._own_area_form(
            request,
            pk,
            title="Offer training or a group",
            form_class=EventOfferForm,
            intro=(
                "The applicants see the event in their own area and book places there, on "
                "the events' own booking: confirmed while places last, then a waiting list, "
                "with reminders and a calendar file. Those invited are told by email."
            ),
            perform=lambda household, data: services.event_offer(
                household=household, event=data["event"], by=request.user
            ),
            success=lambda offer: f"“{offer.event.title}” is offered.",
            submit="Offer it",
        )
