"""The accessibility checks every PDF the portal makes must pass, in one place.

    from tests.pdf_checks import assert_accessible_pdf
    assert_accessible_pdf(response.content, title="Panel paper: household EP00001")

Three independent readers look at the file:

- ``pdfinfo`` (poppler): the PDF says it is tagged, and carries the expected title;
- the ``pdfua`` package: the machine-checkable part of PDF/UA-1 (structure tree,
  MarkInfo, language, every piece of content tagged or an artifact, figures, tables,
  links, title shown, PDF/UA identification); every finding counts, warnings too;
- the structure tree itself (pypdf), for what ``pdfua`` does not check: every marked
  piece of content belongs to the tree (a running head that is marked but not in the
  tree is neither tagged nor an artifact), headings start at H1 and never skip a level
  and are never empty, every table header cell has a scope, and no tagged text is a
  run of leader dots that a screen reader would read out.
"""

import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, NumberObject

from tests.requirements import require

# pdfua 0.1.3 cannot evaluate UA-14-001 (empty headings) with pikepdf 10: the rule reads
# an attribute that pikepdf arrays refuse, so it reports itself skipped on every tagged
# PDF. The heading check below covers the same ground (no heading without content).
PDFUA_SKIPS_COVERED_HERE = {"UA-14-001"}

# Four or more dots in a row, with or without spaces: contents-page leaders.
LEADER_DOTS = re.compile(r"(?:\.\s*){4,}")


@dataclass(frozen=True)
class MarkedContent:
    page: int  # 1-based
    tag: str
    mcid: int | None
    text: str


def pdfinfo(path: Path) -> dict[str, str]:
    require(
        shutil.which("pdfinfo") is not None, "pdfinfo is missing: apt-get install poppler-utils"
    )
    out = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return {k.strip(): v.strip() for k, _, v in (line.partition(":") for line in out.splitlines())}


def pdfua_problems(path: Path) -> list[str]:
    from pdfua import validate

    report = validate(str(path))
    if not report.outcomes:
        return ["pdfua ran no rule"]
    problems = [
        f"pdfua {finding.rule_id} ({finding.severity.name.lower()}) "
        f"{finding.location.describe()}: {finding.message}"
        for finding in report.findings
    ]
    for outcome in report.outcomes:
        if outcome.skipped_reason and outcome.rule_id not in PDFUA_SKIPS_COVERED_HERE:
            problems.append(f"pdfua {outcome.rule_id} not evaluated: {outcome.skipped_reason}")
    return problems


def _elements(node, parent=None):
    """Structure elements in reading order, each with its parent: (element, parent)."""
    node = node.get_object() if hasattr(node, "get_object") else node
    if isinstance(node, ArrayObject):
        for kid in node:
            yield from _elements(kid, parent)
    elif isinstance(node, DictionaryObject) and "/S" in node:
        yield node, parent
        if "/K" in node:
            yield from _elements(node["/K"], node)


def _marked_content_ids(element, page_numbers, page=None) -> set[tuple[int, int]]:
    """The (page, MCID) pairs one structure element refers to directly."""
    page = page_numbers.get(element.raw_get("/Pg").idnum, page) if "/Pg" in element else page
    found = set()
    kids = element.get("/K")
    kids = kids.get_object() if hasattr(kids, "get_object") else kids
    for kid in kids if isinstance(kids, ArrayObject) else [kids]:
        kid = kid.get_object() if hasattr(kid, "get_object") else kid
        if isinstance(kid, NumberObject):
            found.add((page, int(kid)))
        elif isinstance(kid, DictionaryObject) and kid.get("/Type") == "/MCR":
            mcr_page = page_numbers.get(kid.raw_get("/Pg").idnum, page) if "/Pg" in kid else page
            found.add((mcr_page, int(kid["/MCID"])))
    return found


def marked_content(reader: PdfReader) -> list[MarkedContent]:
    """Every piece of text on every page, with the marked-content sequence it is in."""
    return [
        piece for number, page in enumerate(reader.pages, 1) for piece in _page_pieces(number, page)
    ]


def _page_pieces(number: int, page) -> list[MarkedContent]:
    stack: list[tuple[str, int | None]] = []  # open marked-content sequences: (tag, MCID)
    pieces: dict[tuple[str, int | None, int], list[str]] = {}
    opened = [0]  # sequences opened so far: keeps two unmarked runs apart

    def before(operator, args, *_):
        if operator in (b"BDC", b"BMC"):
            properties = args[1] if operator == b"BDC" and len(args) > 1 else {}
            mcid = properties.get("/MCID") if hasattr(properties, "get") else None
            stack.append((str(args[0]), None if mcid is None else int(mcid)))
            opened[0] += 1
        elif operator == b"EMC" and stack:
            stack.pop()

    def text(chars, *_):
        if not chars.strip():
            return
        if any(tag == "/Artifact" for tag, _ in stack):
            key = ("/Artifact", None, opened[0])
        elif stack:
            key = (*stack[-1], opened[0])
        else:
            key = ("(none)", None, opened[0])
        pieces.setdefault(key, []).append(chars)

    page.extract_text(visitor_operand_before=before, visitor_text=text)
    return [
        MarkedContent(page=number, tag=tag, mcid=mcid, text=" ".join("".join(parts).split()))
        for (tag, mcid, _), parts in pieces.items()
    ]


