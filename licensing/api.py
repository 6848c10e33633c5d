from django.utils.cache import patch_vary_headers
from django.utils.functional import lazy
from django.utils.translation import gettext, gettext_lazy
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import permissions, serializers, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from licensing import selectors
from licensing.constants import ReformMode
from licensing.selectors.catalogue import CATALOGUE
from licensing.selectors.scope import SCOPE_MAX_CHARS, ScopeInvalid, items_for_scope
from licensing.serializers import ItemSerializer, item_rows
from portal import httpcache


def _scope_help() -> str:
    return gettext("营业执照上的经营范围（可含“一般项目/许可项目”和“依法须经批准的项目……”等表述），或一两个字的关键词"
                   "（如“酒”“旅馆”），最多 %(limit)s 个字。给出时按匹配程度排列可能需要办理的事项，每项附 matched（匹配到的"
                   "词语）和 score；可与其他条件同时使用。为空或过长时返回 400。") % {"limit": SCOPE_MAX_CHARS}


class ItemFilter(filters.FilterSet):
    reform_mode = filters.ChoiceFilter(choices=ReformMode.choices, method="keep", label="改革方式")
    q = filters.CharFilter(method="keep", label="关键词（事项名称、举措、备注、实施机关）", max_length=100)
    seq_no = filters.NumberFilter(method="keep", label="序号", min_value=1, max_value=999)
    # issue 15: 经营范围查事项. Checked and matched by licensing.selectors.scope (ItemViewSet._scope_page), not here.
    scope = filters.CharFilter(method="keep", label=gettext_lazy("经营范围"), help_text=lazy(_scope_help, str)())

    def keep(self, queryset, name, value):
        return queryset  # applied together by the selector in filter_queryset

    def filter_queryset(self, queryset):
        data = {k: v for k, v in self.form.cleaned_data.items() if v not in (None, "") and k != "scope"}
        if "seq_no" in data:
            data["seq_no"] = int(data["seq_no"])
        return selectors.item_list(**data)


class ItemListRowSerializer(ItemSerializer):
    """The list's rows, for the OpenAPI schema only (rows are item_rows' dicts): an item, and with ?scope= the
    words that matched and the score it is ranked by (not required: absent without scope)."""

    matched = serializers.ListField(child=serializers.CharField(), required=False, help_text=gettext_lazy(
        "仅在给出 scope 时返回：经营范围中匹配到该事项的词语，按出现顺序排列"))
    score = serializers.IntegerField(required=False, help_text=gettext_lazy(
        "仅在给出 scope 时返回：匹配程度，结果按它从高到低排列"))

    class Meta(ItemSerializer.Meta):
        fields = [*ItemSerializer.Meta.fields, "matched", "score"]


@extend_schema_view(
    list=extend_schema(summary="事项目录", description=gettext_lazy(
                           "钦州市“证照分离”改革事项，可按改革方式、关键词、序号筛选；给出 scope（经营范围）时，"
                           "按匹配程度列出可能需要办理的事项，每项附匹配到的词语。"),
                       responses={200: ItemListRowSerializer(many=True),
                                  400: OpenApiResponse(description=gettext_lazy("筛选条件无效，或经营范围为空、超过长度")),
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
        if "scope" in self.request.query_params:
            return self._scope_page(ids)
        page = self.paginate_queryset(ids)
        if page is None:
            return Response(item_rows(list(ids)))
        return self.get_paginated_response(item_rows(list(page)))

    def _scope_page(self, ids):
        """?scope=: the items items_for_scope ranks, among those the other filters keep, best first, each with
        the words that matched; a text it cannot take is a 400 on the field `scope`."""
        try:
            matches = items_for_scope(self.request.query_params["scope"])
        except ScopeInvalid as exc:
            raise ValidationError({"scope": [exc.message]})
        kept = set(ids)
        matches = [match for match in matches if match.item.pk in kept]
        page = self.paginate_queryset(matches)
        shown = matches if page is None else page
        rows = {row["code"]: row for row in item_rows([match.item.pk for match in shown])}
        data = [{**rows[match.item.code], "matched": list(match.matched), "score": match.score}
                for match in shown if match.item.code in rows]
        return Response(data) if page is None else self.get_paginated_response(data)

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
