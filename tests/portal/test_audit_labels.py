"""Audit labels carry references and initials, never names (portal/audit.py ``label``)."""

import importlib
from datetime import date

import pytest
from auditlog.models import LogEntry
from django.apps import apps
from django.core.management import call_command

from portal import audit
from portal.models import User

pytestmark = pytest.mark.django_db

# The fields of a registered record that can name a person (or, for a document, say
# whose it is): none of their values may appear in a label.
NAME_FIELDS = ("first_name", "last_name", "name", "title", "partner_name", "case_number")


def names_held() -> set[str]:
    """The names and titles the records hold, less what is a reference (a letter's title
    may be a placement's reference, which labels do show)."""
    names, references = set(), set()
    for model in [*audit.registered_models(), User]:
        if "reference" in {field.name for field in model._meta.concrete_fields}:
            references |= set(model._base_manager.values_list("reference", flat=True))
        fields = {field.name for field in model._meta.concrete_fields} & set(NAME_FIELDS)
        for row in model._base_manager.values(*fields):
            # A number ("024", a house number) is no one's name.
            names |= {
                value
                for value in row.values()
                if isinstance(value, str) and len(value) > 2 and not value.isdigit()
            }
    # A title that is one word of a kind of record ("Training") is no one's name.
    kinds = {
        word.lower()
        for model in audit.registered_models()
        for word in (*str(model._meta.verbose_name).split(), str(model._meta.verbose_name))
    }
    return {name for name in names - references if name.lower() not in kinds}


def test_no_audit_label_of_any_registered_model_carries_a_name(settings):
    settings.DEBUG = True
    call_command("seed_demo")
    names = names_held()
    assert {"Willow", "Hartington"} & names or len(names) > 20, "the demo names people"
    entries = LogEntry.objects.select_related("content_type")
    labelled = {entry.content_type.model_class() for entry in entries}
    assert len(labelled & set(audit.registered_models())) >= 15
    for entry in entries:
        found = [name for name in names if name.lower() in entry.object_repr.lower()]
        assert not found, (entry.content_type.model, entry.object_repr, found)
        # Other records are named in ``changes`` by primary key only.
        model = entry.content_type.model_class()
        related = {
            field.name
            for field in model._meta.concrete_fields
            if field.many_to_one or field.one_to_one
        }
        for name, values in (entry.changes or {}).items():
            if name in related and isinstance(values, list):
                for value in values:
                    assert value in (None, "None", audit.MASK) or str(value).isdigit(), (
                        model,
                        name,
                        value,
                    )


def test_a_label_is_the_reference_or_the_kind_and_number_with_initials():
    child_model = apps.get_model("placements", "Child")
    child = child_model(pk=12, reference="C00012", first_name="Willow", last_name="Hartington")
    assert audit.label(child) == "C00012 (W. H.)"
    applicant = apps.get_model("carers", "Applicant")(pk=4, first_name="Jo Ann", last_name="Smith")
    assert audit.label(applicant) == "Applicant 4 (J. A. S.)"
    document = apps.get_model("placements", "ChildDocument")(pk=7, title="Willow's health")
    assert audit.label(document) == "Document on the child 7"
    assert audit.initials_of("", "  ") == ""


def test_entries_written_before_are_relabelled_by_the_migration(make_staff):
    from tests.placements import factories

    worker = make_staff("Social workers")
    child = factories.child(
        worker, first_name="Willow", last_name="Hartington", born=date(2025, 2, 20)
    )
    entry = LogEntry.objects.get_for_object(child).first()
    LogEntry.objects.filter(pk=entry.pk).update(object_repr="Willow Hartington")
    gone = LogEntry.objects.create(
        content_type=entry.content_type, object_pk="999999", object_repr="Ivy Hartington", action=2
    )
    migration = importlib.import_module("portal.migrations.0010_record_versions_and_audit_labels")
    migration.relabel_audit_entries(apps, None)
    entry.refresh_from_db()
    gone.refresh_from_db()
    assert entry.object_repr == f"{child.reference} (W. H.)"
    assert gone.object_repr == "Child 999999"
