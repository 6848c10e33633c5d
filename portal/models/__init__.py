from .accounts import Organisation, User
from .calendar import CalendarDay, CalendarYear

__all__ = ["CalendarDay", "CalendarYear", "Organisation", "User"]
