"""双告知 intake (issue 16): the business registration system tells the portal of an enterprise newly registered
or changed, and the portal tells the enterprise and each department concerned which items it needs.

钦政发〔2019〕18号 三（三）: 按照推送告知、接收反馈、社会公示等全程信息化的工作要求，实现登记与审批的信息数据有效
衔接; 钦政发〔2019〕20号 三（三）: 精准告知企业需要办理的经营许可事项. The registry is authoritative for the
enterprise's name, address and legal representative ("可以通过信息共享获取的信息，一律不得再要求企业提供"), so they
fill in the Applicant the enterprise will apply as.

A registry sends each event once per its event id, and may send it again (a retry after a lost answer): the
same event is one registration, one 告知 per department (the outbox's idempotency key) and one mail.
"""
import datetime as dt
import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _, gettext_lazy

from licensing.constants import ApplicantKind, RegistrationChange
from licensing.i18n import in_source_language
from licensing.models import Applicant, Registration, RegistrationItem, RegistrationSender
from licensing.selectors import registrations as selectors
from licensing.selectors.scope import ScopeInvalid, items_for_scope, scope_check
from licensing.services.registration_notify import registration_tell_after_commit
from licensing.validators import normalise, validate_uscc
from notices import endpoints
from notices.outbox import outbox_record_registration
from portal import audit
from portal.exceptions import Conflict, InvalidInput, NotAllowed
from portal.models import AuditAction


# The intake's authentication refuses a switched-off sender with the same words.
SENDER_INACTIVE = gettext_lazy("该登记信息发送方已停用。")


def registration_check(event: dict) -> dict:
    """The event with its code normalised and its kind of change (new when not said), or InvalidInput naming
    the field: a code failing its check character, an empty or overlong scope, a missing name, date or event
    id, an unknown change. Nothing is stored before this."""
    event = {**event, "uscc": normalise(event.get("uscc")), "change": event.get("change") or RegistrationChange.NEW}
    try:
        validate_uscc(event["uscc"])
    except ValidationError as exc:
        raise InvalidInput(exc.messages[0], field="uscc") from None
    try:
        event["scope"] = scope_check(event.get("scope"))
    except ScopeInvalid as exc:
        raise InvalidInput(exc.message, field="scope") from None
    for field in ("event_id", "name", "registered_on"):
        if not event.get(field):
            raise InvalidInput(_("缺少必填字段 %(field)s。") % {"field": field}, field=field)
    if not selectors.EVENT_ID.fullmatch(str(event["event_id"])):
        raise InvalidInput(_("事件编号 event_id 只能由字母、数字和 . _ : - 组成，最多64位。"), field="event_id")
    if event["change"] not in RegistrationChange.values:
        raise InvalidInput(_("登记类型 change 应为 new 或 changed。"), field="change")
    event["registered_on"] = _date(event["registered_on"])
    return event


def _date(value) -> dt.date:
    """登记日期 as a date: the API's serializer hands one on; another caller may give its YYYY-MM-DD text."""
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise InvalidInput(_("登记日期 registered_on 应为 YYYY-MM-DD。"), field="registered_on") from None


@transaction.atomic
def registration_receive(*, sender, event: dict) -> tuple[Registration, bool]:
    """Keep one registration event of `sender` and tell whom it concerns; (registration, created).

    The same event again is answered with the registration kept (nothing new); the same event id with
    other content is a Conflict. The sender's row is locked first: two posts of one sender wait for each
    other, so two identical posts at once make one registration (the unique (sender, event_id) backs it)."""
    event = registration_check(event)
    sender = RegistrationSender.objects.select_for_update().get(pk=sender.pk)
    if not sender.active:
        raise NotAllowed(SENDER_INACTIVE)
    RegistrationSender.objects.filter(pk=sender.pk).update(last_used_at=timezone.now())
    kept = Registration.objects.filter(sender=sender, event_id=event["event_id"]).first()
    if kept is not None:
        return _repeat(kept, event), False
    registration = Registration.objects.create(
        sender=sender, applicant=_applicant_from(event, sender), received_at=timezone.now(),
        **{name: event.get(name, "") for name in ("event_id", *selectors.EVENT_FIELDS)})
    _match_items(registration)
    _tell_departments(registration, sender)
    registration_tell_after_commit(registration)
    return registration, True


