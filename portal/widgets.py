"""Form widgets that render in Python what Django renders with a template per option (issue 13).

Django's Select renders each <option> through its own template include: the window's form, whose
item list holds the city's hundred items and whose authority list groups the deciders, spent half
of its page's time there. FastSelect gives the same HTML, byte for byte (tests/portal/test_widgets.py
compares it with Django's Select for plain, grouped, selected and disabled options), from the same
context (Select.get_context), so a choice, its label and its escaping are Django's.
"""
from django import forms
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe


def _attrs(attrs: dict) -> str:
    """As django/forms/widgets/attrs.html: False is left out, True is the bare name."""
    out = []
    for name, value in attrs.items():
        if value is False:
            continue
        out.append(f" {conditional_escape(name)}" if value is True
                   else f' {conditional_escape(name)}="{conditional_escape(str(value))}"')
    return "".join(out)


class FastSelect(forms.Select):
    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        html = [f'<select name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>']
        for group_name, options, _index in widget["optgroups"]:
            if group_name:
                html.append(f'\n  <optgroup label="{conditional_escape(group_name)}">')
            for option in options:
                html.append(f'\n  <option value="{conditional_escape(str(option["value"]))}"'
                            f'{_attrs(option["attrs"])}>{conditional_escape(option["label"])}</option>\n')
            if group_name:
                html.append("\n  </optgroup>")
        html.append("\n</select>")
        # Every name, value and label above went through conditional_escape.
        return mark_safe("".join(html))  # nosec B308 B703
