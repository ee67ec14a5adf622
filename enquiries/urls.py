from django.urls import path

from . import views

app_name = "enquiries"

urlpatterns = [
    # Information events and bookings.
    path("events/", views.event_list, name="event_list"),
    path("events/<slug:slug>/", views.event_detail, name="event_detail"),
    path("bookings/<str:token>/", views.booking_manage, name="booking_manage"),
    path("bookings/<str:token>/booked/", views.booking_done, name="booking_done"),
    path("bookings/<str:token>/cancel/", views.booking_cancel, name="booking_cancel"),
    path("bookings/<str:token>/calendar.ics", views.booking_calendar, name="booking_calendar"),
]
