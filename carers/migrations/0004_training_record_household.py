import django.db.models.deletion
from django.db import migrations, models


def fill_household(apps, schema_editor):
    TrainingRecord = apps.get_model("carers", "TrainingRecord")
    for record in TrainingRecord.objects.select_related("applicant"):
        record.household_id = record.applicant.household_id
        record.save(update_fields=["household"])


class Migration(migrations.Migration):
    dependencies = [
        ("carers", "0003_training_complete_before"),
    ]

    operations = [
        migrations.AddField(
            model_name="trainingrecord",
            name="household",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="training",
                to="carers.household",
            ),
        ),
        migrations.RunPython(fill_household, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="trainingrecord",
            name="household",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="training",
                to="carers.household",
            ),
        ),
    ]
