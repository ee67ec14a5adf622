"""Every clock on a carer household, worked out from its dates by ``portal.calendar``.

Agency policy numbers are read from settings when a clock is computed (never at
import). Statutory numbers are constants here, each with the rule it comes from.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.utils import timezone

from portal.calendar import add_months, add_weeks, add_working_days, add_years, is_working_day

from .models import (
    Assessment,
    Deadline,
    FosterCarerReview,
    Household,
    HouseholdMember,
    QualifyingDetermination,
    Stage,
    StatutoryCheck,
    TrainingCourse,
    TrainingRecord,
)

# Statutory: the agency decides whether the applicants are suitable to adopt within four
# months of their notice to proceed to Stage 2 (Adoption Agencies Regulations 2005,
# reg 30B), unless delayed at their request or in exceptional circumstances.
STAGE_2_DECISION_MONTHS = 4
# Statutory guidance: applicants may take up to six months between the Stage 1 decision
# and their notice to proceed; after that Stage 1 has to start again (Adoption Statutory
# Guidance, chapter 3).
MAX_PAUSE_MONTHS = 6
# Statutory: a foster carer's approval is reviewed within a year of approval and then at
# intervals of no more than a year (Fostering Services (England) Regulations 2011, reg 28).
FOSTER_REVIEW_MONTHS = 12
# Every adult (18 or over) in the household needs an enhanced DBS check.
ADULT_AGE_YEARS = 18
# Statutory: an adoption order may be made only on the application of people who have
# attained the age of 21 years (Adoption and Children Act 2002, s50(1) for a couple,
# s51(1) to (3) for one person; s50(2) lets a birth parent adopting with a partner be 18,
# which never arises in an agency placement). So the agency starts Stage 1 only for
# applicants who are 21 or over on that day.
ADOPTER_MINIMUM_AGE = 21


def roi_decision_due(received_on: date) -> date:
    return add_working_days(received_on, settings.ENQUIRY_ROI_DECISION_WORKING_DAYS)


def stage_1_due(accepted_on: date) -> date:
    return add_months(accepted_on, settings.CARERS_STAGE_ONE_MONTHS)


def stage_2_notice_due(stage_1_decision_on: date) -> date:
    return add_months(stage_1_decision_on, MAX_PAUSE_MONTHS)


def stage_2_decision_due(notice_to_proceed_on: date, extended_until: date | None = None) -> date:
    return extended_until or add_months(notice_to_proceed_on, STAGE_2_DECISION_MONTHS)


def form_f_panel_due(form_f_started_on: date) -> date:
    return add_months(form_f_started_on, settings.CARERS_FORM_F_TO_PANEL_MONTHS)


def approval_due(stage_1_started_on: date) -> date:
    return add_months(stage_1_started_on, settings.CARERS_APPROVAL_TARGET_MONTHS)


def agency_decision_due(minutes_received_on: date) -> date:
    """7 working days from receiving the final panel minutes (national minimum standards:
    Adoption NMS 2014 std 17, Fostering NMS 2011 std 14; policy, so a setting). Before the
    minutes come, the day the panel sat stands in for them: the earliest the clock can
    start."""
    return add_working_days(minutes_received_on, settings.CARERS_AGENCY_DECISION_WORKING_DAYS)


def _working_days_beginning_with(start: date, days: int) -> date:
    """The last of ``days`` working days counted *beginning with* ``start``: the start is
    day 1 when it is a working day; on a weekend or bank holiday the next working day is.
    (``add_working_days`` does not count its start day: one fewer when the start counts.)"""
    return add_working_days(start, days - (1 if is_working_day(start) else 0))


# Law: after a qualifying determination (the agency proposes not to approve), the
# applicants may make representations to the agency or ask the Independent Review
# Mechanism for a review.
# Adopters: Adoption Agencies Regulations 2005, reg 30B(5)(c): "within 40 working days
# beginning with the date on which the notification was sent". The day it is sent is the
# first of the 40 when it is a working day; sent on a weekend or bank holiday, the next
# working day is the first.
# Foster carers: Fostering Services (England) Regulations 2011, reg 27(6)(b): "within 28
# days of the date of the notice" (the notice's own day is not counted).
REPRESENTATIONS_WORKING_DAYS_ADOPTION = 40
REPRESENTATIONS_DAYS_FOSTERING = 28
# Law: once the Secretary of State (who runs the IRM) notifies the agency that the
# applicants applied for a review, the agency sends the reports, what it learnt since and
# the notice "to the Secretary of State within ten working days of receipt of the
# notification" (FS(E)R 2011 reg 29(1)-(2); the portal applies the same period to
# adopters' reviews). "Of receipt": the day of receipt is not counted.
IRM_DOCUMENTS_WORKING_DAYS = 10
# Law: before the case goes to panel, the applicants are given the assessment report and
# may send observations "within 10 working days, beginning with the date on which the
# notification was sent" (AAR 2005 reg 30(2)-(3) for the PAR); the report goes to panel at
# the end of those days, or earlier once the observations arrive. The portal applies the
# same 10 working days to the Form F (FS(E)R 2011 reg 26; agency practice).
REPORT_OBSERVATIONS_WORKING_DAYS = 10


def representations_due(notice_on: date, *, adoption: bool) -> date:
    """The last day for representations or an application for a review."""
    if adoption:
        return _working_days_beginning_with(notice_on, REPRESENTATIONS_WORKING_DAYS_ADOPTION)
    return notice_on + timedelta(days=REPRESENTATIONS_DAYS_FOSTERING)


def irm_documents_due(notified_on: date) -> date:
    return add_working_days(notified_on, IRM_DOCUMENTS_WORKING_DAYS)


def report_observations_due(shared_on: date) -> date:
    """The last day of the applicants' observations on the PAR or Form F."""
    return _working_days_beginning_with(shared_on, REPORT_OBSERVATIONS_WORKING_DAYS)


