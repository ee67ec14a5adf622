"""The placements app's classes of the retention schedule (``portal.retention``).

Children's records are casework kept under statute: the job computes when each is due
and lists it for a manager's review; it never deletes them.
"""

from django.db.models import Exists, OuterRef

from portal.calendar import add_months
from portal.retention import REVIEW, RetentionClass, years

from .models import Child, CourtOrder

# The Disclosure of Adoption Information (Post-Commencement Adoptions) Regulations 2005,
# reg 6: the information kept about a person's adoption (section 56 information, which
# includes the child's case record) is kept for at least 100 years from the date of the
# adoption order. (The Adoption Agencies Regulations 2005 reg 40 themselves say only
# "for such period as it considers appropriate".)
ADOPTION_RECORD_YEARS = 100
# The Care Planning, Placement and Case Review (England) Regulations 2010, reg 50: a
# looked-after child's case record is kept until the 75th anniversary of the child's
# birth or, if the child dies before 18, for 15 years from the death. No date of death
# is recorded here: a manager reviewing the list applies the second limb.
LOOKED_AFTER_RECORD_YEARS = 75


def _adoption_order(**filters):
    return Exists(
        CourtOrder.objects.filter(
            child=OuterRef("pk"), kind=CourtOrder.Kind.ADOPTION_ORDER, **filters
        )
    )


def adopted_due(today):
    """Adopted children whose adoption order is more than 100 years before ``today``."""
    cutoff = add_months(today, -12 * ADOPTION_RECORD_YEARS)
    return Child.objects.filter(_adoption_order(made_on__lt=cutoff)).order_by()


def looked_after_due(today):
    """Children not adopted who are 75 on or before ``today``."""
    born_by = add_months(today, -12 * LOOKED_AFTER_RECORD_YEARS)
    return Child.objects.filter(date_of_birth__lte=born_by).exclude(_adoption_order()).order_by()


CLASSES = (
    RetentionClass(
        key="placements.adopted",
        title="Adoption case records",
        covers="the record of an adopted child (court timeline, placement, reviews, "
        "family time and the communication book, birth relatives, documents, notes)",
        period=lambda: years(ADOPTION_RECORD_YEARS),
        runs_from="the adoption order",
        action=REVIEW,
        due=adopted_due,
        law="Disclosure of Adoption Information (Post-Commencement Adoptions) "
        "Regulations 2005 reg 6",
    ),
    RetentionClass(
        key="placements.looked_after",
        title="Children looked after who were not adopted",
        covers="the record of a child we cared for who was not adopted (returned home, "
        "placed with kin or otherwise)",
        period=lambda: "until the 75th birthday",
        runs_from="the child's birth (15 years from the death if the child died before 18)",
        action=REVIEW,
        due=looked_after_due,
        law="Care Planning, Placement and Case Review (England) Regulations 2010 reg 50",
    ),
)
