import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.db.models import F, Q
from django.db.models.functions import Coalesce

from licensing.constants import Action, AuthorityRole, Channel, CommitmentKind, MaterialStatus, ReviewOpinion, Route, Status


def new_query_code() -> str:
    # 8 characters from an alphabet without look-alikes, given to the applicant for public progress.
    return "".join(secrets.choice("23456789ABCDEFGHJKLMNPQRSTUVWXYZ") for _ in range(8))


class NumberCounter(models.Model):
    """One row per year; incremented under a row lock so numbers never repeat."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("办件编号计数器")
        verbose_name_plural = _("办件编号计数器")


FOLLOW_UP = "followup_inspection"  # Application.inspection's entry in the prefetch cache (refresh_from_db empties it)


class Application(models.Model):
    """An application (办件) for one item by one applicant."""

    number = models.CharField(_("办件编号"), max_length=20, unique=True)
    query_code = models.CharField(_("查询码"), max_length=8, default=new_query_code)
    item = models.ForeignKey("licensing.Item", verbose_name=_("事项"), on_delete=models.PROTECT, related_name="applications")
    # issue 13: applicant, authority and regulator are looked up through their composite indexes below
    # (each leads with the column), so none has an index of its own for every write to keep up
    applicant = models.ForeignKey("licensing.Applicant", verbose_name=_("申请人"), on_delete=models.PROTECT,
                                  related_name="applications", db_index=False)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("经办账号"), on_delete=models.PROTECT,
                                     related_name="+")
    channel = models.CharField(_("申请渠道"), max_length=16, choices=Channel.choices, default=Channel.ONLINE)
    route = models.CharField(_("办理程序"), max_length=16, choices=Route.choices, default=Route.ORDINARY)
    status = models.CharField(_("状态"), max_length=24, choices=Status.choices, default=Status.SUBMITTED)
    details = models.TextField(_("申请事项说明"), blank=True)
    # 谁审批、谁负责: chosen when filed among the item's deciders (licensing.selectors.authorities).
    authority = models.ForeignKey(
        "portal.Organisation", verbose_name=_("审批机关"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="applications_decided", help_text=_("以其名义作出决定的机关"), db_index=False)
    entrusted = models.ForeignKey(
        "portal.Organisation", verbose_name=_("受委托机关"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="applications_entrusted", help_text=_("受审批机关委托、以其名义办理并作出决定的机关"))
    reviewing = models.ForeignKey(
        "portal.Organisation", verbose_name=_("当前初审机关"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="applications_reviewing", help_text=_("初审（审查、审核）机关办理中；审批机关办理时为空"))
    submitted_at = models.DateTimeField(_("提交时间"))
    notice_due = models.DateField(_("告知书送达期限"), null=True, blank=True)
    notice_issued_at = models.DateTimeField(_("告知书出具时间"), null=True, blank=True)
    # 附件3 第三条 "收到告知书后3个工作日内": online and at the window on issue; by post the 送达回证's date.
    notice_received_at = models.DateTimeField(_("告知书送达时间"), null=True, blank=True)
    commitment_due = models.DateField(_("承诺书递交期限"), null=True, blank=True)
    committed_at = models.DateTimeField(_("承诺时间"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("受理时间"), null=True, blank=True)
    decision_due = models.DateField(_("决定期限"), null=True, blank=True)
    paused_working_days = models.PositiveSmallIntegerField(_("补正暂停时剩余工作日"), null=True, blank=True)
    decided_at = models.DateTimeField(_("决定时间"), null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("决定人"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    inspection_due = models.DateField(_("事后核查期限"), null=True, blank=True)
    # 钦政发〔2019〕20号: a commitment to meet the conditions by a date; operating only once confirmed.
    conditions_due = models.DateField(_("承诺具备经营条件期限"), null=True, blank=True)
    conditions_declared_at = models.DateTimeField(_("申报具备条件时间"), null=True, blank=True)
    conditions_met_at = models.DateTimeField(_("确认具备条件时间"), null=True, blank=True)
    conditions_reminded_at = models.DateTimeField(_("到期提醒时间"), null=True, blank=True)
    filing_correct_by = models.DateField(_("备案改正期限"), null=True, blank=True)
    # Set from the routing table (licensing.selectors.routing) when the application is filed and
    # again with each record pushed; None while no one can be named (the unrouted queue).
    regulator = models.ForeignKey(
        "portal.Organisation", verbose_name=_("行业主管部门"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="regulated_applications", db_index=False)
    # Issue 13: who takes the authority's next step now (licensing.selectors.authorities.acting_organisation_id),
    # kept by the database itself so that every desk queue is one indexed equality, not an OR of three
    # columns that makes PostgreSQL read all of an authority's applications for a page of ten.
    acting = models.GeneratedField(
        verbose_name=_("当前办理机关"), expression=Coalesce("reviewing_id", "entrusted_id", "authority_id"),
        output_field=models.BigIntegerField(null=True), db_persist=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    closing_reason = models.TextField(_("办结或终止原因"), blank=True)
    deadlines_provisional = models.BooleanField(_("期限含未确认年度"), default=False)

    class Meta:
        verbose_name = _("办件")
        verbose_name_plural = _("办件")
        ordering = ["-submitted_at", "-id"]
        # Issue 13: every list is read a page at a time in the order of an index, so a page costs the
        # same at a million applications as at a thousand: newest first overall (the clerk's and the
        # admin's lists), per deciding authority, per regulator and per applicant; and the desk's
        # queues of approved applications by their own dates (partial: only rows still waiting).
        indexes = [
            models.Index(fields=["status", "decision_due"]), models.Index(fields=["status", "commitment_due"]),
            models.Index(F("submitted_at").desc(), F("id").desc(), name="application_recent_idx"),
            # the start page's "decided today" (an authority's, a service hall's): today's few, newest first
            models.Index(F("decided_at").desc(), F("id").desc(), name="application_decided_idx"),
            models.Index("authority", F("submitted_at").desc(), F("id").desc(), name="application_authority_idx"),
            models.Index("regulator", F("submitted_at").desc(), F("id").desc(), name="application_regulator_idx"),
            models.Index("applicant", F("submitted_at").desc(), F("id").desc(), name="application_applicant_idx"),
            models.Index("entrusted", F("submitted_at").desc(), F("id").desc(), name="application_entrusted_idx",
                         condition=Q(entrusted__isnull=False)),
            # The desk (acting = the officer's organisation): its queues by state, and in their own order
            # the approved applications whose inspection is due and the conditions declared, not confirmed.
            models.Index("acting", "status", "submitted_at", "id", name="application_acting_idx"),
            models.Index("acting", "notice_due", "id", name="application_notice_due_idx",
                         condition=Q(status=Status.SUBMITTED)),
            # 待受理 (ordinary applications to accept): counted on its own rows, not among every submitted one
            # (at a million applications the count walked 5,483 rows, the commitment ones too, to keep 101).
            models.Index("acting", "submitted_at", "id", name="application_to_accept_idx",
                         condition=Q(status=Status.SUBMITTED, route=Route.ORDINARY)),
            models.Index("acting", "notice_issued_at", "id", name="application_in_post_idx",
                         condition=Q(status=Status.NOTICE_ISSUED, notice_received_at__isnull=True)),
            models.Index("acting", "committed_at", "id", name="application_to_decide_idx",
                         condition=Q(status=Status.COMMITTED)),
            models.Index("acting", "decision_due", "id", name="application_reviewing_idx",
                         condition=Q(status__in=[Status.ACCEPTED, Status.CORRECTION])),
            models.Index("acting", "inspection_due", "id", name="application_inspection_idx",
                         condition=Q(status=Status.APPROVED, inspection_due__isnull=False)),
            models.Index("acting", "conditions_declared_at", "id", name="application_conditions_idx",
                         condition=Q(conditions_declared_at__isnull=False, conditions_met_at__isnull=True)),
            # The conditions jobs: dates committed to, nothing declared yet (钦政发〔2019〕20号).
            models.Index("conditions_due", "id", name="application_cond_due_idx",
                         condition=Q(status=Status.APPROVED, conditions_due__isnull=False,
                                     conditions_declared_at__isnull=True, conditions_met_at__isnull=True)),
            # Filed before authorities were chosen per application: acted on by the item's authorities.
            models.Index("item", name="application_legacy_idx", condition=Q(acting__isnull=True)),
            # The regulator's filings (licensing.selectors.filings): the newest received, and the corrections
            # ordered, each from its own small index, not from every application the regulator oversees.
            models.Index("regulator", F("submitted_at").desc(), F("id").desc(), name="application_filed_idx",
                         condition=Q(status=Status.FILED)),
            models.Index("regulator", "filing_correct_by", "id", name="application_filing_fix_idx",
                         condition=Q(status=Status.FILING_CORRECTION)),
        ]

    def __str__(self):
        return self.number

    @property
    def reform_mode(self):
        return self.item.reform_mode

    @property
    def inspection(self):
        """The follow-up check of the commitment (附件3 第七条), or None: the one of `inspections` that no random
        draw made (双随机 checks are the others). Read from a prefetch of `inspections` where a list made one;
        otherwise asked once and kept, like a one-to-one relation's object, until refresh_from_db()."""
        cache = self.__dict__.setdefault("_prefetched_objects_cache", {})
        if "inspections" in cache:
            return next((i for i in cache["inspections"] if i.pick_id is None), None)
        if FOLLOW_UP not in cache:
            cache[FOLLOW_UP] = self.inspections.filter(pick__isnull=True).first() if self.pk else None
        return cache[FOLLOW_UP]


