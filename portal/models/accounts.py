import rules
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from portal.constants import Language, OrgKind, OrgLevel, Role


class Organisation(models.Model):
    """An approval authority, an industry regulator or a service hall."""

    code = models.CharField(_("机构代码"), max_length=32, unique=True)
    name = models.CharField(_("机构名称"), max_length=128)
    level = models.CharField(_("层级"), max_length=16, choices=OrgLevel.choices)
    kind = models.CharField(_("类型"), max_length=16, choices=OrgKind.choices, default=OrgKind.AUTHORITY)
    contact_email = models.EmailField(
        _("联系邮箱"), blank=True, help_text=_("审批信息推送即将超过3个工作日时，提醒发往此邮箱"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("机构")
        verbose_name_plural = _("机构")
        ordering = ["code"]

    def __str__(self):
        return self.name


class User(AbstractUser):
    """Every person who signs in: applicants and staff alike, told apart by role."""

    role = models.CharField(_("角色"), max_length=16, choices=Role.choices, default=Role.APPLICANT)
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("所属机构"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="members",
    )
    full_name = models.CharField(_("姓名"), max_length=64, blank=True)
    # Issue 15: the language the person chose with the switch; e-mails sent to them later (from a job,
    # with no request to read it from) are written in it. Blank: the portal's default, 简体中文.
    language = models.CharField(_("界面语言"), max_length=8, blank=True, choices=Language.choices)

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self):
        return self.full_name or self.username

    def has_perm(self, perm, obj=None):
        # The portal's own rules (portal/permissions.py) apply to superusers too: an admin
        # sees everything but does not decide, commit or sign for anyone (谁审批、谁负责).
        if rules.perm_exists(perm):
            return self.is_active and rules.has_perm(perm, self, obj)
        return super().has_perm(perm, obj)

    @property
    def is_staff_role(self):
        return self.role != Role.APPLICANT


class ExternalIdentity(models.Model):
    """An account's sign-in through an outside identity service (issue 16: the region's unified identity
    service, 广西数字政务一体化平台 统一身份认证, an OpenID Connect provider): the provider's stable subject
    identifier (`sub`) is the link, never the e-mail or a name, which the person may change there."""

    provider = models.CharField("身份认证服务", max_length=32)
    subject = models.CharField("用户标识（sub）", max_length=255)
    user = models.ForeignKey(User, verbose_name="账号", on_delete=models.CASCADE, related_name="external_identities")
    linked_at = models.DateTimeField("关联时间")
    last_sign_in_at = models.DateTimeField("最近登录时间", null=True, blank=True)

    class Meta:
        verbose_name = "外部身份"
        verbose_name_plural = "外部身份"
        constraints = [models.UniqueConstraint(fields=["provider", "subject"], name="uniq_external_identity")]

    def __str__(self):
        return f"{self.provider}:{self.subject}"
