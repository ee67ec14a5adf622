"""Public pages. Thin: they read through selectors and change things only through services."""

import mimetypes
from urllib.parse import urlencode

from django.conf import settings
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.views import View
from django.views.decorators.http import require_safe
from django.views.generic import TemplateView

from portal import retention
from portal.middleware import staff_mfa_satisfied
from portal.ratelimit import RateLimit

from . import eligibility, selectors, services
from .forms import FORMS


def can_preview(request, model: str) -> bool:
    """Editors see drafts on the public pages, marked as previews, once signed in with MFA."""
    user = request.user
    return staff_mfa_satisfied(user) and user.has_perm(f"content.view_{model}")


class HomeView(TemplateView):
    template_name = "content/home.html"

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "sections": selectors.navigation().sections,
            "events": selectors.upcoming_information_events(limit=3),
        }

    def render_to_response(self, context, **response_kwargs):
        response = super().render_to_response(context, **response_kwargs)
        if context["events"]:
            # The first event drops off the page when it starts.
            starts_in = context["events"][0].starts_at - timezone.now()
            response.public_cache_seconds = starts_in.total_seconds()
        return response


class AccessibilityView(TemplateView):
    template_name = "content/accessibility.html"


class PrivacyView(TemplateView):
    template_name = "content/privacy.html"

    def get_context_data(self, **kwargs):
        # How long each kind of record is kept: the rows the retention job applies.
        return super().get_context_data(**kwargs, retention_schedule=retention.schedule_rows())


class HubView(TemplateView):
    template_name = "content/hub.html"

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "sections": selectors.navigation().sections}


class PageView(TemplateView):
    template_name = "content/page.html"

    def get_context_data(self, **kwargs):
        preview = can_preview(self.request, "page")
        page = selectors.page_for_view(slug=kwargs["slug"], preview=preview)
        if page is None:
            raise Http404("No such page")
        nav = selectors.navigation()
        previous, following = nav.neighbours(page)
        return {
            **super().get_context_data(**kwargs),
            "page": page,
            "section": nav.section_for(page),
            "previous_page": previous,
            "next_page": following,
            "is_preview": not page.is_published
            or (page.parent is not None and not page.parent.is_published),
        }


class FAQsView(TemplateView):
    template_name = "content/faqs.html"

    def get_context_data(self, **kwargs):
        preview = can_preview(self.request, "faq")
        return {
            **super().get_context_data(**kwargs),
            "faq_groups": selectors.faqs_by_topic(include_drafts=preview),
        }


class StoriesView(TemplateView):
    template_name = "content/stories.html"

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "stories": selectors.stories_published()}


class StoryView(TemplateView):
    template_name = "content/story.html"

    def get_context_data(self, **kwargs):
        story = selectors.story_for_view(
            slug=kwargs["slug"], preview=can_preview(self.request, "story")
        )
        if story is None:
            raise Http404("No such story")
        return {**super().get_context_data(**kwargs), "story": story}


def story_image(request, slug):
    """Story images come through here: uploaded files are never served straight from disk."""
    story = selectors.story_for_view(slug=slug, preview=can_preview(request, "story"))
    if story is None or not story.image:
        raise Http404("No such image")
    try:
        handle = story.image.open("rb")
    except FileNotFoundError as exc:
        raise Http404("No such image") from exc
    content_type = mimetypes.guess_type(story.image.name)[0] or "application/octet-stream"
    response = FileResponse(handle, content_type=content_type)
    response["Cache-Control"] = "public, max-age=3600"
    return response


# -- the information pack ---------------------------------------------------------------


# The pack at its content-hashed address never changes, so a browser or proxy may keep it
# for a year without asking again; ``/information-pack.pdf`` is the stable link people
# share, and it redirects (uncached) to the current file, so a publish reaches everyone at
# once. The file is handed to the server's file layer as static files are (FileResponse
# gives gunicorn the open file, which it sends with sendfile), no Python reads it.
PACK_FILE_CACHE_CONTROL = "public, max-age=31536000, immutable"


@require_safe
def information_pack(request):
    """Where the current pack is: a redirect to its content-hashed address."""
    pack = services.information_pack_current()
    response = redirect("content:information_pack_file", digest=pack.digest)
    response["Cache-Control"] = "no-cache"
    return response


@require_safe
def information_pack_file(request, digest: str):
    """The pack as it was built for ``digest``; an address the cache has let go of (a
    pack older than a day, replaced since) sends the visitor on to the current one."""
    path = services.information_pack_file(digest)
    if path is None:
        return redirect("content:information_pack")
    etag = f'"{digest[:32]}"'
    not_modified = get_conditional_response(request, etag=etag)
    if not_modified is not None:
        not_modified["Cache-Control"] = PACK_FILE_CACHE_CONTROL
        return not_modified
    response = FileResponse(
        path.open("rb"), content_type="application/pdf", filename="information-pack.pdf"
    )
    response["ETag"] = etag
    response["Cache-Control"] = PACK_FILE_CACHE_CONTROL
    return response


# -- the eligibility checker ------------------------------------------------------------


