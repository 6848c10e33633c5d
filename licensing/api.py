from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import permissions, viewsets

from licensing import selectors
from licensing.constants import ReformMode
from licensing.serializers import ItemSerializer


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
