"""The 抽查检查 items of an inspection result as published to the credit publicity systems (issue 16): the
columns of the 抽查检查结果 that the 国家企业信用信息公示系统 shows, as notices/publicity.py lists them
(INSPECTION_ITEMS) and says why and how far they can be trusted.

Every recorded result is published: the 告知承诺 follow-up check (附件3 第七条) and the 双随机 check
(钦政发〔2019〕20号: 抽查情况及查处结果及时向社会公开). The format names an enterprise by its 统一社会信用代码;
a person holding a licence is named, and its ID number is not published (the format has no field for it).
"""
from django.conf import settings
from django.utils import timezone, translation

from licensing import selectors as licensing_selectors
from supervision.constants import InspectionOutcome

DRAW_CHECK = "双随机抽查"
FOLLOW_UP_CHECK = "告知承诺事后核查"


def check_type(inspection) -> str:
    """检查类型: a check drawn at random (双随机) or the check every commitment gets after its decision."""
    return DRAW_CHECK if inspection.pick_id is not None else FOLLOW_UP_CHECK


def check_result(result) -> str:
    """检查结果 in the words the 公示系统 uses for its results, with what the regulator ordered."""
    if result.outcome == InspectionOutcome.CONFORMS:
        return "发现问题已按要求整改" if result.is_reinspection else "未发现问题"
    if result.outcome == InspectionOutcome.RECTIFY:
        due = result.rectify_due.isoformat() if result.rectify_due else ""
        return f"发现问题，已责令限期整改（整改期限：{due}）" if due else "发现问题，已责令限期整改"
    ground = result.get_ground_display() if result.ground else ""
    return f"发现问题，已提请撤销许可（{ground}）" if ground else "发现问题，已提请撤销许可"


def inspection_publicity_items(result) -> dict:
    """The items of one recorded result, in the portal's own language whatever the page's."""
    inspection = result.inspection
    applicant, regulator = inspection.application.applicant, inspection.regulator
    with translation.override(settings.LANGUAGE_CODE):
        return {"企业名称": applicant.name,
                "统一社会信用代码": applicant.identifier if licensing_selectors.is_enterprise(applicant) else "",
                "检查实施机关": regulator.name if regulator else "", "检查类型": check_type(inspection),
                "检查日期": timezone.localtime(result.recorded_at).date().isoformat(),
                "检查结果": check_result(result), "数据来源单位": regulator.name if regulator else ""}
