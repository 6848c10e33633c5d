"""Load the business-scope finder's keywords (licensing/data/scope_keywords.json) and the items' English
glosses (licensing/data/item_glosses_en.json), both data the project ships and admins edit afterwards.

Loading adds only what is missing (by keyword and item; a gloss only where the item has none), so running
it on a database an admin has already edited changes nothing the admin wrote.
"""
import json
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data"


def _read(name):
    path = DATA / name
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def load(apps, schema_editor):
    Item = apps.get_model("licensing", "Item")
    ScopeKeyword = apps.get_model("licensing", "ScopeKeyword")
    items = {item.code: item for item in Item.objects.all()}
    for row in _read("scope_keywords.json").get("keywords", []):
        item = items.get(row["item"])
        if item is not None:
            ScopeKeyword.objects.get_or_create(keyword=row["keyword"], item=item,
                                               defaults={"weight": row.get("weight", 1)})
    for code, gloss in _read("item_glosses_en.json").get("glosses", {}).items():
        Item.objects.filter(code=code, name_en="").update(name_en=gloss)


class Migration(migrations.Migration):
    dependencies = [("licensing", "0014_ratings_scope_finder_glosses")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
