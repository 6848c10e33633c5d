"""Who approved an application, and who regulates it (谁审批谁负责，谁主管谁监管).

The one answer for the outbox, the inspection queue, the regulator's visibility and the documents:
the approving authority is the deciding officer's organisation when it is one of the item's
authorities, otherwise the item's first approving authority (审批 before 初审/审核, in catalogue
order). Its regulator is, in this order: the admins' route for that authority; the route for the
authority's level; and, with no route, the authority itself where it is an industry department that
approves and so also regulates. An approval bureau (行政审批局) regulates nothing it approves: its
items without a route have no regulator (None), and their records wait in the unrouted queue.
"""
from licensing.constants import AuthorityRole
from licensing.models import RegulatorRoute
from portal.constants import OrgKind


def authority_of(application):
    """The organisation in whose name the application is (or will be) decided, or None."""
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
    if authority is None:
        return None
    routes = {route.authority_id: route.regulator for route in RegulatorRoute.objects.filter(
        item_id=application.item_id, level=authority.level).select_related("regulator")}
    if authority.pk in routes:
        return routes[authority.pk]
    if None in routes:
        return routes[None]
    if authority.kind == OrgKind.AUTHORITY:
        return authority
    return None
