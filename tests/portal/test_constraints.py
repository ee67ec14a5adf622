"""``portal.constraints.dates_in_order`` builds the same constraint a model would spell out."""

from django.db import models
from django.db.models import F, Q

from portal.constraints import dates_in_order


def test_both_dates_may_be_empty_by_default():
    built = dates_in_order("ends_on", "starts_on", name="ends_after_start", message="No.")

    assert built == models.CheckConstraint(
        condition=Q(ends_on__isnull=True)
        | Q(starts_on__isnull=True)
        | Q(ends_on__gte=F("starts_on")),
        name="ends_after_start",
        violation_error_message="No.",
    )


def test_nullable_columns_are_tested_in_the_order_given():
    built = dates_in_order(
        "received_on",
        "requested_on",
        name="received_after",
        nullable=("requested_on", "received_on"),
    )

    assert built.condition.children == [
        ("requested_on__isnull", True),
        ("received_on__isnull", True),
        ("received_on__gte", F("requested_on")),
    ]
    assert built.condition.connector == Q.OR


def test_an_earlier_date_never_null_needs_no_test():
    built = dates_in_order(
        "outcome_on", "placed_on", name="outcome_after", nullable=("outcome_on",)
    )

    assert built == models.CheckConstraint(
        condition=Q(outcome_on__isnull=True) | Q(outcome_on__gte=F("placed_on")),
        name="outcome_after",
    )
    # Without a message the constraint keeps Django's default, so migrations leave it out.
    assert "violation_error_message" not in built.deconstruct()[2]
