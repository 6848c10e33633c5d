"""Accounts people expect (issue 8): registering oneself as an applicant, changing one's password,
and resetting a forgotten one by a link sent by mail.

Reset links are Django's (django.contrib.auth.tokens.default_token_generator): the token is a
hash over the account's password hash, last sign-in and e-mail address with a timestamp, so a
link is refused once PASSWORD_RESET_TIMEOUT has passed, and once used (the password hash it was
made from is gone). Nothing is stored for a link, so an unused one simply expires.

Mail goes through Django's mail settings (EMAIL_BACKEND …, portal/settings/); a mail that
cannot be sent is logged and the requester still sees the same page: whether an address has an
account is never told to whoever types it.
"""
import logging
import unicodedata

from django.conf import settings
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.tokens import default_token_generator
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext_lazy as _
from rest_framework.authtoken.models import Token

from portal import audit, i18n
from portal.constants import Language, Role
from portal.exceptions import Conflict, InvalidInput, NotAllowed, Problems
from portal.models import AuditAction, AuditOutcome

logger = logging.getLogger(__name__)

USERNAME_TAKEN = _("该用户名已被注册，请换一个用户名；如果这是您的账号，请直接登录或找回密码。")
USERNAME_INVALID = _("用户名只能包含英文字母、数字和 @ . + - _ 这几个符号，最多150个字符。")
USERNAME_REQUIRED = _("请填写用户名。")
FULL_NAME_REQUIRED = _("请填写姓名。")
EMAIL_INVALID = _("请填写有效的电子邮箱地址，找回密码的链接将发送到这里。")
PASSWORD_REQUIRED = _("请填写密码。")
OLD_PASSWORD_WRONG = _("原密码不正确，请重新输入。")
LINK_USED = _("重置密码的链接已失效（已使用过或已超过有效时间），请重新申请。")
LANGUAGE_UNKNOWN = _("不支持所选的界面语言，请选择“简体中文”或“English”。")
LANGUAGE_NOT_YOURS = _("只能设置自己账号的界面语言。")
RESET_SUBJECT_TEMPLATE = "registration/password_reset_mail_subject.txt"
RESET_BODY_TEMPLATE = "registration/password_reset_mail.txt"


def _password_problems(problems: Problems, field: str, password: str, user) -> None:
    """AUTH_PASSWORD_VALIDATORS (12 characters, not common, not all digits, not like the name)."""
    if not password:
        problems.add(field, PASSWORD_REQUIRED)
        return
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        for message in exc.messages:
            problems.add(field, message)


def _username_problems(problems: Problems, username: str) -> None:
    if not username:
        problems.add("username", USERNAME_REQUIRED)
        return
    try:
        if len(username) > 150:
            raise ValidationError(USERNAME_INVALID)
        UnicodeUsernameValidator()(username)
    except ValidationError:
        problems.add("username", USERNAME_INVALID)
        return
    # Case-insensitively, as Django's UserCreationForm: "Zhang" and "zhang" are one name to people.
    if get_user_model().objects.filter(username__iexact=username).exists():
        problems.add("username", USERNAME_TAKEN)


def _email_problems(problems: Problems, email: str) -> None:
    try:
        validate_email(email)
    except ValidationError:
        problems.add("email", EMAIL_INVALID)


def _end_api_tokens(user) -> None:
    # A token taken with the old password must not outlive it (sessions end by themselves:
    # Django checks each session against the password hash).
    Token.objects.filter(user=user).delete()


@transaction.atomic
def account_register(*, username: str, full_name: str, email: str, password: str, language: str = ""):
    """An applicant registers an account for themselves: role applicant, never staff.

    Staff accounts are made by an admin in /admin/, never here. The new account acts for no
    enterprise or person yet: that is 办理主体 (licensing), after sign-in. `language`: the interface
    language the person registered in (issue 15), kept so that later mails are written in it; the default
    (简体中文) is left blank, as for an account that never chose, so the pages' language still decides.
    """
    User = get_user_model()
    username = User.normalize_username((username or "").strip())
    full_name, email = (full_name or "").strip(), User.objects.normalize_email((email or "").strip())
    problems = Problems()
    _username_problems(problems, username)
    if not full_name:
        problems.add("full_name", FULL_NAME_REQUIRED)
    _email_problems(problems, email)
    _password_problems(problems, "password", password, User(username=username, email=email))
    problems.raise_if_any()
    user = User(username=username, full_name=full_name[:64], email=email, role=Role.APPLICANT,
                is_staff=False, is_superuser=False, is_active=True,
                language="" if language == settings.LANGUAGE_CODE else i18n.supported(language) or "")
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:  # the same name registered a moment ago by someone else
        raise InvalidInput(USERNAME_TAKEN, field="username") from None
    audit.write(AuditAction.ACCOUNT_REGISTER, actor=user, obj=user, details={"role": Role.APPLICANT.value})
    return user


