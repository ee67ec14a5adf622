"""The life of an approval after the decision: its reviews, a variation of its terms, the
carers' resignation, and what a placement's course does to the review clocks.

Both approvals are reviewed (``FosterCarerReview``, one open row per approval):

- as foster carers, within a year of approval and then at intervals of not more than a
  year; the first review's report goes to the fostering panel; the foster parent's views
  and those of each authority that placed a child in the last year are sought
  (Fostering Services (England) Regulations 2011, reg 28);
- as adopters, within a year of approval and then yearly, while no child is placed for
  adoption with them; the prospective adopter's views are sought (Adoption Agencies
  Regulations 2005, reg 30D). ``Household.placed_for_adoption_since`` stops that clock.

A review ends with an outcome: continue, vary the terms (the new terms are recorded here,
with who agreed them and when), propose to terminate (the approval stands until the
qualifying determination that ends it), or the carers resign the approval. After any
placement ends, or an adoption order, each approval is reviewed within a policy number
of weeks (``CARERS_REVIEW_AFTER_PLACEMENT_WEEKS``); after an adoption order the review
asks the carers whether they continue or resign each approval.

``placements`` calls ``approvals_child_placed_for_adoption`` and
``approvals_placement_ended``: carers never imports placements.
"""

from datetime import date

from django.db import transaction

from portal import audit, dates
from portal.formats import day
from portal.workflow import lock

from .. import clocks
from ..models import AgesIn, Assessment, FosterCarerReview, Household, PanelSitting, Track
from ..quorum import not_quorate_to_recommend
from ..terms import terms_problems
from .households import _household_move
from .records import TransitionRefused, _lock_household, _not_in_future, deadlines_refresh

Outcome = FosterCarerReview.Outcome
Reason = FosterCarerReview.Reason
APPROVAL_FIELD = {
    Track.ADOPTION: "adopter_approved_on",
    Track.FOSTERING: "foster_carer_approved_on",
}


def review_open(
    household: Household,
    *,
    track: str,
    due_on: date,
    reason: str = Reason.YEARLY,
    goes_to_panel: bool = False,
) -> FosterCarerReview:
    """The approval's next review (any open one is replaced). Call with the household locked."""
    FosterCarerReview.objects.filter(
        household=household, track=track, completed_on__isnull=True
    ).delete()
    return FosterCarerReview.objects.create(
        household=household,
        track=track,
        due_on=due_on,
        reason=reason,
        goes_to_panel=goes_to_panel,
    )


def _terms_problems(terms: dict | None) -> list[str]:
    if not terms:
        return ["Give the new terms of approval: the age range and the number of children."]
    return terms_problems(
        age_from=terms.get("age_from"),
        age_to=terms.get("age_to"),
        number=terms.get("number"),
        ages_in=terms.get("ages_in", AgesIn.YEARS),
    )


