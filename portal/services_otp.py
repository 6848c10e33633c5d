"""Second-factor devices (issue 8): a user lists and removes their own; an admin resets a user's.

Devices are django-otp's: authenticators (TOTP) and backup codes (static). Removing one ends
every session that passed the second factor with it (django-otp's middleware finds the device
gone), so a staff member whose last device is removed must bind a new one before going on.
"""
from django.db import transaction
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _
from django_otp import devices_for_user
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal import audit
from portal.exceptions import NotAllowed
from portal.models import AuditAction

# In Chinese, as the audit trail keeps them; shown in the reader's language (gettext at display).
KINDS = {TOTPDevice: gettext_noop("身份验证器"), StaticDevice: gettext_noop("备用验证码")}
OTHER_KIND = gettext_noop("其他设备")
# The names the portal gives the devices it makes (views_auth.DEVICE_NAME) are its kinds' names: stored in
# Chinese, shown in the reader's language; a name someone typed is shown as typed.
OWN_DEVICE_NAMES = set(KINDS.values())
NOT_YOURS = _("只能删除自己的两步验证设备。")
NOT_AN_ADMIN = _("只有系统管理员可以重置用户的两步验证设备。")


def device_label(device) -> str:
    """The device's name as the reader sees it."""
    return gettext(device.name) if device.name in OWN_DEVICE_NAMES else device.name


def otp_devices_of(user) -> list:
    """The user's confirmed devices, authenticators first, each with `kind` (its kind's name) and `label`."""
    devices = sorted(devices_for_user(user, confirmed=True), key=lambda d: (d.__class__ is not TOTPDevice, d.pk))
    for device in devices:
        device.kind = gettext(KINDS.get(device.__class__, OTHER_KIND))
        device.label = device_label(device)
        device.codes_left = device.token_set.count() if isinstance(device, StaticDevice) else None
    return devices


def otp_device_of(user, persistent_id):
    """One of the user's confirmed devices by its persistent id, or None (someone else's included)."""
    return next((device for device in otp_devices_of(user) if device.persistent_id == persistent_id), None)


@transaction.atomic
def otp_device_remove(*, device, actor) -> int:
    """`actor` removes one of their own devices. Returns how many they have left."""
    if device.user_id != actor.pk:
        raise NotAllowed(NOT_YOURS)
    details = {"device": device.name, "kind": KINDS.get(device.__class__, device.__class__.__name__)}
    device.delete()
    left = len(otp_devices_of(actor))
    audit.write(AuditAction.OTP_DEVICE_REMOVED, actor=actor, obj=actor, details={**details, "left": left})
    return left


@transaction.atomic
def otp_devices_reset(*, user, actor) -> int:
    """An admin removes every device of `user` (a lost phone): staff bind a new one at their
    next sign-in. Returns how many were removed."""
    if not (actor.is_active and actor.has_perm("portal.change_user")):
        raise NotAllowed(NOT_AN_ADMIN)
    removed = sum(model.objects.filter(user=user).delete()[1].get(model._meta.label, 0) for model in KINDS)
    audit.write(AuditAction.OTP_DEVICES_RESET, actor=actor, obj=user, details={"removed": removed})
    return removed
