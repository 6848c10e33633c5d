from .accounts import ExternalIdentity, Organisation, User
from .audit import AuditAction, AuditEvent, AuditOutcome
from .calendar import CalendarDay, CalendarYear

__all__ = ["AuditAction", "AuditEvent", "AuditOutcome", "CalendarDay", "CalendarYear", "ExternalIdentity", "Organisation", "User"]
