"""Extensions of the 26 weeks store the end date the court set, not a number of weeks.

Existing extensions keep the end the portal showed for them before (the 26-week date as
it was then worked out, plus the weeks of this extension and of those granted before it),
so no recorded period changes under anyone's feet; staff correct any that differ from
the court's order. The 26-week date itself becomes the last day of the 26 weeks beginning
with the issue day (Children Act 1989 s32(1)(a)(ii)), one day earlier than before.
"""

from datetime import timedelta

from django.db import migrations, models
from django.db.models import F, Q


def extension_ends_from_weeks(apps, schema_editor):
    Placement = apps.get_model("placements", "Placement")
    ProceedingsExtension = apps.get_model("placements", "ProceedingsExtension")
    for placement in Placement.objects.filter(proceedings_issued_on__isnull=False).iterator():
        old_target = placement.proceedings_issued_on + timedelta(weeks=26)
        weeks = 0
        latest = None
        for extension in ProceedingsExtension.objects.filter(placement=placement).order_by(
            "granted_on", "id"
        ):
            weeks += extension.weeks
            extension.ends_on = old_target + timedelta(weeks=weeks)
            extension.save(update_fields=["ends_on"])
            latest = extension.ends_on
        placement.proceedings_target_on = old_target - timedelta(days=1)
        placement.proceedings_extended_to = latest
        placement.save(update_fields=["proceedings_target_on", "proceedings_extended_to"])


def extension_weeks_from_ends(apps, schema_editor):
    Placement = apps.get_model("placements", "Placement")
    ProceedingsExtension = apps.get_model("placements", "ProceedingsExtension")
    for placement in Placement.objects.filter(proceedings_issued_on__isnull=False).iterator():
        previous = placement.proceedings_issued_on + timedelta(weeks=26)
        for extension in ProceedingsExtension.objects.filter(placement=placement).order_by(
            "granted_on", "id"
        ):
            extension.weeks = min(8, max(1, (extension.ends_on - previous).days // 7))
            extension.save(update_fields=["weeks"])
            previous = extension.ends_on
        placement.proceedings_target_on = placement.proceedings_issued_on + timedelta(weeks=26)
        placement.save(update_fields=["proceedings_target_on"])


class Migration(migrations.Migration):
    dependencies = [
        ("placements", "0002_constraint_messages"),
    ]

    operations = [
        migrations.AddField(
            model_name="proceedingsextension",
            name="ends_on",
            field=models.DateField(
                "extended to",
                null=True,
                help_text="The last day of the extended period, as the court set it.",
            ),
        ),
        migrations.AlterField(
            model_name="proceedingsextension",
            name="weeks",
            field=models.PositiveSmallIntegerField(null=True),
        ),
        migrations.RunPython(extension_ends_from_weeks, extension_weeks_from_ends),
        migrations.RemoveConstraint(
            model_name="proceedingsextension", name="extension_one_to_eight_weeks"
        ),
        migrations.RemoveField(model_name="proceedingsextension", name="weeks"),
        migrations.AlterField(
            model_name="proceedingsextension",
            name="ends_on",
            field=models.DateField(
                "extended to",
                help_text="The last day of the extended period, as the court set it.",
            ),
        ),
        migrations.AddConstraint(
            model_name="proceedingsextension",
            constraint=models.CheckConstraint(
                condition=Q(ends_on__gt=F("granted_on")),
                name="extension_ends_after_it_is_granted",
                violation_error_message="An extension ends after the day it is granted.",
            ),
        ),
        migrations.AlterField(
            model_name="placement",
            name="proceedings_target_on",
            field=models.DateField(
                "26-week date",
                null=True,
                blank=True,
                editable=False,
                help_text=(
                    "The last day of the 26 weeks beginning with the issue day (Children Act "
                    "1989 s32(1)(a)(ii))."
                ),
            ),
        ),
        migrations.AlterField(
            model_name="placement",
            name="proceedings_extended_to",
            field=models.DateField(
                "extended to",
                null=True,
                blank=True,
                editable=False,
                help_text="The end date of the latest extension the court granted.",
            ),
        ),
    ]
