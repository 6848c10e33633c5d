"""The audit trail (等保 2.0 三级 安全审计): one append-only row per act worth answering for.

Rows are written through portal.audit.record() and never changed or deleted by the
application: save() refuses updates, delete() and queryset update()/delete() refuse, and on
PostgreSQL triggers raise on UPDATE and DELETE (migration 0003) and TRUNCATE (0005) whatever the caller.

Retention: everything is kept. The requirement is "at least 6 months"; a purge job would need
DELETE, which the trigger forbids, so archiving older rows is an operator's task done with
database privileges outside the application (see portal/audit/__init__.py).
"""
from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditImmutable(Exception):
    """Raised when code tries to change or delete an audit row."""


class AuditAction(models.TextChoices):
    LOGIN = "login", _("登录")
    LOGIN_FAILED = "login_failed", _("登录失败")
    LOCKED_OUT = "locked_out", _("登录锁定")
    LOGOUT = "logout", _("退出")
    SESSION_EXPIRED = "session_expired", _("会话超时")
    OTP_VERIFIED = "otp_verified", _("动态验证码验证通过")
    OTP_FAILED = "otp_failed", _("动态验证码错误")
    OTP_DEVICE_CONFIRMED = "otp_device_confirmed", _("绑定动态验证码")
    OTP_DEVICE_REMOVED = "otp_device_removed", _("删除两步验证设备")
    OTP_DEVICES_RESET = "otp_devices_reset", _("管理员重置两步验证设备")
    PERMISSION_DENIED = "permission_denied", _("越权访问被拒绝")
    STATE_CHANGE = "state_change", _("办件状态变更")
    MATERIAL_SUBMIT = "material_submit", _("提交或更换材料")
    APPLICANT_REGISTER = "applicant_register", _("登记申请人")
    ACCOUNT_BIND = "account_bind", _("授权账号代为办理")
    CLAIM_VERIFY = "claim_verify", _("核验账号与申请人的关联")
    CLAIM_REMOVE = "claim_remove", _("删除账号与申请人的关联")
    CREDIT_RECORD = "credit_record", _("记入诚信档案")
    CREDIT_REPAIR = "credit_repair", _("信用修复")
    TOKEN_ISSUE = "token_issue", _("签发接口令牌")
    DOCUMENT_DOWNLOAD = "document_download", _("下载文书")
    DOCUMENT_VIEW = "document_view", _("查看文书")
    EXPORT = "export", _("导出数据")
    IMPORT = "import", _("导入数据")
    ADMIN_ADD = "admin_add", _("后台新增")
    ADMIN_CHANGE = "admin_change", _("后台修改")
    ADMIN_DELETE = "admin_delete", _("后台删除")
    # issue 8: accounts people expect
    ACCOUNT_REGISTER = "account_register", _("注册账号")
    PASSWORD_CHANGE = "password_change", _("修改密码")
    PASSWORD_RESET_REQUEST = "password_reset_request", _("申请重置密码")
    PASSWORD_RESET = "password_reset", _("重置密码")
    # issue 9: approval records pushed to regulators
    RECORD_ACKNOWLEDGE = "record_acknowledge", _("签收审批信息")
    RECORD_RESEND = "record_resend", _("重新推送审批信息")
    ENDPOINT_CHANGE = "endpoint_change", _("设置推送接收地址或密钥")
    # issue 10: the regulator's check of the commitment
    INSPECTION_ASSIGN = "inspection_assign", _("指派核查人员")
    INSPECTION_RESULT = "inspection_result", _("记录核查结果")
    REVOCATION_REQUEST = "revocation_request", _("提请撤销许可")
    # issue 14: 双随机、一公开, repair requests, the quarterly reports
    DRAW_PLAN = "draw_plan", _("制定或修改抽查计划")
    DRAW_RUN = "draw_run", _("双随机抽取")
    INSPECTOR_ROSTER = "inspector_roster", _("执法检查人员入库或变更")
    INSPECTOR_CONFLICT = "inspector_conflict", _("登记执法人员回避")
    CREDIT_REPAIR_REQUEST = "credit_repair_request", _("申请信用修复")
    CREDIT_REPAIR_DECIDE = "credit_repair_decide", _("决定信用修复申请")
    REPORT_GENERATE = "report_generate", _("生成季度报告")


class AuditOutcome(models.TextChoices):
    SUCCESS = "success", _("成功")
    DENIED = "denied", _("拒绝")
    FAILED = "failed", _("失败")


class AuditQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AuditImmutable("审计记录不可修改。")

    def delete(self):
        raise AuditImmutable("审计记录不可删除。")


class AuditEvent(models.Model):
    at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    # PROTECT: a user who left a trace cannot be deleted (deactivate instead), and deleting
    # would otherwise have to UPDATE these rows, which the trigger forbids.
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")
    actor_display = models.CharField(_("操作人名称"), max_length=150, blank=True)
    role = models.CharField(_("角色"), max_length=16, blank=True)
    ip_address = models.GenericIPAddressField(_("IP地址"), null=True, blank=True)
    action = models.CharField(_("操作"), max_length=32, choices=AuditAction.choices, db_index=True)
    object_type = models.CharField(_("对象类型"), max_length=100, blank=True)
    object_id = models.CharField(_("对象标识"), max_length=64, blank=True, db_index=True)
    object_repr = models.CharField(_("对象"), max_length=200, blank=True)
    outcome = models.CharField(_("结果"), max_length=16, choices=AuditOutcome.choices, default=AuditOutcome.SUCCESS)
    details = models.JSONField(_("详情"), default=dict, blank=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        verbose_name = _("审计日志")
        verbose_name_plural = _("审计日志")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["actor", "at"]), models.Index(fields=["object_type", "object_id"])]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor_display or _('匿名')} {self.get_action_display()}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AuditImmutable("审计记录不可修改。")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditImmutable("审计记录不可删除。")
