"""Move what hung off a placement to its children, without losing a row.

- Each free-text placing local authority becomes a ``LocalAuthority`` (one per name).
- A placement's care proceedings (court, case number, dates) become a ``Proceedings``
  for the children of that placement, with the placement's extensions and hearings;
  court orders for those children made from the issue day on are linked to it.
- Each review, visit and family time arrangement or session of a placement becomes one
  row per child of the placement (brothers and sisters placed together each get their
  own), still saying which placement it was in.

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
        proceedings = Proceedings.objects.create(
            court=placement.court,
            case_number=placement.case_number,
            issued_on=placement.proceedings_issued_on,
            target_on=placement.proceedings_target_on,
            extended_to=placement.proceedings_extended_to,
            concluded_on=placement.proceedings_concluded_on,
            created_by_id=placement.created_by_id,
        )
        kids = children_of.get(placement.pk, [])
        proceedings.children.set(kids)
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


class Migration(migrations.Migration):
    dependencies = [
        ("placements", "0006_child_at_the_centre"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
