"""Reads of the catalogue, shared by the public pages, the API and other apps."""
from django.db.models import Prefetch, Q, QuerySet

from licensing.models import Item, ItemAuthority


def _with_authorities(qs: QuerySet) -> QuerySet:
    return qs.prefetch_related(
        Prefetch("authorities", queryset=ItemAuthority.objects.select_related("organisation").order_by("order")))


def item_list(*, q: str = "", reform_mode: str = "", authority: str = "", level: str = "",
              seq_no: int | None = None) -> QuerySet:
    """Items matching every filter given; q searches name, measures, remark and authority names."""
    qs = Item.objects.all()
    if q:
        qs = qs.filter(
            Q(name__icontains=q) | Q(remark__icontains=q) | Q(measures__icontains=q)
            | Q(authorities__variant_name__icontains=q) | Q(authorities__organisation__name__icontains=q)
        )
    if reform_mode:
        qs = qs.filter(reform_mode=reform_mode)
    if authority:
        qs = qs.filter(authorities__organisation__code=authority)
    if level:
        qs = qs.filter(authorities__organisation__level=level)
    if seq_no is not None:
        qs = qs.filter(seq_no=seq_no)
    return _with_authorities(qs.distinct())


def item_get(code: str) -> Item:
    return _with_authorities(Item.objects.prefetch_related("regulator_routes__regulator")).prefetch_related("materials").get(code=code)


def authorities_in_use() -> QuerySet:
    from portal.models import Organisation

    return Organisation.objects.filter(item_roles__isnull=False).distinct().order_by("level", "code")
