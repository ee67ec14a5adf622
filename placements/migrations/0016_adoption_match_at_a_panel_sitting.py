import django.db.models.deletion
from django.db import migrations, models


def name_the_sittings(apps, schema_editor):
    """An adoption match recorded with only the panel's date is linked to the adoption
    (or joint) sitting of that day when there is exactly one; otherwise it keeps its date
    and no sitting, as it was recorded."""
    AdoptionMatch = apps.get_model("placements", "AdoptionMatch")
    PanelSitting = apps.get_model("carers", "PanelSitting")
    for match in AdoptionMatch.objects.filter(panel__isnull=True):
        sittings = list(
            PanelSitting.objects.filter(
                sits_on=match.panel_on, kind__in=["adoption", "joint"]
            )[:2]
        )
        if len(sittings) == 1:
            match.panel = sittings[0]
            match.save(update_fields=["panel"])


class Migration(migrations.Migration):
    dependencies = [
        ("carers", "0014_deadline_kinds_of_reviews_and_refusals"),
        ("placements", "0015_child_sealed_and_adoptive_name"),
    ]

    operations = [
        migrations.AddField(
            model_name="adoptionmatch",
            name="panel",
            field=models.ForeignKey(
                limit_choices_to={"kind__in": ["adoption", "joint"]},
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="adoption_matches",
                to="carers.panelsitting",
                verbose_name="adoption panel sitting",
            ),
        ),
        migrations.AlterField(
            model_name="adoptionmatch",
            name="panel_on",
            field=models.DateField(editable=False, verbose_name="adoption panel sat on"),
        ),
        migrations.RunPython(name_the_sittings, migrations.RunPython.noop),
    ]
