"""The eligibility checker's questions, its answers and what they add up to.

It explains, it never rejects: every answer leads to the result page, which says what
each answer means and what to do next. Answers are not stored anywhere. They travel
between the pages in a signed token in the URL, which holds only the answers themselves
(the postcode is reduced to the served area it falls in, or "outside"), so there is
nothing to delete and nothing that identifies anyone.
"""

import re
from dataclasses import dataclass

from django.core import signing

from portal.validators import postcode_parts

SALT = "content.eligibility"
TOKEN_MAX_AGE = 24 * 60 * 60

AREA_OUTSIDE = "outside"
AREA_NOT_ASKED = "not-asked"  # no served areas are set up, so the question is skipped
_AREA_CODE = re.compile(r"^[A-Z]{1,2}([0-9][0-9A-Z]?)?$")

ALLOWED_VALUES = {
    "age": {"yes", "no"},
    "residence": {"yes", "no"},
    "at_home": {"yes", "not-sure", "no"},
    "applying": {"alone", "partner"},
    "children": {"yes", "no"},
}


@dataclass(frozen=True)
class Question:
    key: str  # the answer's name in the token
    slug: str  # the page: /eligibility/<slug>/
    summary: str  # the row label on the result page


QUESTIONS = (
    Question("age", "age", "Aged 21 or over"),
    Question("residence", "living-in-the-uk", "Lived in the UK for a year"),
    Question("area", "postcode", "Where you live"),
    Question("at_home", "time-at-home", "Time at home"),
    Question("applying", "applying", "Applying"),
    Question("children", "children", "Children at home"),
)
BY_SLUG = {q.slug: q for q in QUESTIONS}


def _valid(key: str, value) -> bool:
    if not isinstance(value, str):
        return False
    if key == "area":
        return value in (AREA_OUTSIDE, AREA_NOT_ASKED) or bool(_AREA_CODE.match(value))
    return value in ALLOWED_VALUES.get(key, ())


def answers_load(token: str | None) -> dict[str, str]:
    """The answers in a token; an empty dict if it is missing, forged or too old."""
    if not token:
        return {}
    try:
        data = signing.loads(token, salt=SALT, max_age=TOKEN_MAX_AGE)
    except (signing.BadSignature, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {key: value for key, value in data.items() if _valid(key, value)}


def answers_dump(answers: dict[str, str]) -> str:
    return signing.dumps(answers, salt=SALT, compress=True)


def questions_to_ask(*, ask_area: bool) -> list[Question]:
    return [q for q in QUESTIONS if ask_area or q.key != "area"]


def first_unanswered(answers: dict[str, str], *, ask_area: bool) -> Question | None:
    return next((q for q in questions_to_ask(ask_area=ask_area) if q.key not in answers), None)


def previous_question(question: Question, *, ask_area: bool) -> Question | None:
    asked = questions_to_ask(ask_area=ask_area)
    index = asked.index(question) if question in asked else 0
    return asked[index - 1] if index > 0 else None


def is_complete(answers: dict[str, str], *, ask_area: bool) -> bool:
    return first_unanswered(answers, ask_area=ask_area) is None


def parse_outward_code(text: str) -> str | None:
    """The first half of a UK postcode ("LS6") from that or a whole postcode ("ls6 1aa")."""
    parts = postcode_parts(text)
    return parts[0] if parts else None


@dataclass(frozen=True)
class Outcome:
    """What the answers add up to. Nothing here is a refusal: ``to_discuss`` is a conversation."""

    meets_age: bool
    meets_residence: bool
    lives_in_area: bool | None  # None: we did not ask
    can_be_at_home: bool | None  # None: not sure yet

    @property
    def to_discuss(self) -> list[str]:
        topics = []
        if not self.meets_age:
            topics.append("age")
        if not self.meets_residence:
            topics.append("residence")
        if self.lives_in_area is False:
            topics.append("area")
        if self.can_be_at_home is not True:
            topics.append("at_home")
        return topics

    @property
    def all_clear(self) -> bool:
        return not self.to_discuss


def outcome(answers: dict[str, str]) -> Outcome:
    area = answers.get("area", AREA_NOT_ASKED)
    at_home = answers.get("at_home")
    return Outcome(
        meets_age=answers.get("age") == "yes",
        meets_residence=answers.get("residence") == "yes",
        lives_in_area=None if area == AREA_NOT_ASKED else area != AREA_OUTSIDE,
        can_be_at_home={"yes": True, "no": False}.get(at_home),
    )
