"""Editors write Markdown; nothing unsafe in it may reach a page."""

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from content.markdown import render_markdown

UNSAFE = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    '<img src=x onerror="alert(1)">',
    '<a href="javascript:alert(1)">click</a>',
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](&#106;avascript:alert(1))",
    "[click](java\tscript:alert(1))",
    "[click](vbscript:msgbox(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    '<a href="/ok" onclick="alert(1)" onmouseover="alert(1)">hover</a>',
    '<p style="background:url(javascript:alert(1))">styled</p>',
    '<iframe src="https://evil.example/"></iframe>',
    '<svg onload="alert(1)"><circle r="1"/></svg>',
    '<form action="https://evil.example/"><input name="x"><button>Go</button></form>',
    '<object data="evil.swf"></object><embed src="evil.swf">',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<div class="govuk-button" id="skip" data-module="x">smuggled</div>',
    "<style>body{display:none}</style>",
    '<meta http-equiv="refresh" content="0;url=https://evil.example/">',
]


def _unsafe_bits(html: str) -> list[str]:
    found = []
    if re.search(
        r"<\s*(script|style|iframe|object|embed|svg|math|form|input|meta|img)\b", html, re.I
    ):
        found.append("tag")
    if re.search(r"\son\w+\s*=", html, re.I):
        found.append("event handler")
    if re.search(r"(javascript|vbscript|data):", html, re.I):
        found.append("script URL")
    if re.search(r"\s(style|id|data-[\w-]+)\s*=", html, re.I):
        found.append("attribute")
    return found


@pytest.mark.parametrize("markdown", UNSAFE)
def test_unsafe_html_never_survives(markdown):
    html = render_markdown(f"Before\n\n{markdown}\n\nAfter")
    assert _unsafe_bits(html) == [], html
    assert "Before" in html


def test_the_checks_above_can_fail():
    assert _unsafe_bits('<a href="javascript:x" onclick="y">') == ["event handler", "script URL"]


def test_markdown_becomes_govuk_html():
    html = render_markdown(
        "# Title in the body\n\nA [link](/faqs/) and **bold**.\n\n- one\n- two\n\n"
        "1. first\n\n## Section\n\n### Sub\n\n> quoted\n\n"
        "| a | b |\n|---|---|\n| 1 | 2 |\n"
    )
    assert "<h1" not in html, "the page title is the only h1"
    assert '<h2 class="govuk-heading-m">Title in the body</h2>' in html
    assert '<h2 class="govuk-heading-m">Section</h2>' in html
    assert '<h3 class="govuk-heading-s">Sub</h3>' in html
    assert '<a href="/faqs/" class="govuk-link">link</a>' in html
    assert '<ul class="govuk-list govuk-list--bullet">' in html
    assert '<ol class="govuk-list govuk-list--number">' in html
    assert '<blockquote class="govuk-inset-text">' in html
    assert '<table class="govuk-table">' in html
    assert '<td class="govuk-table__cell">1</td>' in html
    assert "<strong>bold</strong>" in html


def test_editors_cannot_set_their_own_classes():
    html = render_markdown('<p class="govuk-button evil">text</p>')
    assert html == '<p class="govuk-body">text</p>'


def test_safe_links_are_kept():
    html = render_markdown(
        "[a](https://www.gov.uk/) [b](mailto:hello@example.org) [c](tel:03001234567)"
    )
    for href in ("https://www.gov.uk/", "mailto:hello@example.org", "tel:03001234567"):
        assert f'href="{href}"' in html


def test_headings_can_start_lower_for_the_information_pack():
    html = render_markdown("## A\n\n### B\n\n#### C", top_heading=3)
    assert "<h3" in html and "<h4" in html and "<h5" in html and "<h2" not in html


def test_body_headings_never_skip_a_level():
    html = render_markdown(
        "#### Deep first\n\n## A\n\n#### Skipped one\n\n###### Two", top_heading=3
    )
    levels = [int(level) for level in re.findall(r"<h(\d)", html)]
    assert levels == [3, 3, 4, 5]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "<",
                ">",
                '"',
                "'",
                "=",
                " ",
                "on",
                "load",
                "click",
                "javascript",
                "script",
                ":",
                "(",
                ")",
                "[",
                "]",
                "a",
                "href",
                "img",
                "src",
                "&#",
                "x",
                "\n",
                "*",
                "#",
                "style",
                "svg",
                "/",
                "iframe",
                "data",
                "\t",
            ]
        ),
        max_size=60,
    ).map("".join)
)
def test_no_combination_of_risky_pieces_gets_through(text):
    html = render_markdown(text)
    assert not re.search(r"<\s*(script|iframe|svg|img|style)\b", html, re.I), html
    assert not re.search(r"\son\w+\s*=", html, re.I), html
    assert not re.search(r'href="\s*(javascript|data|vbscript)', html, re.I), html
