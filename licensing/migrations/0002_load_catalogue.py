"""Load the 100-item catalogue of 附件2 (钦政发〔2019〕18号) shipped in licensing/data/catalogue.json.

The JSON was cleaned once from the gazette's OCR text and reviewed (see
licensing/data/check_catalogue.py); it is data the project ships, never parsed at run time.
Loading is by code, so running it on a database that already has some items adds nothing twice.
"""
import json
from pathlib import Path

from django.db import migrations
from django.utils import timezone

DATA = Path(__file__).resolve().parent.parent / "data" / "catalogue.json"
REASON = "钦政发〔2019〕18号附件2 初始导入"
ROLE = {"审批": "approve", "初审": "preliminary", "审核": "verify", "审查": "examine", "委托": "delegated"}


def load(apps, schema_editor):
    Organisation = apps.get_model("portal", "Organisation")
    Item = apps.get_model("licensing", "Item")
    ItemAuthority = apps.get_model("licensing", "ItemAuthority")
    HistoricalItem = apps.get_model("licensing", "HistoricalItem")
    data = json.loads(DATA.read_text(encoding="utf-8"))
    now = timezone.now()
    orgs = {}
    for o in data["organisations"]:
        orgs[o["code"]], _ = Organisation.objects.get_or_create(
            code=o["code"], defaults={"name": o["name"], "level": o["level"], "kind": o.get("kind", "authority")})
    for row in data["items"]:
        fixed = row.get("committed_days") if row["compression"] == "fixed" else None
        item, created = Item.objects.get_or_create(code=row["code"], defaults={
            "seq_no": row["seq_no"], "name": row["name"], "reform_mode": row["reform_mode"],
            "measures": row["measures"], "remark": row["remark"], "compression": row["compression"],
            "statutory_days": row.get("statutory_days"), "committed_days_override": fixed,
        })
        if not created:
            continue
        # The first entry of the item's history: where its data came from.
        HistoricalItem.objects.create(
            **{f.attname: getattr(item, f.attname) for f in Item._meta.fields},
            history_date=now, history_type="+", history_change_reason=REASON)
        for order, a in enumerate(row["authorities"]):
            ItemAuthority.objects.create(
                item=item, organisation=orgs[a["org"]], role=ROLE[a["role"]],
                variant_name=a.get("variant_name", ""), remark=a.get("remark", ""), order=order)


def unload(apps, schema_editor):
    data = json.loads(DATA.read_text(encoding="utf-8"))
    apps.get_model("licensing", "Item").objects.filter(code__in=[r["code"] for r in data["items"]]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("licensing", "0001_initial"),
        ("portal", "0002_seed_calendar"),
    ]
    operations = [migrations.RunPython(load, unload)]
