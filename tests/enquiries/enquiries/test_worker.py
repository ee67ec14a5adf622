"""End to end: a sent enquiry, a real worker on Redis, the pack built by the worker, SMTP.

The newcomer's acknowledgement arrives with their own information pack (a PDF with their
name in it) and the team's notice arrives with nothing about them.
"""

import io

import pytest
from django.conf import settings as django_settings
from pypdf import PdfReader

from tests.portal.test_worker import worker  # noqa: F401 - the worker process fixture

from .test_forms import STEP_DATA, SUBMIT_DATA, answer_steps

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.redis, pytest.mark.postgres]


def test_a_worker_sends_the_acknowledgement_with_the_newcomers_own_pack(
    worker,  # noqa: F811 - the fixture imported above
    smtp_sink,
    client,
    celery_broker,
):
    with celery_broker(django_settings.REDIS_URL):
        answer_steps(
            client,
            **{"about-you": {**STEP_DATA["about-you"], "first_name": "Philippa"}},
        )
        response = client.post("/enquire/check/", SUBMIT_DATA)
    assert response.status_code == 302

    received = smtp_sink.wait_for(lambda m: len(smtp_sink.messages) >= 2, timeout=90)
    by_recipient = {str(m["To"]): m for m in received}
    acknowledgement = by_recipient["jo.bloggs@example.com"]
    assert acknowledgement["Subject"].startswith("Thank you for your enquiry (EQ")
    [pdf] = list(acknowledgement.iter_attachments())
    assert pdf.get_filename() == "information-pack.pdf"
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.get_content())).pages)
    assert "Philippa" in text

    notice = by_recipient[django_settings.RECRUITMENT_TEAM_EMAIL]
    assert notice["Subject"].startswith("New enquiry: EQ")
    body = notice.get_body(preferencelist=("plain",)).get_content()
    for personal in ("Philippa", "Bloggs", "jo.bloggs", "01632", "OK1"):
        assert personal not in body
