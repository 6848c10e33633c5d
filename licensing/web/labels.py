"""Chinese names of the events of an application, for the timeline and the public progress page."""

ACTION_LABELS = {
    "submit": "提交申请",
    "issue_notice": "出具告知书",
    "commit": "递交承诺书",
    "decide": "当场作出准予许可决定",
    "choose_ordinary": "转按一般程序办理",
    "accept": "受理",
    "request_correction": "要求补正材料",
    "resubmit": "补正后重新提交",
    "approve": "准予许可",
    "reject": "不予许可",
    "lapse": "逾期未承诺，申请终止",
    "revoke": "撤销许可",
    "withdraw": "撤回申请",
}


def action_label(action: str) -> str:
    return ACTION_LABELS.get(action, action)


def cn_date(day) -> str:
    """2024年10月8日, as the templates write dates (|date:"Y年n月j日")."""
    return f"{day.year}年{day.month}月{day.day}日"