def _repeat(registration, event) -> Registration:
    differs = selectors.registration_differs(registration, event)
    if differs:
        raise Conflict(_("登记事件 %(event_id)s 已接收，本次内容不同（%(fields)s）：同一事件编号的内容不能更改，"
                         "新的登记或变更请使用新的事件编号。")
                       % {"event_id": registration.event_id, "fields": "、".join(differs)}, field="event_id")
    return registration


def _applicant_from(event, sender) -> Applicant:
    """The enterprise as the registry describes it: created, or its name, address and legal representative
    brought up to date (the registry is authoritative for them)."""
    facts = {"name": event["name"], "address": event.get("address", ""),
             "legal_representative": event.get("legal_representative", "")}
    applicant, created = Applicant.objects.select_for_update().get_or_create(
        identifier=event["uscc"], defaults={"kind": ApplicantKind.ENTERPRISE, **facts})
    if created:
        audit.write(AuditAction.APPLICANT_REGISTER, actor=None, obj=applicant, details={
            "kind": ApplicantKind.ENTERPRISE, "via": "registration", "sender": sender.name})
        return applicant
    if applicant.kind != ApplicantKind.ENTERPRISE:
        raise Conflict(_("该统一社会信用代码已登记为个人申请人，请核对。"), field="uscc")
    changed = {k: v for k, v in facts.items() if v and getattr(applicant, k) != v}
    if changed:
        Applicant.objects.filter(pk=applicant.pk).update(**changed)
        applicant.refresh_from_db()
    return applicant


def _match_items(registration) -> None:
    """The items the 经营范围 needs, by the finder's one mapping, with their reform mode as of now."""
    RegistrationItem.objects.bulk_create([
        RegistrationItem(registration=registration, item_id=match.item.pk, reform_mode=match.item.reform_mode,
                         words=list(match.matched))
        for match in items_for_scope(registration.scope)])


def _tell_departments(registration, sender) -> None:
    """One 告知 per department concerned, with the items it decides or supervises (推送告知)."""
    items = list(registration.items.select_related("item"))
    for organisation, item_ids in selectors.departments_for([i.item_id for i in items]).items():
        mine = [i for i in items if i.item_id in item_ids]
        outbox_record_registration(registration=registration, organisation=organisation,
                                   data=_record_data(registration, mine, sender), event_at=registration.received_at)


def _record_data(registration, items, sender) -> dict:
    """What a department's system receives: in Chinese, whatever language the request came in."""
    with in_source_language():
        return {
            "registration": {
                "event_id": registration.event_id, "change": registration.change,
                "change_label": str(registration.get_change_display()), "uscc": registration.uscc,
                "name": registration.name, "address": registration.address,
                "legal_representative": registration.legal_representative,
                "registered_on": registration.registered_on.isoformat(), "scope": registration.scope},
            "items": [{"code": i.item.code, "name": i.item.name, "reform_mode": i.reform_mode,
                       "reform_mode_label": str(i.get_reform_mode_display()), "words": i.words}
                      for i in items],
            "sender": sender.name,
        }


# --- senders --------------------------------------------------------------------------------------

def new_token() -> str:
    return secrets.token_urlsafe(32)


@transaction.atomic
def registration_sender_create(*, name, organisation=None) -> tuple[RegistrationSender, str]:
    """A new sender with its bearer token and whsec_ secret; returns (sender, token). Only the token's SHA-256
    is kept: the token is shown this once, to be handed to the registry with the secret."""
    name = (name or "").strip()
    if not name:
        raise InvalidInput(_("请填写发送方名称。"), field="name")
    if len(name) > RegistrationSender._meta.get_field("name").max_length:
        raise InvalidInput(_("发送方名称最多 100 个字。"), field="name")
    token = new_token()
    sender = RegistrationSender.objects.create(name=name, organisation=organisation,
                                               token_sha256=selectors.token_digest(token),
                                               secret=endpoints.new_secret())
    return sender, token