@transaction.atomic
def account_change_password(*, user, old_password: str, new_password: str, actor):
    """A signed-in user changes their own password; the old one is asked again."""
    user = get_user_model().objects.select_for_update().get(pk=user.pk)
    if not user.check_password(old_password or ""):
        raise InvalidInput(OLD_PASSWORD_WRONG, field="old_password")
    return _set_password(user, new_password, AuditAction.PASSWORD_CHANGE, actor)


def reset_accounts(email: str):
    """The active accounts with a usable password that a reset mail to `email` is for
    (as Django's PasswordResetForm.get_users: the address compared case-insensitively)."""
    email = (email or "").strip()
    if not email:
        return []
    candidates = get_user_model().objects.filter(email__iexact=email, is_active=True)
    wanted = unicodedata.normalize("NFKC", email).casefold()
    return [user for user in candidates
            if user.has_usable_password() and unicodedata.normalize("NFKC", user.email).casefold() == wanted]


@transaction.atomic
def password_reset_request(*, email: str, site_url: str) -> None:
    """Mails a reset link to every account registered with `email`; tells the caller nothing.

    `site_url` is the scheme and host the link starts with (from the request, whose host
    ALLOWED_HOSTS has checked). The audit row names the account asked for, never the address
    typed; a request matching no account is recorded without it, as failed.
    """
    accounts = reset_accounts(email)
    for user in accounts:
        message = _reset_mail(user, site_url)
        transaction.on_commit(lambda message=message: _send(message))
        audit.write(AuditAction.PASSWORD_RESET_REQUEST, obj=user)
    if not accounts:
        audit.write(AuditAction.PASSWORD_RESET_REQUEST, outcome=AuditOutcome.FAILED,
                    details={"reason": "没有与该邮箱对应的可用账号"})


def _reset_mail(user, site_url: str) -> EmailMessage:
    """The mail in the account's language (issue 15); an account that never chose one gets the language
    of the page the reset was asked on."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    context = {
        "user": user, "username": user.get_username(),
        "link": site_url.rstrip("/") + reverse("password-reset-confirm", kwargs={"uidb64": uid, "token": token}),
        "valid_minutes": settings.PASSWORD_RESET_TIMEOUT // 60,
    }
    with i18n.for_user(user, default=translation.get_language()):
        subject = "".join(render_to_string(RESET_SUBJECT_TEMPLATE, context).splitlines())
        body = render_to_string(RESET_BODY_TEMPLATE, context)
    return EmailMessage(subject, body, None, [user.email])


def _send(message: EmailMessage) -> None:
    try:
        message.send()
    except Exception:  # the mail server is down: logged for the operator, the page says the same
        logger.exception("重置密码邮件发送失败")


@transaction.atomic
def account_reset_password(*, user, token: str, new_password: str):
    """Sets a new password through a reset link. The link is checked again under the row lock,
    so two submissions of one link cannot both succeed (the first changes the hash it hangs on)."""
    user = get_user_model().objects.select_for_update().get(pk=user.pk)
    if not default_token_generator.check_token(user, token):
        raise Conflict(LINK_USED)
    return _set_password(user, new_password, AuditAction.PASSWORD_RESET, user)


def _set_password(user, new_password: str, action, actor):
    """The new password, once it meets the rules; the account's API tokens end with the old one."""
    problems = Problems()
    _password_problems(problems, "new_password", new_password, user)
    problems.raise_if_any()
    user.set_password(new_password)
    user.save(update_fields=["password"])
    _end_api_tokens(user)
    audit.write(action, actor=actor, obj=user)
    return user


@transaction.atomic
def account_set_language(*, user, language: str, actor):
    """`actor` keeps the interface language they chose with the switch (issue 15): it is applied at their
    next sign-in on any device, and mails sent to them later (jobs have no request to read it from) are
    written in it. Only one's own account; nothing is written when it is already the saved one."""
    if language not in Language.values:
        raise InvalidInput(LANGUAGE_UNKNOWN, field="language")
    if actor.pk != user.pk:
        raise NotAllowed(LANGUAGE_NOT_YOURS)
    get_user_model().objects.filter(pk=user.pk).exclude(language=language).update(language=language)
    user.language = language
    return user
