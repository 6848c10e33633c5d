"""Issue 11 (rule fidelity): the catalogue as printed, and who decides each application.

- Items whose 附件2 cell was repaired by inference (6, 42) get the printed text and a note on what
  was inferred and why; items with alternative, two-stage or entrusted authorities (12, 21, 22,
  46, 55, 75, 80, 82) get the printed 实施机关 cell and a note on how the portal reads it. Each change
  is an entry in the item's history with its reason.
- Entrusted rows (委托) name the authority that entrusted them.
- Item 55's county authority keeps the gazette's wording (各县(市)人民政府文化广电旅游体育部门) as an
  organisation of its own instead of sharing another item's.
- Existing applications get the authority in whose name they are (or were) decided: the deciding
  officer's organisation when it is one of the item's deciders, else the item's first approving
  authority (what the documents already named). They have no first-review stage.

Values come from licensing/data/catalogue.json, the file 0002 loads, so a fresh database and an
old one end the same. Running it twice changes nothing the second time.

The history entry's reason says, in the column's 100 characters, what the gazette printed, what was
inferred and why; the full account is the item's repair_note / authority_note, which the same entry
records.
"""
import json
from pathlib import Path

from django.db import migrations
from django.utils import timezone

DATA = Path(__file__).resolve().parent.parent / "data" / "catalogue.json"
REASON_PREFIX = "问题11："
# Cells repaired by inference: what was printed, what was inferred, and why (history_change_reason is
# 100 characters at most).
REASONS = {
    "QZ-006": "问题11：公报第6项名称、实施机关排版错乱（印作“自治区新 闻局、审 批局”）；据国务院同名事项及第7、8、47项"
              "推断名称、机关并补举措第2条脱字，详见修订说明",
    "QZ-042A": "问题11：公报第42项（甲级）实施机关印作“自然资源局”；甲级测绘资质由国务院主管部门审批，本行备注写自然资源部，"
               "故推断为自然资源部",
    "QZ-042B": "问题11：公报第42项（乙、丙、丁级）实施机关印作“自治区自然资源局”；自治区无此机构，本行备注写自治区自然资源厅，"
               "故推断为该厅",
    "QZ-086": "问题11：公报第86项备注印作“按工业和信息部出台的…”，脱“化”字；按本行实施机关工业和信息化部补正",
}
REASON = "问题11：记录公报“实施机关”栏原文及其读法（择一、初审、委托，或推断的层级），详见实施机关说明"
TEXT_FIELDS = ("printed_name", "printed_authorities", "repair_note", "authority_note")


def _orgs(apps, data):
    Organisation = apps.get_model("portal", "Organisation")
    orgs = {}
    for o in data["organisations"]:
        orgs[o["code"]], _ = Organisation.objects.get_or_create(
            code=o["code"], defaults={"name": o["name"], "level": o["level"], "kind": o.get("kind", "authority")})
    return orgs


def _item_texts(apps, item, row, now):
    HistoricalItem = apps.get_model("licensing", "HistoricalItem")
    Item = apps.get_model("licensing", "Item")
    changed = {f: row.get(f, "") for f in TEXT_FIELDS if row.get(f, "") != getattr(item, f)}
    if not changed:
        return
    for name, value in changed.items():
        setattr(item, name, value)
    item.save(update_fields=list(changed))
    HistoricalItem.objects.create(
        **{f.attname: getattr(item, f.attname) for f in Item._meta.fields},
        history_date=now, history_type="~", history_change_reason=REASONS.get(item.code, REASON))


def _entrusted(apps, item, row, orgs):
    """A 委托 row decides in the name of the authority that entrusted it (行政许可法 第二十四条)."""
    ItemAuthority = apps.get_model("licensing", "ItemAuthority")
    for a in row["authorities"]:
        if a.get("entrusted_by"):
            ItemAuthority.objects.filter(item=item, organisation=orgs[a["org"]], role="delegated").update(
                entrusted_by=orgs[a["entrusted_by"]])


def _item_55_as_printed(apps, orgs):
    """Item 55's county authority, merged before with D07 (县区人民政府文化广电体育旅游部门, items 33, 34,
    44), becomes the gazette's 各县(市)人民政府文化广电旅游体育部门 (D07B), with the item's routes. Runs
    after the backfill, so an application a D07 officer already decided keeps D07, in whose name it was."""
    ItemAuthority = apps.get_model("licensing", "ItemAuthority")
    RegulatorRoute = apps.get_model("licensing", "RegulatorRoute")
    ItemAuthority.objects.filter(item__code="QZ-055", organisation=orgs["D07"], role="approve").update(
        organisation=orgs["D07B"])
    RegulatorRoute.objects.filter(item__code="QZ-055", authority=orgs["D07"]).update(authority=orgs["D07B"])


def forwards(apps, schema_editor):
    Item = apps.get_model("licensing", "Item")
    data = json.loads(DATA.read_text(encoding="utf-8"))
    orgs = _orgs(apps, data)
    now = timezone.now()
    items = {i.code: i for i in Item.objects.all()}
    for row in data["items"]:
        item = items.get(row["code"])
        if item is None:
            continue
        _item_texts(apps, item, row, now)
        _entrusted(apps, item, row, orgs)
    _backfill_authority(apps)
    _item_55_as_printed(apps, orgs)


def _backfill_authority(apps):
    Application = apps.get_model("licensing", "Application")
    ItemAuthority = apps.get_model("licensing", "ItemAuthority")
    rows = {}
    for a in ItemAuthority.objects.order_by("item_id", "order"):
        rows.setdefault(a.item_id, []).append(a)
    for app in Application.objects.filter(authority__isnull=True).select_related("decided_by").iterator():
        authority, entrusted = _decider(rows.get(app.item_id, []), app.decided_by)
        if authority is not None:
            Application.objects.filter(pk=app.pk).update(authority_id=authority, entrusted_id=entrusted)


def _decider(authorities, decided_by):
    deciders = [a for a in authorities if a.role in ("approve", "delegated")]
    for a in deciders:
        if decided_by is not None and a.organisation_id == decided_by.organisation_id:
            if a.role == "delegated" and a.entrusted_by_id:
                return a.entrusted_by_id, a.organisation_id
            return a.organisation_id, None
    approving = [a for a in deciders if a.role == "approve"] or authorities
    return (approving[0].organisation_id, None) if approving else (None, None)


class Migration(migrations.Migration):
    dependencies = [
        ("licensing", "0008_rule_fidelity"),
        ("portal", "0008_audit_inspection_actions"),
    ]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
