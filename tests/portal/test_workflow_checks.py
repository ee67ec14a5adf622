"""The engine's checks as the apps' services call them: open first, then guards."""

from types import SimpleNamespace

import pytest

from portal.workflow import Action, Refused, Table, Workflow


class Anyone:
    def has_perm(self, permission):
        return True


def guard(record, context):
    return [] if context == "ready" else ["Record the plan first."]


FLOW = Workflow(
    table=Table({"draft": ("sent",), "sent": ()}),
    audit_prefix="tests.letter",
    not_open=lambda action, record: f"{action.label}: the letter is {record.status}.",
    actions=[Action("send", "Send the letter", ("sent",), guards=(guard,))],
)


def test_an_action_not_open_is_refused_in_the_apps_words_before_any_guard():
    with pytest.raises(Refused) as refusal:
        FLOW.check_open(SimpleNamespace(status="sent"), "send", user=Anyone())
    assert refusal.value.messages == ["Send the letter: the letter is sent."]


def test_check_is_check_open_then_the_guards():
    letter = SimpleNamespace(status="draft")
    action = FLOW.check_open(letter, "send", user=Anyone())
    assert FLOW.guard_problems(action, letter, "not yet") == ["Record the plan first."]
    with pytest.raises(Refused) as refusal:
        FLOW.check(letter, "send", user=Anyone(), context="not yet")
    assert refusal.value.messages == ["Record the plan first."]
    assert FLOW.check(letter, "send", user=Anyone(), context="ready") is action


def test_one_action_is_offered_as_the_list_offers_it():
    letter = SimpleNamespace(status="draft")
    offered = FLOW.offered(letter, "send", user=Anyone(), context="not yet")
    listed = FLOW.actions_for(letter, user=Anyone(), context="not yet")[0]
    assert (offered.action, offered.blocked_by) == (listed.action, listed.blocked_by)
    assert FLOW.offered(SimpleNamespace(status="sent"), "send", user=Anyone()) is None
    assert FLOW.offered(letter, "no-such-action", user=Anyone()) is None
