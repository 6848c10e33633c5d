"""get_FOO_display (portal/choices.py, issue 13): every model of the portal's apps answers as Django would,
label for label, in both languages, and an unknown value as itself; only faster."""
import pytest
from django.apps import apps
from django.db.models import Model
from django.utils import translation

from portal.choices import APPS, fast_choice_displays

pytestmark = pytest.mark.django_db


def choice_fields():
    for model in apps.get_models():
        if model._meta.app_label in APPS:
            for field in model._meta.concrete_fields:
                if field.choices:
                    yield model, field


def test_every_choice_field_of_the_portal_has_the_fast_display():
    fields = list(choice_fields())
    assert len(fields) > 30  # statuses, kinds, reform modes, roles… of four apps
    for model, field in fields:

        assert model.__dict__[f"get_{field.name}_display"].func is not Model._get_FIELD_display, (model, field.name)
    assert fast_choice_displays() == 0  # done once, at start-up; running again changes nothing


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_each_label_is_the_one_django_gives_in_the_language_shown(language):
    compared = 0
    with translation.override(language):
        for model, field in choice_fields():
            for value in [value for value, _ in field.flatchoices] + ["no-such-value"]:
                instance = model()
                setattr(instance, field.attname, value)
                expected = Model._get_FIELD_display(instance, field)
                shown = getattr(instance, f"get_{field.name}_display")()
                assert shown == expected and type(shown) is type(expected), (model, field.name, value)
                compared += 1
    assert compared > 150


def test_a_label_follows_the_language_active_when_it_is_shown():
    from licensing.models import Application

    application = Application(status="approved")
    with translation.override("zh-hans"):
        chinese = application.get_status_display()
    with translation.override("en"):
        english = application.get_status_display()
    assert (chinese, english) == ("准予许可", "Approved")
