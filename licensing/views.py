from django.http import Http404
from django.shortcuts import render

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
from portal import httpcache

PER_PAGE = 25


# A visitor gets these pages whole from the cache, under the catalogue's version; a signed-in user gets
# them made around their own header, from the cached data (portal.httpcache.page_for_visitors).

def catalogue(request):
    """Public catalogue: browse and search all items (事项目录)."""
    parts = ("catalogue", sorted(request.GET.lists()))
    return httpcache.page_for_visitors(request, CATALOGUE, parts, lambda version: _catalogue_page(request, version))


def item_guide(request, code):
    """The guide (办事指南) of one item: everything an applicant needs before applying."""
    return httpcache.page_for_visitors(request, CATALOGUE, ("guide", code),
                                       lambda version: _guide_page(request, version, code))


def _catalogue_page(request, version):
    form = CatalogueSearchForm(request.GET or None, authorities=cached_authorities_in_use(version))
    page = cached_catalogue_page(version, form.filters(), request.GET.get("page"), PER_PAGE)
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "licensing/catalogue.html", {
        "form": form, "page": page, "total": page.paginator.count, "query": query.urlencode(),
        "modes": ReformMode, "footnote": CATALOGUE_FOOTNOTE,
    })


def _guide_page(request, version, code):
    try:
        item, review_paths = cached_item_guide(version, code)
    except Item.DoesNotExist:
        raise Http404("没有这个事项")
    return render(request, "licensing/item_guide.html", {
        "item": item, "modes": ReformMode, "review_paths": review_paths})

