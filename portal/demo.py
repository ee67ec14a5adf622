"""The demo staff accounts ``seed_demo`` creates on a development server, one per role.

Each app's demo (``<app>.demo.seed``) finds the staff it works as here, by role, so
the accounts are named in one place.
"""

from portal.roles import Role

# (email, first name, last name, role)
DEMO_STAFF = [
    ("events@oakway.example", "Esme", "Events", Role.EVENTS_TEAM),
    ("recruitment@oakway.example", "Rafi", "Recruitment", Role.RECRUITMENT_TEAM),
    ("social.worker@oakway.example", "Sam", "Social-Worker", Role.SOCIAL_WORKERS),
    ("manager@oakway.example", "Morgan", "Manager", Role.TEAM_MANAGERS),
    ("editor@oakway.example", "Edie", "Editor", Role.CONTENT_EDITORS),
    ("panel.member@oakway.example", "Pat", "Panel-Member", Role.PANEL_MEMBERS),
]
# A second social worker with a caseload of their own (two carer households and a child):
# each of the two sees only their own cases; a team manager can move Sam's caseload (or
# one case) to them.
DEMO_COLLEAGUES = [
    ("second.worker@oakway.example", "Riley", "Second-Worker", Role.SOCIAL_WORKERS),
]
# The team the demo manager manages, with both demo social workers in it.
DEMO_TEAM = "Family placement team"


def demo_colleague():
    """The second demo social worker, or None (only on a development server)."""
    from portal.models import User

    return User.objects.filter(email=DEMO_COLLEAGUES[0][0]).first()


def demo_email(role: str) -> str:
    """The email of the demo account for a role."""
    return next(email for email, _first, _last, each in DEMO_STAFF if each == role)


def demo_staff(*roles: str, stdout, missing: str) -> list | None:
    """The demo accounts for these roles, in that order; None, having written ``missing``,
    unless all of them exist (``seed_demo`` creates them only when ``DEBUG`` is on)."""
    from portal.models import User

    users = [User.objects.filter(email=demo_email(role)).first() for role in roles]
    if None in users:
        stdout.write(missing)
        return None
    return users
