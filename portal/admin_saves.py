"""Admin change forms that save through services, and what a refusal on saving does.

The admin saves a change form in one transaction: ``save_model``, then ``save_related``
(each inline's ``save_formset``). Where those hooks call services, a service may still
refuse after the page's own checks passed: it checks again with its rows locked, against
the database as it is. ``SavesThroughServices`` shows such a refusal as form errors:

- the hook raises ``RefusedOnSave`` with the service's messages, each keyed by the form
  it concerns (the page's main form, or one row of an inline);
- the admin's transaction is rolled back, so nothing of the save is kept;
- the page is built again from the same POST, with the messages on that form or row.

A hook that saves several rows collects every refusal before raising, so staff see them
all at once.
"""

from collections.abc import Callable, Iterable

from django.core.exceptions import ValidationError

from .workflow import Refused

MAIN_FORM = (None, None)


class RefusedOnSave(Exception):
    """Messages to show on the page; keys are ``(formset prefix, row index)``, or
    ``MAIN_FORM`` for the main form, or ``(prefix, None)`` for an inline as a whole."""

    def __init__(self, errors: dict[tuple[str | None, int | None], Iterable[str]]):
        self.errors = {key: list(messages) for key, messages in errors.items()}
        super().__init__(" ".join(m for messages in self.errors.values() for m in messages))

    @classmethod
    def on_main_form(cls, messages: str | Iterable[str]) -> "RefusedOnSave":
        return cls({MAIN_FORM: [messages] if isinstance(messages, str) else messages})


def _refused(request) -> dict:
    return getattr(request, "_refused_on_save", {})


def _form_with_errors(form_class, messages: list[str]):
    class RefusedForm(form_class):
        def clean(self):
            data = super().clean()
            for message in messages:
                self.add_error(None, message)
            return data

    RefusedForm.__name__ = form_class.__name__
    return RefusedForm


def _formset_with_errors(formset_class, errors: dict):
    class RefusedFormSet(formset_class):
        def clean(self):
            super().clean()
            for (prefix, index), messages in errors.items():
                if prefix != self.prefix or index is None or index >= len(self.forms):
                    continue
                for message in messages:
                    self.forms[index].add_error(None, message)
            whole = errors.get((self.prefix, None))
            if whole:
                raise ValidationError(whole)

    RefusedFormSet.__name__ = formset_class.__name__
    return RefusedFormSet


class SavesThroughServices:
    """Mix into a ``ModelAdmin`` whose ``save_model``/``save_related`` raise ``RefusedOnSave``."""

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if request.method == "POST" and not _refused(request):
            try:
                return super().changeform_view(request, object_id, form_url, extra_context)
            except RefusedOnSave as refusal:
                # The admin's transaction has been rolled back: build the page again.
                request._refused_on_save = refusal.errors
        return super().changeform_view(request, object_id, form_url, extra_context)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change, **kwargs)
        messages = _refused(request).get(MAIN_FORM)
        return _form_with_errors(form_class, messages) if messages else form_class

    def get_formsets_with_inlines(self, request, obj=None):
        errors = _refused(request)
        for formset_class, inline in super().get_formsets_with_inlines(request, obj):
            yield (_formset_with_errors(formset_class, errors) if errors else formset_class), inline


def save_rows(formset, *, save: Callable, delete: Callable | None = None) -> dict:
    """Each changed row of an inline through its service: ``save(form)`` returns the saved
    row, ``delete(instance)`` removes one (inlines of case records offer no delete: a
    mistaken row is withdrawn, ``portal.versions``). Returns the refusals keyed by row, for
    ``RefusedOnSave``, and fills in what the admin's change message reads (the formset's
    new, changed and deleted objects)."""
    refused = {}
    formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
    for index, form in enumerate(formset.forms):
        try:
            if delete is not None and form in formset.deleted_forms:
                if form.instance.pk:
                    delete(form.instance)
                    formset.deleted_objects.append(form.instance)
            elif form.has_changed():
                existing = bool(form.instance.pk)
                row = save(form)
                if existing:
                    formset.changed_objects.append((row, form.changed_data))
                else:
                    formset.new_objects.append(row)
        except Refused as refusal:
            refused[(formset.prefix, index)] = refusal.messages
    return refused
