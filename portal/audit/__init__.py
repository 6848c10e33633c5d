"""The audit trail: who did what to which object, from where, with what outcome.

    from portal import audit
    audit.record(request, audit.AuditAction.DOCUMENT_DOWNLOAD, document, "success", kind="notice")

Sign-ins, failures, lockouts, logouts, permission refusals (403), application state changes,
admin edits and import-export exports are recorded by receivers and middleware
(portal/audit/receivers.py, middleware.py); views record what only they know (downloads).

Rows are append-only (portal/models/audit.py; a PostgreSQL trigger too). Retention: kept
indefinitely, which satisfies "at least 6 months"; archiving older rows is an operator's task
with database privileges (ALTER TABLE … DISABLE TRIGGER by the table owner), never the app's.

This module is imported by the logging configuration before the apps are ready, so models
are imported inside the functions.
"""
import contextvars

from portal.audit.masking import mask_data, mask_text

__all__ = ["AuditAction", "AuditOutcome", "current_request", "record", "write"]

_current_request = contextvars.ContextVar("audit_current_request", default=None)


def __getattr__(name):
    # AuditAction / AuditOutcome without importing models at import time
    if name in ("AuditAction", "AuditOutcome"):
        from portal.models import audit as models
        return getattr(models, name)
    raise AttributeError(name)


def current_request():
    """The request being served on this thread, if any (None in Celery tasks and commands)."""
    return _current_request.get()


def record(request, action, obj=None, outcome="success", **details):
    """Write one audit row for `action` on `obj` by the request's user. Returns the row."""
    return write(action, request=request, obj=obj, outcome=outcome, details=details)


def write(action, *, request=None, obj=None, outcome="success", actor=None, details=None, object_type=None,
          object_id=None, object_repr=None):
    """The general form: the actor may be given (a Celery task, a model signal)."""
    from portal.models import AuditEvent

    request = request if request is not None else current_request()
    actor = actor if actor is not None else _user_of(request)
    return AuditEvent.objects.create(
        actor=actor, actor_display=mask_text(str(actor))[:150] if actor else "",
        role=getattr(actor, "role", "") if actor else "",
        ip_address=_address_of(request), action=action, outcome=outcome,
        object_type=object_type or _type_of(obj), object_id=str(object_id or _id_of(obj))[:64],
        object_repr=mask_text(object_repr if object_repr is not None else _repr_of(obj))[:200],
        details=mask_data({**_request_details(request), **(details or {})}),
    )


def _user_of(request):
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


def _address_of(request):
    if request is None:
        return None
    from portal.security import client_ip
    return client_ip(request)


def _request_details(request):
    if request is None:
        return {}
    return {"method": request.method, "path": request.path[:300]}


def _type_of(obj):
    return f"{obj._meta.app_label}.{obj._meta.model_name}" if hasattr(obj, "_meta") else ""


def _id_of(obj):
    return getattr(obj, "pk", "") if obj is not None else ""


def _repr_of(obj):
    return str(obj) if obj is not None else ""
