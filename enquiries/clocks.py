"""The recruitment team's clocks on an enquiry, in working days (portal.calendar).

- first contact: within ENQUIRY_FIRST_CONTACT_WORKING_DAYS of the enquiry arriving;
- information pack: within ENQUIRY_INFORMATION_PACK_WORKING_DAYS of it arriving (the
  acknowledgement carries the pack, so an enquiry from the form starts with this stopped);
- Registration of Interest: chased if it has not arrived within
  ENQUIRY_ROI_CHASE_WORKING_DAYS of the initial visit;
- decision on a Registration of Interest: within ENQUIRY_ROI_DECISION_WORKING_DAYS of
  its receipt (the same policy the carers app holds households to).

A deadline is a date: the work is on time if done by the end of that day. A clock
stops when its stage is reached or the enquiry is converted or closed.
"""

from datetime import date, datetime, time

from django.conf import settings
from django.utils import timezone

from portal.calendar import add_working_days

from .models import Enquiry

Clock = Enquiry.Clock


def first_contact_due(received_on: date) -> date:
    return add_working_days(received_on, settings.ENQUIRY_FIRST_CONTACT_WORKING_DAYS)


def information_pack_due(received_on: date) -> date:
    return add_working_days(received_on, settings.ENQUIRY_INFORMATION_PACK_WORKING_DAYS)


def roi_chase_due(visit_done_on: date) -> date:
    return add_working_days(visit_done_on, settings.ENQUIRY_ROI_CHASE_WORKING_DAYS)


def roi_decision_due(roi_received_on: date) -> date:
    return add_working_days(roi_received_on, settings.ENQUIRY_ROI_DECISION_WORKING_DAYS)


def received_on(enquiry: Enquiry) -> date:
    return timezone.localdate(enquiry.received_at)


def open_clocks(enquiry: Enquiry) -> dict[str, date]:
    """Each running clock of the enquiry and its deadline, earliest first."""
    if enquiry.status not in Enquiry.OPEN_STATUSES:
        return {}
    clocks = {}
    arrived = received_on(enquiry)
    if enquiry.contacted_at is None:
        clocks[Clock.FIRST_CONTACT] = first_contact_due(arrived)
    if enquiry.information_pack_sent_at is None:
        clocks[Clock.INFORMATION_PACK] = information_pack_due(arrived)
    if enquiry.status == Enquiry.Status.INITIAL_VISIT_DONE and enquiry.initial_visit_done_at:
        clocks[Clock.ROI_CHASE] = roi_chase_due(timezone.localdate(enquiry.initial_visit_done_at))
    if enquiry.status == Enquiry.Status.ROI_RECEIVED and enquiry.roi_received_on:
        clocks[Clock.ROI_DECISION] = roi_decision_due(enquiry.roi_received_on)
    return dict(sorted(clocks.items(), key=lambda item: item[1]))


def next_deadline(enquiry: Enquiry) -> tuple[date | None, str]:
    """The earliest open deadline and its clock, or (None, "")."""
    for clock, deadline in open_clocks(enquiry).items():
        return deadline, clock
    return None, ""


def reminder_due_at(deadline: date) -> datetime:
    """A missed deadline is reminded on the next working day, at the team's reminder hour."""
    day = add_working_days(deadline, 1)
    return timezone.make_aware(
        datetime.combine(day, time(settings.ENQUIRY_REMINDER_HOUR)),
        timezone.get_default_timezone(),
    )