def _eligibility_url(name: str, answers: dict, **kwargs) -> str:
    url = reverse(f"content:{name}", kwargs=kwargs or None)
    return f"{url}?{urlencode({'answers': eligibility.answers_dump(answers)})}" if answers else url


def _question_url(question, answers) -> str:
    return _eligibility_url("eligibility_question", answers, slug=question.slug)


class EligibilityStartView(TemplateView):
    template_name = "content/eligibility/start.html"

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "first_url": reverse(
                "content:eligibility_question", kwargs={"slug": eligibility.QUESTIONS[0].slug}
            ),
        }


class EligibilityQuestionView(View):
    """One question per page. Answers so far ride along in a signed token, never stored."""

    def dispatch(self, request, *args, **kwargs):
        self.question = eligibility.BY_SLUG.get(kwargs["slug"])
        if self.question is None:
            raise Http404("No such question")
        self.answers = eligibility.answers_load(request.GET.get("answers"))
        self.ask_area = selectors.served_areas_exist()
        if self.question.key == "area" and not self.ask_area:
            return redirect(self._next_url(self.answers))
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        missing = self._earlier_unanswered()
        if missing is not None:
            return redirect(_question_url(missing, self.answers))
        initial = {}
        if self.question.key in self.answers and self.question.key != "area":
            initial["answer"] = self.answers[self.question.key]
        form = FORMS[self.question.key](initial=initial)
        return self._render(form)

    def post(self, request, *args, **kwargs):
        limit = RateLimit("eligibility", settings.ELIGIBILITY_RATE_LIMIT_PER_MINUTE, 60)
        if not limit.hit(request):
            return render(request, "content/eligibility/too_many.html", status=429)
        missing = self._earlier_unanswered()
        if missing is not None:
            return redirect(_question_url(missing, self.answers))
        form = FORMS[self.question.key](request.POST)
        if form.is_valid():
            answers = {**self.answers, self.question.key: self._value(form)}
            was_complete = eligibility.is_complete(self.answers, ask_area=self.ask_area)
            if not was_complete and eligibility.is_complete(answers, ask_area=self.ask_area):
                services.eligibility_completion_record()
            return redirect(self._next_url(answers))
        if form.caught_spam:
            # Look as if it worked; count nothing.
            return redirect(_eligibility_url("eligibility_result", self.answers))
        return self._render(form)

    def _value(self, form) -> str:
        value = form.cleaned_data["answer"]
        if self.question.key != "area":
            return value
        area = selectors.served_area_for(value)
        return area.code if area else eligibility.AREA_OUTSIDE

    def _earlier_unanswered(self):
        first = eligibility.first_unanswered(self.answers, ask_area=self.ask_area)
        asked = eligibility.questions_to_ask(ask_area=self.ask_area)
        if first is not None and asked.index(first) < asked.index(self.question):
            return first
        return None

    def _next_url(self, answers) -> str:
        following = eligibility.first_unanswered(answers, ask_area=self.ask_area)
        if following is None:
            return _eligibility_url("eligibility_result", answers)
        return _question_url(following, answers)

    def _render(self, form):
        asked = eligibility.questions_to_ask(ask_area=self.ask_area)
        previous = eligibility.previous_question(self.question, ask_area=self.ask_area)
        back_url = (
            _question_url(previous, self.answers)
            if previous
            else reverse("content:eligibility_start")
        )
        return render(
            self.request,
            "content/eligibility/question.html",
            {
                "form": form,
                "question": self.question,
                "number": asked.index(self.question) + 1,
                "total": len(asked),
                "back_url": back_url,
            },
        )


def _policy() -> dict:
    months = settings.ELIGIBILITY_UK_RESIDENCE_MONTHS
    return {
        "min_age": settings.ELIGIBILITY_MIN_AGE,
        "residence": "a year" if months == 12 else f"{months} months",
        "at_home_min": settings.ELIGIBILITY_AT_HOME_MONTHS_MIN,
        "at_home_preferred": settings.ELIGIBILITY_AT_HOME_MONTHS_PREFERRED,
        "travel_time": settings.ELIGIBILITY_TRAVEL_TIME,
    }


class EligibilityResultView(View):
    def get(self, request):
        answers = eligibility.answers_load(request.GET.get("answers"))
        ask_area = selectors.served_areas_exist()
        missing = eligibility.first_unanswered(answers, ask_area=ask_area)
        if missing is not None:
            return redirect(_question_url(missing, answers))
        area_code = answers.get("area", eligibility.AREA_NOT_ASKED)
        area = None
        if area_code not in (eligibility.AREA_OUTSIDE, eligibility.AREA_NOT_ASKED):
            area = selectors.served_area_for(area_code)
        rows = [
            {
                "label": question.summary,
                "key": question.key,
                "value": answers[question.key],
                "change_url": _question_url(question, answers),
            }
            for question in eligibility.questions_to_ask(ask_area=ask_area)
        ]
        return render(
            request,
            "content/eligibility/result.html",
            {
                "answers": answers,
                "outcome": eligibility.outcome(answers),
                "rows": rows,
                "area": area,
                "restart_url": reverse("content:eligibility_start"),
                "policy": _policy(),
            },
        )
