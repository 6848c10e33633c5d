"""The API's one pagination (issue 13): pages of PAGE_SIZE rows, counted up to portal.paging.COUNT_CAP.

Past the cap `count` is the cap and `count_capped` is true: the client narrows its filters rather
than the server counting a million rows on every page. A page number that is not a page is a
Chinese 404, like every other refusal (portal.api_errors).
"""
from functools import partial

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework.exceptions import NotFound
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

from portal.paging import BoundedPaginator, last_page

NO_SUCH_PAGE = gettext_lazy("没有这一页：page 应为从 1 开始、不超过总页数的整数。")


class BoundedPageNumberPagination(PageNumberPagination):
    django_paginator_class = BoundedPaginator
    invalid_page_message = NO_SUCH_PAGE

    def paginate_queryset(self, queryset, request, view=None, *, counted_from=None):
        """A page of `queryset`; its rows are counted from `counted_from` when given (the same rows, read
        a cheaper way: licensing.selectors.applications_listed)."""
        self.django_paginator_class = partial(BoundedPaginator, counted_from=counted_from)
        try:
            return super().paginate_queryset(queryset, request, view)
        except NotFound:
            raise NotFound(NO_SUCH_PAGE)

    def rows_to_read(self, request) -> int:
        """How deep into its list this request reads at most: down to the page asked for and one row
        beyond it (whether another page follows)."""
        size, asked = self.get_page_size(request), request.query_params.get(self.page_query_param, 1)
        if asked in self.last_page_strings:  # the last counted page: within the cap and a page
            return BoundedPaginator.cap + size + 1
        try:
            number = int(asked)
        except (TypeError, ValueError):
            number = 1
        return number * size + 1 if 0 < number <= last_page(size) else size + 1

    def rows_to_count(self) -> int:
        """How many rows a count walks at most: one past the cap, to know that it is passed."""
        return BoundedPaginator.cap + 1

    def get_paginated_response(self, data):
        paginator = self.page.paginator
        return Response({
            "count": paginator.count, "count_capped": paginator.capped,
            "next": self.get_next_link(), "previous": self.get_previous_link(), "results": data})

    def get_paginated_response_schema(self, schema):
        response = super().get_paginated_response_schema(schema)
        response["properties"]["count_capped"] = {
            "type": "boolean", "description": _("为 true 时实际条数多于 count（计数上限），请缩小查询条件。")}
        response["required"] = [*response.get("required", []), "count_capped"]
        return response
