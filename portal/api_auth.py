"""POST/DELETE /api/v1/auth/token/: a token for the mobile app and other government systems.

Credentials are checked by django.contrib.auth.authenticate(request=…), so every
authentication backend and its signals apply here as on the sign-in page: the lockout of
repeated failures (django-axes; portal/audit/receivers.py turns it into a 429 for DRF too)
and, for staff, the second factor sent as `otp` (portal/security.py reads it from this request).
"""
from django.contrib.auth import authenticate
from django.urls import path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from portal import audit
from portal.api_errors import ApiErrorsMixin, ErrorSerializer
from portal.api_tokens import ExpiringTokenAuthentication, expired
from portal.exceptions import InvalidInput
from portal.models import AuditAction

# One answer for a wrong user name, a wrong password and a missing or wrong code (issue 8):
# which part was wrong would tell a guesser that the password it tried is right.
BAD_CREDENTIALS = _("用户名、密码或动态验证码不正确，或账号已停用（工作人员及已启用两步验证的账号须同时填写动态验证码 otp）。")
USERNAME_REQUIRED = _("请填写用户名。")
PASSWORD_REQUIRED = _("请填写密码。")


class CredentialsSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150, error_messages={"required": USERNAME_REQUIRED,
                                                                     "blank": USERNAME_REQUIRED})
    password = serializers.CharField(max_length=256, trim_whitespace=False, style={"input_type": "password"},
                                     error_messages={"required": PASSWORD_REQUIRED, "blank": PASSWORD_REQUIRED})
    otp = serializers.CharField(required=False, allow_blank=True, max_length=16, write_only=True,
                                help_text=_("动态验证码（TOTP）或备用码；工作人员及已启用两步验证的账号必填"))


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(help_text=_("之后的请求在请求头中携带 Authorization: Token <token>"))


class TokenView(ApiErrorsMixin, APIView):
    # Only the token itself authenticates here: a browser session must not mint tokens without CSRF.
    authentication_classes = [ExpiringTokenAuthentication]

    def get_permissions(self):
        return [IsAuthenticated()] if self.request.method == "DELETE" else [AllowAny()]

    @extend_schema(operation_id="auth_token_create", summary=_("以用户名和密码取得令牌"), tags=["auth"], auth=[],
                   request=CredentialsSerializer,
                   responses={200: TokenSerializer,
                              400: OpenApiResponse(ErrorSerializer, description=_(
                                  "缺少用户名或密码，或用户名、密码、动态验证码不正确")),
                              401: OpenApiResponse(ErrorSerializer, description=_("请求头中的令牌无效")),
                              429: OpenApiResponse(ErrorSerializer, description=_("登录失败次数过多，已被暂时锁定"))})
    def post(self, request):
        credentials = CredentialsSerializer(data=request.data)
        credentials.is_valid(raise_exception=True)
        data = credentials.validated_data
        # A wrong or missing code fails inside authenticate() (portal.security.PasswordBackend),
        # so it counts towards the lockout like a wrong password.
        user = authenticate(request=request, username=data["username"], password=data["password"])
        if user is None or not user.is_active:
            raise InvalidInput(BAD_CREDENTIALS)
        return Response({"token": _token_for(request, user).key})

    @extend_schema(operation_id="auth_token_destroy", summary=_("注销令牌"), tags=["auth"], request=None,
                   responses={204: OpenApiResponse(description=_("令牌已作废")),
                              401: OpenApiResponse(ErrorSerializer, description=_("未携带令牌或令牌无效"))})
    def delete(self, request):
        Token.objects.filter(user=request.user).delete()
        return Response(status=status.HTTP_204_NO_CONTENT)


def _token_for(request, user) -> Token:
    """The user's live token, or a new one (audited: who was given API access, from where)."""
    token = Token.objects.filter(user=user).first()
    if token is not None and not expired(token):
        return token
    if token is not None:
        token.delete()
    token = Token.objects.create(user=user)
    audit.write(AuditAction.TOKEN_ISSUE, request=request, actor=user, obj=user)
    return token


urlpatterns = [
    path("auth/token/", TokenView.as_view(), name="auth-token"),
]
