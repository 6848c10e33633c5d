from django.conf import settings
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import get_language, gettext

from licensing.constants import ReformMode
from licensing.forms import CatalogueSearchForm
from licensing.models import Item
from licensing.selectors.catalogue import (
    CATALOGUE,
    CATALOGUE_FOOTNOTE,
    cached_authorities_in_use,
    cached_catalogue_page,
    cached_item_guide,
)
from portal import httpcache, lists

PER_PAGE = 25
CATALOGUE_REGION = "catalogue-items"


# A visitor gets these pages whole from the cache, under the catalogue's version; a signed-in user gets
# them made around their own header, from the cached data (portal.httpcache.page_for_visitors).

def catalogue(request):
    """Public catalogue: browse and search all items (事项目录). Its search and pager ask for the results'
    region alone when htmx is there (issue 15, portal/lists.py): kept apart from the page in the cache."""
    parts = ("catalogue", lists.region_requested(request, CATALOGUE_REGION), sorted(request.GET.lists()), *_language())
    return lists.vary(httpcache.page_for_visitors(request, CATALOGUE, parts,
                                                  lambda version: _catalogue_page(request, version)))


def item_guide(request, code):
    """The guide (办事指南) of one item: everything an applicant needs before applying."""
    return httpcache.page_for_visitors(request, CATALOGUE, ("guide", code, *_language()),
                                       lambda version: _guide_page(request, version, code))


def _language() -> tuple:
    """A page per language (issue 15): the default's pages keep the keys they always had."""
    language = get_language()
    return () if language == settings.LANGUAGE_CODE else (language,)


def _catalogue_page(request, version):
    form = CatalogueSearchForm(request.GET or None, authorities=cached_authorities_in_use(version))
    page = cached_catalogue_page(version, form.filters(), request.GET.get("page"), PER_PAGE)
    query = request.GET.copy()
    query.pop("page", None)
    return lists.render_list(request, "licensing/catalogue.html", "licensing/includes/catalogue_list.html",
                             CATALOGUE_REGION, {
        "form": form, "page": page, "total": page.paginator.count, "query": query.urlencode(),
        "modes": ReformMode, "footnote": CATALOGUE_FOOTNOTE,
    })


def _guide_page(request, version, code):
    try:
        item, review_paths = cached_item_guide(version, code)
    except Item.DoesNotExist:
        raise Http404(gettext("没有这个事项"))
    return render(request, "licensing/item_guide.html", {
        "item": item, "modes": ReformMode, "review_paths": review_paths})

