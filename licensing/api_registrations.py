"""双告知 intake through the API v1 (issue 16): the business registration system posts a registration event.

POST /api/v1/registrations/ takes one event of the registry (a newly registered or changed enterprise), signed
like the portal's own records (Standard Webhooks: webhook-id, webhook-timestamp, webhook-signature with the
sender's whsec_ secret; notices/destinations/webhook.py) and sent with the sender's own bearer token
(`Authorization: Bearer <token>`). GET /api/v1/registrations/{event_id}/ shows the sender one of its own
events, with each department's 接收反馈 (token only).

Only a sender gets in: no session (hence no CSRF) and no user token is read here; a user, signed in or not,
is answered 401. Refusals answer in the API's one shape (portal.api_errors): no or an unknown token, an
inactive sender, a bad or stale signature 401; bad input 400 naming the field, nothing stored; the same event
id with other content 409. The rules are licensing.selectors.registrations; the write is
licensing.services.registrations.registration_receive, in one transaction.
"""
import datetime as dt

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.authentication import BaseAuthentication
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from licensing.constants import RegistrationChange
from licensing.models import RegistrationSender
from licensing.selectors import registrations as selectors
from licensing.selectors.scope import SCOPE_MAX_CHARS
from licensing.services import registrations as services
from portal.api_errors import ApiErrorsMixin, error_responses
from portal.api_parsers import SafeJSONParser
from portal.exceptions import InvalidInput

NO_TOKEN = _("缺少发送方令牌：请在请求头中携带 Authorization: Bearer <令牌>（登记信息发送方的令牌，不是用户令牌）。")
BAD_TOKEN = _("发送方令牌无效。")
UNSIGNED = _("请求缺少签名：须附带 webhook-id、webhook-timestamp 和 webhook-signature 请求头（Standard Webhooks）。")
STALE = _("签名时间（webhook-timestamp）与当前时间相差超过 %(seconds)s 秒，请重新签名后发送。")
BAD_SIGNATURE = _("签名无效：请用本发送方的签名密钥（whsec_）对 webhook-id.webhook-timestamp.请求体 签名。")
NOT_FOUND = _("没有这个登记事件，或它不是本发送方发送的。")
SIGNATURE_HEADERS = ("webhook-id", "webhook-timestamp", "webhook-signature")
# The library refuses a timestamp more than 5 minutes off whatever the setting; the setting may only narrow it.
LIBRARY_TOLERANCE_SECONDS = 300


class RegistrationSenderAuthentication(BaseAuthentication):
    """The sender by its bearer token and, for a POST, the body's signature. No user is signed in: the
    request's user stays anonymous and `request.auth` is the RegistrationSender."""

    keyword = "Bearer"

    def authenticate(self, request):
        sender = self._sender(request)
        if request.method not in SAFE_METHODS:
            _verify_signature(sender, request)
        return AnonymousUser(), sender

    def authenticate_header(self, request):
        return f'{self.keyword} realm="registrations"'

    def _sender(self, request) -> RegistrationSender:
        keyword, _space, token = request.headers.get("Authorization", "").strip().partition(" ")
        if keyword.lower() != self.keyword.lower() or not token.strip():
            raise exceptions.AuthenticationFailed(NO_TOKEN)
        sender = selectors.sender_for_token(token.strip())
        if sender is None:
            raise exceptions.AuthenticationFailed(BAD_TOKEN)
        if not sender.active:
            raise exceptions.AuthenticationFailed(services.SENDER_INACTIVE)
        return sender


def _tolerance() -> int:
    return min(settings.REGISTRATION_SIGNATURE_TOLERANCE_SECONDS, LIBRARY_TOLERANCE_SECONDS)


def _verify_signature(sender, request) -> None:
    """Standard Webhooks, as the portal signs its own records: the body exactly as received."""
    headers = {name: request.headers.get(name, "") for name in SIGNATURE_HEADERS}
    if not all(headers.values()):
        raise exceptions.AuthenticationFailed(UNSIGNED)
    try:
        signed_at = dt.datetime.fromtimestamp(int(headers["webhook-timestamp"]), tz=dt.timezone.utc)
    except (ValueError, OverflowError, OSError):
        raise exceptions.AuthenticationFailed(BAD_SIGNATURE) from None
    if abs((timezone.now() - signed_at).total_seconds()) > _tolerance():
        raise exceptions.AuthenticationFailed(STALE % {"seconds": _tolerance()})
    try:
        Webhook(sender.secret).verify(request.body, headers, json_parse=False)
    except WebhookVerificationError:
        raise exceptions.AuthenticationFailed(BAD_SIGNATURE) from None