class Structure:
    """A tagged PDF's structure tree, with the text each element holds."""

    def __init__(self, data: bytes):
        reader = PdfReader(BytesIO(data))
        root = reader.trailer["/Root"]
        self.tagged = "/StructTreeRoot" in root
        pairs = list(_elements(root["/StructTreeRoot"].get("/K"))) if self.tagged else []
        self.elements = [element for element, _ in pairs]
        self.children: dict[int, list] = {}
        for element, parent in pairs:
            self.children.setdefault(id(parent), []).append(element)
        page_numbers = {page.indirect_reference.idnum: n for n, page in enumerate(reader.pages, 1)}
        self.content_ids = {
            id(element): _marked_content_ids(element, page_numbers) for element in self.elements
        }
        self.content = marked_content(reader)
        self.text_of = {
            (piece.page, piece.mcid): piece.text for piece in self.content if piece.mcid is not None
        }

    def text(self, element) -> str:
        parts = [self.text_of.get(key, "") for key in sorted(self.content_ids[id(element)])]
        parts += [self.text(kid) for kid in self.children.get(id(element), [])]
        return " ".join(part for part in parts if part)

    def table_header_scopes(self) -> list[tuple[str, str | None]]:
        """Each table header cell's text and its scope (``/Row``, ``/Column``, or None)."""
        scopes = []
        for element in self.elements:
            if element["/S"] == "/TH":
                attributes = element.get("/A")
                attributes = attributes.get_object() if attributes is not None else None
                listed = attributes if isinstance(attributes, ArrayObject) else [attributes]
                found = [
                    a["/Scope"] for a in listed if isinstance(a, DictionaryObject) and "/Scope" in a
                ]
                scopes.append((self.text(element), str(found[0]) if found else None))
        return scopes

    def problems(self) -> list[str]:
        if not self.tagged:
            return ["no structure tree"]
        if not self.content:
            return ["no text found on any page"]
        problems = []
        in_tree = set().union(*self.content_ids.values())
        for piece in self.content:
            if piece.tag == "(none)":
                problems.append(f"page {piece.page}: {piece.text!r} is not marked at all")
            elif piece.tag != "/Artifact" and (piece.page, piece.mcid) not in in_tree:
                problems.append(
                    f"page {piece.page}: {piece.text!r} is neither tagged (its {piece.tag} is "
                    "not in the structure tree) nor marked as an artifact"
                )
        # Leaders come as one marked piece per dot: look at each page's tagged text whole.
        for number in sorted({piece.page for piece in self.content}):
            read_out = " ".join(
                piece.text
                for piece in self.content
                if piece.page == number and piece.tag != "/Artifact"
            )
            for match in LEADER_DOTS.finditer(read_out):
                before = read_out[max(0, match.start() - 40) : match.start()]
                problems.append(f"page {number}: leader dots read as text after {before!r}")

        previous = 0
        for element in self.elements:
            match = re.fullmatch(r"/H([1-6])", element["/S"])
            if not match:
                continue
            level, words = int(match.group(1)), self.text(element)
            if not words:
                problems.append(f"empty heading H{level}")
            if level > previous + 1:
                after = f"after H{previous}" if previous else "as the first heading"
                problems.append(f"heading level skipped: H{level} {words!r} {after}")
            previous = level

        for header, scope in self.table_header_scopes():
            if scope is None:
                problems.append(f"table header {header!r} has no scope")
        return problems


def pdf_accessibility_problems(data: bytes, *, title: str, lang: str = "en-GB") -> list[str]:
    """Everything the three readers find wrong with a PDF; empty when it passes."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "checked.pdf"
        path.write_bytes(data)
        info = pdfinfo(path)
        problems = []
        if info.get("Tagged") != "yes":
            problems.append(f"pdfinfo: Tagged is {info.get('Tagged')!r}, not 'yes'")
        if info.get("Title") != title:
            problems.append(f"pdfinfo: Title is {info.get('Title')!r}, not {title!r}")
        problems += pdfua_problems(path)
    document_lang = PdfReader(BytesIO(data)).trailer["/Root"].get("/Lang")
    if document_lang != lang:
        problems.append(f"language is {document_lang!r}, not {lang!r}")
    return problems + Structure(data).problems()


def assert_accessible_pdf(data: bytes, *, title: str, lang: str = "en-GB") -> None:
    problems = pdf_accessibility_problems(data, title=title, lang=lang)
    assert not problems, f"{len(problems)} accessibility problems:\n" + "\n".join(problems)
