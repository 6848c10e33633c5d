"""The admin's table-style inlines, readable with a screen reader (issue 15, WCAG 1.3.1 and 4.1.2).

A tabular inline names its fields once, in the column heads; its inputs have no <label> of their own, so
a screen reader announces a row's inputs without their names (axe-core: "Form elements must have labels",
critical). Each input is given its column's name as aria-label, the delete box too, without copying
Django's templates.
"""
from django.contrib import admin


def _label_fields(form) -> None:
    for name, field in form.fields.items():
        widget = getattr(field.widget, "widget", field.widget)  # inside a related-object wrapper
        widget.attrs.setdefault("aria-label", str(field.label or name))


class LabelledTabularInline(admin.TabularInline):
    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)

        class Labelled(formset):
            def add_fields(self, form, index):
                super().add_fields(form, index)
                _label_fields(form)

        return Labelled
