"""The panel paper: a household's assessment timeline, checks and training, as a tagged PDF.

It names people and their checks, so it is rendered when asked for and never cached
(``portal.pdf.render_pdf(cache=False)``).
"""

from django.utils import timezone

from portal.pdf import render_pdf

from . import selectors
from .models import Household, StageChange


def panel_paper_context(*, household: Household, watermark: str = "") -> dict:
    facts = selectors.household_facts(household=household)
    return {
        "household": household,
        "social_worker": household.social_worker,
        "applicants": selectors.household_applicants(household=household),
        "members": facts.members,
        "assessments": facts.assessments,
        "checks": facts.checks,
        "training": facts.training,
        "documents": selectors.household_documents(household=household),
        "deadlines": list(household.deadlines.order_by("due_on", "id")),
        "changes": list(
            StageChange.objects.filter(assessment__household=household)
            .select_related("assessment", "recorded_by")
            .order_by("effective_on", "recorded_at", "id")
        ),
        "support_network": list(household.support_network.all()),
        "today": timezone.localdate(),
        # A panel member's copy carries their name at the foot of every page.
        "watermark": watermark,
    }


def panel_paper_pdf(*, household: Household, watermark: str = "") -> bytes:
    return render_pdf(
        template="carers/panel_paper.html",
        context=panel_paper_context(household=household, watermark=watermark),
        title=f"Panel paper: household {household.reference}",
        cache=False,
    )
