"""Panels as bodies: members of each sitting, its quorum, the minutes of each item, the
decision maker's independence from the panel, and panel papers for members.

Law and guidance:
- Quorum: ``carers.quorum`` (AAR 2005 reg 6; FS(E)R 2011 reg 24). A recommendation is
  recorded only for a quorate sitting: business conducted without a quorum is not the
  panel's.
- The decision maker: the agency decides after considering the panel's recommendation
  (AAR 2005 reg 30B; FS(E)R 2011 reg 27(1)); the statutory guidance and the national
  minimum standards ask for a decision maker who is senior, and is not a member of the
  panel that made the recommendation (Adoption NMS 2014 std 17; Fostering NMS 2011 std
  14); the decision within 7 working days of the final minutes
  (``CARERS_AGENCY_DECISION_WORKING_DAYS``).
- Panel papers: members who are not staff read them in the portal only, signed in with
  MFA, through a link that expires after the sitting; each page carries their name and
  each opening is audited. Papers are never sent by email.
"""

from dataclasses import dataclass
from datetime import date

from django.core import signing
from django.db import transaction
from django.utils import timezone

from portal import audit
from portal.formats import day
from portal.workflow import Refused, lock

from ..models import (
    Assessment,
    FosterCarerReview,
    Household,
    PanelAttendance,
    PanelMember,
    PanelMinutes,
    PanelSitting,
)
from ..quorum import not_quorate_to_recommend
from ..roles import DECISION_PERMISSIONS


def decision_permission(assessment: Assessment) -> str:
    """The permission of the agency decision maker for this track."""
    return DECISION_PERMISSIONS[assessment.track]


def decision_permission_refused(assessment: Assessment) -> str:
    return (
        f"Only the agency decision maker for {assessment.get_track_display().lower()} "
        "records this decision."
    )


# -- guards (``portal.workflow``: ``(assessment, context)`` -> messages) ---------------------


def guard_quorate(assessment: Assessment, context) -> list[str]:
    """A recommendation only from a quorate sitting."""
    if assessment.panel is None:
        return []
    return not_quorate_to_recommend(assessment.panel)


def guard_final_minutes(assessment: Assessment, context) -> list[str]:
    """The decision is made from the final minutes, on or after the day they came."""
    minutes = item_minutes(assessment=assessment)
    if minutes is None:
        return ["Record the final panel minutes first: the decision is made from them."]
    on = getattr(context, "on", None)
    if on is not None and on < minutes.received_on:
        return [
            f"The decision cannot come before the final minutes were received, on "
            f"{day(minutes.received_on)}."
        ]
    return []


def guard_not_on_the_panel(assessment: Assessment, context) -> list[str]:
    """The decision maker is not a member of the panel that made the recommendation.

    AAR 2005 reg 30B(3): "No member of the adoption panel may take part in any decision
    made by the adoption agency under paragraph (1)". A member put on the sitting is a
    member of the panel as constituted for it, whether present or not (apologies do not
    end membership), so every member of the sitting is refused; the same rule is applied
    to the fostering decision (Fostering NMS 2011 std 14)."""
    user = getattr(context, "user", None)
    if user is None or assessment.panel_id is None:
        return []
    if sat_on_the_panel(sitting_id=assessment.panel_id, user_id=user.pk):
        return [
            "The agency decision maker cannot be a member of the panel sitting that made "
            "the recommendation: you are a member of it. Another decision maker records it."
        ]
    return []


def sat_on_the_panel(*, sitting_id: int, user_id: int) -> bool:
    """Whether the staff account ``user_id`` belongs to a member put on the sitting,
    present or not (AAR 2005 reg 30B(3); see ``guard_not_on_the_panel``): every decision
    after a recommendation of that sitting (an approval, an adoption match) asks this."""
    return PanelAttendance.objects.filter(
        sitting_id=sitting_id, member__account_id=user_id
    ).exists()


def item_minutes(*, assessment: Assessment) -> PanelMinutes | None:
    if assessment.panel_id is None:
        return None
    return PanelMinutes.objects.filter(
        sitting_id=assessment.panel_id, assessment=assessment
    ).first()


# -- members of a sitting -------------------------------------------------------------------


# Other apps' recommendations made at a sitting (the adoption match, in placements):
# functions ``sitting -> str`` (why the attendance is frozen, or ''), registered in their
# AppConfig.ready, since carers never imports them.
_RECOMMENDATIONS_ELSEWHERE = []


def register_sitting_recommendations(find) -> None:
    if find not in _RECOMMENDATIONS_ELSEWHERE:
        _RECOMMENDATIONS_ELSEWHERE.append(find)


def sitting_attendance_frozen(*, sitting: PanelSitting) -> list[str]:
    """Why the members of ``sitting`` may no longer change, in words (empty: they may).

    Once a recommendation is recorded at the sitting (an assessment's, a first foster
    carer review's, or one registered by another app, such as an adoption match), the
    quorum was checked from who was present (``guard_quorate``); changing the attendance
    afterwards would change the quorum the recommendation rests on, so it is frozen. A
    query for each kind of recommendation; none for a sitting not yet saved (its members
    are chosen with it)."""
    if sitting.pk is None:
        return []
    recommended = (
        Assessment.objects.filter(panel=sitting)
        .exclude(panel_recommendation="")
        .select_related("household")
        .order_by("household__reference", "track")
        .first()
    )
    if recommended is not None:
        return [
            f"The members of this sitting can no longer change: the panel's recommendation "
            f"on {recommended.household} ({recommended.get_track_display().lower()}) was "
            "recorded from the quorum of those present."
        ]
    if FosterCarerReview.objects.filter(panel=sitting).exclude(panel_recommendation="").exists():
        return [
            "The members of this sitting can no longer change: the panel's recommendation "
            "on a foster carer review was recorded at it."
        ]
    for find in _RECOMMENDATIONS_ELSEWHERE:
        why = find(sitting)
        if why:
            return [f"The members of this sitting can no longer change: {why}"]
    return []


