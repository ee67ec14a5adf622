"""Letters in Chromium: a team manager edits a template (with a refused merge field), a social
worker opens a household's letters and produces one. Each page state passes axe and
HTML_CodeSniffer, at 1280 and 320 CSS px."""

import pytest

from carers.models import Stage
from portal.models import Letter, LetterTemplate
from portal.roles import Role
from tests.carers import factories as f

from .harness import axe_check, htmlcs_check, page_problems
from .test_carers_journey import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = (1280, 320)
# Django's admin names each fieldset of a change form by its h2 (aria-labelledby), which
# HTML_CodeSniffer still reports as a fieldset without a legend (H71); axe, which reads the
# accessible name, finds nothing. Only on the admin's own change form.
ADMIN_FIELDSET = "H71.NoLegend"


def accessible(page, what: str, *, admin_form: bool = False) -> None:
    """No failed request or console error (CSP) since the last check, then axe and HTMLCS,
    whose own probing adds console noise that the next check leaves out."""
    problems = page_problems(page)
    new = problems[getattr(page, "_problems_checked", 0) :]
    assert not new, (what, new)
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        violations = axe_check(page, context="#content-main")
        assert not violations, (what, width, violations)
        errors = htmlcs_check(page, context="#content-main")
        if admin_form:
            errors = [error for error in errors if ADMIN_FIELDSET not in str(error)]
        assert not errors, (what, width, errors)
    page.set_viewport_size({"width": 1280, "height": 900})
    page._problems_checked = len(page_problems(page))


def test_a_template_is_edited_and_a_letter_produced_in_the_browser(page, live_server, make_staff):
    manager = make_staff(Role.TEAM_MANAGERS, first_name="Morgan", last_name="Manager")
    worker = make_staff(Role.SOCIAL_WORKERS, first_name="Sam", last_name="Worker")
    f.ensure_training_catalogue()
    household = f.household(worker)
    f.to_stage(household, Stage.APPROVED, worker, manager=manager)
    template = LetterTemplate.objects.get(kind="carers.approval")

    sign_in(page, live_server, manager)
    page.goto(f"{live_server.url}/admin/portal/lettertemplate/{template.pk}/change/")
    assert "{approved_number_of_children}" in page.locator("#content-main").inner_text()
    accessible(page, "template page", admin_form=True)

    body = page.locator("textarea[name=body]")
    words = body.input_value()
    body.fill(words + "\n\nAbout {child_name}.")
    page.locator("input[name=_save]").click()
    page.wait_for_load_state()
    assert "“{child_name}” is not a merge field" in page.locator("#content-main").inner_text()
    accessible(page, "template page with an error", admin_form=True)

    page.locator("textarea[name=body]").fill(words.replace("delighted", "very pleased"))
    page.locator("input[name=_save]").click()
    page.wait_for_load_state()
    template.refresh_from_db()
    assert template.version == 2 and "very pleased" in template.body

    sign_in(page, live_server, worker)
    page.goto(f"{live_server.url}/admin/carers/household/{household.pk}/letters/")
    accessible(page, "letters page")
    page.locator("tr", has_text="Approval, with its terms").first.get_by_role(
        "link", name="Produce"
    ).click()
    page.wait_for_load_state()
    accessible(page, "produce page")
    page.locator("input[type=submit].default").click()
    page.wait_for_load_state()
    assert "is produced" in page.locator(".messagelist").inner_text()
    accessible(page, "letters page with a letter sent")
    assert Letter.objects.get().version.number == 2
