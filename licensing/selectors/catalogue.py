"""Reads of the catalogue, shared by the public pages, the API and other apps."""
from dataclasses import dataclass

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.migrations.recorder import MigrationRecorder
from django.db.models import Prefetch, Q, QuerySet

from licensing.models import Item, ItemAuthority, Material, RegulatorRoute
from licensing.selectors.authorities import decider_options, review_chain
from portal import httpcache
from portal.models import Organisation


@dataclass(frozen=True)
class Footnote:
    """A note printed under the catalogue's table, with where it is printed."""

    source: str
    text: str
    points: tuple[str, ...]


# The 备注 printed after item 100 of 附件2, for the whole table: who writes which reform measures. Word for
# word; the OCR's half-width ", " and ":" are the gazette's full-width punctuation, as everywhere in
# licensing/data/catalogue.json.
CATALOGUE_FOOTNOTE = Footnote(
    source="钦政发〔2019〕18号 附件2 钦州市第一批“证照分离”改革的具体事项表，表末备注",
    text="各级各部门根据各自职责和工作实际，制定本单位改革举措。",
    points=(
        "行政审批部门制定本部门许可环节改革举措，行业主管部门制定事中事后监管举措。",
        "行政审批权限和监督管理职责在本级部门的，本级部门同时制定许可环节改革举措和事中事后监管举措。",
        ("行政审批权限在上级部门的，本级有监督管理职责的制定事中事后监管举措，本级没有监督管理职责的按照上级部门"
         "出台的具体管理措施执行。"),
    ),
)


@dataclass(frozen=True)
class ReviewPath:
    """Who examines an application of the item, in order, before `decider` decides (行政许可法 第三十五条)."""

    decider: object  # licensing.selectors.authorities.DeciderOption
    stages: list  # ItemAuthority rows, lowest level first


def _with_authorities(qs: QuerySet) -> QuerySet:
    authorities = ItemAuthority.objects.select_related("organisation", "entrusted_by").order_by("order", "pk")
    return qs.prefetch_related(Prefetch("authorities", queryset=authorities))


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


def item_review_paths(item) -> list[ReviewPath]:
    """For each way the item may be decided, the first-review stages before it; only those that have any
    (items 12, 46: 初审; 75: 审查 then 审核). The guide shows them; the services follow review_chain."""
    paths = [ReviewPath(option, review_chain(item, option.authority)) for option in decider_options(item)]
    return [path for path in paths if path.stages]


# --- the cache (issue 13) -------------------------------------------------------------------------
# The catalogue's pages and API answers are the same for every visitor and change only when an admin
# edits or imports the catalogue: they are kept in the shared cache under CATALOGUE's version, which
# catalogue_changed() renews (licensing/apps.py calls it on every save and delete of what they show).

def catalogue_modified():
    """When the catalogue last changed, from stored timestamps (so it survives a cache flush and never
    moves backwards): the history row every edit, import and revert writes (the data migration
    wrote the first ones), and the last licensing migration applied (a deploy that changed the data)."""
    return httpcache.latest_timestamp([
        *((model.history.model.objects.all(), "history_date")
          for model in (Item, ItemAuthority, Material, RegulatorRoute, Organisation)),
        (MigrationRecorder.Migration.objects.filter(app="licensing"), "applied"),
    ])


def _catalogue_sources():
    """What the cached answers are made from: the templates and the code that renders them."""
    return [settings.BASE_DIR / "templates", settings.BASE_DIR / "licensing", settings.BASE_DIR / "portal"]


CATALOGUE_CACHE_SECONDS = 300
CATALOGUE = httpcache.VersionStamp("catalogue", modified=catalogue_modified, sources=_catalogue_sources,
                                   timeout=CATALOGUE_CACHE_SECONDS)


def catalogue_changed(**kwargs) -> None:
    """Whatever the catalogue's pages and API show has changed: answers cached before are not used again."""
    CATALOGUE.changed()


def cached_authorities_in_use(version) -> list:
    return CATALOGUE.get_or_make(version, ("authorities",), lambda: list(authorities_in_use()))


def cached_catalogue_page(version, filters: dict, number, per_page: int) -> Page:
    """One page of item_list(**filters), from the cache: the items' ids per filter, the page's items
    (with their authorities) per page. `number` as the query string gives it (get_page's rules)."""
    filters_key = tuple(sorted(filters.items()))
    ids = CATALOGUE.get_or_make(version, ("ids", filters_key),
                                lambda: list(item_list(**filters).prefetch_related(None).values_list("pk", flat=True)))
    page = Paginator(ids, per_page).get_page(number)
    page_ids = list(page.object_list)
    page.object_list = CATALOGUE.get_or_make(version, ("rows", tuple(page_ids)), lambda: _items_in_order(page_ids))
    return page


def _items_in_order(ids: list) -> list:
    by_id = {item.pk: item for item in _with_authorities(Item.objects.filter(pk__in=ids))}
    return [by_id[pk] for pk in ids if pk in by_id]


def cached_item_guide(version, code: str) -> tuple:
    """The item with `code` and its review paths, from the cache; Item.DoesNotExist when there is none
    (a miss is not kept: anyone may ask for any code)."""
    def make():
        item = item_get(code)
        return item, item_review_paths(item)
    return CATALOGUE.get_or_make(version, ("guide", code), make)
