"""Moving a household's panel booking: both tracks to another sitting in one step.

``PanelMoveAdmin`` gives the household's admin the "Move to another sitting" page (the one
staff form page) and its link among the page's object tools, shown while a track is booked
for panel. The service is ``carers.services.household_move_panel``.
"""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.urls import path, reverse

from portal.staffpages import form_page

from .. import services
from ..forms import PanelMoveForm
from ..models import Household, Stage


class PanelMoveAdmin:
    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path(
                "<int:pk>/move-panel/",
                wrap(self.panel_move_view),
                name="carers_household_move_panel",
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = extra_context or {}
        if (
            str(object_id).isdigit()
            and request.user.has_perm(services.CHANGE_PERMISSION)
            and Household.objects.filter(
                pk=object_id, assessments__stage=Stage.PANEL_BOOKED
            ).exists()
        ):
            url = reverse("admin:carers_household_move_panel", args=[object_id])
            extra_context.setdefault("object_tools", []).append(("Move to another sitting", url))
        return super().change_view(request, object_id, form_url, extra_context)

    def panel_move_view(self, request, pk):
        household = get_object_or_404(Household, pk=pk)
        if not (
            self.has_view_permission(request, household)
            and request.user.has_perm(services.CHANGE_PERMISSION)
        ):
            raise PermissionDenied
        back = reverse("admin:carers_household_change", args=[pk])
        booked = list(
            household.assessments.filter(stage=Stage.PANEL_BOOKED)
            .select_related("panel")
            .order_by("track")
        )
        state = " ".join(
            f"The {a.get_track_display().lower()} track is booked for the {a.panel}."
            for a in booked
        )
        return form_page(
            request,
            admin_site=self.admin_site,
            opts=self.opts,
            media=self.media,
            form=PanelMoveForm(request.POST or None, household=household),
            title=f"Move to another sitting: {household}",
            crumbs=[(str(household), back)],
            back_url=back,
            intro="Every track booked for panel moves to the sitting you choose, together; "
            "the agency decision's deadline follows the new date.",
            state=state,
            blocked_by=[] if booked else ["No track of this household is booked for panel."],
            perform=lambda form: services.household_move_panel(
                household=household, by=request.user, **form.cleaned_data
            ),
            success=lambda moved: f"Booked for the {moved[0].panel}.",
            submit="Move the booking",
        )
