from django.db import models
from django.utils.translation import gettext_lazy as _, pgettext_lazy

from notices.constants import RecordKind


class CreditReason(models.TextChoices):
    """What puts an applicant in the 诚信档案 (附件3 第九条; 钦政发〔2019〕20号 for filings and conditions)."""

    MISSING_MATERIALS = "missing_materials", _("未按期提交材料或材料不符合要求")
    FALSE_COMMITMENT = "false_commitment", _("作出不实承诺")
    # 钦政发〔2019〕20号 二（四）: 对未按规定备案或备案信息不实的企业…依法调查处理.
    FALSE_FILING = "false_filing", _("备案信息虚假")
    # 钦政发〔2019〕20号: 达到经营许可条件并按要求提交材料后，方可开展经营 (a date committed to and missed).
    CONDITIONS_UNMET = "conditions_unmet", _("承诺期限内未达到许可条件")


# 信用修复 (supervision.models.CreditRepairRule): what the documents say, the default of every rule
# until an admin opens repair under a later rule. Migration 0004 wrote these rows (its own frozen
# copy); repair_rule_for falls back to them where a row is missing.
CREDIT_REPAIR_DEFAULT_BASIS = (
    "《钦州市“证照分离”改革行政许可事项告知承诺指引（试行）》（钦政发〔2019〕18号附件3）第九条："
    "“对申请单位（人）在规定期限内未提交材料，或者提交的材料不符合要求的，在后续监管中发现申请单位（人）"
    "作出不实承诺的，应当记入诚信档案，并在今后对该申请单位（人）不再适用告知承诺的许可方式。”"
    "第九条未规定信用修复，也未规定限制的期限；钦政发〔2019〕18号二（五）“推动建立完善信用修复机制”、"
    "钦政发〔2019〕20号二（五）“建立对虚假承诺实行信用记录制度和信用修复机制”只要求建立修复机制，"
    "未规定可修复的记录种类和期限。故默认不予修复。自治区或本市此后出台信用修复办法的，管理员可依该办法"
    "开放修复、设定月数，并在此写明其名称、文号和条款。"
)
CREDIT_REPAIR_REASON_BASIS = {
    CreditReason.MISSING_MATERIALS: "事由：在规定期限内未提交材料，或者提交的材料不符合要求（附件3第六条、第九条）。",
    CreditReason.FALSE_COMMITMENT: "事由：在后续监管中发现作出不实承诺（附件3第七条、第九条）。",
    CreditReason.FALSE_FILING: ("事由：备案信息虚假（钦政发〔2019〕20号二（四）：“对未按规定备案或备案信息不实的企业，"
                                "要明确监管规则，依法调查处理并采取措施予以纠正”）。"),
    CreditReason.CONDITIONS_UNMET: ("事由：承诺领证后一定期限内具备经营许可条件，期满仍未达到（钦政发〔2019〕20号二（一）3："
                                    "“企业达到经营许可条件并按要求提交材料后，方可开展经营”）。"),
}


def credit_repair_default_basis(reason) -> str:
    return CREDIT_REPAIR_REASON_BASIS.get(reason, "") + CREDIT_REPAIR_DEFAULT_BASIS


class InspectionStatus(models.TextChoices):
    PENDING = "pending", _("待核查")
    PASSED = "passed", _("核查属实")
    RECTIFY = "rectify", _("限期整改")
    FAILED = "failed", _("承诺不实")
    CANCELLED = "cancelled", _("已取消")


class InspectionOutcome(models.TextChoices):
    """What a check of the commitment found (附件3 第七条; 钦政发〔2019〕20号)."""

    CONFORMS = "conforms", _("符合承诺")
    RECTIFY = "rectify", _("不符合，责令限期整改")
    FAILS = "fails", _("不符合，提请撤销许可")


class FailureGround(models.TextChoices):
    """Why a check ends in a revocation request."""

    STILL_NONCONFORMING = "still_nonconforming", _("整改期满仍不符合")
    ACCESS_REFUSED = "access_refused", _("拒绝、阻挠核查")
    FALSE_COMMITMENT = "false_commitment", _("承诺内容不实")


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
    OPEN = "open", _("待审批部门撤销")
    REVOKED = "revoked", _("已撤销许可")


class InboxKind(models.TextChoices):
    """The kinds of record an inbox receives: the outbox's records to departments (issue 9) and the 双告知
    告知 records (issue 16). The 归集 kinds go to the credit publicity systems, never to an inbox."""

    DECIDED = RecordKind.DECIDED.value, RecordKind.DECIDED.label
    FILED = RecordKind.FILED.value, RecordKind.FILED.label
    REGISTERED = RecordKind.REGISTERED.value, RecordKind.REGISTERED.label
    REVOKED = RecordKind.REVOKED.value, RecordKind.REVOKED.label
    CORRECTED = RecordKind.CORRECTED.value, RecordKind.CORRECTED.label
    REGISTRATION_NOTICE = RecordKind.REGISTRATION_NOTICE.value, RecordKind.REGISTRATION_NOTICE.label


# The payload gives these as codes (licensing's); the inbox page names them. Unknown codes show as they are.
OUTCOME_LABELS = {"granted": pgettext_lazy("decision outcome", "准予许可"),
                  "refused": pgettext_lazy("decision outcome", "不予许可"),
                  "revoked": pgettext_lazy("decision outcome", "撤销许可"), "filed": _("已备案"), "registered": _("已登记")}
APPLICANT_KIND_LABELS = {"enterprise": _("企业"), "person": _("个人")}
MATERIAL_STATUS_LABELS = {"owed": _("待提交"), "submitted": _("已提交"), "overdue": _("逾期未提交")}


# --- 双随机、一公开 (issue 14; 钦政发〔2019〕20号: 随机抽取检查对象、随机选派执法检查人员、抽查情况及查处结果及时向社会公开) ---

class DrawStatus(models.TextChoices):
    DRAFT = "draft", _("待抽取")
    DRAWN = "drawn", _("已抽取")


# The draw's algorithm, named with the plan so that a re-run knows which one to use (README, "双随机").
DRAW_ALGORITHM = "sha256-rank-v1"
# Where a plan may take its entities from: what the regulator supervises and is in force.
MAX_SAMPLE_PERCENT = 100
MAX_POOL = 200_000


# --- 信用修复 requests (issue 14) -----------------------------------------------------------------

class RepairStatus(models.TextChoices):
    PENDING = "pending", _("待认定机关决定")
    GRANTED = "granted", _("准予修复")
    REFUSED = "refused", _("不予修复")