class ApplicationEvent(models.Model):
    """Who moved an application from which state to which, when and why. Never edited."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("动作"), max_length=32, choices=Action.choices)
    from_status = models.CharField(_("原状态"), max_length=24, blank=True)
    to_status = models.CharField(_("新状态"), max_length=24)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("时间"))
    reason = models.TextField(_("说明"), blank=True)
    # Late is recorded, not refused: the deadline the step answered and how many working days past it.
    due_date = models.DateField(_("应办期限"), null=True, blank=True)
    late_working_days = models.PositiveSmallIntegerField(_("逾期工作日数"), null=True, blank=True)
    organisation = models.ForeignKey(
        "portal.Organisation", verbose_name=_("办理机关"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+", help_text=_("作出此步骤的机关（电子监察按机关统计）"))

    class Meta:
        verbose_name = _("办件记录")
        verbose_name_plural = _("办件记录")
        ordering = ["at", "id"]


class ApplicationReview(models.Model):
    """One first-review stage (初审/审核/审查) of an application: who examines, and the opinion it
    forwarded to the next stage (行政许可法 第三十五条). Made when the application is filed, in order;
    `forwarded_at` is empty until that authority forwards."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="reviews")
    organisation = models.ForeignKey("portal.Organisation", verbose_name=_("初审机关"), on_delete=models.PROTECT,
                                     related_name="+")
    role = models.CharField(_("职责"), max_length=16, choices=AuthorityRole.choices)
    order = models.PositiveSmallIntegerField(_("顺序"))
    opinion = models.CharField(_("初审意见"), max_length=16, choices=ReviewOpinion.choices, blank=True)
    comments = models.TextField(_("意见说明"), blank=True)
    forwarded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("报送人"), null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    forwarded_at = models.DateTimeField(_("报送时间"), null=True, blank=True)
    # The application's, copied when the stage is made (it never changes): the examining organisation's
    # list walks review_list_idx newest first, as the deciding one's walks application_authority_idx (issue 13).
    submitted_at = models.DateTimeField(_("申请时间"), editable=False)

    class Meta:
        verbose_name = _("初审意见")
        verbose_name_plural = _("初审意见")
        ordering = ["application_id", "order"]
        constraints = [models.UniqueConstraint(fields=["application", "order"], name="uniq_review_stage")]
        indexes = [models.Index(fields=["organisation", "-submitted_at", "-application"], name="review_list_idx")]

    def __str__(self):
        return f"{self.application} {self.organisation}（{self.get_role_display()}）"


