"""Pages of a list whose counting stays cheap however long the list grows (issue 13).

A desk, "my applications" or an API list shows a page at a time. Django's Paginator counts the
whole list to number its pages; at a million applications that COUNT(*) alone walks hundreds of
thousands of rows on every request. Here the count stops at COUNT_CAP: past it the page says
"10000 件以上" and the pages go on being served by LIMIT/OFFSET up to the cap. Nobody pages
through ten thousand rows by hand; they filter.
"""
from django.core.paginator import Paginator
from django.utils.functional import cached_property

COUNT_CAP = 10_000


class BoundedPaginator(Paginator):
    """A Paginator whose count is exact up to `cap` and `cap` beyond it (`capped` then True)."""

    cap = COUNT_CAP
    capped = False

    @cached_property
    def count(self) -> int:
        rows = self.object_list
        # One query: SELECT COUNT(*) FROM (… LIMIT cap + 1), which stops after cap + 1 rows.
        n = rows[: self.cap + 1].count() if hasattr(rows, "query") else len(rows)
        self.capped = n > self.cap
        return min(n, self.cap)


def page_of(rows, number, per_page: int, *, cap: int = COUNT_CAP):
    """The page numbered `number` (a query string; bad or past the end gives the nearest page)."""
    paginator = BoundedPaginator(rows, per_page)
    paginator.cap = cap
    return paginator.get_page(number)
