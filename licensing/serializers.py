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
        help_text="仅“委托”职责：以哪个审批机关的名义作出决定（行政许可法第二十四条）；其他职责为 null")

    class Meta:
        model = ItemAuthority
        fields = ["code", "name", "level", "role", "entrusted_by", "variant_name", "remark"]


class ItemSerializer(serializers.ModelSerializer):
    authorities = ItemAuthoritySerializer(many=True, read_only=True)
    measures = serializers.ListField(child=serializers.CharField(), read_only=True)
    committed_days = serializers.IntegerField(read_only=True, allow_null=True,
                                              help_text="承诺办结时限（工作日），由法定时限与压缩方式得出")

    class Meta:
        model = Item
        fields = ["seq_no", "code", "name", "reform_mode", "authorities", "measures", "remark",
                  "compression", "statutory_days", "committed_days",
                  "printed_name", "printed_authorities", "repair_note", "authority_note"]
