"""Move what hung off a placement to its children, without losing a row.

- Each free-text placing local authority becomes a ``LocalAuthority`` (one per name).
- A placement's care proceedings (court, case number, dates) become a ``Proceedings``
  for the children of that placement, with the placement's extensions and hearings;
  court orders for those children made from the issue day on are linked to it.
- Each review, visit and family time arrangement or session of a placement becomes one
  row per child of the placement (brothers and sisters placed together each get their
  own), still saying which placement it was in. A child reviewed or visited on one day
  in two placements keeps one row (notes joined); a child with an open arrangement in an
  earlier placement has it end the day the next one starts.
- The same case (issue date, case number and court) recorded on several placements
  becomes one set of proceedings for all its children.

The stored deadlines are left as they are: ``manage.py placements_deadlines_refresh``
(run after ``migrate``, as the README says) recomputes them per child, withdrawing the
reminders of those that no longer apply.
"""

from django.db import migrations

NOT_RECORDED = "Not recorded"


def forwards(apps, schema_editor):
    Child = apps.get_model("placements", "Child")
    LocalAuthority = apps.get_model("placements", "LocalAuthority")
    Placement = apps.get_model("placements", "Placement")
    PlacementChild = apps.get_model("placements", "PlacementChild")
    Proceedings = apps.get_model("placements", "Proceedings")
    CourtOrder = apps.get_model("placements", "CourtOrder")

    names = {(n or "").strip() or NOT_RECORDED for n in Child.objects.values_list("placing_local_authority", flat=True)}
    authorities = {n: LocalAuthority.objects.get_or_create(name=n[:80])[0] for n in sorted(names)}
    for child in Child.objects.only("pk", "placing_local_authority").iterator():
        name = (child.placing_local_authority or "").strip() or NOT_RECORDED
        Child.objects.filter(pk=child.pk).update(placing_authority=authorities[name])

    children_of: dict[int, list[int]] = {}
    for placement_id, child_id in PlacementChild.objects.order_by("placement_id", "child_id").values_list(
        "placement_id", "child_id"
    ):
        children_of.setdefault(placement_id, []).append(child_id)

    # One set of proceedings per case: brothers and sisters placed apart, or a child who
    # moved placements, had the same case recorded on each placement.
    cases: dict[tuple, object] = {}
    for placement in Placement.objects.order_by("pk").iterator():
        has_court = (
            placement.proceedings_issued_on
            or placement.court
            or placement.case_number
            or placement.hearings.exists()
            or placement.proceedings_extensions.exists()
        )
        if not has_court:
            continue
        key = (placement.proceedings_issued_on, placement.case_number.strip(), placement.court)
        proceedings = cases.get(key) if key[0] and key[1] else None
        if proceedings is None:
            proceedings = Proceedings.objects.create(
                court=placement.court,
                case_number=placement.case_number,
                issued_on=placement.proceedings_issued_on,
                target_on=placement.proceedings_target_on,
                extended_to=placement.proceedings_extended_to,
                concluded_on=placement.proceedings_concluded_on,
                created_by_id=placement.created_by_id,
            )
            cases[key] = proceedings
        elif placement.proceedings_concluded_on and not proceedings.concluded_on:
            proceedings.concluded_on = placement.proceedings_concluded_on
            proceedings.save(update_fields=["concluded_on"])
        kids = children_of.get(placement.pk, [])
        proceedings.children.add(*kids)
        placement.hearings.update(proceedings=proceedings)
        placement.proceedings_extensions.update(proceedings=proceedings)
        orders = CourtOrder.objects.filter(placement=placement, child_id__in=kids)
        if placement.proceedings_issued_on:
            orders = orders.filter(made_on__gte=placement.proceedings_issued_on)
        orders.update(proceedings=proceedings)

    for model_name, date_field in (
        ("LookedAfterReview", "held_on"),
        ("SocialWorkerVisit", "visited_on"),
        ("FamilyTimeArrangement", "starts_on"),
        ("FamilyTimeSession", "held_on"),
    ):
        _spread(apps.get_model("placements", model_name), children_of)
    _one_a_day(apps.get_model("placements", "LookedAfterReview"), "held_on")
    _one_a_day(apps.get_model("placements", "SocialWorkerVisit"), "visited_on")
    _one_current_arrangement(apps.get_model("placements", "FamilyTimeArrangement"))


def _spread(model, children_of):
    """Give each row the first child of its placement, and a copy to each other child."""
    copies = []
    for row in model.objects.filter(child__isnull=True).order_by("pk").iterator():
        kids = children_of.get(row.placement_id, [])
        if not kids:
            raise RuntimeError(f"{model.__name__} {row.pk}: its placement has no child.")
        model.objects.filter(pk=row.pk).update(child_id=kids[0])
        for child_id in kids[1:]:
            copy = model.objects.get(pk=row.pk)
            copy.pk = None
            copy.id = None
            copy.child_id = child_id
            copies.append(copy)
    model.objects.bulk_create(copies)


def _one_a_day(model, date_field):
    """A child reviewed (or visited) on a moving day was recorded on both placements: keep
    one row, with the other's note added to it."""
    seen = {}
    for row in model.objects.order_by("child_id", date_field, "pk"):
        key = (row.child_id, getattr(row, date_field))
        kept = seen.get(key)
        if kept is None:
            seen[key] = row
            continue
        if row.note and row.note not in kept.note:
            kept.note = "; ".join(n for n in (kept.note, row.note) if n)[:500]
        if getattr(row, "seen_alone", False):
            kept.seen_alone = True
        kept.save()
        row.delete()


def _one_current_arrangement(model):
    """A child whose earlier placement left its family time arrangement open: it ends the
    day the next one starts."""
    open_rows = model.objects.filter(ends_on__isnull=True).order_by("child_id", "starts_on", "pk")
    by_child = {}
    for row in open_rows:
        by_child.setdefault(row.child_id, []).append(row)
    for rows in by_child.values():
        for older, newer in zip(rows, rows[1:], strict=False):
            older.ends_on = max(older.starts_on, newer.starts_on)
            older.save(update_fields=["ends_on"])


class Migration(migrations.Migration):
    dependencies = [
        ("placements", "0006_child_at_the_centre"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
