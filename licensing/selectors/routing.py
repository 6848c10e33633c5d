"""Who approved an application, and who regulates it (谁审批谁负责，谁主管谁监管).

The one answer for the outbox, the inspection queue, the regulator's visibility and the documents:
the approving authority is the one in whose name the application is decided, chosen when it was
filed (Application.authority, licensing.selectors.authorities) — for an entrusted decision (委托) the
authority that entrusted it, never the entrusted one nor a first-review authority (初审/审核/审查).
Rows filed before that choice fall back to the deciding officer's organisation when it is one of
the item's authorities, otherwise the item's first approving authority. Its regulator is, in this
order: the admins' route for that authority; the route for the authority's level; and, with no
route, the authority itself where it is an industry department that approves and so also
regulates. An approval bureau (行政审批局) regulates nothing it approves: its items without a route
have no regulator (None), and their records wait in the unrouted queue.
"""
from licensing.constants import AuthorityRole
from licensing.models import RegulatorRoute
from portal.constants import OrgKind


def authority_of(application):
    """The organisation in whose name the application is (or will be) decided, or None.

    The one chosen when it was filed (licensing.selectors.authorities); for rows older than that
    choice, the deciding officer's organisation or the item's first approving authority."""
    if application.authority_id is not None:
        return application.authority
    authorities = list(application.item.authorities.select_related("organisation"))
    decided_by = application.decided_by if application.decided_by_id else None
    for authority in authorities:
        if decided_by is not None and authority.organisation_id == decided_by.organisation_id:
            return authority.organisation
    authorities.sort(key=lambda a: (a.role != AuthorityRole.APPROVE, a.order))
    return authorities[0].organisation if authorities else None


def regulator_for(application, authority=None):
    """The industry regulator that gets the application's records, or None (unrouted)."""
    authority = authority if authority is not None else authority_of(application)
    return regulator_for_item(application.item_id, authority)


def regulator_for_item(item_id, authority):
    """The industry regulator of what `authority` approves under the item, or None: the same rule for an
    application's records and for a registration's 告知 (issue 16)."""
    if authority is None:
        return None
    routes = {route.authority_id: route.regulator for route in RegulatorRoute.objects.filter(
        item_id=item_id, level=authority.level).select_related("regulator")}
    if authority.pk in routes:
        return routes[authority.pk]
    if None in routes:
        return routes[None]
    if authority.kind == OrgKind.AUTHORITY:
        return authority
    return None
