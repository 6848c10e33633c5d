"""Who examines, who decides, and in whose name (谁审批、谁负责; issue 11).

The catalogue (附件2) names, for an item, one or more deciding authorities and, for some, authorities
that examine first:
- **Alternatives.** Where several authorities may decide (item 22: "交通运输部或者自治区…"; items run
  by the city or a county), each application is decided by one of them, chosen when it is filed
  (`decider_options`); the first in catalogue order when none is chosen.
- **Entrusted.** A 委托 row (items 21, 80, 82: "或者其委托的…") decides in the name of the authority
  that entrusted it (行政许可法 第二十四条): `Application.authority` is that authority,
  `Application.entrusted` the one that acts; the documents name both.
- **First review.** 初审 / 审核 / 审查 rows of a lower level than the decider (items 12, 46, 75:
  "自治区公安厅审批、市人民政府公安部门初审") examine in turn, lowest level first, and forward with
  their opinion (行政许可法 第三十五条); only the decider decides. `Application.reviewing` is the
  reviewing authority holding the application, None once it is with the decider.

One rule for the services, the permission rules, the desks, the API and the documents.
"""
from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import gettext

from licensing.constants import REVIEW_ROLES, AuthorityRole
from licensing.models import Application, Item
from licensing.selectors.routing import authority_of
from portal.constants import OrgLevel

# Lower levels examine first: a county, then the city, then the region.
LEVEL_RANK = {OrgLevel.COUNTY: 0, OrgLevel.CITY: 1, OrgLevel.REGION: 2, OrgLevel.NATIONAL: 3}


@dataclass(frozen=True)
class DeciderOption:
    """One way an application of the item may be decided: by `authority`, or by `entrusted` in its name."""

    authority: object  # portal.Organisation
    entrusted: object = None

    @property
    def acting(self):
        return self.entrusted or self.authority

    @property
    def key(self) -> int:
        """What a form or the API names the option by: the acting organisation's id."""
        return self.acting.pk

    @property
    def label(self) -> str:
        if self.entrusted is None:
            return self.authority.name
        return gettext("%(entrusted)s（受%(authority)s委托）") % {"entrusted": self.entrusted.name, "authority": self.authority.name}


def _rows(item) -> list:
    rows = getattr(item, "_authority_rows", None)
    if rows is None:
        rows = list(item.authorities.select_related("organisation", "entrusted_by").order_by("order", "id"))
        item._authority_rows = rows
    return rows


def decider_options(item) -> list[DeciderOption]:
    """The item's deciding authorities in catalogue order: 审批 rows, and 委托 rows in their entruster's name."""
    options = []
    for row in _rows(item):
        if row.role == AuthorityRole.APPROVE:
            options.append(DeciderOption(row.organisation))
        elif row.role == AuthorityRole.DELEGATED and row.entrusted_by_id:
            options.append(DeciderOption(row.entrusted_by, row.organisation))
    return options


def decider_option(item, acting_id=None) -> DeciderOption | None:
    """The option whose acting organisation is `acting_id`; the first option when it is None; None when
    `acting_id` names no decider of the item."""
    options = decider_options(item)
    if acting_id in (None, ""):
        return options[0] if options else None
    return next((o for o in options if str(o.key) == str(acting_id)), None)


def review_chain(item, authority) -> list:
    """The item's first-review rows that examine before `authority` decides, lowest level first."""
    if authority is None:
        return []
    top = LEVEL_RANK.get(authority.level, 9)
    rows = [r for r in _rows(item) if r.role in REVIEW_ROLES and LEVEL_RANK.get(r.organisation.level, 9) < top]
    return sorted(rows, key=lambda r: (LEVEL_RANK.get(r.organisation.level, 9), r.order))


def acting_organisation_id(application) -> int | None:
    """The organisation whose officers take the authority's next step: the reviewing authority while it
    holds the application, else the entrusted one, else the deciding authority."""
    return application.reviewing_id or application.entrusted_id or application.authority_id


def items_with_legacy_applications(organisation_id) -> list:
    """The organisation's items that have applications filed before authorities were chosen per
    application (none on a portal that started with issue 11; a partial index answers at once)."""
    return list(Application.objects.filter(acting__isnull=True, item__authorities__organisation_id=organisation_id)
                .order_by().values_list("item_id", flat=True).distinct())


def acting_q(organisation_id, prefix: str = "", *, legacy_items: list | None = None) -> Q:
    """The applications on which `organisation_id` takes the authority's next step now: the query form
    of acting_organisation_id (the stored column Application.acting), for every desk queue (`prefix`
    reaches the application from another model, e.g. "application__"). An application filed before
    authorities were chosen per application (no authority) is acted on by any of the item's
    authorities, as before; only where such rows exist does the query carry that second branch (one
    look-up on a partial index, or `legacy_items` from items_with_legacy_applications when the caller builds
    several queues), so a modern desk stays a single indexed equality (issue 13)."""
    mine = Q(**{f"{prefix}acting": organisation_id})
    if legacy_items is None:
        legacy_items = items_with_legacy_applications(organisation_id)
    if not legacy_items:
        return mine
    return mine | Q(**{f"{prefix}acting__isnull": True, f"{prefix}item_id__in": legacy_items})


def decider_id(application) -> int | None:
    """Whose officers decide, revoke and confirm (the entrusted authority acts for its entruster)."""
    return application.entrusted_id or application.authority_id


def forward_to(application, pending_stages: list):
    """Where the holder's opinion goes (行政许可法 第三十五条): the next first-review stage after the current
    one (`pending_stages`: the unforwarded stages in order, the current first), else the decider that acts."""
    following = pending_stages[1:]
    return following[0].organisation if following else (application.entrusted or application.authority)


def pending_stages(application) -> list:
    """The first-review stages not forwarded yet, in order (the current one first)."""
    return list(application.reviews.filter(forwarded_at__isnull=True).select_related("organisation")
                .order_by("order", "id"))


def issuer_of(application) -> dict:
    """The names a document is issued under: the authority (routing.authority_of, which also answers for
    rows filed before the choice), and the entrusted one that acted for it; "" where there is none."""
    authority = authority_of(application)
    entrusted = application.entrusted
    return {"issuer": authority.name if authority else "", "entrusted": entrusted.name if entrusted else "",
            # whose seal the document carries (issue 12): the authority's, never the entrusted one's, as it
            # acts in the authority's name (行政许可法 第二十四条)
            "issuer_organisation": authority}
