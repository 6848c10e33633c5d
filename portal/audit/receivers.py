"""Audit rows written from signals, so no other module has to remember to write them.

Connected from PortalConfig.ready(). Sign-in events come from django.contrib.auth and
django-axes; admin edits from LogEntry rows; exports and imports from django-import-export.
"""
from axes.signals import user_locked_out
from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_save
from django.dispatch import receiver
from import_export.signals import post_export, post_import

from portal import audit
from portal.models import AuditAction, AuditOutcome

ADMIN_ACTIONS = {ADDITION: AuditAction.ADMIN_ADD, CHANGE: AuditAction.ADMIN_CHANGE, DELETION: AuditAction.ADMIN_DELETE}


@receiver(user_logged_in, dispatch_uid="audit_login")
def on_login(sender, request, user, **kwargs):
    audit.write(AuditAction.LOGIN, request=request, actor=user, obj=user)


@receiver(user_login_failed, dispatch_uid="audit_login_failed")
def on_login_failed(sender, credentials, request=None, **kwargs):
    # credentials arrive cleansed by Django (the password is starred out); the user name may
    # be someone's ID number, and is masked like any other detail.
    audit.write(AuditAction.LOGIN_FAILED, request=request, outcome=AuditOutcome.FAILED,
                details={"username": str(credentials.get("username", ""))[:150],
                         "locked_out": bool(getattr(request, "axes_locked_out", False))})


@receiver(user_locked_out, dispatch_uid="audit_locked_out")
def on_locked_out(sender, request, username, ip_address, **kwargs):
    _flag_underlying_request(request)
    audit.write(AuditAction.LOCKED_OUT, request=request, outcome=AuditOutcome.DENIED,
                details={"username": str(username or "")[:150]})


def _flag_underlying_request(request):
    """A DRF view passes its Request wrapper to authenticate(); axes flags the wrapper, but
    AxesMiddleware looks at the Django request underneath. Copy the flag down."""
    inner = getattr(request, "_request", None)
    if inner is not None:
        inner.axes_locked_out = True
        inner.axes_credentials = getattr(request, "axes_credentials", None)


@receiver(user_logged_out, dispatch_uid="audit_logout")
def on_logout(sender, request, user, **kwargs):
    if user is not None:
        audit.write(AuditAction.LOGOUT, request=request, actor=user, obj=user)


@receiver(post_save, sender=LogEntry, dispatch_uid="audit_admin_edit")
def on_admin_log_entry(sender, instance, created, raw=False, **kwargs):
    if not created or raw:
        return
    content_type = instance.content_type
    audit.write(ADMIN_ACTIONS.get(instance.action_flag, AuditAction.ADMIN_CHANGE), actor=instance.user,
                object_type=f"{content_type.app_label}.{content_type.model}" if content_type else "",
                object_id=instance.object_id or "", object_repr=instance.object_repr or "",
                details={"change": instance.get_change_message()[:1000]})


@receiver(post_export, dispatch_uid="audit_export")
def on_export(sender, model, **kwargs):
    audit.write(AuditAction.EXPORT, object_type=model._meta.label_lower, details={"model": str(model._meta.verbose_name)})


@receiver(post_import, dispatch_uid="audit_import")
def on_import(sender, model, **kwargs):
    audit.write(AuditAction.IMPORT, object_type=model._meta.label_lower, details={"model": str(model._meta.verbose_name)})
