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


class InspectionOutcome(models.TextChoices):
    """What a check of the commitment found (附件3 第七条; 钦政发〔2019〕20号)."""

    CONFORMS = "conforms", "符合承诺"
    RECTIFY = "rectify", "不符合，责令限期整改"
    FAILS = "fails", "不符合，提请撤销许可"


class FailureGround(models.TextChoices):
    """Why a check ends in a revocation request."""

    STILL_NONCONFORMING = "still_nonconforming", "整改期满仍不符合"
    ACCESS_REFUSED = "access_refused", "拒绝、阻挠核查"
    FALSE_COMMITMENT = "false_commitment", "承诺内容不实"


# The one table of result moves: for each outcome, the states it may be recorded in and where it
# ends. A rectification is ordered once; its re-inspection ends in conforms or fails.
RESULT_MOVES = {
    InspectionOutcome.CONFORMS: ({InspectionStatus.PENDING, InspectionStatus.RECTIFY}, InspectionStatus.PASSED),
    InspectionOutcome.RECTIFY: ({InspectionStatus.PENDING}, InspectionStatus.RECTIFY),
    InspectionOutcome.FAILS: ({InspectionStatus.PENDING, InspectionStatus.RECTIFY}, InspectionStatus.FAILED),
}
OPEN_INSPECTION = frozenset({InspectionStatus.PENDING, InspectionStatus.RECTIFY})

# 钦政发〔2019〕18号 附件2: items 4-19 carry 全覆盖例行检查 (every decision is inspected, none is
# left to a random draw), by their 序号 in the catalogue.
FULL_COVERAGE_SEQ_NOS = frozenset(range(4, 20))
# An on-site check is made by at least two law-enforcement officers (行政执法 两人以上).
MIN_INSPECTORS = 2
# The deadline of a 责令限期整改, in working days, as the regulator sets it.
RECTIFY_DAYS_RANGE = (1, 60)


class RevocationRequestStatus(models.TextChoices):
    OPEN = "open", "待审批部门撤销"
    REVOKED = "revoked", "已撤销许可"


# The kinds of approval record an inbox receives are the kinds the outbox sends (issue 9).
InboxKind = RecordKind


# The payload gives these as codes (licensing's); the inbox page names them. Unknown codes show as they are.
OUTCOME_LABELS = {"granted": "准予许可", "refused": "不予许可", "revoked": "撤销许可", "filed": "已备案",
                  "registered": "已登记"}
APPLICANT_KIND_LABELS = {"enterprise": "企业", "person": "个人"}
MATERIAL_STATUS_LABELS = {"owed": "待提交", "submitted": "已提交", "overdue": "逾期未提交"}
