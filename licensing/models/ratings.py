"""好差评: the applicant's rating of how an application was handled, and the authority's answer to a poor one.

The national scheme (国务院办公厅关于建立政务服务“好差评”制度提高政务服务水平的意见, 国办发〔2019〕51号) rates a
service on five levels, 非常满意 to 非常不满意; a 差评 (不满意, 非常不满意) is looked into and answered to the rater
within 15 working days (settings.RATING_FOLLOW_UP_WORKING_DAYS). One rating per application.
"""
from django.conf import settings
from django.db import models
from django.db.models import Q

from licensing.constants import RatingLevel


class Rating(models.Model):
    application = models.OneToOneField("licensing.Application", verbose_name="办件", on_delete=models.CASCADE,
                                       related_name="rating")
    # The authority rated (the application's deciding authority when rated), kept here so that the
    # public aggregate and an authority's follow-ups are each one indexed query.
    organisation = models.ForeignKey("portal.Organisation", verbose_name="被评价机关", on_delete=models.PROTECT,
                                     related_name="ratings")
    level = models.PositiveSmallIntegerField("评价等级", choices=RatingLevel.choices)
    comment = models.TextField("评价内容", max_length=500, blank=True)
    rated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="评价人", on_delete=models.PROTECT,
                                 related_name="+")
    rated_at = models.DateTimeField("评价时间")
    follow_up_due = models.DateField("差评整改反馈期限", null=True, blank=True)
    answer = models.TextField("整改反馈", blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="反馈人", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    answered_at = models.DateTimeField("反馈时间", null=True, blank=True)

    class Meta:
        verbose_name = "好差评"
        verbose_name_plural = "好差评"
        ordering = ["-rated_at", "-id"]
        indexes = [
            models.Index(fields=["organisation", "level"], name="rating_org_level_idx"),
            models.Index("organisation", "follow_up_due", "id", name="rating_follow_up_idx",
                         condition=Q(follow_up_due__isnull=False, answered_at__isnull=True)),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(level__gte=1, level__lte=5), name="rating_level_1_to_5"),
            # A poor rating always has its follow-up deadline, a good one never.
            models.CheckConstraint(condition=Q(level__gte=3, follow_up_due__isnull=True)
                                   | Q(level__lte=2, follow_up_due__isnull=False), name="rating_follow_up_iff_poor"),
        ]

    def __str__(self):
        return f"{self.application_id}: {self.get_level_display()}"

    @property
    def is_poor(self) -> bool:
        return self.level <= RatingLevel.DISSATISFIED
