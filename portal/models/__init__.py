from .accounts import Organisation, User
from .audit import AuditAction, AuditEvent, AuditOutcome
from .calendar import CalendarDay, CalendarYear

__all__ = ["AuditAction", "AuditEvent", "AuditOutcome", "CalendarDay", "CalendarYear", "Organisation", "User"]
