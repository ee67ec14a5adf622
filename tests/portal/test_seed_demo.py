import pytest
from django.core.management import call_command

from portal.models import Notification, User
from portal.roles import Role

pytestmark = pytest.mark.django_db


def test_seed_demo_creates_one_staff_member_per_role_and_is_idempotent(settings, capsys):
    settings.DEBUG = True
    call_command("seed_demo")
    call_command("seed_demo")
    staff = User.objects.filter(is_demo_account=True)
    assert staff.count() == len(Role.ALL)
    for role in Role.ALL:
        assert staff.filter(groups__name=role).count() == 1
    assert Notification.objects.filter(key__startswith="demo:staff-welcome:").count() == len(
        Role.ALL
    )
    assert "early-permanence-demo" in capsys.readouterr().out


def test_seed_demo_makes_no_staff_accounts_without_debug(settings):
    settings.DEBUG = False
    call_command("seed_demo")
    assert not User.objects.filter(is_demo_account=True).exists()
