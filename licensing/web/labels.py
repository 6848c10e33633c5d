"""How the pages write dates (the labels of events come from licensing.constants.Action)."""
from licensing.i18n import local_date


def cn_date(day) -> str:
    """2024年10月8日, as the templates write dates (|date:_("Y年n月j日")); 8 Oct 2024 on an English page."""
    return local_date(day)
