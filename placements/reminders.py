"""What the placements app has to say to social workers, as outbox rows.

Each clock of a child in a placement is a deadline row saying who holds the duty. Where
this agency holds it, the reminder goes to the agency's social worker for the child (or
the carers' social worker when none is named); where the placing authority holds it, the
row is a chase item for the carers' social worker. Each row stores the person reminded
(``worker``), so the digest counts it for them.

Placement deadlines plug into the portal's one deadline engine (``portal.deadlines``):
reminders a set number of working days before each falls due (policy), withdrawn when
it moves or is met, and one overdue digest per person each working-day morning across
every app. The emails say only that something on a placement is due, with a link: no
child, no family, no reference.
"""

from django.db.models import Q

from portal.deadlines import DeadlineSource

from .models import Placement, PlacementDeadline, Referral, ReferralDeadline

DEADLINES = DeadlineSource(
    model=PlacementDeadline,
    owner="placement",
    key=("kind", "child_id"),
    social_worker="worker",
    carried=("duty", "worker_id"),
    closed=Q(placement__status=Placement.Status.ENDED),
    settings_prefix="PLACEMENTS",
    reminder_template="placements/deadline_reminder",
    change_url="admin:placements_placement_change",
    digest_line="on the placements you support",
    digest_url="admin:placements_placement_changelist",
    digest_query="?overdue=yes",
)

# The clocks of a referral for matching (agency policy): they remind the family-finding
# social worker on the referral, or the team mailbox.
REFERRAL_DEADLINES = DeadlineSource(
    model=ReferralDeadline,
    owner="referral",
    key=("kind", "link_id"),
    social_worker="worker",
    carried=("worker_id",),
    closed=~Q(
        referral__status__in=(
            Referral.Status.OPEN,
            Referral.Status.LINKING,
            Referral.Status.MATCHED,
        )
    ),
    settings_prefix="MATCHING",
    reminder_template="placements/referral_reminder",
    change_url="admin:placements_referral_change",
    digest_line="on the referrals you are finding carers for",
    digest_url="admin:placements_referral_changelist",
)
