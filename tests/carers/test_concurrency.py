"""Two staff press the same button at the same moment: the move happens once.

On PostgreSQL, with two threads released together. Each transition locks the household
and the assessment before checking the move, so the second sees the stage the first
left and is refused with a plain message; the timeline records one move.
"""

import threading

import pytest
from django.db import connection
from django.utils import timezone

from carers import services
from carers.models import Stage, StageChange
from tests.carers import factories as f

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_the_same_move_pressed_twice_at_once_happens_once(require_postgres, social_worker):
    household = f.household(social_worker)
    assessment = f.adoption(household)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def press():
        try:
            barrier.wait(timeout=60)
            services.assessment_accept_roi(
                assessment=assessment, on=timezone.localdate(), by=social_worker
            )
            outcomes.append("done")
        except services.TransitionRefused as refusal:
            outcomes.append(refusal.messages[0])
        finally:
            connection.close()

    threads = [threading.Thread(target=press) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes) == [
        "Accept the Registration of Interest is not possible: the adoption assessment is at "
        "“Registration of Interest accepted”.",
        "done",
    ]
    assessment.refresh_from_db()
    assert assessment.stage == Stage.ROI_ACCEPTED
    assert (
        StageChange.objects.filter(assessment=assessment, to_stage=Stage.ROI_ACCEPTED).count() == 1
    )
