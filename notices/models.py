import hashlib

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from notices.constants import Destination, DocumentKind, OutboxStatus, Recipient, RecordKind, SealKind


class Document(models.Model):
    """A document issued for an application, frozen at issue.

    The HTML is rendered once when the document is issued and never again, so what was
    issued is what is verified; the PDF is made from that HTML on first download and kept.

    Identifiers (issue 8). Whoever sees the applicant's 统一社会信用代码 or 身份证号码 masked on the
    pages (licensing.selectors.may_see_identity: "licensing.view_applicant_identity") sees it masked
    in every document too. The document is therefore frozen twice at issue, from one rendering:
    `html` is the original, whose digest `sha256` the public verification page checks, served with
    its own kept `pdf` to those who may see the identity; `masked_html` is that same HTML with
    every occurrence of the applicant's identifier replaced by the mask the pages use
    (portal.masking.mask_identifier), served with its own kept `masked_pdf` to everyone else.
    Masking by replacement rather than by a second template rendering catches the identifier
    wherever it appears (the parties table, or typed by the applicant into its own text), and
    freezing the result at issue means a later change of the applicant's record cannot unmask an
    old document. The original is never rewritten, so it stays byte for byte what was verified.
    """

    application = models.ForeignKey("licensing.Application", verbose_name=_("办件"), on_delete=models.PROTECT,
                                    related_name="documents")
    kind = models.CharField(_("文书类型"), max_length=24, choices=DocumentKind.choices)
    number = models.CharField(_("文书编号"), max_length=40, unique=True)
    verification_code = models.CharField(_("验证码"), max_length=16, unique=True)
    html = models.TextField(_("文书内容"))
    sha256 = models.CharField(_("内容摘要"), max_length=64)
    pdf = models.FileField("PDF", upload_to="documents/%Y/%m/", blank=True)
    masked_html = models.TextField(_("文书内容（证件号码隐去部分字符）"), blank=True)
    masked_pdf = models.FileField(_("PDF（证件号码隐去部分字符）"), upload_to="documents/%Y/%m/", blank=True)
    issued_at = models.DateTimeField(_("出具时间"))
    # issue 12. A licence is issued anew on each change and on its revocation; every other kind has
    # one version. The older versions stay verifiable, and say since when they were superseded.
    version = models.PositiveSmallIntegerField(_("版本"), default=1)
    organisation = models.ForeignKey("portal.Organisation", verbose_name=_("出具机关"), null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="documents_issued",
                                     help_text=_("以其名义出具、以其证书加盖签章的机关"))
    seal = models.CharField(_("签章"), max_length=16, choices=SealKind.choices, default=SealKind.NONE)

    class Meta:
        verbose_name = _("文书")
        verbose_name_plural = _("文书")
        ordering = ["issued_at", "id"]
        constraints = [models.UniqueConstraint(fields=["application", "kind", "version"],
                                               name="uniq_document_kind_version")]
        # The beat job's question: which issued documents still lack a PDF (notices.services).
        indexes = [models.Index(fields=["issued_at"], condition=models.Q(pdf="") | models.Q(masked_pdf=""),
                                name="document_pdf_missing")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.number}"

    @staticmethod
    def digest(html: str) -> str:
        return hashlib.sha256(html.encode("utf-8")).hexdigest()


class DocumentNumberCounter(models.Model):
    """One row per kind of document and year (钦告〔2027〕000001号); bumped under its row lock, so
    numbers of a kind never repeat, and never depend on the application's own number."""

    kind = models.CharField(_("文书类型"), max_length=24, choices=DocumentKind.choices)
    year = models.PositiveSmallIntegerField(_("年度"))
    last = models.PositiveIntegerField(_("已用到的序号"), default=0)

    class Meta:
        verbose_name = _("文书编号计数器")
        verbose_name_plural = _("文书编号计数器")
        constraints = [models.UniqueConstraint(fields=["kind", "year"], name="uniq_document_counter")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.year}：{self.last}"


