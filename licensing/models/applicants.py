from django.conf import settings
from django.db import models
from django.utils.translation import gettext, gettext_lazy as _

from licensing.constants import VERIFIED_AT_WINDOW, ApplicantKind, ClaimStatus
from portal.masking import mask_identifier


class Applicant(models.Model):
    """Who applies: an enterprise by its 统一社会信用代码, or a person by 居民身份证号码."""

    kind = models.CharField(_("类型"), max_length=16, choices=ApplicantKind.choices)
    identifier = models.CharField(_("证件号码"), max_length=18, unique=True)
    name = models.CharField(_("名称或姓名"), max_length=200)
    legal_representative = models.CharField(_("法定代表人（负责人）"), max_length=64, blank=True)
    address = models.CharField(_("住所或经营场所"), max_length=255, blank=True)
    phone = models.CharField(_("联系电话"), max_length=32, blank=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="ApplicantMembership", through_fields=("applicant", "user"),
        related_name="applicants",
        verbose_name=_("可代为办理的账号"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("申请人")
        verbose_name_plural = _("申请人")
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def masked_identifier(self):
        return mask_identifier(self.identifier)


class ApplicantMembership(models.Model):
    """An account acting online for an applicant. Typing a 统一社会信用代码 proves nothing, so a link
    starts as a pending claim: it may prepare applications, but signs no 承诺书 (legal and credit
    consequences) until the window checks the papers or a verifier (licensing/verifiers.py) confirms it."""

    applicant = models.ForeignKey(Applicant, on_delete=models.CASCADE)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    created_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(_("核验状态"), max_length=16, choices=ClaimStatus.choices, default=ClaimStatus.PENDING)
    verified_at = models.DateTimeField(_("核验时间"), null=True, blank=True)
    verified_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("核验人"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    # "window", or the name of the verifier that confirmed it (licensing/verifiers.py)
    verified_via = models.CharField(_("核验方式"), max_length=32, blank=True)

    class Meta:
        verbose_name = _("代办关系")
        verbose_name_plural = _("代办关系")
        constraints = [models.UniqueConstraint(fields=["applicant", "user"], name="uniq_applicant_member")]

    @property
    def is_verified(self) -> bool:
        return self.status == ClaimStatus.VERIFIED

    @property
    def verified_via_display(self) -> str:
        if not self.verified_via:
            return ""
        if self.verified_via == VERIFIED_AT_WINDOW:
            return gettext("窗口核验证照")
        return gettext("在线核验（%(via)s）") % {"via": self.verified_via}
