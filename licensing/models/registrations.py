"""双告知 (issue 16): what the business registration system tells the portal about a newly registered or
changed enterprise, and which catalogue items its 经营范围 needs.

钦政发〔2019〕18号 三（三）: 按照推送告知、接收反馈、社会公示等全程信息化的工作要求，实现登记与审批的
信息数据有效衔接; 三（五）: 市场监管部门要认真履行好“双告知”职责. The registry tells the enterprise (in its
account and by mail) and each department concerned (a 告知 record through the outbox, acknowledged in
the department's inbox) — licensing/services/registrations.py.
"""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from licensing.constants import RegistrationChange, ReformMode


class RegistrationSender(models.Model):
    """A system allowed to send registrations: its own bearer token (only its SHA-256 is kept) and its
    whsec_ secret for the Standard Webhooks signature, as the portal signs its own records."""

    name = models.CharField(_("发送方名称"), max_length=100)
    organisation = models.ForeignKey("portal.Organisation", verbose_name=_("所属部门"), null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="registration_senders")
    token_sha256 = models.CharField(_("令牌摘要（SHA-256）"), max_length=64, unique=True)
    secret = models.CharField(_("签名密钥（whsec_）"), max_length=128)
    active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("最近使用时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("登记信息发送方")
        verbose_name_plural = _("登记信息发送方")
        ordering = ["name", "id"]

    def __str__(self):
        return self.name


class Registration(models.Model):
    """One registration event of the registry, kept once per (sender, event id): the same event sent
    again is the same registration."""

    sender = models.ForeignKey(RegistrationSender, verbose_name=_("发送方"), on_delete=models.PROTECT,
                               related_name="registrations")
    event_id = models.CharField(_("登记事件编号"), max_length=64)
    change = models.CharField(_("登记类型"), max_length=16, choices=RegistrationChange.choices,
                              default=RegistrationChange.NEW)
    uscc = models.CharField(_("统一社会信用代码"), max_length=18, db_index=True)
    name = models.CharField(_("企业名称"), max_length=200)
    scope = models.TextField(_("经营范围"))
    address = models.CharField(_("住所"), max_length=255, blank=True)
    legal_representative = models.CharField(_("法定代表人（负责人）"), max_length=64, blank=True)
    registered_on = models.DateField(_("登记日期"))
    email = models.EmailField(_("联系邮箱"), blank=True)
    applicant = models.ForeignKey("licensing.Applicant", verbose_name=_("申请人"), on_delete=models.PROTECT,
                                  related_name="registrations")
    received_at = models.DateTimeField(_("接收时间"))
    told_at = models.DateTimeField(_("告知企业时间"), null=True, blank=True)
    seen_at = models.DateTimeField(_("企业查看时间"), null=True, blank=True)
    seen_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("查看人"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("登记告知（双告知）")
        verbose_name_plural = _("登记告知（双告知）")
        ordering = ["-received_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["sender", "event_id"], name="uniq_registration_event")]

    def __str__(self):
        return f"{self.name} {self.event_id}"


class RegistrationItem(models.Model):
    """An item the registration's 经营范围 needs, as the finder's matcher found it, with its reform mode
    as it was when the enterprise was told."""

    registration = models.ForeignKey(Registration, verbose_name=_("登记告知"), on_delete=models.CASCADE,
                                     related_name="items")
    item = models.ForeignKey("licensing.Item", verbose_name=_("事项"), on_delete=models.PROTECT, related_name="+")
    reform_mode = models.CharField(_("改革方式"), max_length=16, choices=ReformMode.choices)
    words = models.JSONField(_("匹配的经营范围用语"), default=list)

    class Meta:
        verbose_name = _("告知事项")
        verbose_name_plural = _("告知事项")
        ordering = ["registration_id", "item__seq_no", "id"]
        constraints = [models.UniqueConstraint(fields=["registration", "item"], name="uniq_registration_item")]

    def __str__(self):
        return str(self.item)
