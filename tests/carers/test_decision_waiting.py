"""The "waiting for an agency decision" email goes out only while the decision waits."""

import pytest
from django.core.management import call_command

from carers.models import Assessment, Stage
from portal.models import Notification
from tests.carers import factories as f

pytestmark = pytest.mark.django_db

WAITING = "carers/decision_waiting"


def test_a_decision_made_before_the_message_went_withdraws_it(social_worker, manager):
    household = f.household(social_worker)
    f.to_stage(household, Stage.PANEL_RECOMMENDED, social_worker, manager=manager)
    assert Notification.objects.pending().filter(template=WAITING, to=manager.email).count() == 1

    f.to_stage(household, Stage.APPROVED, social_worker, manager=manager)
    assert not Notification.objects.pending().filter(template=WAITING).exists()
    assert Notification.objects.filter(template=WAITING, withdrawn_at__isnull=False).count() == 1


def test_the_demo_history_leaves_no_waiting_message_for_decided_households(settings):
    settings.DEBUG = True
    call_command("seed_demo")
    waiting = Notification.objects.pending().filter(template=WAITING)
    still_waiting = Assessment.objects.filter(stage=Stage.PANEL_RECOMMENDED)
    # The demo has one household waiting for its decisions (both tracks), and only that.
    assert still_waiting.count() == 2
    assert waiting.count() == still_waiting.count()
    for assessment in still_waiting:
        assert waiting.filter(key__startswith=f"carers:decision-waiting:{assessment.pk}:").exists()
