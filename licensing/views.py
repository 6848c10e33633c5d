from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render

from licensing import selectors
from licensing.constants import ReformMode
from licensing.forms import CatalogueSearchForm
from licensing.models import Item
from licensing.selectors.catalogue import CATALOGUE_FOOTNOTE, item_review_paths


def catalogue(request):
    """Public catalogue: browse and search all items (事项目录)."""
    form = CatalogueSearchForm(request.GET or None, authorities=selectors.authorities_in_use())
    items = selectors.item_list(**form.filters())
    page = Paginator(items, 25).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "licensing/catalogue.html", {
        "form": form, "page": page, "total": items.count(), "query": query.urlencode(),
        "modes": ReformMode, "footnote": CATALOGUE_FOOTNOTE,
    })


def item_guide(request, code):
    """The guide (办事指南) of one item: everything an applicant needs before applying."""
    try:
        item = selectors.item_get(code)
    except Item.DoesNotExist:
        raise Http404("没有这个事项")
    return render(request, "licensing/item_guide.html", {
        "item": item, "modes": ReformMode, "review_paths": item_review_paths(item)})
