from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _, pgettext_lazy


class ReformMode(models.TextChoices):
    """The four reform modes of 附件2 (钦政发〔2019〕18号)."""

    CANCEL = "cancel", _("直接取消审批")
    FILING = "filing", _("审批改为备案")
    COMMITMENT = "commitment", _("实行告知承诺")
    OPTIMISE = "optimise", _("优化准入服务")


class AuthorityRole(models.TextChoices):
    APPROVE = "approve", pgettext_lazy("authority role", "审批")
    PRELIMINARY = "preliminary", pgettext_lazy("authority role", "初审")
    VERIFY = "verify", pgettext_lazy("authority role", "审核")
    EXAMINE = "examine", pgettext_lazy("authority role", "审查")
    DELEGATED = "delegated", pgettext_lazy("authority role", "委托")


# 谁审批、谁负责. The catalogue names, for some items, authorities that examine before the decider
# ("自治区公安厅审批、市人民政府公安部门初审", items 12, 46, 75): they examine and forward with their
# opinion (行政许可法 第三十五条: 下级行政机关…将初步审查意见和全部申请材料直接报送上级行政机关);
# only a deciding authority decides. An entrusted authority (委托: items 21, 80, 82, "或者其委托的…")
# decides in the name of the authority that entrusted it (行政许可法 第二十四条).
REVIEW_ROLES = frozenset({AuthorityRole.PRELIMINARY, AuthorityRole.VERIFY, AuthorityRole.EXAMINE})
DECIDER_ROLES = frozenset({AuthorityRole.APPROVE, AuthorityRole.DELEGATED})


class ReviewOpinion(models.TextChoices):
    """The first-review authority's opinion forwarded with the application (初审意见)."""

    AGREE = "agree", _("同意，建议准予许可")
    DISAGREE = "disagree", _("不同意，建议不予许可")


class Compression(models.TextChoices):
    """How the measures compress the statutory time limit (附件2 改革举措)."""

    NONE = "none", _("未压缩")
    UNSPECIFIED = "unspecified", _("压缩审批时限（未定比例）")
    ONE_THIRD = "one_third", _("压缩三分之一")
    ONE_QUARTER = "one_quarter", _("压缩四分之一")
    FIXED = "fixed", _("压缩至固定工作日")
    LOCAL = "local", _("由地方根据实际情况确定")


class MaterialDue(models.TextChoices):
    """When a material is owed (附件3 第四条)."""

    AT_APPLICATION = "at_application", _("申请时提交")
    AT_COMMITMENT = "at_commitment", _("递交承诺书时提交")
    AFTER_DECISION = "after_decision", _("许可决定后限期提交")


class ApplicantKind(models.TextChoices):
    ENTERPRISE = "enterprise", _("企业（统一社会信用代码）")
    PERSON = "person", _("个人（居民身份证号码）")


class ClaimStatus(models.TextChoices):
    """An account's link to an applicant: claimed online (pending) until the window or a verifier checks it."""

    PENDING = "pending", _("待核验")
    VERIFIED = "verified", _("已核验")


# How a link was verified: at the window (papers checked by a clerk), or by a verifier's name
# (licensing/verifiers.py).
VERIFIED_AT_WINDOW = "window"


class Channel(models.TextChoices):
    """How the application arrived (附件3 第三条)."""

    ONLINE = "online", _("网上申请")
    WINDOW = "window", _("窗口申请")
    MAIL = "mail", _("信函、传真或电子邮件")


class Route(models.TextChoices):
    """Which procedure a commitment item follows; other modes follow their own."""

    COMMITMENT = "commitment", _("告知承诺")
    ORDINARY = "ordinary", _("一般程序")


