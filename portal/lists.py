"""Lists that stay quick to work (issue 15): paging, filtering and sorting swap the list's region alone.

A list page keeps its rows, its pager and its filters in one region: a partial template that the full
page includes, whose root element has the region's id. The pager and the filter form are boosted by htmx
(templates/base.html, static/js/lists.js): a click asks the same URL with HX-Request and HX-Target naming
the region, the view answers with the partial alone, and the browser swaps it in, pushes the URL, moves
the focus to the region's heading and announces the new count. Without JavaScript the same links and
forms load the whole page, as before; the rows are the same either way (one selector, one page).

Sorting offers only the orders an index serves: the selector's own order (each list's is the order of an
index, issue 13) and that order read backwards, which PostgreSQL walks on the same index from its other
end. A list whose order is the point (a desk queue, oldest deadline first) offers none.
"""
from dataclasses import dataclass

from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext_lazy

from portal.exceptions import InvalidInput

# What makes the partial differ from the page at the same URL: a browser's or a proxy's copy of one must
# never be given for the other.
VARY = ("HX-Request", "HX-Target")
SORT = "sort"  # the query parameter of every list's order
UNKNOWN_SORT = gettext_lazy("没有这种排序方式，请从排序列表中选择。")


def region_requested(request, region: str) -> bool:
    """Whether htmx asks for the list region `region` alone (the HX-Target is its id).

    Not for a history restore (htmx asks for the whole page to put back after Back), nor for a boosted
    navigation of the whole page (no target): those get the full page."""
    htmx = getattr(request, "htmx", None)
    if not htmx or htmx.history_restore_request:
        return False
    if htmx.target is None:
        return not htmx.boosted
    return htmx.target == region


def vary(response):
    """Say that the answer depends on whether htmx asked for a region (VARY)."""
    patch_vary_headers(response, VARY)
    return response


def render_list(request, template: str, partial: str, region: str, context: dict, *, status: int = 200):
    """The list page, or its region alone when htmx asks for it; the same context either way."""
    chosen = partial if region_requested(request, region) else template
    return vary(render(request, chosen, context, status=status))


@dataclass(frozen=True)
class Order:
    """One order a list offers: `key` in ?sort=, and whether it reads the selector's order backwards."""

    key: str
    backwards: bool = False


def ordered(rows, value, orders: tuple[Order, ...]):
    """`rows` (a queryset in its selector's order) in the order ?sort=`value` names, one of `orders` (the
    first when none is named). Any other value is refused (400), never silently ignored."""
    value = (value or "").strip() or orders[0].key
    for order in orders:
        if order.key == value:
            return rows.reverse() if order.backwards else rows
    raise InvalidInput(str(UNKNOWN_SORT), field=SORT)
