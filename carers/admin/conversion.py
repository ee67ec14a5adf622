"""Converting an enquiry: an action the carers app offers on the enquiries' admin."""

from django.contrib import admin, messages
from django.urls import reverse

from enquiries.admin.enquiries import register_enquiry_action
from enquiries.services.registration import registration_sent
from portal.staffpages import form_page

from .. import services
from ..forms import EnquiryConversionForm

# ---------------------------------------------------------------------------
# Converting an enquiry: an action offered on the enquiries' admin
# ---------------------------------------------------------------------------


def may_convert_enquiries(request) -> bool:
    """Only those who open households and run assessments convert an enquiry."""
    return request.user.has_perm("carers.add_household") and request.user.has_perm(
        "carers.change_assessment"
    )


# Offered only to those who may use it (``may_convert_enquiries``, registered below).
@admin.action(description="Convert to a carer household (accept the Registration of Interest)")
def convert_to_household(modeladmin, request, queryset):
    """Carers may read enquiries, never the other way round, so carers adds this action."""
    from enquiries.models import Enquiry

    if not may_convert_enquiries(request):
        modeladmin.message_user(
            request, "Only social workers and team managers convert enquiries.", messages.ERROR
        )
        return None
    chosen = list(queryset.order_by("pk")[:2])
    if len(chosen) != 1:
        modeladmin.message_user(request, "Choose one enquiry to convert.", messages.ERROR)
        return None
    enquiry = chosen[0]
    if enquiry.status != Enquiry.Status.ROI_RECEIVED:
        modeladmin.message_user(
            request,
            f"{enquiry} is at “{enquiry.get_status_display()}”: only an enquiry at "
            "“Registration of Interest received” can be converted.",
            messages.ERROR,
        )
        return None
    submitted = "convert" in request.POST
    form = EnquiryConversionForm(request.POST if submitted else None, enquiry=enquiry)

    change_url = reverse("admin:enquiries_enquiry_change", args=[enquiry.pk])
    partner = f" and {enquiry.partner_name}" if enquiry.partner_name else ""
    children = form.child_count
    listed = (
        f" The enquiry listed {children} child{'ren' if children != 1 else ''} living at "
        "home: each becomes a household member. Complete their details below."
        if children
        else ""
    )
    return form_page(
        request,
        admin_site=modeladmin.admin_site,
        opts=modeladmin.model._meta,
        title=f"Convert {enquiry} to a carer household",
        crumbs=[(str(enquiry), change_url)],
        back_url=change_url,
        form=form,
        perform=lambda form: services.household_create_from_enquiry(
            enquiry=enquiry, by=request.user, **form.service_kwargs()
        ),
        success=lambda household: (
            f"{enquiry} is now carer household {household.reference}; Stage 1 has started."
        ),
        success_url=lambda household: reverse("admin:carers_household_change", args=[household.pk]),
        submit="Create the household and start Stage 1",
        intro=f"The household is made from the enquiry ({enquiry.first_name} "
        f"{enquiry.last_name}{partner}), the Registration of Interest is accepted and Stage 1 "
        "starts. Add what the enquiry form does not ask."
        + (
            " The answers of the Registration of Interest the enquirers sent online are "
            "filled in: check them."
            if registration_sent(enquiry)
            else ""
        )
        + listed,
        submitted=submitted,
        hidden={
            "action": "convert_to_household",
            admin.helpers.ACTION_CHECKBOX_NAME: enquiry.pk,
            "convert": "yes",
        },
    )


register_enquiry_action(convert_to_household, allowed=may_convert_enquiries)
