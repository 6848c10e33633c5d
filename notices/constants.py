from django.db import models


class DocumentKind(models.TextChoices):
    NOTICE = "notice", "告知书"
    COMMITMENT = "commitment", "告知承诺书"
    DECISION = "decision", "准予行政许可决定书"
    REJECTION = "rejection", "不予行政许可决定书"
    FILING_RECEIPT = "filing_receipt", "备案回执"
    CANCEL_RECEIPT = "cancel_receipt", "经营信息登记回执"
    REVOCATION = "revocation", "撤销行政许可决定书"
    # issue 10: issued by the regulator after its check of the commitment (附件3 第七条)
    INSPECTION_RECORD = "inspection_record", "告知承诺事后核查记录"
    RECTIFICATION = "rectification", "责令限期整改通知书"
    REINSPECTION_RECORD = "reinspection_record", "整改复查记录"
    # issue 11: issued by the regulator that finds a filing untrue (钦政发〔2019〕20号 二（四）)
    FILING_CORRECTION = "filing_correction", "责令改正备案信息通知书"
    # issue 12: the licence itself (许可证 / 电子证照), one version per change and revocation
    LICENCE = "licence", "许可证"
    # issue 14: the record of a 双随机 check, one per result (its version counts the application's random checks)
    DRAW_CHECK_RECORD = "draw_check_record", "双随机抽查记录"


# Each document's number prefix, e.g. 钦告〔2026〕000123号.
NUMBER_PREFIX = {
    DocumentKind.NOTICE: "告", DocumentKind.COMMITMENT: "诺", DocumentKind.DECISION: "准",
    DocumentKind.REJECTION: "不准", DocumentKind.FILING_RECEIPT: "备", DocumentKind.CANCEL_RECEIPT: "登",
    DocumentKind.REVOCATION: "撤", DocumentKind.INSPECTION_RECORD: "查", DocumentKind.RECTIFICATION: "改",
    DocumentKind.REINSPECTION_RECORD: "复查", DocumentKind.FILING_CORRECTION: "备改", DocumentKind.LICENCE: "证",
    DocumentKind.DRAW_CHECK_RECORD: "抽查",
}


class SealKind(models.TextChoices):
    """What seal a document's PDF carries, settled when it is issued (its text says so, and is frozen):
    the issuing organisation's certificate (DOCUMENT_SEAL_DIR), a self-signed demonstration one, or
    none. Only the first may be called an electronic seal (电子印章, GB/T 38540)."""

    OFFICIAL = "official", "机关电子签章"
    DEMO = "demo", "演示签章（非法定电子印章）"
    NONE = "none", "未加盖签章"



class RecordKind(models.TextChoices):
    """What an approval record tells the regulator (钦政办〔2019〕72号: 作出行政许可决定后3个工作日内推送，
    包括承诺内容). The payload's `type` is the kind with its schema version, e.g. approval.decided.v1."""

    DECIDED = "approval.decided", "行政许可决定"
    FILED = "filing.recorded", "备案"
    REGISTERED = "cancel.registered", "经营信息登记（取消审批事项）"
    REVOKED = "approval.revoked", "撤销行政许可决定"
    # issue 11: the filing corrected after the regulator found it untrue (钦政发〔2019〕20号 二（四）);
    # a kind of its own, as the outbox's idempotency key is one record per application and kind.
    CORRECTED = "filing.corrected", "备案信息改正"


PAYLOAD_VERSION = "v1"
# 钦政办〔2019〕72号: records reach the regulator within 3 working days of the event.
DELIVERY_WORKING_DAYS = 3


class OutboxStatus(models.TextChoices):
    UNROUTED = "unrouted", "待确定接收部门"
    PENDING = "pending", "待推送"
    SENDING = "sending", "推送中"
    DELIVERED = "delivered", "已送达"
    DEAD = "dead", "推送失败（待人工处理）"


class Destination(models.TextChoices):
    """Where a record goes: one plugin module each under notices/destinations/."""

    INBOX = "inbox", "平台内监管收件箱"
    WEBHOOK = "webhook", "监管部门接收接口"


class Recipient(models.TextChoices):
    """Which side a record is for: the regulator always; a revocation goes to both sides."""

    REGULATOR = "regulator", "行业主管部门"
    AUTHORITY = "authority", "审批部门"