class Status(models.TextChoices):
    SUBMITTED = "submitted", pgettext_lazy("application status", "已提交")
    NOTICE_ISSUED = "notice_issued", pgettext_lazy("application status", "已告知，待承诺")
    COMMITTED = "committed", pgettext_lazy("application status", "已承诺，待决定")
    ACCEPTED = "accepted", pgettext_lazy("application status", "已受理，审查中")
    CORRECTION = "correction", pgettext_lazy("application status", "待补正")
    APPROVED = "approved", pgettext_lazy("application status", "准予许可")
    REJECTED = "rejected", pgettext_lazy("application status", "不予许可")
    FILED = "filed", pgettext_lazy("application status", "已备案")
    RECORDED = "recorded", pgettext_lazy("application status", "已登记（取消审批）")
    LAPSED = "lapsed", pgettext_lazy("application status", "逾期未承诺，已终止")
    REVOKED = "revoked", pgettext_lazy("application status", "许可已撤销")
    WITHDRAWN = "withdrawn", pgettext_lazy("application status", "已撤回")
    # 钦政发〔2019〕20号 二（四）: 对未按规定备案或备案信息不实的企业…采取措施予以纠正.
    FILING_CORRECTION = "filing_correction", pgettext_lazy("application status", "备案信息不实，待改正")


class CommitmentKind(models.TextChoices):
    """The two kinds of commitment of the pilot rules (钦政发〔2019〕20号)."""

    ALREADY_MEETS = "already_meets", _("已具备许可条件")
    WILL_MEET = "will_meet", _("承诺在约定期限内具备许可条件")


class MaterialStatus(models.TextChoices):
    OWED = "owed", pgettext_lazy("material status", "待提交")
    SUBMITTED = "submitted", pgettext_lazy("material status", "已提交")
    OVERDUE = "overdue", pgettext_lazy("material status", "逾期未提交")
    # issue 16: "可以通过信息共享获取的信息，一律不得再要求企业提供" — got from the sharing platform, not the applicant
    SHARED = "shared", pgettext_lazy("material status", "已通过信息共享获取")


class SharedSource(models.TextChoices):
    """Where a material marked "obtained by sharing" comes from (issue 16; 附件2's measures: 在线获取核验营业执照
    等材料). The applicant is not asked for it; the submission records this source and when."""

    BUSINESS_LICENCE = "business_licence", _("营业执照（市场主体登记信息，自治区数据共享交换平台）")
    IDENTITY = "identity", _("居民身份证（人口基础信息库，自治区数据共享交换平台）")


# The seven confirmations of the 承诺书 (附件3 第二条（二）), in order, word for word as the gazette
# prints them, each starting "申请单位（人）". One typesetting variant is normalised: the gazette
# prints "对有关规定的內容" with the traditional 內 in confirmation 1; we write 内.
COMMITMENT_CONFIRMATIONS = [
    "申请单位（人）已认真学习了相关法律法规规章和规范性文件，了解了该项行政许可的有关要求，对有关规定的内容已经知晓和全面理解，承诺自身能够满足办理该事项的条件、标准和技术要求。",
    "申请单位（人）对于约定需要提供的材料，承诺在规定期限内予以提供。",
    "申请单位（人）承诺所提供的申请材料实质内容均真实、合法、有效。",
    "申请单位（人）承诺所提供的纸质申请材料和电子申请材料内容完全一致。",
    "申请单位（人）承诺主动接受有关监管部门的监督和管理。",
    "申请单位（人）承诺对违反上述承诺的行为或超越行政许可范围进行活动的行为，愿意承担相应的法律责任。因违反有关法律法规及承诺，被撤销行政许可决定所造成的经济和法律后果，愿意自行承担。",
    "申请单位（人）承诺以上陈述真实、有效，是本单位（人）真实意思的表示。",
]

# 附件3 第三条: remote notices within 3 working days; commitments within 3 working days of the notice.
NOTICE_WORKING_DAYS = 3
COMMITMENT_WORKING_DAYS = 3