def final_decision_due(ready_on: date) -> date:
    """The final decision after a proposed refusal, from the day it may be made (policy:
    the decision maker's usual working days, ``CARERS_FINAL_DECISION_WORKING_DAYS``)."""
    return add_working_days(ready_on, settings.CARERS_FINAL_DECISION_WORKING_DAYS)


def final_decision_basis(
    determination: QualifyingDetermination, *, adoption: bool
) -> tuple[date | None, date | None]:
    """``(earliest, basis)``: the first day the final decision may be made after a proposed
    refusal, and the day its clock runs from; ``(None, None)`` while it must wait.

    The rules follow the window in AAR 2005 reg 30B (the paragraphs after (5A)) and
    FS(E)R 2011 reg 27 (the paragraphs after (6)):

    - An application to the IRM: only after its recommendation, which the decision takes
      into account with the panel's.
    - Representations: foster carers' go back to the fostering panel, whose fresh
      recommendation the decision takes into account; adopters' may be referred to the
      adoption panel, and if they were, the decision waits for its recommendation.
    - Neither: once the window has closed.
    """
    d = determination
    if d.irm_notified_on:
        received = d.irm_recommendation_received_on
        return (received, received) if d.irm_recommendation else (None, None)
    if d.representations_received_on:
        if d.panel_recommendation:
            return d.panel_reconsidered_on, d.panel_reconsidered_on
        if adoption and d.panel_reconsidered_on is None:
            return d.representations_received_on, d.representations_received_on
        return None, None
    last_day = representations_due(d.sent_on, adoption=adoption)
    return last_day + timedelta(days=1), last_day


def determination_of(assessment: Assessment) -> QualifyingDetermination | None:
    try:
        return assessment.determination
    except QualifyingDetermination.DoesNotExist:
        return None


def dbs_expires(received_on: date) -> date:
    return add_years(received_on, settings.CARERS_DBS_RENEWAL_YEARS)


def foster_review_due(approved_or_last_review_on: date) -> date:
    return add_months(approved_or_last_review_on, FOSTER_REVIEW_MONTHS)


# Statutory: the adoption agency reviews a prospective adopter's approval when it thinks it
# necessary, but otherwise not more than a year after approval and then at intervals of not
# more than a year, while no child is placed for adoption with them (Adoption Agencies
# Regulations 2005, reg 30D, in Part 4 as substituted by SI 2013/985, reg 5). An Early Permanence placement that
# is still fostering does not stop the clock: only a placement for adoption does.
ADOPTER_REVIEW_MONTHS = 12


def adopter_review_due(approved_or_last_review_on: date) -> date:
    return add_months(approved_or_last_review_on, ADOPTER_REVIEW_MONTHS)


def review_due(track: str, approved_or_last_review_on: date) -> date:
    """The next yearly review of the approval on ``track``."""
    if track == "adoption":
        return adopter_review_due(approved_or_last_review_on)
    return foster_review_due(approved_or_last_review_on)


def review_after_placement_due(ended_on: date) -> date:
    """Policy: a placement ended or an adoption order was made; review each approval."""
    return add_weeks(ended_on, settings.CARERS_REVIEW_AFTER_PLACEMENT_WEEKS)


# The fast track: approved foster carers, and people who have adopted before, go straight
# to Stage 2 and the four-month decision clock above runs from the day they notify the
# agency that they want to proceed (Adoption Agencies Regulations 2005, Part 4 as
# substituted by SI 2013/985; Adoption statutory guidance, chapter 3). The guidance offers
# it to adopters approved in England or Wales on or after 30 December 2005 (when the 2005
# regulations came into force) and to foster carers currently approved who were assessed
# under the Fostering Services (England) Regulations 2011 (in force 1 April 2011).
FAST_TRACK_ADOPTERS_APPROVED_FROM = date(2005, 12, 30)
FAST_TRACK_FOSTER_CARERS_APPROVED_FROM = date(2011, 4, 1)