class OutboxRecord(models.Model):
    """An approval record on its way to one destination of one recipient (issue 9).

    Written in the transaction of the decision, filing, cancel registration or revocation it tells
    of, so the record exists exactly when the event does; a worker delivers it afterwards, as many
    times as it takes (notices/outbox.py). `idempotency_key` is the same for every destination and
    attempt of one record (it is the webhook-id), so a receiver keeps one copy however often it
    arrives. `recipient_org` is None while no one can be named (the unrouted queue); the due time
    runs from the event all the same.
    """

    kind = models.CharField(_("类型"), max_length=32, choices=RecordKind.choices)
    type = models.CharField(_("报文类型"), max_length=48)
    # A record is about an application, or (双告知, issue 16) about a registration; never both.
    application = models.ForeignKey("licensing.Application", verbose_name=_("办件"), on_delete=models.PROTECT,
                                    related_name="outbox_records", null=True, blank=True)
    registration = models.ForeignKey("licensing.Registration", verbose_name=_("登记告知"), on_delete=models.PROTECT,
                                     related_name="outbox_records", null=True, blank=True)
    recipient = models.CharField(_("接收方"), max_length=16, choices=Recipient.choices, default=Recipient.REGULATOR)
    recipient_org = models.ForeignKey("portal.Organisation", verbose_name=_("接收部门"), null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="outbox_records")
    authority = models.ForeignKey("portal.Organisation", verbose_name=_("审批部门"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="outbox_records_sent")
    destination = models.CharField(_("推送渠道"), max_length=16, choices=Destination.choices, default=Destination.INBOX)
    endpoint = models.ForeignKey("notices.RegulatorEndpoint", verbose_name=_("接收接口"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="records")
    idempotency_key = models.CharField(_("幂等键（webhook-id）"), max_length=64, db_index=True)
    payload = models.JSONField(_("报文"), encoder=DjangoJSONEncoder)
    event_at = models.DateTimeField(_("事件时间"))
    due_at = models.DateTimeField(_("推送期限"), db_index=True)
    status = models.CharField(_("状态"), max_length=16, choices=OutboxStatus.choices, default=OutboxStatus.PENDING,
                              db_index=True)
    attempts = models.PositiveIntegerField(_("已尝试次数"), default=0)
    next_attempt_at = models.DateTimeField(_("下次尝试时间"), null=True, blank=True, db_index=True)
    lease_until = models.DateTimeField(_("推送租约到期"), null=True, blank=True)
    last_error = models.TextField(_("最近一次错误"), blank=True)
    delivered_at = models.DateTimeField(_("送达时间"), null=True, blank=True)
    warned_at = models.DateTimeField(_("超时提醒时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("审批信息推送记录")
        verbose_name_plural = _("审批信息推送记录")
        ordering = ["due_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["idempotency_key", "destination"], name="uniq_outbox_key_destination"),
            models.CheckConstraint(condition=Q(application__isnull=False, registration__isnull=True)
                                   | Q(application__isnull=True, registration__isnull=False),
                                   name="outbox_about_one_thing"),
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self):
        return f"{self.get_kind_display()} {self.idempotency_key}"

    @property
    def delivered_on_time(self) -> bool | None:
        return None if self.delivered_at is None else self.delivered_at <= self.due_at


class RegulatorEndpoint(models.Model):
    """A regulator organisation's own HTTPS endpoint for approval records, signed per the Standard
    Webhooks spec with a whsec_ secret (notices/destinations/webhook.py). The previous secret signs
    too for a while after a rotation, so the receiver can switch over without losing a delivery."""

    organisation = models.ForeignKey("portal.Organisation", verbose_name=_("行业主管部门"), on_delete=models.PROTECT,
                                     related_name="endpoints")
    url = models.URLField(_("接收地址"), max_length=500)
    secret = models.CharField(_("签名密钥"), max_length=128)
    previous_secret = models.CharField(_("上一个签名密钥"), max_length=128, blank=True)
    rotated_at = models.DateTimeField(_("密钥轮换时间"), null=True, blank=True)
    active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("监管部门接收接口")
        verbose_name_plural = _("监管部门接收接口")
        ordering = ["organisation", "id"]
        # One active endpoint per organisation: the outbox binds each record to it (notices.endpoints).
        constraints = [models.UniqueConstraint(fields=["organisation"], condition=models.Q(active=True),
                                               name="uniq_active_endpoint_per_org")]

    def __str__(self):
        return f"{self.organisation}：{self.url}"
