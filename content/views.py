from django.views.generic import TemplateView


class HomeView(TemplateView):
    template_name = "content/home.html"


class AccessibilityView(TemplateView):
    template_name = "content/accessibility.html"


class PrivacyView(TemplateView):
    template_name = "content/privacy.html"
