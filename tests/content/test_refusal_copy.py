"""The public page on the way to approval says what the portal does after panel: the
report shared first, a refusal proposed before it is final, the windows and the IRM."""

import pytest

pytestmark = pytest.mark.django_db


def test_the_approval_page_describes_the_report_the_proposal_and_the_review(client):
    html = client.get("/early-permanence/from-enquiry-to-approval/").content.decode()
    for words in (
        "<strong>10 working days</strong>, counting the day we send them",
        "is never final straight away",
        "40 working days, counting the day the letter is sent",
        "28 days from the date of the letter",
        "<strong>Independent Review Mechanism</strong>",
        "within 10 working days of hearing about your application",
        "go back to the fostering panel",
        "You can withdraw your application at any point",
    ):
        assert words in html, words
