"""Forms of the account pages (issue 8). They check the shape of what was typed and that a new
password was typed the same twice; the services (portal/services_accounts.py) decide the rest
(the password rules, a name already taken, the old password), and `service_error` puts their
messages beside the fields. Every message is written out in Chinese here (and translated, issue 15).
"""
from django import forms
from django.utils.translation import gettext_lazy as _

REQUIRED = _("此项为必填项。")
TOO_LONG = _("最多输入 %(limit_value)d 个字符（当前 %(show_value)d 个）。")
MISMATCH = _("两次输入的密码不一致，请重新输入。")
EMAIL_INVALID = _("请填写有效的电子邮箱地址。")
# AUTH_PASSWORD_VALIDATORS in words (portal/settings/base.py)
PASSWORD_RULES = _("至少12个字符，不能是常见密码，不能全是数字，也不能与用户名、邮箱太相似。")


def _text(label, *, max_length, autocomplete, widget=forms.TextInput, **kwargs):
    return forms.CharField(label=label, max_length=max_length, strip=widget is not forms.PasswordInput,
                           widget=widget(attrs={"autocomplete": autocomplete}),
                           error_messages={"required": REQUIRED, "max_length": TOO_LONG}, **kwargs)


def _password(label, autocomplete="new-password", **kwargs):
    return _text(label, max_length=128, autocomplete=autocomplete, widget=forms.PasswordInput, **kwargs)


def _email(label):
    return forms.EmailField(label=label, max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"}),
                            error_messages={"required": REQUIRED, "invalid": EMAIL_INVALID, "max_length": TOO_LONG})


class AccountForm(forms.Form):
    """A form whose service refusal comes back beside its fields (status 400, or the service's)."""

    aliases: dict = {}  # the service's field name -> this form's

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.error_status = 400

    def service_error(self, exc):
        self.error_status = exc.status
        for service_field, messages in exc.errors.items():
            field = self.aliases.get(service_field, service_field)
            for message in messages:
                self.add_error(field if field in self.fields else None, message)


class NewPasswordMixin:
    """Two password fields that must match: the second catches a slip of the finger."""

    def clean(self):
        data = super().clean()
        first, second = data.get("new_password1"), data.get("new_password2")
        if first and second and first != second:
            self.add_error("new_password2", MISMATCH)
        return data


class RegisterForm(NewPasswordMixin, AccountForm):
    aliases = {"password": "new_password1"}

    username = _text(_("用户名"), max_length=150, autocomplete="username",
                     help_text=_("登录时使用，可用英文字母、数字和 @ . + - _，注册后不能更改。"))
    full_name = _text(_("姓名"), max_length=64, autocomplete="name")
    email = _email(_("电子邮箱"))
    new_password1 = _password(_("密码"), help_text=PASSWORD_RULES)
    new_password2 = _password(_("再次输入密码"))


class PasswordChangeForm(NewPasswordMixin, AccountForm):
    aliases = {"new_password": "new_password1"}

    old_password = _password(_("原密码"), autocomplete="current-password")
    new_password1 = _password(_("新密码"), help_text=PASSWORD_RULES)
    new_password2 = _password(_("再次输入新密码"))


class PasswordResetRequestForm(AccountForm):
    email = _email(_("注册时填写的电子邮箱"))


class NewPasswordForm(NewPasswordMixin, AccountForm):
    """The form behind a reset link (PasswordResetConfirmView calls it with the user first)."""

    aliases = {"new_password": "new_password1"}

    new_password1 = _password(_("新密码"), help_text=PASSWORD_RULES)
    new_password2 = _password(_("再次输入新密码"))

    def __init__(self, user, *args, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