class Action(models.TextChoices):
    """Everything that happens to an application, as its event rows name it and the pages label it."""

    SUBMIT = "submit", pgettext_lazy("application event", "提交申请")
    ISSUE_NOTICE = "issue_notice", pgettext_lazy("application event", "出具告知书")
    COMMIT = "commit", pgettext_lazy("application event", "递交承诺书")
    DECIDE = "decide", pgettext_lazy("application event", "当场作出准予许可决定")
    CHOOSE_ORDINARY = "choose_ordinary", pgettext_lazy("application event", "转按一般程序办理")
    ACCEPT = "accept", pgettext_lazy("application event", "受理")
    REQUEST_CORRECTION = "request_correction", pgettext_lazy("application event", "要求补正材料")
    RESUBMIT = "resubmit", pgettext_lazy("application event", "补正后重新提交")
    APPROVE = "approve", pgettext_lazy("application event", "准予许可")
    REJECT = "reject", pgettext_lazy("application event", "不予许可")
    LAPSE = "lapse", pgettext_lazy("application event", "逾期未承诺，申请终止")
    REVOKE = "revoke", pgettext_lazy("application event", "撤销许可")
    WITHDRAW = "withdraw", pgettext_lazy("application event", "撤回申请")
    SUBMIT_MATERIAL = "submit_material", pgettext_lazy("application event", "提交材料")
    REPLACE_MATERIAL = "replace_material", pgettext_lazy("application event", "更换材料")
    FORWARD = "forward", pgettext_lazy("application event", "报送初审（审核、审查）意见")
    RECORD_NOTICE_RECEIPT = "record_notice_receipt", pgettext_lazy("application event", "登记告知书送达")
    DECLARE_CONDITIONS = "declare_conditions", pgettext_lazy("application event", "申报已具备经营许可条件")
    CONFIRM_CONDITIONS = "confirm_conditions", pgettext_lazy("application event", "确认具备经营许可条件")
    MARK_FILING_UNTRUE = "mark_filing_untrue", pgettext_lazy("application event", "认定备案信息不实，责令改正")
    CORRECT_FILING = "correct_filing", pgettext_lazy("application event", "改正备案信息")


class Side(models.TextChoices):
    """Who takes a step: the applicant's side (its accounts, or the clerk at the window), the
    officer of the implementing authority, or the portal itself (a beat job)."""

    APPLICANT = "applicant", _("申请人一方")
    OFFICER = "officer", _("审批人员")
    REGULATOR = "regulator", _("行业主管部门")
    SYSTEM = "system", _("系统")


# Conditions beyond route and state, on the application's own fields (so the guard, the buttons and
# the API read one rule). Each is named by the move it guards.
def _at_review(a) -> bool:
    return a.reviewing_id is not None  # a first-review authority holds it (初审/审核/审查)


def _at_decider(a) -> bool:
    return a.reviewing_id is None


def _notice_travelling(a) -> bool:
    # 附件3 第三条: by post the 3 working days run from receipt; the officer enters the 送达回证's date.
    return a.notice_issued_at is not None and a.notice_received_at is None


def _conditions_owed(a) -> bool:
    return a.conditions_due is not None and a.conditions_met_at is None and a.conditions_declared_at is None


def _conditions_declared(a) -> bool:
    return a.conditions_declared_at is not None and a.conditions_met_at is None


@dataclass(frozen=True)
class Transition:
    sources: frozenset
    target: str
    side: str
    route: str | None = None  # the procedure the application must follow; None: either
    when: object = None  # a further condition on the application (a function of it), or None

    def allows(self, application) -> bool:
        return (application.status in self.sources and self.route in (None, application.route)
                and (self.when is None or self.when(application)))


def _t(sources, target, side, route=None, when=None) -> Transition:
    return Transition(frozenset(sources), target, side, route, when)