def panel_attendance_problems(*, attendance: PanelAttendance) -> list[str]:
    frozen = sitting_attendance_frozen(sitting=attendance.sitting)
    return frozen or panel_member_fit_problems(member=attendance.member, sitting=attendance.sitting)


def panel_member_fit_problems(*, member: PanelMember, sitting: PanelSitting) -> list[str]:
    """Whether ``member`` may sit on ``sitting`` at all (no query)."""
    problems = []
    if not member.is_active:
        problems.append(f"{member.name} is no longer on the central list.")
    if not member.sits_on(sitting.kind):
        problems.append(f"{member.name} does not sit on the {sitting.get_kind_display().lower()}.")
    return problems


def panel_attendance_save(*, attendance: PanelAttendance, by) -> PanelAttendance:
    """Put a member on a sitting (or record whether they were present), audited. The
    sitting is locked first, as recording a recommendation locks it: the freeze is read
    and the attendance written with no recommendation slipping in between."""
    with transaction.atomic():
        lock(attendance.sitting)
        problems = panel_attendance_problems(attendance=attendance)
        if problems:
            raise Refused(problems)
        created = attendance.pk is None
        attendance.save()
        audit.record(
            attendance.sitting,
            "carers.panel_sitting.member_added" if created else "carers.panel_sitting.attendance",
            by=by,
            changes={
                "member": [None, attendance.member.name],
                "present": [None, attendance.present],
            },
        )
    return attendance


def panel_attendance_remove(*, attendance: PanelAttendance, by) -> None:
    with transaction.atomic():
        lock(attendance.sitting)  # as in ``panel_attendance_save``
        problems = sitting_attendance_frozen(sitting=attendance.sitting)
        if problems:
            raise Refused(problems)
        audit.record(
            attendance.sitting,
            "carers.panel_sitting.member_removed",
            by=by,
            changes={"member": [attendance.member.name, None]},
        )
        attendance.delete()


# -- panel papers for members ---------------------------------------------------------------

PAPERS_SALT = "carers.panel-papers"


class PaperRefused(Refused):
    """A paper link that does not open, with the reason in words."""


@dataclass(frozen=True)
class PaperItem:
    """One household on the agenda of a sitting a member sits on, with the link to its paper."""

    household: Household
    token: str


@dataclass(frozen=True)
class MemberSitting:
    attendance: PanelAttendance
    items: list[PaperItem]


def panel_paper_token(*, attendance: PanelAttendance, household_pk: int) -> str:
    return signing.dumps({"a": attendance.pk, "h": household_pk}, salt=PAPERS_SALT)


def member_sittings(*, user, today: date | None = None) -> list[MemberSitting]:
    """The sittings from today on that ``user`` sits on, with a link to each household's
    paper (three queries, however many sittings and households)."""
    today = today or timezone.localdate()
    rows = list(
        PanelAttendance.objects.filter(
            member__account=user, member__is_active=True, sitting__sits_on__gte=today
        )
        .select_related("sitting", "member")
        .order_by("sitting__sits_on", "sitting__part", "sitting__kind", "id")
    )
    agenda: dict[int, dict[int, Household]] = {}
    for a in (
        Assessment.objects.filter(panel__in=[row.sitting_id for row in rows])
        .select_related("household")
        .order_by("household__reference", "track")
    ):
        agenda.setdefault(a.panel_id, {}).setdefault(a.household_id, a.household)
    return [
        MemberSitting(
            row,
            [
                PaperItem(household, panel_paper_token(attendance=row, household_pk=pk))
                for pk, household in agenda.get(row.sitting_id, {}).items()
            ],
        )
        for row in rows
    ]


def panel_paper_open(
    *, token: str, user, today: date | None = None
) -> tuple[Household, PanelMember]:
    """Check a member's paper link and audit the opening; refused in words when the link
    is not theirs, the sitting is over, or the household is no longer on its agenda."""
    today = today or timezone.localdate()
    try:
        data = signing.loads(token, salt=PAPERS_SALT)
    except signing.BadSignature:
        raise PaperRefused("This link to a panel paper is not valid.") from None
    attendance = (
        PanelAttendance.objects.select_related("member", "sitting").filter(pk=data["a"]).first()
    )
    if attendance is None:
        raise PaperRefused("You are no longer a member of that sitting.")
    member, sitting = attendance.member, attendance.sitting
    if member.account_id != user.pk or not member.is_active:
        raise PaperRefused("This link is for another panel member.")
    if today > sitting.sits_on:
        raise PaperRefused(f"This link expired after the sitting on {day(sitting.sits_on)}.")
    household = Household.objects.filter(pk=data["h"], assessments__panel=sitting).first()
    if household is None:
        raise PaperRefused("That household is no longer on the sitting's agenda.")
    audit.accessed(
        household,
        "carers.panel_paper.opened",
        by=user,
        sitting=sitting.pk,
        member=member.pk,
    )
    return household, member


def panel_member_save(*, member: PanelMember, by) -> PanelMember:
    """Add a person to the central list, or change their entry (the model's audit log
    records the change)."""
    member.save()
    return member
