"""Account pages (issue 8): register as an applicant, change the password, reset a forgotten one.

The reset pages are Django's PasswordResetView and PasswordResetConfirmView with the portal's
forms and templates; the changes themselves are the services of portal/services_accounts.py.
"""
from django.contrib import messages
from django.contrib.auth import login, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from portal import services_accounts as services
from portal.exceptions import ServiceError
from portal.forms_accounts import NewPasswordForm, PasswordChangeForm, PasswordResetRequestForm, RegisterForm

# The backend a new account is signed in with: the one that checks passwords (settings).
SIGN_IN_BACKEND = "portal.security.PasswordBackend"
PASSWORD_FIELDS = ("old_password", "new_password1", "new_password2")


def _status(request, form):
    return form.error_status if request.method == "POST" else 200


@never_cache
@sensitive_post_parameters(*PASSWORD_FIELDS)
def register(request):
    """注册: an applicant's own account; then straight on to 办理主体 to say for whom it acts."""
    if request.user.is_authenticated:
        messages.info(request, _("您已登录，无需再注册账号。"))
        return redirect("home")
    form = RegisterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.account_register(username=data["username"], full_name=data["full_name"],
                                              email=data["email"], password=data["new_password1"],
                                              language=get_language())
        except ServiceError as exc:
            form.service_error(exc)
        else:
            login(request, user, backend=SIGN_IN_BACKEND)
            messages.success(request, _("注册成功，已为您登录。请先登记您代为办理的企业或个人（办理主体），然后即可在线申请。"))
            return redirect("my-applicants")
    return render(request, "registration/register.html", {"form": form}, status=_status(request, form))


@never_cache
@sensitive_post_parameters(*PASSWORD_FIELDS)
@login_required
def password_change(request):
    """修改密码: the old password again, then the new one twice. Other sessions of the account end."""
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.account_change_password(user=request.user, old_password=data["old_password"],
                                                     new_password=data["new_password1"], actor=request.user)
        except ServiceError as exc:
            form.service_error(exc)
        else:
            update_session_auth_hash(request, user)  # this session stays signed in, the others end
            messages.success(request, _("密码已修改。其他设备上的登录已失效，请在那里用新密码重新登录。"))
            return redirect("home")
    return render(request, "registration/password_change.html", {"form": form}, status=_status(request, form))


class PasswordResetView(auth_views.PasswordResetView):
    """忘记密码: the same answer whether or not the address has an account."""

    form_class = PasswordResetRequestForm
    template_name = "registration/password_reset.html"
    success_url = reverse_lazy("password-reset-done")

    def form_valid(self, form):
        services.password_reset_request(email=form.cleaned_data["email"],
                                        site_url=self.request.build_absolute_uri("/"))
        return HttpResponseRedirect(self.get_success_url())

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=form.error_status)


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "registration/password_reset_sent.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """The link of the mail: Django checks the token (and moves it out of the address into the
    session); the service checks it again under the account's row lock and sets the password."""

    form_class = NewPasswordForm
    template_name = "registration/password_reset_new.html"

    def form_valid(self, form):
        token = self.request.session.get(auth_views.INTERNAL_RESET_SESSION_TOKEN)
        try:
            services.account_reset_password(user=self.user, token=token,
                                            new_password=form.cleaned_data["new_password1"])
        except ServiceError as exc:
            form.service_error(exc)
            return self.form_invalid(form)
        self.request.session.pop(auth_views.INTERNAL_RESET_SESSION_TOKEN, None)
        messages.success(self.request, _("密码已重新设置，请用新密码登录。"))
        return HttpResponseRedirect(reverse("login"))

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=form.error_status)
