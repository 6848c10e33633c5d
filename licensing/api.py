from django.utils.cache import patch_vary_headers
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import permissions, viewsets
from rest_framework.response import Response

from licensing import selectors
from licensing.constants import ReformMode
from licensing.selectors.catalogue import CATALOGUE
from licensing.serializers import ItemSerializer, item_rows
from portal import httpcache


class ItemFilter(filters.FilterSet):
    reform_mode = filters.ChoiceFilter(choices=ReformMode.choices, method="keep", label="改革方式")
    q = filters.CharFilter(method="keep", label="关键词（事项名称、举措、备注、实施机关）", max_length=100)
    seq_no = filters.NumberFilter(method="keep", label="序号", min_value=1, max_value=999)

    def keep(self, queryset, name, value):
        return queryset  # applied together by the selector in filter_queryset

    def filter_queryset(self, queryset):
        data = {k: v for k, v in self.form.cleaned_data.items() if v not in (None, "")}
        if "seq_no" in data:
            data["seq_no"] = int(data["seq_no"])
        return selectors.item_list(**data)


@extend_schema_view(
    list=extend_schema(summary="事项目录", description="钦州市“证照分离”改革事项，可按改革方式、关键词、序号筛选。",
                       responses={200: ItemSerializer(many=True), 400: OpenApiResponse(description="筛选条件无效"),
                                  404: OpenApiResponse(description="页码超出范围")}),
    retrieve=extend_schema(summary="单个事项", description="按事项编码（如 QZ-013）取得一个事项。",
                           responses={200: ItemSerializer, 404: OpenApiResponse(description="没有该编码的事项")}),
)
class ItemViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = ItemSerializer
    permission_classes = [permissions.AllowAny]
    lookup_field = "code"
    filterset_class = ItemFilter
    queryset = selectors.item_list()

    def get_queryset(self):
        return selectors.item_list()

    def dispatch(self, request, *args, **kwargs):
        """A JSON answer asked for again comes whole from the cache, before DRF reads the request.

        It was made by DRF for the same question: the same method, parameters, host and Accept header
        (DRF chose the renderer from them), and no Authorization header (a bad token is DRF's 401; a
        session changes nothing in JSON, and the catalogue is public). With its ETag and Last-Modified,
        and a 304 when the client's copy is current."""
        self.cache_parts = _cache_parts(request, self.action_map.get(request.method.lower()), kwargs)
        if self.cache_parts is None:
            return super().dispatch(request, *args, **kwargs)
        self.cache_version, cached = CATALOGUE.read(self.cache_parts)
        etag = CATALOGUE.etag(self.cache_version, self.cache_parts)
        answer = httpcache.not_modified(request, etag=etag, version=self.cache_version)
        if answer is None and cached is not None:
            answer = httpcache.revalidate(httpcache.body(cached), etag=etag, version=self.cache_version)
        if answer is None:
            return super().dispatch(request, *args, **kwargs)
        headers = self.default_response_headers  # what DRF's finalize_response adds: Allow, Vary: Accept
        patch_vary_headers(answer, [headers.pop("Vary")] if "Vary" in headers else [])
        for name, value in headers.items():
            answer[name] = value
        return answer

    def list(self, request, *args, **kwargs):
        return self._kept(request, self._list_page())

    def retrieve(self, request, *args, **kwargs):
        return self._kept(request, super().retrieve(request, *args, **kwargs))

    def _list_page(self):
        """Filters checked as ever (a 400), then only the page's rows read, as plain dicts."""
        ids = self.filter_queryset(self.get_queryset()).prefetch_related(None).values_list("pk", flat=True)
        page = self.paginate_queryset(ids)
        if page is None:
            return Response(item_rows(list(ids)))
        return self.get_paginated_response(item_rows(list(page)))

    def _kept(self, request, response):
        """A JSON answer, kept once rendered, for dispatch to give again. Not the browsable API: it
        shows the user and their forms."""
        if self.cache_parts is None or response.status_code != 200 or request.accepted_renderer.format != "json":
            return response
        version, parts = self.cache_version, self.cache_parts
        response.add_post_render_callback(lambda rendered: CATALOGUE.write(version, parts, httpcache.keep(rendered)))
        return httpcache.revalidate(response, etag=CATALOGUE.etag(version, parts), version=version)


def _cache_parts(request, action, kwargs) -> tuple | None:
    """What a cached answer is kept under, or None when it must not be: the page's links are absolute
    (scheme, host) and keep every parameter given (DRF sorts them)."""
    if action not in ("list", "retrieve") or "HTTP_AUTHORIZATION" in request.META:
        return None
    accept = request.META.get("HTTP_ACCEPT", "")
    if action == "retrieve":
        return ("api-item", kwargs.get("code"), accept)
    return ("api-list", request.build_absolute_uri(request.path), sorted(request.GET.lists()), accept)
