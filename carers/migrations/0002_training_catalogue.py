"""The agency's starting training catalogue (policy: team managers edit it in the admin)."""

from django.db import migrations

COURSES = [
    (
        "Adoption preparation training",
        "Preparation groups for prospective adopters.",
        "stage_1_start",
        2,
    ),
    (
        "Early Permanence training",
        "What fostering a child who may return home, and may stay, asks of carers.",
        "stage_1_start",
        4,
    ),
    (
        "Training, Support and Development Standards",
        "The TSD standards for foster carers: completed within 12 months of approval.",
        "foster_approval",
        12,
    ),
    (
        "Foster carer induction programme",
        "The agency's induction for newly approved foster carers, in the first year.",
        "foster_approval",
        12,
    ),
    (
        "Paediatric first aid (one day)",
        "A one-day course on first aid for babies and young children.",
        "foster_approval",
        12,
    ),
]


def add_courses(apps, schema_editor):
    TrainingCourse = apps.get_model("carers", "TrainingCourse")
    for name, description, due_from, months in COURSES:
        TrainingCourse.objects.get_or_create(
            name=name,
            defaults={
                "description": description,
                "due_from": due_from,
                "due_within_months": months,
                "is_mandatory": True,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("carers", "0001_initial")]

    operations = [migrations.RunPython(add_courses, migrations.RunPython.noop)]
