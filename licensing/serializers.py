from django.utils.translation import gettext_lazy
from rest_framework import serializers

from licensing.models import Item, ItemAuthority
from portal.models import Organisation


class OrganisationRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organisation
        fields = ["code", "name", "level"]


class ItemAuthoritySerializer(serializers.ModelSerializer):
    code = serializers.CharField(source="organisation.code")
    name = serializers.CharField(source="organisation.name")
    level = serializers.CharField(source="organisation.level")
    entrusted_by = OrganisationRefSerializer(
        read_only=True, allow_null=True,
        help_text=gettext_lazy("仅“委托”职责：以哪个审批机关的名义作出决定（行政许可法第二十四条）；其他职责为 null"))

    class Meta:
        model = ItemAuthority
        fields = ["code", "name", "level", "role", "entrusted_by", "variant_name", "remark"]


class ItemSerializer(serializers.ModelSerializer):
    authorities = ItemAuthoritySerializer(many=True, read_only=True)
    measures = serializers.ListField(child=serializers.CharField(), read_only=True)
    committed_days = serializers.IntegerField(read_only=True, allow_null=True,
                                              help_text=gettext_lazy("承诺办结时限（工作日），由法定时限与压缩方式得出"))

    class Meta:
        model = Item
        fields = ["seq_no", "code", "name", "reform_mode", "authorities", "measures", "remark",
                  "compression", "statutory_days", "committed_days",
                  "printed_name", "printed_authorities", "repair_note", "authority_note"]


# --- the list without a serializer per row (issue 13) ---------------------------------------------
# ItemSerializer declares the API (the OpenAPI schema, one item); a page of the list is the same
# fields read as plain dicts: two queries for any number of rows, no serializer or field objects per
# row, only an unsaved Item for committed_days, whose rule the model keeps
# (tests/licensing/test_catalogue_cache.py checks every item against ItemSerializer).

_ITEM_COLUMNS = ["seq_no", "code", "name", "reform_mode", "measures", "remark", "compression", "statutory_days",
                 "printed_name", "printed_authorities", "repair_note", "authority_note"]
_ORG = ["code", "name", "level"]


def item_rows(ids: list) -> list[dict]:
    """ItemSerializer's output for the items `ids`, in that order."""
    authorities = _authority_rows(ids)
    rows = {}
    for values in Item.objects.filter(pk__in=ids).values("pk", *_ITEM_COLUMNS, "committed_days_override"):
        rows[values["pk"]] = _item_row(values, authorities.get(values["pk"], []))
    return [rows[pk] for pk in ids if pk in rows]


def _item_row(values: dict, authorities: list) -> dict:
    row = {field: values.get(field) for field in ItemSerializer.Meta.fields}  # the serializer's order
    row["authorities"] = authorities
    row["measures"] = [None if measure is None else str(measure) for measure in values["measures"]]
    row["committed_days"] = Item(  # the model's rule, not a copy of it
        statutory_days=values["statutory_days"], compression=values["compression"],
        committed_days_override=values["committed_days_override"]).committed_days
    return row


def _authority_rows(ids: list) -> dict[int, list]:
    columns = [f"organisation__{f}" for f in _ORG] + [f"entrusted_by__{f}" for f in _ORG]
    rows = (ItemAuthority.objects.filter(item_id__in=ids).order_by("item_id", "order", "pk")
            .values("item_id", "role", "variant_name", "remark", *columns))
    by_item = {}
    for r in rows:
        entrusted = {f: r[f"entrusted_by__{f}"] for f in _ORG} if r["entrusted_by__code"] is not None else None
        by_item.setdefault(r["item_id"], []).append({
            **{f: r[f"organisation__{f}"] for f in _ORG}, "role": r["role"], "entrusted_by": entrusted,
            "variant_name": r["variant_name"], "remark": r["remark"]})
    return by_item