def training_basis(course: TrainingCourse, household: Household, adoption: Assessment | None):
    """The date a course's clock runs from, or None while it has not happened."""
    DueFrom = TrainingCourse.DueFrom
    if course.due_from == DueFrom.STAGE_1_START:
        return adoption.stage_1_started_on if adoption else None
    if course.due_from == DueFrom.STAGE_2_START:
        return adoption.notice_to_proceed_on if adoption else None
    if course.due_from == DueFrom.ADOPTER_APPROVAL:
        return household.adopter_approved_on
    if course.due_from == DueFrom.FOSTER_APPROVAL:
        return household.foster_carer_approved_on
    return None


def training_due(course: TrainingCourse, basis: date | None) -> date | None:
    return add_months(basis, course.due_within_months) if basis else None


@dataclass(frozen=True)
class Clock:
    kind: str
    subject: str
    label: str
    due_on: date


@dataclass
class HouseholdFacts:
    """What the clocks are computed from, loaded in a fixed number of queries."""

    household: Household
    assessments: list[Assessment]
    members: list[HouseholdMember]
    checks: list[StatutoryCheck]
    training: list[TrainingRecord]
    open_reviews: list[FosterCarerReview]

    def track(self, track: str) -> Assessment | None:
        return next((a for a in self.assessments if a.track == track), None)


def household_clocks(facts: HouseholdFacts) -> list[Clock]:
    """The open clocks of a household: nothing for a closed one."""
    household = facts.household
    if household.status == Household.Status.CLOSED:
        return []
    clocks: list[Clock] = []
    for assessment in facts.assessments:
        clocks.extend(_assessment_clocks(assessment))
    clocks.extend(_approval_clock(facts))
    clocks.extend(_check_clocks(facts))
    clocks.extend(_member_clocks(facts))
    for record in facts.training:
        if record.completed_on is None and record.due_on is not None:
            clocks.append(
                Clock(
                    Deadline.Kind.TRAINING,
                    f"training:{record.pk}",
                    f"{record.course.name}: {record.applicant.full_name}",
                    record.due_on,
                )
            )
    clocks.extend(_review_clocks(facts))
    return clocks


def _review_clocks(facts: HouseholdFacts) -> list[Clock]:
    """The open review of each approval; the adopters' stops while a child is placed for
    adoption with them (reg 30D) and starts again when the placement ends."""
    clocks = []
    for review in facts.open_reviews:
        if review.track == "adoption":
            if facts.household.placed_for_adoption_since is not None:
                continue
            kind, label = Deadline.Kind.ADOPTER_REVIEW, "Adopter approval review (reg 30D)"
        else:
            kind, label = Deadline.Kind.FOSTER_REVIEW, "Foster carer review"
            if review.goes_to_panel:
                label += " (goes to panel)"
        if review.reason != FosterCarerReview.Reason.YEARLY:
            label += f": {review.get_reason_display().lower()}"
        clocks.append(Clock(kind, f"review:{review.pk}", label, review.due_on))
    return clocks


def _assessment_clocks(a: Assessment) -> list[Clock]:
    subject = f"assessment:{a.pk}"
    track = a.get_track_display()
    K = Deadline.Kind
    clocks = []
    if a.stage == Stage.ROI_RECEIVED and a.roi_received_on:
        clocks.append(
            Clock(
                K.ROI_DECISION,
                subject,
                "Decide on the Registration of Interest",
                roi_decision_due(a.roi_received_on),
            )
        )
    if a.stage in (Stage.ROI_ACCEPTED, Stage.STAGE_1) and a.roi_accepted_on:
        # From acceptance (Stage 1 normally starts that day); from the new start if Stage 1
        # has to start again after a long pause.
        started = max(a.roi_accepted_on, a.stage_1_started_on or a.roi_accepted_on)
        clocks.append(Clock(K.STAGE_1, subject, "Stage 1 decision (target)", stage_1_due(started)))
    if a.stage in (Stage.STAGE_1_COMPLETE, Stage.PAUSED) and a.stage_1_decision_on:
        clocks.append(
            Clock(
                K.STAGE_2_NOTICE,
                subject,
                "Notice to proceed to Stage 2 (end of the pause)",
                stage_2_notice_due(a.stage_1_decision_on),
            )
        )
    if (
        a.stage in (Stage.STAGE_2, Stage.PANEL_BOOKED, Stage.PANEL_RECOMMENDED)
        and a.notice_to_proceed_on
    ):
        clocks.append(
            Clock(
                K.STAGE_2_DECISION,
                subject,
                "Stage 2 decision (4 months, reg 30B)",
                stage_2_decision_due(a.notice_to_proceed_on, a.stage_2_extended_until),
            )
        )
    if a.stage == Stage.FORM_F and a.form_f_started_on:
        clocks.append(
            Clock(
                K.FORM_F_PANEL,
                subject,
                "Fostering assessment (Form F) to panel",
                form_f_panel_due(a.form_f_started_on),
            )
        )
    shared = a.report_shared_on
    if a.stage in (Stage.STAGE_2, Stage.FORM_F) and shared and not a.observations_received_on:
        clocks.append(
            Clock(
                K.REPORT_OBSERVATIONS,
                subject,
                f"Applicants' observations on the {track.lower()} report (then panel)",
                report_observations_due(shared),
            )
        )
    if a.stage == Stage.PROPOSED_REFUSAL:
        clocks.extend(_determination_clocks(a, subject))
    if a.stage in (Stage.PANEL_BOOKED, Stage.PANEL_RECOMMENDED) and a.panel_id:
        minutes_on = getattr(a, "minutes_received_on", None)
        label = f"Agency decision after {track.lower()} panel"
        clocks.append(
            Clock(
                K.AGENCY_DECISION,
                subject,
                f"{label} (from the final minutes)" if minutes_on else label,
                agency_decision_due(minutes_on or a.panel.sits_on),
            )
        )
    return clocks