class IsRegistrationSender(BasePermission):
    def has_permission(self, request, view):
        return isinstance(request.auth, RegistrationSender)


class RegistrationSenderScheme(OpenApiAuthenticationExtension):
    target_class = RegistrationSenderAuthentication
    name = "registrationSender"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "description": str(_(
            "登记信息发送方的令牌（manage.py registration_sender_create 生成）；POST 还须按 Standard Webhooks 签名。"))}


# --- what comes in --------------------------------------------------------------------------------

def _messages(text) -> dict:
    return {key: text for key in ("required", "blank", "null", "invalid")}


class RegistrationInputSerializer(serializers.Serializer):
    event_id = serializers.RegexField(
        rf"\A{selectors.EVENT_ID.pattern}\Z", max_length=64,
        help_text=_("登记系统的事件编号（字母、数字和 . _ : -，最多64位）；同一编号只处理一次"),
        error_messages={**_messages(_("请填写事件编号 event_id：字母、数字和 . _ : -，最多64位。")),
                        "max_length": _("事件编号 event_id 最多64位。")})
    change = serializers.ChoiceField(choices=RegistrationChange.choices, default=RegistrationChange.NEW,
                                     help_text=_("new 设立登记；changed 变更登记"),
                                     error_messages={"invalid_choice": _("登记类型 change 应为 new 或 changed。")})
    uscc = serializers.CharField(max_length=32, help_text=_("统一社会信用代码（18位，校验位须正确）"),
                                 error_messages=_messages(_("请填写统一社会信用代码 uscc。")))
    name = serializers.CharField(max_length=200, help_text=_("企业名称"),
                                 error_messages={**_messages(_("请填写企业名称 name。")),
                                                 "max_length": _("企业名称最多200个字。")})
    scope = serializers.CharField(max_length=SCOPE_MAX_CHARS, help_text=_("经营范围（经营范围规范表述）"),
                                  error_messages={**_messages(_("请填写经营范围 scope。")),
                                                  "max_length": _("经营范围最多 {max_length} 个字。")})
    address = serializers.CharField(max_length=255, required=False, allow_blank=True, default="",
                                    help_text=_("住所"), error_messages={"max_length": _("住所最多255个字。")})
    legal_representative = serializers.CharField(
        max_length=64, required=False, allow_blank=True, default="", help_text=_("法定代表人（负责人）"),
        error_messages={"max_length": _("法定代表人最多64个字。")})
    registered_on = serializers.DateField(input_formats=["iso-8601"], help_text=_("登记日期（YYYY-MM-DD）"),
                                          error_messages=_messages(_("登记日期 registered_on 应为 YYYY-MM-DD。")))
    email = serializers.EmailField(required=False, allow_blank=True, default="", max_length=254,
                                   help_text=_("企业联系邮箱（可不填；填写的，告知同时发往此邮箱）"),
                                   error_messages={"invalid": _("联系邮箱 email 格式不正确。")})

    def validate(self, attrs):
        try:
            return services.registration_check(attrs)
        except InvalidInput as refused:
            raise serializers.ValidationError({refused.field: [refused.message]}) from None


# --- what goes out --------------------------------------------------------------------------------

class RegistrationItemSerializer(serializers.Serializer):
    code = serializers.CharField(help_text=_("事项编码，如 QZ-013"))
    name = serializers.CharField(help_text=_("事项名称"))
    reform_mode = serializers.CharField(help_text=_("改革方式：cancel、filing、commitment、optimise"))
    reform_mode_label = serializers.CharField(help_text=_("改革方式名称"))
    words = serializers.ListField(child=serializers.CharField(), help_text=_("匹配到的经营范围用语"))


