from django.db import models


class ReformMode(models.TextChoices):
    """The four reform modes of 附件2 (钦政发〔2019〕18号)."""

    CANCEL = "cancel", "直接取消审批"
    FILING = "filing", "审批改为备案"
    COMMITMENT = "commitment", "实行告知承诺"
    OPTIMISE = "optimise", "优化准入服务"


class AuthorityRole(models.TextChoices):
    APPROVE = "approve", "审批"
    PRELIMINARY = "preliminary", "初审"
    VERIFY = "verify", "审核"
    EXAMINE = "examine", "审查"
    DELEGATED = "delegated", "委托"


class Compression(models.TextChoices):
    """How the measures compress the statutory time limit (附件2 改革举措)."""

    NONE = "none", "未压缩"
    UNSPECIFIED = "unspecified", "压缩审批时限（未定比例）"
    ONE_THIRD = "one_third", "压缩三分之一"
    ONE_QUARTER = "one_quarter", "压缩四分之一"
    FIXED = "fixed", "压缩至固定工作日"
    LOCAL = "local", "由地方根据实际情况确定"


class MaterialDue(models.TextChoices):
    """When a material is owed (附件3 第四条)."""

    AT_APPLICATION = "at_application", "申请时提交"
    AT_COMMITMENT = "at_commitment", "递交承诺书时提交"
    AFTER_DECISION = "after_decision", "许可决定后限期提交"
