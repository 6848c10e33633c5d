"""The root URLconf. portal is the base layer and imports no other app: the apps' URL modules are
named here as strings (DESIGN.md, layers)."""
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from portal import views_accounts, views_auth

# Django resolves a path by trying the patterns in order, and an include under "" is entered and
# tried pattern by pattern before the next one: a request pays for every pattern listed above its
# own. The short lists go first here, and the prefixed blocks before the "" includes below
# (issue 13: the calendar API spent 0.15 ms, a third of its time, failing the 360 patterns above it).
api_v1 = [
    path("", include("portal.api_calendar")),
    path("", include("portal.api_auth")),
    path("", include("licensing.api_urls")),
    path("", include("supervision.api_urls")),
]

urlpatterns = [
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # the split view serves its init script from ?script: no inline script under the CSP (issue 4)
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema", template_name="portal/swagger_ui.html"),
         name="api-docs"),
    path("admin/", admin.site.urls),
    path("accounts/login/", views_auth.PortalLoginView.as_view(), name="login"),
    path("accounts/otp/", views_auth.otp_verify, name="otp-verify"),
    path("accounts/otp/setup/", views_auth.otp_setup, name="otp-setup"),
    path("accounts/otp/devices/", views_auth.otp_devices, name="otp-devices"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    # issue 8: self-registration (applicants only), password change and reset by a mailed link
    path("accounts/register/", views_accounts.register, name="register"),
    path("accounts/password/", views_accounts.password_change, name="password-change"),
    path("accounts/password/reset/", views_accounts.PasswordResetView.as_view(), name="password-reset"),
    path("accounts/password/reset/sent/", views_accounts.PasswordResetDoneView.as_view(), name="password-reset-done"),
    path("accounts/password/reset/<uidb64>/<token>/", views_accounts.PasswordResetConfirmView.as_view(),
         name="password-reset-confirm"),
    path("", include("licensing.urls")),
    path("", include("notices.urls")),
    path("", include("supervision.urls")),
    path("", include("portal.urls_i18n")),  # issue 15: the language switch
]
