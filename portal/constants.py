from django.db import models


class Role(models.TextChoices):
    APPLICANT = "applicant", "申请人"
    CLERK = "clerk", "窗口工作人员"
    OFFICER = "officer", "审批人员"
    REGULATOR = "regulator", "监管人员"
    ADMIN = "admin", "系统管理员"


class OrgLevel(models.TextChoices):
    NATIONAL = "national", "国家"
    REGION = "region", "自治区"
    CITY = "city", "市"
    COUNTY = "county", "县区"


class OrgKind(models.TextChoices):
    AUTHORITY = "authority", "审批部门"
    # An approval bureau decides for other departments: it is never the regulator of what it
    # approves, so its items' approval records must be routed (issue 9).
    APPROVAL_BUREAU = "approval_bureau", "行政审批局"
    REGULATOR = "regulator", "行业主管部门"
    SERVICE_HALL = "service_hall", "政务服务大厅"


class Language(models.TextChoices):
    """The interface's languages (settings.LANGUAGES): 简体中文 by default, English as the second (issue 15)."""
    ZH_HANS = "zh-hans", "简体中文"
    EN = "en", "English"
