"""How the pages write dates (the labels of events come from licensing.constants.Action)."""


def cn_date(day) -> str:
    """2024年10月8日, as the templates write dates (|date:"Y年n月j日")."""
    return f"{day.year}年{day.month}月{day.day}日"