def approval_review_complete(
    *,
    review: FosterCarerReview,
    on: date,
    by,
    outcome: str,
    carers_views: str = "",
    placing_authority_views: str = "",
    notes: str = "",
    panel: PanelSitting | None = None,
    panel_recommendation: str = "",
    terms: dict | None = None,
) -> FosterCarerReview | None:
    """Record a review of an approval and open the next (None when the approval ends).

    ``terms`` (``age_from``, ``age_to``, ``ages_in``, ``number``) are the new terms when
    the outcome varies them; ``by`` is who agreed the variation.
    """
    _not_in_future(on)
    carers_views = (carers_views or "").strip()
    with transaction.atomic():
        if panel is not None:
            # Before the household (lock order): its attendance may not change while the
            # recommendation rests on it (``panels.sitting_attendance_frozen``).
            panel = lock(panel)
        household = _lock_household(review.household_id)
        review = FosterCarerReview.objects.select_for_update().get(pk=review.pk)
        if review.completed_on is not None:
            raise TransitionRefused(["This review is already recorded."])
        track = review.track
        approved_on = getattr(household, APPROVAL_FIELD[track])
        if household.status != Household.Status.APPROVED or approved_on is None:
            raise TransitionRefused(["Only an approval in force is reviewed."])
        problems = _review_problems(
            review, household, on=on, outcome=outcome, carers_views=carers_views, terms=terms
        )
        problems += _panel_problems(
            review, on=on, outcome=outcome, panel=panel, recommendation=panel_recommendation
        )
        if problems:
            raise TransitionRefused(problems)
        changes = {"completed_on": [None, on], "outcome": ["", outcome]}
        review.completed_on, review.outcome = on, outcome
        review.carers_views = carers_views[:4000]
        review.placing_authority_views = (placing_authority_views or "").strip()[:4000]
        review.notes = (notes or "").strip()[:2000] or review.notes
        if review.goes_to_panel and outcome != Outcome.RESIGN:
            review.panel, review.panel_recommendation = panel, panel_recommendation
        with audit.silenced():
            review.save()
        audit.record(review, f"carers.approval_review.completed.{outcome}", by=by, changes=changes)
        next_review = None
        if outcome == Outcome.VARY:
            _terms_vary(household, track=track, terms=terms, on=on, by=by)
        if outcome == Outcome.RESIGN:
            _approval_resign(household, track=track, on=on, by=by)
        else:
            next_review = review_open(household, track=track, due_on=clocks.review_due(track, on))
        deadlines_refresh(household=household)
    return next_review


def _review_problems(review, household, *, on, outcome, carers_views, terms) -> list[str]:
    approved_on = getattr(household, APPROVAL_FIELD[review.track])
    last_review_on = (
        FosterCarerReview.objects.filter(
            household=household, track=review.track, completed_on__isnull=False
        )
        .order_by("-completed_on")
        .values_list("completed_on", flat=True)
        .first()
    )
    as_what = "adopters" if review.track == Track.ADOPTION else "foster carers"
    problems = dates.messages(
        dates.in_order(
            on,
            approved_on,
            label="The date of the review",
            earlier_label=f"the approval as {as_what}",
        )
        or dates.in_order(
            on, last_review_on, label="The date of the review", earlier_label="the last review"
        )
    )
    if outcome not in Outcome.values:
        problems.append("Choose the outcome of the review.")
    if not carers_views:
        # Both regulations: the agency seeks and takes into account the carers' views.
        problems.append(f"Record the views of the {as_what}.")
    if outcome == Outcome.VARY:
        problems += _terms_problems(terms)
    return problems


def _panel_problems(review, *, on, outcome, panel, recommendation) -> list[str]:
    """The first foster carer review goes to the fostering panel (reg 28); a resignation
    needs no recommendation."""
    if not review.goes_to_panel or outcome == Outcome.RESIGN:
        return []
    if panel is None:
        return ["The first foster carer review goes to the fostering panel: choose its sitting."]
    problems = []
    if not panel.hears(Track.FOSTERING):
        problems.append(f"{panel} does not hear foster carer reviews.")
    if panel.sits_on > on:
        problems.append(f"The panel sits on {day(panel.sits_on)}: record the review from that day.")
    if recommendation not in Outcome.values:
        problems.append("Record the panel's recommendation.")
    # A recommendation only from a quorate sitting, as for an assessment (``guard_quorate``).
    return problems + not_quorate_to_recommend(panel)


def _terms_vary(household: Household, *, track: str, terms: dict, on: date, by) -> None:
    approval = (
        Assessment.objects.select_for_update()
        .filter(household=household, track=track, agency_decision=Assessment.Decision.APPROVED)
        .first()
    )
    if approval is None:
        raise TransitionRefused(["No approval on this track to vary."])
    new = {
        "approved_age_from": terms["age_from"],
        "approved_age_to": terms["age_to"],
        "approved_ages_in": terms.get("ages_in", AgesIn.YEARS),
        "approved_number_of_children": terms["number"],
    }
    changes = {name: [getattr(approval, name), value] for name, value in new.items()}
    changes["agreed_on"] = [None, on]
    for name, value in new.items():
        setattr(approval, name, value)
    with audit.silenced():
        approval.save(update_fields=list(new))
    audit.record(approval, "carers.approval.terms_varied", by=by, changes=changes)


