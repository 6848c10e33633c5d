from django import forms

from licensing.constants import ReformMode
from portal.constants import OrgLevel


class CatalogueSearchForm(forms.Form):
    """Filters of the public catalogue page; every field optional."""

    q = forms.CharField(label="关键词", required=False, max_length=100)
    reform_mode = forms.ChoiceField(label="改革方式", required=False,
                                    choices=[("", "全部")] + list(ReformMode.choices))
    authority = forms.ChoiceField(label="实施机关", required=False)
    level = forms.ChoiceField(label="层级", required=False, choices=[("", "全部")] + list(OrgLevel.choices))

    def __init__(self, *args, authorities=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["authority"].choices = [("", "全部")] + [(o.code, o.name) for o in authorities]

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        return {k: v.strip() for k, v in self.cleaned_data.items() if v}
