"""``portal.references.reference_field``: the column every case's reference is kept in."""

from portal.references import reference_field


def test_a_reference_is_unique_set_by_the_service_and_null_only_until_it_is():
    field = reference_field("e.g. PL00007.")

    assert (field.max_length, field.unique, field.null, field.editable) == (12, True, True, False)
    assert field.help_text == "e.g. PL00007."
