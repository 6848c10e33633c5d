from rest_framework import serializers

from licensing.models import Item, ItemAuthority


class ItemAuthoritySerializer(serializers.ModelSerializer):
    code = serializers.CharField(source="organisation.code")
    name = serializers.CharField(source="organisation.name")
    level = serializers.CharField(source="organisation.level")

    class Meta:
        model = ItemAuthority
        fields = ["code", "name", "level", "role", "variant_name", "remark"]


class ItemSerializer(serializers.ModelSerializer):
    authorities = ItemAuthoritySerializer(many=True, read_only=True)
    measures = serializers.ListField(child=serializers.CharField(), read_only=True)
    committed_days = serializers.IntegerField(read_only=True, allow_null=True,
                                              help_text="承诺办结时限（工作日），由法定时限与压缩方式得出")

    class Meta:
        model = Item
        fields = ["seq_no", "code", "name", "reform_mode", "authorities", "measures", "remark",
                  "compression", "statutory_days", "committed_days"]
