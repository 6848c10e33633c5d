"""The business-scope finder's mapping (经营范围 → 许可事项), kept by admins.

A keyword is wording that appears in business scopes as registered (国民经济行业分类 and the 经营范围
规范表述 of the registration authorities, e.g. “住宿服务”, “餐饮服务”); an item may have many keywords and a
keyword may lead to several items. The weight orders items that match equally well.
"""
from django.db import models


class ScopeKeyword(models.Model):
    keyword = models.CharField("经营范围关键词", max_length=64)
    item = models.ForeignKey("licensing.Item", verbose_name="事项", on_delete=models.CASCADE,
                             related_name="scope_keywords")
    weight = models.PositiveSmallIntegerField("权重", default=1, help_text="匹配程度相同时，权重大的事项排在前面")

    class Meta:
        verbose_name = "经营范围关键词"
        verbose_name_plural = "经营范围关键词"
        ordering = ["item__seq_no", "-weight", "keyword"]
        constraints = [models.UniqueConstraint(fields=["keyword", "item"], name="uniq_scope_keyword_item")]

    def __str__(self):
        return f"{self.keyword} → {self.item.code}"
