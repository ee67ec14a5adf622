"""What the placements app has to say to the carers' social worker, as outbox rows.

Placement deadlines plug into the portal's one deadline engine (``portal.deadlines``):
reminders a set number of working days before each falls due (policy), withdrawn when
it moves or is met, and one overdue digest per person each working-day morning across
every app. The emails say only that something on a placement is due, with a link: no
child, no family, no reference.
"""

from django.db.models import Q

from portal.deadlines import DeadlineSource

from .models import Placement, PlacementDeadline

DEADLINES = DeadlineSource(
    model=PlacementDeadline,
    owner="placement",
    key=("kind",),
    social_worker="placement__household__social_worker",
    closed=Q(placement__status=Placement.Status.ENDED),
    settings_prefix="PLACEMENTS",
    reminder_template="placements/deadline_reminder",
    change_url="admin:placements_placement_change",
    digest_line="on the placements you support",
    digest_url="admin:placements_placement_changelist",
    digest_query="?overdue=yes",
)