def _determination_clocks(a: Assessment, subject: str) -> list[Clock]:
    d = determination_of(a)
    if d is None:
        return []
    K = Deadline.Kind
    adoption = a.track == "adoption"
    track = a.get_track_display().lower()
    clocks = []
    if not (d.representations_received_on or d.irm_notified_on):
        clocks.append(
            Clock(
                K.REPRESENTATIONS,
                subject,
                f"Last day for representations or a review ({track})",
                representations_due(d.sent_on, adoption=adoption),
            )
        )
    if d.irm_notified_on and d.irm_documents_sent_on is None:
        clocks.append(
            Clock(
                K.IRM_DOCUMENTS,
                subject,
                f"Documents to the independent review panel ({track})",
                irm_documents_due(d.irm_notified_on),
            )
        )
    _earliest, basis = final_decision_basis(d, adoption=adoption)
    if basis is not None:
        clocks.append(
            Clock(
                K.FINAL_DECISION,
                subject,
                f"Final decision after the proposed refusal ({track})",
                final_decision_due(basis),
            )
        )
    return clocks


def _approval_clock(facts: HouseholdFacts) -> list[Clock]:
    """The agency's overall approval target (policy), for the tracks the household pursues.

    A track never started (Fostering for Adoption carers approved as adopters, fostered only
    under a reg 25A approval, no fostering assessment) is not pursued: once every pursued
    track is decided, the target is met or closed, never left running.
    """
    adoption = facts.track("adoption")
    if adoption is None or adoption.stage_1_started_on is None:
        return []
    pursued = [a for a in facts.assessments if a.stage != Stage.NOT_STARTED]
    if not any(a.is_open for a in pursued):
        return []
    fostering = any(a.track == "fostering" for a in pursued)
    return [
        Clock(
            Deadline.Kind.APPROVAL,
            "household",
            "Approval as adopters and foster carers (target)"
            if fostering
            else "Approval as adopters (target)",
            approval_due(adoption.stage_1_started_on),
        )
    ]


def _check_clocks(facts: HouseholdFacts) -> list[Clock]:
    # Only the newest check of each kind for each person: a renewal replaces the old clock.
    latest: dict[tuple, StatutoryCheck] = {}
    for check in facts.checks:
        if check.expires_on is None:
            continue
        key = (check.kind, check.applicant_id, check.member_id)
        current = latest.get(key)
        if current is None or check.expires_on > current.expires_on:
            latest[key] = check
    return [
        Clock(
            Deadline.Kind.CHECK_EXPIRY,
            f"check:{check.pk}",
            f"{check.get_kind_display()} expires: {check.person or 'household'}",
            check.expires_on,
        )
        for check in latest.values()
    ]


def _member_clocks(facts: HouseholdFacts) -> list[Clock]:
    """A child who turns 18 while the household is open needs a DBS check by that day."""
    created_on = timezone.localdate(facts.household.created_at)
    with_dbs = {
        c.member_id
        for c in facts.checks
        if c.kind == StatutoryCheck.Kind.DBS and c.member_id and c.received_on
    }
    clocks = []
    for member in facts.members:
        turns_18 = add_years(member.date_of_birth, ADULT_AGE_YEARS)
        if turns_18 >= created_on and member.pk not in with_dbs:
            clocks.append(
                Clock(
                    Deadline.Kind.DBS_AT_18,
                    f"member:{member.pk}",
                    f"Enhanced DBS check: {member.full_name} turns 18",
                    turns_18,
                )
            )
    return clocks
