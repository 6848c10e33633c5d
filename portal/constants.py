from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    APPLICANT = "applicant", _("申请人")
    CLERK = "clerk", _("窗口工作人员")
    OFFICER = "officer", _("审批人员")
    REGULATOR = "regulator", _("监管人员")
    ADMIN = "admin", _("系统管理员")


class OrgLevel(models.TextChoices):
    NATIONAL = "national", _("国家")
    REGION = "region", _("自治区")
    CITY = "city", _("市")
    COUNTY = "county", _("县区")


class OrgKind(models.TextChoices):
    AUTHORITY = "authority", _("审批部门")
    # An approval bureau decides for other departments: it is never the regulator of what it
    # approves, so its items' approval records must be routed (issue 9).
    APPROVAL_BUREAU = "approval_bureau", _("行政审批局")
    REGULATOR = "regulator", _("行业主管部门")
    SERVICE_HALL = "service_hall", _("政务服务大厅")


class Language(models.TextChoices):
    """The interface's languages (settings.LANGUAGES): 简体中文 by default, English as the second (issue 15)."""
    ZH_HANS = "zh-hans", _("简体中文")
    EN = "en", "English"
