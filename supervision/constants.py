from django.db import models


class CreditReason(models.TextChoices):
    """附件3 第九条: what puts an applicant in the 诚信档案."""

    MISSING_MATERIALS = "missing_materials", "未按期提交材料或材料不符合要求"
    FALSE_COMMITMENT = "false_commitment", "作出不实承诺"


class InspectionStatus(models.TextChoices):
    PENDING = "pending", "待核查"
    PASSED = "passed", "核查属实"
    RECTIFY = "rectify", "限期整改"
    FAILED = "failed", "承诺不实"
    CANCELLED = "cancelled", "已取消"
