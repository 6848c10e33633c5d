from django import forms
from django.utils.translation import gettext, gettext_lazy as _

from licensing.constants import ReformMode
from licensing.i18n import ChineseSelect
from portal.constants import OrgLevel


class CatalogueSearchForm(forms.Form):
    """Filters of the public catalogue page; every field optional."""

    q = forms.CharField(label=_("关键词"), required=False, max_length=100)
    reform_mode = forms.ChoiceField(label=_("改革方式"), required=False,
                                    choices=[("", _("全部"))] + list(ReformMode.choices))
    authority = forms.ChoiceField(label=_("实施机关"), required=False, widget=ChineseSelect)
    level = forms.ChoiceField(label=_("层级"), required=False, choices=[("", _("全部"))] + list(OrgLevel.choices))

    def __init__(self, *args, authorities=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["authority"].choices = [("", gettext("全部"))] + [(o.code, o.name) for o in authorities]

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        return {k: v.strip() for k, v in self.cleaned_data.items() if v}