# Every move an application may make: the states it may start from, where it ends, who takes it
# and on which route. The services check this table and nothing else, and the pages and the API
# offer exactly what it allows (DESIGN.md: states in one place).
TRANSITIONS = {
    Action.ISSUE_NOTICE: _t({Status.SUBMITTED}, Status.NOTICE_ISSUED, Side.OFFICER, Route.COMMITMENT),
    Action.RECORD_NOTICE_RECEIPT: _t({Status.NOTICE_ISSUED}, Status.NOTICE_ISSUED, Side.OFFICER, Route.COMMITMENT,
                                     when=_notice_travelling),
    Action.COMMIT: _t({Status.NOTICE_ISSUED}, Status.COMMITTED, Side.APPLICANT, Route.COMMITMENT),
    # The first-review authority examines and forwards with its opinion; the decider decides.
    Action.FORWARD: _t({Status.COMMITTED, Status.ACCEPTED}, None, Side.OFFICER, when=_at_review),
    Action.DECIDE: _t({Status.COMMITTED}, Status.APPROVED, Side.OFFICER, Route.COMMITMENT, when=_at_decider),
    # 附件3 第十条: an applicant who will not commit goes the ordinary way.
    Action.CHOOSE_ORDINARY: _t({Status.SUBMITTED, Status.NOTICE_ISSUED}, Status.SUBMITTED, Side.APPLICANT,
                               Route.COMMITMENT),
    Action.ACCEPT: _t({Status.SUBMITTED}, Status.ACCEPTED, Side.OFFICER, Route.ORDINARY),
    Action.REQUEST_CORRECTION: _t({Status.ACCEPTED}, Status.CORRECTION, Side.OFFICER, Route.ORDINARY),
    Action.RESUBMIT: _t({Status.CORRECTION}, Status.ACCEPTED, Side.APPLICANT, Route.ORDINARY),
    Action.APPROVE: _t({Status.ACCEPTED}, Status.APPROVED, Side.OFFICER, Route.ORDINARY, when=_at_decider),
    Action.REJECT: _t({Status.ACCEPTED}, Status.REJECTED, Side.OFFICER, Route.ORDINARY, when=_at_decider),
    Action.LAPSE: _t({Status.NOTICE_ISSUED}, Status.LAPSED, Side.SYSTEM, Route.COMMITMENT),
    Action.REVOKE: _t({Status.APPROVED}, Status.REVOKED, Side.OFFICER),
    # 钦政发〔2019〕20号: 达到经营许可条件并按要求提交材料后，方可开展经营.
    Action.DECLARE_CONDITIONS: _t({Status.APPROVED}, Status.APPROVED, Side.APPLICANT, Route.COMMITMENT,
                                  when=_conditions_owed),
    Action.CONFIRM_CONDITIONS: _t({Status.APPROVED}, Status.APPROVED, Side.OFFICER, Route.COMMITMENT,
                                  when=_conditions_declared),
    # 钦政发〔2019〕20号 二（四）: the regulator finds a filing untrue; the filer corrects it.
    Action.MARK_FILING_UNTRUE: _t({Status.FILED}, Status.FILING_CORRECTION, Side.REGULATOR),
    Action.CORRECT_FILING: _t({Status.FILING_CORRECTION}, Status.FILED, Side.APPLICANT),
    Action.WITHDRAW: _t({Status.SUBMITTED, Status.NOTICE_ISSUED, Status.ACCEPTED, Status.CORRECTION}, Status.WITHDRAWN,
                        Side.APPLICANT),
}

# States in which the application ended without a licence in force: its clocks stop.
STOPPED = frozenset({Status.REJECTED, Status.WITHDRAWN, Status.LAPSED, Status.REVOKED})
# States reached by a decision (or, for cancel and filing items, done at once): handed-in materials are frozen.
DECIDED = frozenset({Status.APPROVED, Status.REJECTED, Status.REVOKED, Status.FILED, Status.RECORDED,
                     Status.FILING_CORRECTION})
# States in which the applicant side may still hand in materials (owed before or after the decision).
OPEN = frozenset({Status.SUBMITTED, Status.NOTICE_ISSUED, Status.COMMITTED, Status.ACCEPTED, Status.CORRECTION,
                  Status.APPROVED})

# Before the applicant is reminded that the date it committed to meet the conditions by is near.
CONDITIONS_REMINDER_WORKING_DAYS = 5


class RatingLevel(models.IntegerChoices):
    """好差评's five levels (国办发〔2019〕51号), 5 the best; 不满意 and 非常不满意 are 差评, answered within 15 working days."""
    VERY_SATISFIED = 5, _("非常满意")
    SATISFIED = 4, _("满意")
    FAIRLY_SATISFIED = 3, _("基本满意")
    DISSATISFIED = 2, _("不满意")
    VERY_DISSATISFIED = 1, _("非常不满意")


class RegistrationChange(models.TextChoices):
    """What the business registration system tells the portal about (双告知, issue 16)."""

    NEW = "new", _("设立登记")
    CHANGED = "changed", _("变更登记")
