from django.urls import path

from .views import enquiries, events, registration

app_name = "enquiries"

urlpatterns = [
    # Information events and bookings.
    path("events/", events.event_list, name="event_list"),
    path("events/<slug:slug>/", events.event_detail, name="event_detail"),
    path(
        "events/<slug:slug>/check-your-email/",
        events.booking_check_email,
        name="booking_check_email",
    ),
    path("bookings/<str:token>/", events.booking_manage, name="booking_manage"),
    path("bookings/<str:token>/booked/", events.booking_done, name="booking_done"),
    path("bookings/<str:token>/change/", events.booking_change, name="booking_change"),
    path("bookings/<str:token>/cancel/", events.booking_cancel, name="booking_cancel"),
    path("bookings/<str:token>/calendar.ics", events.booking_calendar, name="booking_calendar"),
    # Enquiries: a few short steps, held in the session until the enquiry is sent.
    path("enquire/", enquiries.enquiry_start, name="enquiry_start"),
    path("enquire/check/", enquiries.enquiry_check, name="enquiry_check"),
    path("enquire/sent/", enquiries.enquiry_sent, name="enquiry_sent"),
    path("enquire/<slug:step>/", enquiries.enquiry_step, name="enquiry_step"),
    # The Registration of Interest, from the private link staff email after the visit.
    path(
        "register-interest/<str:token>/",
        registration.registration_form,
        name="registration_form",
    ),
]