def _approval_resign(household: Household, *, track: str, on: date, by) -> None:
    """The carers resign one approval; with none left, the household closes."""
    field = APPROVAL_FIELD[track]
    other = APPROVAL_FIELD[Track.FOSTERING if track == Track.ADOPTION else Track.ADOPTION]
    if getattr(household, other) is None:
        _household_move(
            household,
            Household.Status.CLOSED,
            by=by,
            fields={
                field: None,
                "closed_on": on,
                "closed_reason": "The carers resigned their approval.",
            },
            what="closed",
        )
        FosterCarerReview.objects.filter(household=household, completed_on__isnull=True).delete()
        return
    changes = {field: [getattr(household, field), None]}
    setattr(household, field, None)
    with audit.silenced():
        household.save(update_fields=[field, "updated_at"])
    audit.record(household, f"carers.household.resigned_{track}", by=by, changes=changes)


# ---------------------------------------------------------------------------
# What a placement's course does to the reviews (called by placements)
# ---------------------------------------------------------------------------


def approvals_child_placed_for_adoption(*, household: Household, on: date, by=None) -> None:
    """A child is placed for adoption with the carers: the adopter review clock stops."""
    with transaction.atomic():
        household = _lock_household(household.pk)
        if household.placed_for_adoption_since is None:
            household.placed_for_adoption_since = on
            with audit.silenced():
                household.save(update_fields=["placed_for_adoption_since", "updated_at"])
            audit.record(
                household,
                "carers.household.child_placed_for_adoption",
                by=by,
                changes={"placed_for_adoption_since": [None, on]},
            )
        deadlines_refresh(household=household)


def approvals_placement_ended(
    *, household: Household, on: date, adopted: bool, still_placed_for_adoption: bool, by=None
) -> None:
    """A placement with the carers ended: each approval in force is reviewed within the
    policy weeks (sooner if its yearly review falls first); after an adoption order, that
    review asks whether the carers continue or resign it. The adopter review clock starts
    again unless another child is still placed for adoption with them."""
    reason = Reason.ADOPTION_ORDER if adopted else Reason.PLACEMENT_ENDED
    due = clocks.review_after_placement_due(on)
    with transaction.atomic():
        household = _lock_household(household.pk)
        if household.status != Household.Status.APPROVED:
            return
        cleared_now = (
            not still_placed_for_adoption and household.placed_for_adoption_since is not None
        )
        if cleared_now:
            changes = {"placed_for_adoption_since": [household.placed_for_adoption_since, None]}
            household.placed_for_adoption_since = None
            with audit.silenced():
                household.save(update_fields=["placed_for_adoption_since", "updated_at"])
            audit.record(
                household, "carers.household.no_child_placed_for_adoption", by=by, changes=changes
            )
        open_reviews = {
            r.track: r
            for r in FosterCarerReview.objects.select_for_update().filter(
                household=household, completed_on__isnull=True
            )
        }
        for track, field in APPROVAL_FIELD.items():
            if getattr(household, field) is None:
                continue
            current = open_reviews.get(track)
            # An adopter review stopped while the child was placed for adoption: its old
            # date no longer stands, the policy date does.
            keep_earlier = current is not None and (track == Track.FOSTERING or not cleared_now)
            if keep_earlier and current.due_on <= due and not adopted:
                continue
            review_open(
                household,
                track=track,
                due_on=min(due, current.due_on) if keep_earlier else due,
                reason=reason,
                goes_to_panel=bool(current and current.goes_to_panel),
            )
        deadlines_refresh(household=household)
