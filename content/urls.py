from django.urls import path

from . import views

app_name = "content"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("accessibility/", views.AccessibilityView.as_view(), name="accessibility"),
    path("privacy/", views.PrivacyView.as_view(), name="privacy"),
]
