from django.db import models

from notices.constants import RecordKind


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


# The kinds of approval record an inbox receives are the kinds the outbox sends (issue 9).
InboxKind = RecordKind


# The payload gives these as codes (licensing's); the inbox page names them. Unknown codes show as they are.
OUTCOME_LABELS = {"granted": "准予许可", "refused": "不予许可", "revoked": "撤销许可", "filed": "已备案",
                  "registered": "已登记"}
APPLICANT_KIND_LABELS = {"enterprise": "企业", "person": "个人"}
MATERIAL_STATUS_LABELS = {"owed": "待提交", "submitted": "已提交", "overdue": "逾期未提交"}
