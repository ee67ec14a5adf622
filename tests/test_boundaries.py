"""Imports between apps point one way (README, architecture): the core names no app, and
enquiries import neither carers nor placements. Read from the source, like a grep."""

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = ("carers", "placements", "enquiries", "content")

# The only places in the core that know every app: the wiring, and the two commands that
# write made-up data across the apps in order (the demo, and the large history of
# seed_scale; each app builds its own part in its demo.py or scale.py).
CORE_KNOWS_EVERY_APP = {
    Path("portal/urls.py"),
    Path("portal/settings.py"),
    Path("portal/management/commands/seed_demo.py"),
    Path("portal/management/commands/seed_scale.py"),
}
# Strings that read like an app's name but are not one (portal/uploads.py): the member
# of an OpenDocument file, and the code of an upload refused for what it contains.
NOT_AN_APP = {"content.xml", "content"}


def _sources(folder: str, skip=frozenset()):
    for path in sorted((ROOT / folder).rglob("*.py")):
        relative = path.relative_to(ROOT)
        if "migrations" in relative.parts or relative in skip:
            continue
        yield relative, ast.parse(path.read_text(), filename=str(relative))


def _imported(tree) -> list[str]:
    modules = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            modules.append(node.module)
    return modules


def _named(tree, apps) -> list[str]:
    """Strings naming an app: "carers.view_household", "carers/x.html", "admin:carers_..."."""
    naming = re.compile(rf"^(?:({'|'.join(apps)})(?:[./:]|$)|admin:({'|'.join(apps)})_)")
    return [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and naming.match(node.value)
        and node.value not in NOT_AN_APP
    ]


def test_the_core_imports_and_names_no_app():
    found = []
    for path, tree in _sources("portal", skip=CORE_KNOWS_EVERY_APP):
        found += [f"{path}: import {m}" for m in _imported(tree) if m.split(".")[0] in APPS]
        found += [f"{path}: {text!r}" for text in _named(tree, APPS)]
    assert found == [], "the app registers with the core instead:\n" + "\n".join(found)


def test_the_core_templates_name_no_app():
    core = [ROOT / "templates/admin/dashboard_panels.html", ROOT / "templates/admin/index.html"]
    core += sorted((ROOT / "templates/portal").rglob("*.html"))
    naming = re.compile(rf"{{% load ({'|'.join(APPS)})_|['\"]({'|'.join(APPS)})[/:]")
    found = [str(path.relative_to(ROOT)) for path in core if naming.search(path.read_text())]
    assert found == []


def test_enquiries_import_neither_carers_nor_placements():
    found = []
    for path, tree in _sources("enquiries"):
        found += [
            f"{path}: import {m}"
            for m in _imported(tree)
            if m.split(".")[0] in ("carers", "placements", "content")
        ]
        found += [f"{path}: {text!r}" for text in _named(tree, ("carers", "placements"))]
    assert found == [], "\n".join(found)


def test_the_checks_above_would_see_a_back_edge():
    tree = ast.parse(
        "from carers.models import Household\n"
        "import placements\n"
        "PERMS = ['carers.view_household']\n"
        "TEMPLATE = 'content/page.html'\n"
        "FILE = 'content.xml'\n"
        "URL = 'admin:placements_child_change'\n"
    )
    assert _imported(tree) == ["carers.models", "placements"]
    assert sorted(_named(tree, APPS)) == [
        "admin:placements_child_change",
        "carers.view_household",
        "content/page.html",
    ]
