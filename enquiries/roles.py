"""What each staff role may do with events, bookings and enquiries (``portal.roles``).

The events team runs information events and their bookings, and nothing else. The
recruitment team works the enquiries; social workers and team managers may look, and
team managers may export them. Both record a withdrawal of consent to keep sensitive
details.
"""

from portal.roles import Role, grant, model_perms, view

EVENTS = [
    *model_perms("enquiries.informationevent", ("view", "add", "change")),
    *model_perms("enquiries.booking", ("view", "change")),
]
ENQUIRIES_VIEW = [
    *view("enquiries.enquiry"),
    *view("enquiries.enquirycontact"),
    *view("enquiries.enquirystatuschange"),
    *view("enquiries.enquirynote"),
]
ENQUIRIES_WORK = [
    *ENQUIRIES_VIEW,
    "enquiries.change_enquiry",
    "enquiries.add_enquirynote",
    "enquiries.export_enquiry",
]

# Recording that an enquirer withdrew their consent to keep the sensitive details they
# wrote (the details are cleared): the recruitment team and team managers.
WITHDRAW_CONSENT = "enquiries.withdraw_sensitive_consent"


def grant_roles() -> None:
    grant(Role.EVENTS_TEAM, EVENTS)
    grant(Role.RECRUITMENT_TEAM, [*ENQUIRIES_WORK, WITHDRAW_CONSENT])
    grant(Role.SOCIAL_WORKERS, ENQUIRIES_VIEW)
    grant(Role.TEAM_MANAGERS, [*ENQUIRIES_VIEW, "enquiries.export_enquiry", WITHDRAW_CONSENT])
