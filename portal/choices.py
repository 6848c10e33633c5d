"""get_FOO_display without rebuilding every label on every call (issue 13).

Django's Model._get_FIELD_display flattens the field's choices and hashes every (value, label) pair each
time it is called, and hashing a lazily translated label translates it: one status label in a list row
cost ~0.1 ms (thirteen statuses translated to be hashed), the window's item list 100 reform modes, each
document row its kind. `fast_choice_displays` gives every model of the portal's apps the same method built
on a table of value -> label made once per field: only the values are hashed, and only the label shown is
translated, in the language active when it is shown (the labels stay lazy).

The answer is Django's own, byte for byte (tests/portal/test_choices.py compares them for every field, in
both languages, with an unknown value too). A model that defines its own get_FOO_display keeps it; a field
whose choices are a callable (read each time) keeps Django's.
"""
from functools import partialmethod

from django.apps import apps
from django.db.models import Model
from django.utils.choices import CallableChoiceIterator
from django.utils.encoding import force_str
from django.utils.hashable import make_hashable

from portal.apps import PORTAL_APPS as APPS


def _display(self, field, labels):
    value = getattr(self, field.attname)
    return force_str(labels.get(make_hashable(value), value), strings_only=True)


def fast_choice_displays(app_labels=APPS) -> int:
    """Replace Django's get_FOO_display on the models of `app_labels`; how many were replaced."""
    replaced = 0
    for model in apps.get_models():
        if model._meta.app_label not in app_labels:
            continue
        for field in model._meta.concrete_fields:
            if not field.choices or isinstance(field.choices, CallableChoiceIterator):
                continue
            name = f"get_{field.name}_display"
            current = model.__dict__.get(name)
            if not (isinstance(current, partialmethod) and current.func is Model._get_FIELD_display):
                continue  # the model's own method, or one it inherits: left alone
            labels = {make_hashable(value): label for value, label in field.flatchoices}
            setattr(model, name, partialmethod(_display, field=field, labels=labels))
            replaced += 1
    return replaced
