"""双告知 (issue 16): what the intake of registrations reads, one rule each, shared by the API, the service and
the admin.

- a sender by its bearer token, and a sender's registration by event id (another sender's is not found);
- which departments a registration concerns: per matched item, its deciding authority and that authority's
  regulator (谁审批、谁负责，谁主管、谁监管), and
- per department, whether its 告知 reached its inbox and was signed for (接收反馈, 钦政发〔2019〕18号 三（三）).

Which deciding authority: the catalogue (附件2) names several for some items (item 59: 自治区市场监管局, 市行政
审批局, 县区市场监管部门). The registry that sends is the city's (钦州市市场监督管理局's registration system) and
says nothing of the county the enterprise operates in, so the city-level decider is told: it knows the city's
counties and passes the 告知 on. An item with no city-level decider goes to its first decider in catalogue
order (item 13: 县区人民政府公安部门), as an application filed without a choice would be (decider_option).
"""
import hashlib
import hmac
import re
from dataclasses import dataclass

from licensing.models import Item, Registration, RegistrationSender
from licensing.selectors.authorities import decider_options
from licensing.selectors.routing import regulator_for_item
from notices import selectors_outbox
from portal.constants import OrgLevel
from supervision import selectors as supervision_selectors

# What an event id may be: it names the registration in /api/v1/registrations/<event_id>/.
EVENT_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,63}", re.ASCII)
TOKEN_MAX_LENGTH = 256
# The fields that make up one registration event: the same event id with other values is another event.
EVENT_FIELDS = ("change", "uscc", "name", "scope", "address", "legal_representative", "registered_on", "email")


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def sender_for_token(token: str) -> RegistrationSender | None:
    """The sender whose token this is (active or not), or None. Only the token's SHA-256 is kept; a token has
    256 random bits, so looking its digest up leaks nothing a guesser could use, and the digests are compared
    in constant time all the same."""
    if not token or len(token) > TOKEN_MAX_LENGTH:
        return None
    digest = token_digest(token)
    sender = RegistrationSender.objects.filter(token_sha256=digest).select_related("organisation").first()
    return sender if sender is not None and hmac.compare_digest(sender.token_sha256, digest) else None


def registration_of(sender, event_id) -> Registration | None:
    """The sender's registration of that event, or None (another sender's is None too)."""
    if sender is None or not EVENT_ID.fullmatch(str(event_id)):
        return None
    return Registration.objects.filter(sender=sender, event_id=event_id).select_related("applicant").first()


def registration_differs(registration, event: dict) -> list[str]:
    """The fields in which `event` (checked: licensing.services.registrations.registration_check) differs from
    the stored registration: none for a repeat."""
    return [name for name in EVENT_FIELDS if getattr(registration, name) != event.get(name, "")]


# --- the departments concerned ------------------------------------------------------------------------

def deciding_authority(item):
    """The authority told of an item (the module docstring says why the city's)."""
    options = decider_options(item)
    city = [o for o in options if o.authority.level == OrgLevel.CITY]
    chosen = (city or options or [None])[0]
    return chosen.authority if chosen is not None else None


def departments_for(item_ids) -> dict:
    """{organisation: [item ids]}: each item's deciding authority, and the regulator of what it approves
    (the authority itself where no regulator can be named); an item with no authority concerns no one."""
    departments = {}
    items = Item.objects.filter(pk__in=item_ids).prefetch_related("authorities__organisation",
                                                                  "authorities__entrusted_by")
    for item in items:
        authority = deciding_authority(item)
        if authority is None:
            continue
        for organisation in {authority, regulator_for_item(item.pk, authority) or authority}:
            departments.setdefault(organisation, []).append(item.pk)
    return departments


# --- 接收反馈: per department, delivered and signed for ------------------------------------------------

@dataclass(frozen=True)
class DepartmentStatus:
    code: str
    name: str
    delivered_at: object  # datetime | None: when its inbox got the 告知
    acknowledged_at: object  # datetime | None: when it signed for it (签收)

    @property
    def acknowledged(self) -> bool:
        return self.acknowledged_at is not None


def registration_departments(registration) -> list[DepartmentStatus]:
    """The departments the registration's 告知 was sent to, by name, each with its inbox's 接收反馈."""
    inbox = supervision_selectors.inbox_records_of_registration(registration.pk)
    departments = {}
    for record in selectors_outbox.outbox_records_of_registration(registration.pk):
        organisation = record.recipient_org
        if organisation is None or organisation.pk in departments:
            continue
        received = inbox.get(organisation.pk)
        departments[organisation.pk] = DepartmentStatus(
            code=organisation.code, name=organisation.name,
            delivered_at=received.delivered_at if received else None,
            acknowledged_at=received.acknowledged_at if received else None)
    return sorted(departments.values(), key=lambda d: (d.name, d.code))
