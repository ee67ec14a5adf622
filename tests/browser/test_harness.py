"""The checks themselves find what they are there to find, so a page that passes them
has passed something: a page with faint text, a link told apart by colour alone and a
box with no label."""

import pytest

from .harness import COLOUR_RULES, axe_check, htmlcs_check

pytestmark = pytest.mark.browser

FAULTY = """<!doctype html>
<html lang="en"><head><title>Faulty</title></head>
<body style="background: #ffffff; color: #000000">
<main>
  <h1>Faulty</h1>
  <p style="color: #bbbbbb">Faint text on white, 1.9 to 1.</p>
  <p>Text with <a href="#x" style="color: #333333; text-decoration: none">a link</a> in it.</p>
  <input type="text">
</main>
</body></html>"""


def test_axe_finds_every_fault_and_its_colour_rules_only_the_colour_ones(page):
    page.set_content(FAULTY)
    everything = {v["id"] for v in axe_check(page)}
    assert {"color-contrast", "link-in-text-block", "label"} <= everything
    colours = {v["id"] for v in axe_check(page, only_rules=COLOUR_RULES)}
    assert colours == {"color-contrast", "link-in-text-block"}


def test_html_codesniffer_finds_the_faint_text_and_the_box_with_no_label(page):
    page.set_content(FAULTY)
    codes = " ".join(error["code"] for error in htmlcs_check(page))
    assert "1_4_3" in codes  # contrast (G18)
    assert "H44" in codes or "4_1_2" in codes  # a control with no name
