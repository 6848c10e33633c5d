"""经营范围查事项 (/finder/, issue 15): an enterprise pastes the business scope of its licence, or types a word or
two, and sees the catalogue items it probably needs, each with its reform mode, the words that matched and
links to the guide and to apply.

A GET form, so it works without JavaScript and a result can be bookmarked or sent on. The matching is
licensing.selectors.scope.items_for_scope, as for the API and the registrations of issue 16. The page is the
same for every visitor and changes with the catalogue and its keywords: kept whole under the catalogue's
version like the catalogue's own pages (portal.httpcache.page_for_visitors).
"""
from django import forms
from django.shortcuts import render
from django.utils.functional import lazy
from django.utils.translation import get_language, gettext, gettext_lazy as _

from licensing.constants import ReformMode
from licensing.selectors.catalogue import CATALOGUE
from licensing.selectors.scope import SCOPE_MAX_CHARS, ScopeInvalid, items_for_scope
from portal import httpcache


def _help_text() -> str:
    return gettext("粘贴营业执照上的经营范围，或输入一两个字查找，如“酒”“旅馆”。最多 %(limit)s 个字。") % {
        "limit": SCOPE_MAX_CHARS}


class FinderForm(forms.Form):
    """The text only; what makes it acceptable is items_for_scope's to say (ScopeInvalid), for every caller."""

    scope = forms.CharField(
        label=_("经营范围或关键词"), required=False, strip=False, help_text=lazy(_help_text, str)(),
        widget=forms.Textarea(attrs={"rows": 8, "maxlength": SCOPE_MAX_CHARS, "lang": "zh-Hans"}))


def finder(request):
    """The form, and with ?scope= the items found (400 with the message on the field for a text it cannot take)."""
    parts = ("finder", get_language(), sorted(request.GET.lists()))
    return httpcache.page_for_visitors(request, CATALOGUE, parts, lambda version: _finder_page(request))


def _finder_page(request):
    asked = "scope" in request.GET
    form = FinderForm(request.GET if asked else None)
    matches = None
    if asked and form.is_valid():
        try:
            matches = items_for_scope(form.cleaned_data["scope"])
        except ScopeInvalid as exc:
            form.add_error("scope", exc.message)
    return render(request, "licensing/finder.html", {"form": form, "matches": matches, "modes": ReformMode},
                  status=400 if form.errors else 200)
