import pytest
from allauth.mfa.models import Authenticator
from django.core.management import call_command
from django.utils import timezone

from carers.models import PanelAttendance, PanelSitting
from portal.demo import DEMO_COLLEAGUES
from portal.models import Notification, User
from portal.roles import Role

pytestmark = pytest.mark.django_db


def test_seed_demo_creates_one_staff_member_per_role_and_is_idempotent(settings, capsys):
    settings.DEBUG = True
    call_command("seed_demo")
    call_command("seed_demo")
    staff = User.objects.filter(is_demo_account=True)
    # One per role, and a second social worker to move a caseload to.
    assert staff.count() == len(Role.ALL) + len(DEMO_COLLEAGUES) == 7
    for role in Role.ALL:
        expected = 2 if role == Role.SOCIAL_WORKERS else 1
        assert staff.filter(groups__name=role).count() == expected, role
    # The second worker has a caseload of their own (portal.access: each sees theirs).
    assert staff.filter(
        email="second.worker@oakway.example", carer_households__isnull=False
    ).exists()
    assert Notification.objects.filter(key__startswith="demo:staff-welcome:").count() == 7
    assert "early-permanence-demo" in capsys.readouterr().out
    # The demo panel member signs in with a code, sits on the demo sittings, and reads their
    # papers; the demo decision maker sat on none of them.
    pat = staff.get(email="panel.member@oakway.example")
    assert Authenticator.objects.filter(user=pat, type=Authenticator.Type.TOTP).exists()
    assert (
        pat.panel_member.attendance.filter(sitting__sits_on__gte=timezone.localdate()).count() >= 5
    )
    assert not PanelAttendance.objects.filter(member__account__email="manager@oakway.example")
    assert (
        PanelSitting.objects.filter(kind="adoption", part__in=["morning", "afternoon"]).count() == 2
    )


def test_seed_demo_makes_no_staff_accounts_without_debug(settings):
    settings.DEBUG = False
    call_command("seed_demo")
    assert not User.objects.filter(is_demo_account=True).exists()
