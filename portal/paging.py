"""Pages of a list whose counting stays cheap however long the list grows (issue 13).

A desk, "my applications" or an API list shows a page at a time. Django's Paginator counts the
whole list to number its pages; at a million applications that COUNT(*) alone walks hundreds of
thousands of rows on every request. Here the count stops at COUNT_CAP: past it the page says
"1000 件以上", and the pages beyond go on being served (LIMIT/OFFSET, one row more than the page
to know whether another follows), so an API client can still walk the whole list by `next`.
"""
from django.core.exceptions import EmptyResultSet
from django.core.paginator import EmptyPage, Page, Paginator
from django.db import connections
from django.utils.functional import cached_property

COUNT_CAP = 1_000
# PostgreSQL's LIMIT and OFFSET are bigints: a page whose rows would lie past it is no page (a 404 in
# the API, the last counted page on a desk), never a server error.
LAST_ROW = 2**63 - 1


def last_page(per_page: int) -> int:
    """The last page number whose rows, and the one row read beyond them, stay within LAST_ROW."""
    return LAST_ROW // per_page - 1


class BoundedPage(Page):
    more = False  # past the cap: whether a row follows this page

    def has_next(self):
        return self.more if self.paginator.capped else super().has_next()


class BoundedPaginator(Paginator):
    """A Paginator whose count is exact up to `cap` and `cap` beyond it (`capped` then True)."""

    cap = COUNT_CAP
    capped = False
    ordered_count = False

    def __init__(self, object_list, per_page, *args, counted_from=None, **kwargs):
        super().__init__(object_list, per_page, *args, **kwargs)
        self.counted_from = counted_from  # what to count, when not the list itself (the same rows, cheaper)

    @cached_property
    def count(self) -> int:
        rows = self.object_list if self.counted_from is None else self.counted_from
        # One query: SELECT COUNT(*) FROM (… LIMIT cap + 1), which stops after cap + 1 rows. Without the
        # list's ORDER BY, which would make PostgreSQL sort every matching row before the LIMIT, unless
        # the order is what lets it walk a small partial index and stop early (`ordered_count`).
        if hasattr(rows, "query"):
            n = _counted(rows, self.cap, self.ordered_count).count()
        else:
            n = len(rows)
        self.capped = n > self.cap
        return min(n, self.cap)

    def validate_number(self, number):
        try:
            return super().validate_number(number)
        except EmptyPage:
            if self.capped and 1 < int(number) <= last_page(self.per_page):
                return int(number)  # past the counted pages: page() finds out whether it has rows
            raise

    def get_page(self, number):
        """As Django's (a bad number gives the first page, one past the end the last), where past the cap
        the last page is not known without counting every row: a page there that has no rows gives the
        last counted page."""
        try:
            return super().get_page(number)
        except EmptyPage:
            return self.page(self.num_pages)

    def page(self, number):
        number = self.validate_number(number)
        if not self.capped:
            return super().page(number)
        bottom = (number - 1) * self.per_page
        rows = list(self.object_list[bottom: bottom + self.per_page + 1])
        if not rows:
            raise EmptyPage(self.error_messages["no_results"])
        page = self._get_page(rows[: self.per_page], number, self)
        page.more = len(rows) > self.per_page
        return page

    def _get_page(self, *args, **kwargs):
        return BoundedPage(*args, **kwargs)


def _counted(rows, cap: int, ordered_count: bool):
    """The rows a capped count walks: the first cap + 1, without the list's order unless it is what
    keeps the count cheap (see BoundedPaginator.count)."""
    return (rows if ordered_count else rows.order_by())[: cap + 1]


def capped_counts(lists: dict, *, cap: int = COUNT_CAP, ordered: frozenset = frozenset()) -> dict:
    """Each queryset of `lists` (name -> queryset) counted up to cap + 1, all in one statement:
    SELECT (SELECT COUNT(*) FROM (… LIMIT cap + 1)), (…), … — a desk of eleven queues pays one round
    trip for its counts, not eleven. Names in `ordered` keep their ORDER BY (`ordered_count`)."""
    if not lists:
        return {}
    counts, parts, params = {}, {}, []
    alias = next(iter(lists.values())).db
    for name, rows in lists.items():
        rows = _counted(rows, cap, name in ordered).values("pk")
        try:
            sql, part_params = rows.query.get_compiler(using=alias).as_sql()
        except EmptyResultSet:  # .none(), or a filter on an empty list: nothing to count
            counts[name] = 0
            continue
        parts[name] = f"(SELECT COUNT(*) FROM ({sql}) AS counted_{len(parts)})"
        params.extend(part_params)
    if parts:
        # The parts are Django's own compiled SQL; every value in them travels in `params`.
        with connections[alias].cursor() as cursor:
            cursor.execute(f"SELECT {', '.join(parts.values())}", params)
            counts.update(zip(parts, cursor.fetchone()))
    return {name: counts[name] for name in lists}


def page_of(rows, number, per_page: int, *, cap: int = COUNT_CAP, ordered_count: bool = False,
            counted: int | None = None):
    """The page numbered `number` (a query string; bad or past the end gives the nearest page), counted
    up to `cap`. `counted`: the count up to cap + 1 already made (capped_counts), so none is made here."""
    paginator = BoundedPaginator(rows, per_page)
    paginator.cap, paginator.ordered_count = cap, ordered_count
    if counted is not None:
        paginator.capped = counted > cap
        paginator.count = min(counted, cap)  # sets the cached_property
    return paginator.get_page(number)
