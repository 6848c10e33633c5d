from django.db import models
from django.utils.translation import gettext_lazy as _


class DocumentKind(models.TextChoices):
    NOTICE = "notice", _("告知书")
    COMMITMENT = "commitment", _("告知承诺书")
    DECISION = "decision", _("准予行政许可决定书")
    REJECTION = "rejection", _("不予行政许可决定书")
    FILING_RECEIPT = "filing_receipt", _("备案回执")
    CANCEL_RECEIPT = "cancel_receipt", _("经营信息登记回执")
    REVOCATION = "revocation", _("撤销行政许可决定书")
    # issue 10: issued by the regulator after its check of the commitment (附件3 第七条)
    INSPECTION_RECORD = "inspection_record", _("告知承诺事后核查记录")
    RECTIFICATION = "rectification", _("责令限期整改通知书")
    REINSPECTION_RECORD = "reinspection_record", _("整改复查记录")
    # issue 11: issued by the regulator that finds a filing untrue (钦政发〔2019〕20号 二（四）)
    FILING_CORRECTION = "filing_correction", _("责令改正备案信息通知书")
    # issue 12: the licence itself (许可证 / 电子证照), one version per change and revocation
    LICENCE = "licence", _("许可证")
    # issue 14: the record of a 双随机 check, one per result (its version counts the application's random checks)
    DRAW_CHECK_RECORD = "draw_check_record", _("双随机抽查记录")


# Each document's number prefix, e.g. 钦告〔2026〕000123号.
NUMBER_PREFIX = {
    DocumentKind.NOTICE: "告", DocumentKind.COMMITMENT: "诺", DocumentKind.DECISION: "准",
    DocumentKind.REJECTION: "不准", DocumentKind.FILING_RECEIPT: "备", DocumentKind.CANCEL_RECEIPT: "登",
    DocumentKind.REVOCATION: "撤", DocumentKind.INSPECTION_RECORD: "查", DocumentKind.RECTIFICATION: "改",
    DocumentKind.REINSPECTION_RECORD: "复查", DocumentKind.FILING_CORRECTION: "备改", DocumentKind.LICENCE: "证",
    DocumentKind.DRAW_CHECK_RECORD: "抽查",
}

# The language of the documents (and of the report PDFs): legal documents in Chinese whatever the language
# of the page whose action issued or rendered them (issue 15); the interface around them is translated.
DOCUMENT_LANGUAGE = "zh-hans"
# A document's frozen HTML and its masked copy, tens of KB each: read to render or verify it, never to
# list it or link to it (issue 13: the window's applicant page read every document's whole text).
DOCUMENT_TEXT_FIELDS = ("html", "masked_html")


class SealKind(models.TextChoices):
    """What seal a document's PDF carries, settled when it is issued (its text says so, and is frozen):
    the issuing organisation's certificate (DOCUMENT_SEAL_DIR), a self-signed demonstration one, or
    none. Only the first may be called an electronic seal (电子印章, GB/T 38540)."""

    OFFICIAL = "official", _("机关电子签章")
    DEMO = "demo", _("演示签章（非法定电子印章）")
    NONE = "none", _("未加盖签章")



class RecordKind(models.TextChoices):
    """What an approval record tells the regulator (钦政办〔2019〕72号: 作出行政许可决定后3个工作日内推送，
    包括承诺内容). The payload's `type` is the kind with its schema version, e.g. approval.decided.v1."""

    DECIDED = "approval.decided", _("行政许可决定")
    FILED = "filing.recorded", _("备案")
    REGISTERED = "cancel.registered", _("经营信息登记（取消审批事项）")
    REVOKED = "approval.revoked", _("撤销行政许可决定")
    # issue 11: the filing corrected after the regulator found it untrue (钦政发〔2019〕20号 二（四）);
    # a kind of its own, as the outbox's idempotency key is one record per application and kind.
    CORRECTED = "filing.corrected", _("备案信息改正")
    # issue 16: 双告知 — the registry tells each department concerned which of its items a newly registered
    # enterprise needs (钦政发〔2019〕18号 三（三）推送告知、接收反馈); about a registration, not an application.
    REGISTRATION_NOTICE = "registration.notice", _("登记告知（双告知）")
    # issue 16: 归集 to the credit publicity systems (notices/publicity.py), in the 双公示 data items
    PERMIT_PUBLICITY = "publicity.permit", _("行政许可信息归集")
    INSPECTION_PUBLICITY = "publicity.inspection", _("抽查检查信息归集")


PAYLOAD_VERSION = "v1"
# 钦政办〔2019〕72号: records reach the regulator within 3 working days of the event.
DELIVERY_WORKING_DAYS = 3


class OutboxStatus(models.TextChoices):
    UNROUTED = "unrouted", _("待确定接收部门")
    PENDING = "pending", _("待推送")
    SENDING = "sending", _("推送中")
    DELIVERED = "delivered", _("已送达")
    DEAD = "dead", _("推送失败（待人工处理）")


class Destination(models.TextChoices):
    """Where a record goes: one plugin module each under notices/destinations/."""

    INBOX = "inbox", _("平台内监管收件箱")
    WEBHOOK = "webhook", _("监管部门接收接口")
    # issue 16: the credit publicity systems: pushed to their interface (PUBLICITY_URL) when one is set,
    # otherwise delivered in the daily 归集 file (PUBLICITY_FILE: the export job marks them, no worker claims them)
    PUBLICITY = "publicity", _("信用信息归集接口")
    PUBLICITY_FILE = "publicity_file", _("信用信息归集文件")


class Recipient(models.TextChoices):
    """Which side a record is for: the regulator always; a revocation goes to both sides."""

    REGULATOR = "regulator", _("行业主管部门")
    AUTHORITY = "authority", _("审批部门")
    PUBLICITY = "publicity", _("信用信息公示系统")
