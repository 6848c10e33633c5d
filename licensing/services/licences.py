"""The licence (许可证 / 电子证照, issue 12): its row and its document, issued with every grant and
issued anew, as a new version, on each change and on its revocation.

One service for the grant (licensing.services.decision._grant, both procedures), the confirmation of
the conditions (conditions.application_confirm_conditions) and the revocation (sanctions.application_revoke).
Each runs inside the calling transition's transaction, after the application row is locked, so the
order of locks is always application, then licence. The document's data items follow the national
电子证照 face (GB/T 36901/36903) as far as they apply; README.md says where they depart.

Versions: the Licence row's `version` is the newest document's. A change locks the row, bumps it and
issues that version of the LICENCE document; document_issue returns the first of a version issued
twice, and the transitions' own guards (a licence is revoked once, conditions confirmed once) keep
a change from being made twice. A revoked licence is never changed again.
"""
import datetime as dt

from django.db import transaction
from django.utils import timezone

from licensing.models import Licence
from licensing.services.publicity import PERMIT_VALID, publicity_permit
from notices.constants import DocumentKind
from notices.services import document_issue


def licence_valid_until(valid_from: dt.date, years: int | None) -> dt.date | None:
    """The last day of a validity of `years` years counted from (and including) `valid_from`: the day
    before the same date `years` on; None (长期有效) where the item sets no validity.

    A licence issued on 29 February reaches its anniversary, in a common year, on 1 March, so it runs
    to 28 February: the full years, not a day short (as "the month's end" of 民法典 第二百零三条 would make it)."""
    if not years:
        return None
    try:
        anniversary = valid_from.replace(year=valid_from.year + years)
    except ValueError:  # 29 February, and the year it lands in is a common one
        anniversary = dt.date(valid_from.year + years, 3, 1)
    return anniversary - dt.timedelta(days=1)


def licence_title(item) -> str:
    """证照名称: the licence the item's name gives ("旅馆业特种行业许可证核发" → 旅馆业特种行业许可证,
    "公共场所卫生许可" → 公共场所卫生许可证); "许可证" where the name names none (…审批, …认定)."""
    name = item.name
    for word in ("许可证", "合格证"):
        if word in name:
            return name[:name.index(word) + len(word)]
    if name.endswith("许可"):
        return f"{name}证"
    return "许可证"


@transaction.atomic
def licence_grant(application, today: dt.date, *, may_operate_from: dt.date | None) -> Licence:
    """The licence a grant issues, and version 1 of its document: the scope applied for (else the item),
    valid from today for the item's years (Item.licence_valid_years; none: 长期有效)."""
    item = application.item
    licence = Licence.objects.create(
        application=application, number=f"QZXK{application.number[2:]}", issued_at=timezone.now(),
        may_operate_from=may_operate_from, scope=(application.details or "").strip() or item.name,
        valid_from=today, valid_until=licence_valid_until(today, item.licence_valid_years), version=1)
    licence_issue(application, licence)
    return licence


@transaction.atomic
def licence_reissue(application, *, change: str, fields: dict | None = None,
                    extra: dict | None = None) -> Licence | None:
    """Change the licence in force (`fields`, e.g. may_operate_from) and issue its next version, whose
    document says what changed (变更事项) and which version it replaces; `extra` goes to the document.
    None where no licence is in force: nothing changes."""
    licence = licence_change(application, fields)
    if licence is not None:
        licence_issue(application, licence, change=change, extra=extra)
        publicity_permit(application, PERMIT_VALID, note=f"变更：{change}")  # 归集 of the change (issue 16)
    return licence


def licence_change(application, fields: dict | None) -> Licence | None:
    """The first half of licence_reissue, for a transition that issues a document of its own in between
    (the revocation decision, which the revoked version names): the licence in force, locked, changed,
    its version bumped; None where none is in force (a revoked licence is never changed again)."""
    licence = Licence.objects.select_for_update().filter(application=application, revoked_at__isnull=True).first()
    if licence is None:
        return None
    fields = fields or {}
    for name, value in fields.items():
        setattr(licence, name, value)
    licence.version += 1  # under the row lock: two changes at once make two versions, one after the other
    licence.save(update_fields=[*fields, "version"])
    application.licence = licence  # what the documents issued next in this transaction read
    return licence


def licence_issue(application, licence, *, change: str = "", extra: dict | None = None):
    """The document of the licence's current version (once: document_issue returns the first of a version)."""
    return document_issue(application=application, kind=DocumentKind.LICENCE, version=licence.version, extra={
        "licence": licence, "kind_label": licence_title(application.item), "change": change,
        "replaces": licence.version - 1 if licence.version > 1 else None, **(extra or {})})


def cn_date(day: dt.date) -> str:
    """A date as the documents print it: 2025年4月3日."""
    return f"{day.year}年{day.month}月{day.day}日"
