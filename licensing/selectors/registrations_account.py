"""双告知 in the enterprise's account (issue 16): the registrations an account may see, what each item a
registration needs means for the enterprise, and the registered particulars that spare it typing them again.

钦政发〔2019〕18号 三（五）: 市场监管部门要认真履行好“双告知”职责 — the registry tells the enterprise which
permits its 经营范围 needs; the portal shows each registration in the accounts of the registered enterprise and
mails it (licensing.services.registration_notify).

Who sees a registration: every account acting for the enterprise (licensing.selectors.applicants
.applicant_ids_claimed_by, pending claims included, as for preparing applications: licensing/rules.py). A
registration holds what the business licence prints and the 国家企业信用信息公示系统 publishes (name, code,
address, legal representative, scope) and the items that scope needs, which /finder/ tells anybody; the contact
address the registry sent is never shown. Only a verified account's opening marks it seen, and only verified
accounts get the mail: a pending claim may be anybody who typed the code, and must neither take the
"unseen" mark from the enterprise's real accounts nor be mailed about it.
"""
from dataclasses import dataclass

from django.db.models import Case, Exists, IntegerField, OuterRef, Prefetch, QuerySet, Value, When
from django.utils.translation import gettext_lazy as _

from licensing.constants import ApplicantKind, ReformMode
from licensing.models import Applicant, Registration, RegistrationItem
from licensing.selectors.applicants import applicant_ids_claimed_by, is_verified_for
from licensing.validators import normalise
from portal.permissions import is_applicant_user

# What each reform mode means for an enterprise about to operate (附件2's modes; DOMAIN.md), said once for the
# account's pages and the mail.
MODE_MEANINGS = {
    ReformMode.CANCEL: _("无需申领许可证，领取营业执照即可开展经营；请在平台登记经营信息，纳入事中事后监管。"),
    ReformMode.FILING: _("开展经营前在线备案，即时出具备案回执。"),
    ReformMode.COMMITMENT: _("可当场办理：签署承诺书并提交约定材料的，当场作出许可决定。"),
    ReformMode.OPTIMISE: _("取得许可后方可开展经营：网上办理，材料精简，在承诺时限内办结。"),
}
# What starting it on the portal is called: every mode has its online step (an item cancelled still records the
# enterprise's 经营信息 so that it enters supervision, licensing.services.submission).
APPLY_LABELS = {
    ReformMode.CANCEL: _("登记经营信息"),
    ReformMode.FILING: _("在线备案"),
    ReformMode.COMMITMENT: _("在线申请"),
    ReformMode.OPTIMISE: _("在线申请"),
}


@dataclass(frozen=True)
class NeededItem:
    """An item a registration needs, as the enterprise was told: its reform mode then, and the words matched."""

    item: object
    reform_mode: str
    words: tuple
    label: str
    meaning: str
    apply_label: str


def _with_items(registrations: QuerySet) -> QuerySet:
    return registrations.select_related("applicant").prefetch_related(
        Prefetch("items", RegistrationItem.objects.select_related("item")))


def registrations_of_user(user) -> QuerySet:
    """登记告知 of every enterprise the account acts for, newest first (the staff have none: their desks)."""
    if not is_applicant_user.test(user):
        return Registration.objects.none()
    mine = Registration.objects.filter(applicant_id__in=applicant_ids_claimed_by(user, verified_only=False))
    return _with_items(mine).order_by("-received_at", "-id")


def registrations_unseen_first(user) -> QuerySet:
    """The start page's list: those nobody acting for the enterprise has opened yet first, then the newest."""
    unseen = Case(When(seen_at__isnull=True, then=Value(1)), default=Value(0), output_field=IntegerField())
    return registrations_of_user(user).annotate(unseen=unseen).order_by("-unseen", "-received_at", "-id")


def registration_for(user, pk) -> Registration | None:
    """The registration `pk` if the account may see it, else None (the same whether or not it exists)."""
    return registrations_of_user(user).filter(pk=pk).first()


def needed_items(registration) -> list[NeededItem]:
    """The items the registration needs, in the catalogue's order, each with what its mode means."""
    return [NeededItem(item=row.item, reform_mode=row.reform_mode, words=tuple(row.words or ()),
                       label=ReformMode(row.reform_mode).label, meaning=MODE_MEANINGS[row.reform_mode],
                       apply_label=APPLY_LABELS[row.reform_mode])
            for row in registration.items.all()]


def marks_seen(user, registration) -> bool:
    """Whether `user` opening the registration counts as the enterprise having seen it (a verified link)."""
    return is_verified_for(user, registration.applicant)


def registered_enterprise(identifier) -> Applicant | None:
    """The enterprise the business registry told the portal about under this 统一社会信用代码, else None: its
    name, address and legal representative fill in a form instead of being typed again (issue 16: 可以通过信息
    共享获取的信息，一律不得再要求企业提供). Enterprises only — they are public on the 公示系统; a person's
    particulars are never filled in for whoever types an ID number."""
    code = normalise(identifier)
    if not (len(code) == 18 and code.isascii() and code.isalnum()):
        return None  # no 统一社会信用代码 at all (nor a NUL, which PostgreSQL would refuse): nothing to look up
    registered = Registration.objects.filter(applicant_id=OuterRef("pk"))
    return Applicant.objects.filter(identifier=code, kind=ApplicantKind.ENTERPRISE).filter(Exists(registered)).first()