class Commitment(models.Model):
    """The signed 承诺书: the seven confirmations and which kind of commitment."""

    application = models.OneToOneField(Application, on_delete=models.PROTECT, related_name="commitment")
    kind = models.CharField(_("承诺类型"), max_length=16, choices=CommitmentKind.choices)
    meet_by = models.DateField(_("承诺具备条件日期"), null=True, blank=True)
    confirmations = models.JSONField(_("确认事项"), default=list)
    signatory = models.CharField(_("签署人"), max_length=64)
    signed_at = models.DateTimeField(_("签署时间"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("录入人"), on_delete=models.PROTECT,
                                    related_name="+")
    disclosed = models.BooleanField(_("公开"), default=True)

    class Meta:
        verbose_name = _("承诺书")
        verbose_name_plural = _("承诺书")


class Licence(models.Model):
    """The permit a decision issues; revoked when a commitment proves untrue or materials are late."""

    application = models.OneToOneField(Application, on_delete=models.PROTECT, related_name="licence")
    number = models.CharField(_("许可证编号"), max_length=32, unique=True)
    issued_at = models.DateTimeField(_("发证时间"))
    may_operate_from = models.DateField(_("可开展经营日期"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    revocation_reason = models.TextField(_("撤销原因"), blank=True)
    # issue 12: what the licence document prints (GB/T 36901 电子证照's data items, README)
    scope = models.TextField(_("许可范围"), blank=True)
    valid_from = models.DateField(_("有效期起始日期"), null=True, blank=True)
    valid_until = models.DateField(_("有效期截止日期"), null=True, blank=True, help_text=_("空为长期有效"))
    version = models.PositiveSmallIntegerField(_("版本"), default=1, help_text=_("每次变更或撤销出具新版本"))

    class Meta:
        verbose_name = _("许可证")
        verbose_name_plural = _("许可证")

    def __str__(self):
        return self.number


class MaterialSubmission(models.Model):
    """A material an application owes, its due date and who handed it in last; its files are MaterialFile rows."""

    # issue 13: found by uniq_application_material, which leads with it
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="materials", db_index=False)
    material = models.ForeignKey("licensing.Material", on_delete=models.PROTECT, related_name="+")
    due_date = models.DateField(_("提交期限"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=MaterialStatus.choices, default=MaterialStatus.OWED)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    # issue 16: a material obtained by sharing (status SHARED): where its data came from, and when
    obtained_from = models.CharField(_("共享获取来源"), max_length=128, blank=True)
    obtained_at = models.DateTimeField(_("共享获取时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("办件材料")
        verbose_name_plural = _("办件材料")
        # By the column: "application" would join every read of an application's materials to the
        # applications, to sort them by Application.Meta.ordering (issue 13). Likewise on the other models
        # whose rows are read per parent (reviews, files, an item's materials and authorities).
        ordering = ["application_id", "material__order"]
        constraints = [models.UniqueConstraint(fields=["application", "material"], name="uniq_application_material")]
        # Issue 13: the desk's materials-due queue and the overdue-materials job read only what is still owed.
        indexes = [models.Index("due_date", "id", name="material_owed_due_idx",
                                condition=Q(status=MaterialStatus.OWED, due_date__isnull=False))]

    def __str__(self):
        return f"{self.application} {self.material}"

    @property
    def current_file(self):
        """The file handed in last, the one the officer reads (None while owed)."""
        return next((f for f in self.files.all() if f.replaced_at is None), None)

    @property
    def earlier_files(self) -> list:
        """The files it replaced, newest first: kept, never changed (issue 8)."""
        return sorted((f for f in self.files.all() if f.replaced_at is not None), key=lambda f: f.replaced_at,
                      reverse=True)


class MaterialFile(models.Model):
    """Every file ever handed in for a material, the current one and those it replaced. Never edited
    but for `replaced_at`, never deleted: what the officer read stays readable.

    The file is stored under a random name with the extension of the type its content shows
    (portal.uploads); the uploader's name is only `display_name`, cleaned, to show.
    """

    submission = models.ForeignKey(MaterialSubmission, verbose_name=_("办件材料"), on_delete=models.PROTECT,
                                   related_name="files")
    file = models.FileField(_("文件"), max_length=200)
    content_type = models.CharField(_("文件类型"), max_length=64)
    display_name = models.CharField(_("上传时的文件名"), max_length=100, blank=True)
    size = models.PositiveBigIntegerField(_("大小（字节）"), default=0)
    sha256 = models.CharField("SHA-256", max_length=64, blank=True)
    uploaded_at = models.DateTimeField(_("上传时间"))
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("上传人"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    replaced_at = models.DateTimeField(_("被更换时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("材料文件")
        verbose_name_plural = _("材料文件")
        ordering = ["submission_id", "uploaded_at", "id"]
        constraints = [models.UniqueConstraint(fields=["submission"], condition=models.Q(replaced_at__isnull=True),
                                               name="one_current_file_per_material")]

    def __str__(self):
        return self.display_name or self.file.name
