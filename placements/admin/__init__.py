"""The staff area for children and their placements: social workers and team managers only.

Lists and inlines show a child's reference and initials, never the full name; the full
name is on the child's own page, and every opening of that page (and of a placement)
is written to the audit trail. Status is never an editable field: the placement page
shows the allowed moves as buttons, with what blocks them; each button opens a small
form that calls the service for that move.

Modules: ``children`` (children, sibling groups), ``approvals`` (reg 25A temporary
approvals), ``placements`` (the placement page, its buttons, letters and measures),
``documents`` (documents on a child), ``matching`` (referrals, linking, links, the EP
match), ``records`` (deadlines across every placement), ``family_time`` (family time
sessions and the communication book across every child; the child's own family time
section); ``filters`` and
``common`` hold what they share.
"""

from . import (  # noqa: F401 - each registers its models
    approvals,
    children,
    documents,
    family_time,
    matching,
    people,
    placements,
    proceedings,
    records,
)
