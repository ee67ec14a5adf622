"""The carers' own area, under ``/my/`` (``carers.views``)."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.journey, name="my_journey"),
    path("letters/", views.letters, name="my_letters"),
    path(
        "letters/matching-certificate/<int:pk>.pdf",
        views.matching_certificate,
        name="my_matching_certificate",
    ),
    path("support/", views.support, name="my_support"),
    path("family-time/", views.family_time, name="my_family_time"),
    path("family-time/<int:pk>/", views.family_time_report, name="my_family_time_report"),
    path("book/", views.book, name="my_book"),
    path("training/", views.training, name="my_training"),
    path("training/<int:pk>/book/", views.training_book, name="my_training_book"),
    path("training/<int:pk>/cancel/", views.training_cancel, name="my_training_cancel"),
    path("training/<int:pk>/invite/", views.training_invite, name="my_training_invite"),
    path("documents/", views.documents, name="my_documents"),
    path("documents/<int:pk>/", views.document_send, name="my_document_send"),
    path("two-step-sign-in/", views.two_step, name="my_two_step"),
    path("emails/", views.emails, name="my_emails"),
    path("forms/health-consent/", views.health_consent, name="my_health_consent"),
    path("forms/support-network/", views.support_network, name="my_support_network"),
]
