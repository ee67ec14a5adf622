"""The placement's court fields, the extensions' and hearings' placement and the free-text
placing authority, removed once ``0007`` moved what they held to the child."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("placements", "0007_child_at_the_centre_data"),
    ]

    operations = [
        migrations.RemoveField(
            model_name='child',
            name='placing_local_authority',
        ),
        migrations.RemoveField(
            model_name='hearing',
            name='placement',
        ),
        migrations.RemoveField(
            model_name='placement',
            name='case_number',
        ),
        migrations.RemoveField(
            model_name='placement',
            name='court',
        ),
        migrations.RemoveField(
            model_name='placement',
            name='proceedings_concluded_on',
        ),
        migrations.RemoveField(
            model_name='placement',
            name='proceedings_extended_to',
        ),
        migrations.RemoveField(
            model_name='placement',
            name='proceedings_issued_on',
        ),
        migrations.RemoveField(
            model_name='placement',
            name='proceedings_target_on',
        ),
        migrations.RemoveField(
            model_name='proceedingsextension',
            name='placement',
        ),
    ]