class DepartmentSerializer(serializers.Serializer):
    code = serializers.CharField(help_text=_("机构代码"))
    name = serializers.CharField(help_text=_("机构名称"))
    delivered_at = serializers.DateTimeField(allow_null=True, help_text=_("告知送达该部门收件箱的时间；未送达为 null"))
    acknowledged = serializers.BooleanField(help_text=_("该部门是否已签收（接收反馈）"))
    acknowledged_at = serializers.DateTimeField(allow_null=True, help_text=_("签收时间；未签收为 null"))


class RegistrationSerializer(serializers.Serializer):
    event_id = serializers.CharField(help_text=_("事件编号"))
    change = serializers.CharField(help_text=_("new 设立登记；changed 变更登记"))
    uscc = serializers.CharField(help_text=_("统一社会信用代码"))
    name = serializers.CharField(help_text=_("企业名称"))
    registered_on = serializers.DateField(help_text=_("登记日期"))
    received_at = serializers.DateTimeField(help_text=_("平台接收时间"))
    told_at = serializers.DateTimeField(allow_null=True, help_text=_("告知企业的时间；尚未告知为 null"))
    items = RegistrationItemSerializer(many=True, help_text=_("经营范围对应的许可事项"))
    departments = DepartmentSerializer(many=True, help_text=_("已推送告知的部门，及各部门的接收反馈"))


def registration_data(registration) -> dict:
    items = [{"code": i.item.code, "name": i.item.name, "reform_mode": i.reform_mode,
              "reform_mode_label": i.get_reform_mode_display(), "words": i.words}
             for i in registration.items.select_related("item")]
    departments = [{"code": d.code, "name": d.name, "delivered_at": d.delivered_at, "acknowledged": d.acknowledged,
                    "acknowledged_at": d.acknowledged_at} for d in selectors.registration_departments(registration)]
    fields = ("event_id", "change", "uscc", "name", "registered_on", "received_at", "told_at")
    return RegistrationSerializer({**{f: getattr(registration, f) for f in fields}, "items": items,
                                   "departments": departments}).data


class _SenderOnly(ApiErrorsMixin, APIView):
    authentication_classes = [RegistrationSenderAuthentication]  # never a session: no CSRF, no user
    permission_classes = [IsRegistrationSender]
    parser_classes = [SafeJSONParser]


class RegistrationListView(_SenderOnly):
    @extend_schema(
        operation_id="registration_receive", summary=_("接收登记信息（双告知）"), tags=["registrations"],
        request=RegistrationInputSerializer,
        description=_("市场监管部门的登记系统推送新设立或变更登记的企业：平台按经营范围匹配许可事项，告知企业，并向各相关"
                      "审批、监管部门推送告知记录（钦政发〔2019〕18号 三（三））。须携带发送方令牌"
                      "（Authorization: Bearer）并按 Standard Webhooks 签名（webhook-id、webhook-timestamp、"
                      "webhook-signature）。新事件 201；同一事件编号、内容相同的再次发送 200，不重复处理；内容不同 409。"
                      "统一社会信用代码校验位错误或经营范围为空 400，不保存任何内容。令牌或签名无效 401。"),
        responses={201: RegistrationSerializer, 200: RegistrationSerializer, **error_responses(400, 401, 409)})
    def post(self, request):
        serializer = RegistrationInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        registration, created = services.registration_receive(sender=request.auth, event=serializer.validated_data)
        answer = status.HTTP_201_CREATED if created else status.HTTP_200_OK
        return Response(registration_data(registration), status=answer)


class RegistrationDetailView(_SenderOnly):
    @extend_schema(
        operation_id="registration_retrieve", summary=_("登记告知的处理情况"), tags=["registrations"],
        description=_("本发送方发送的一个登记事件：匹配的许可事项、告知企业的时间，以及各部门是否已签收（接收反馈）。"
                      "只需令牌，无需签名。其他发送方的事件 404。"),
        responses={200: RegistrationSerializer, **error_responses(401, 404)})
    def get(self, request, event_id):
        registration = selectors.registration_of(request.auth, event_id)
        if registration is None:
            raise exceptions.NotFound(NOT_FOUND)
        return Response(registration_data(registration))
