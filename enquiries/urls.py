from django.urls import path

from . import enquiry_views, views

app_name = "enquiries"

urlpatterns = [
    # Information events and bookings.
    path("events/", views.event_list, name="event_list"),
    path("events/<slug:slug>/", views.event_detail, name="event_detail"),
    path(
        "events/<slug:slug>/check-your-email/",
        views.booking_check_email,
        name="booking_check_email",
    ),
    path("bookings/<str:token>/", views.booking_manage, name="booking_manage"),
    path("bookings/<str:token>/booked/", views.booking_done, name="booking_done"),
    path("bookings/<str:token>/change/", views.booking_change, name="booking_change"),
    path("bookings/<str:token>/cancel/", views.booking_cancel, name="booking_cancel"),
    path("bookings/<str:token>/calendar.ics", views.booking_calendar, name="booking_calendar"),
    # Enquiries: a few short steps, held in the session until the enquiry is sent.
    path("enquire/", enquiry_views.enquiry_start, name="enquiry_start"),
    path("enquire/check/", enquiry_views.enquiry_check, name="enquiry_check"),
    path("enquire/sent/", enquiry_views.enquiry_sent, name="enquiry_sent"),
    path("enquire/<slug:step>/", enquiry_views.enquiry_step, name="enquiry_step"),
]
