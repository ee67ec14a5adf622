from django.urls import path

from . import views
from .caching import cache_public_response as cached

app_name = "content"

urlpatterns = [
    path("", cached(views.HomeView.as_view(), with_events=True), name="home"),
    path("accessibility/", views.AccessibilityView.as_view(), name="accessibility"),
    path("privacy/", views.PrivacyView.as_view(), name="privacy"),
    path("early-permanence/", cached(views.HubView.as_view()), name="hub"),
    path("early-permanence/<slug:slug>/", cached(views.PageView.as_view()), name="page"),
    path("faqs/", cached(views.FAQsView.as_view()), name="faqs"),
    path("stories/", cached(views.StoriesView.as_view()), name="stories"),
    path("stories/<slug:slug>/", cached(views.StoryView.as_view()), name="story"),
    path("stories/<slug:slug>/image", views.story_image, name="story_image"),
    path("eligibility/", views.EligibilityStartView.as_view(), name="eligibility_start"),
    path("eligibility/result/", views.EligibilityResultView.as_view(), name="eligibility_result"),
    path(
        "eligibility/<slug:slug>/",
        views.EligibilityQuestionView.as_view(),
        name="eligibility_question",
    ),
    path("information-pack.pdf", views.information_pack, name="information_pack"),
    path(
        "information-pack/<str:digest>.pdf",
        views.information_pack_file,
        name="information_pack_file",
    ),
]
