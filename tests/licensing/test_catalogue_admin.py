"""Admins keep the catalogue: search, filters, history of every change, xlsx/csv import and export."""
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from licensing.models import Item

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client_(login, admin_user):
    return login(admin_user)


def test_the_changelist_searches_and_filters(admin_client_):
    url = reverse("admin:licensing_item_changelist")
    html = admin_client_.get(url, {"q": "旅馆"}).content.decode()
    assert "旅馆业特种行业许可证核发" in html and "电影放映单位设立审批" not in html
    html = admin_client_.get(url, {"reform_mode__exact": "filing"}).content.decode()
    assert "首次进口非特殊用途化妆品行政许可" in html and "旅馆业" not in html


def test_an_edit_is_kept_in_the_history_with_who_and_what(admin_client_, admin_user):
    item = Item.objects.get(seq_no=13)
    item.legal_basis = "《旅馆业治安管理办法》第四条"
    item._change_reason = "补充法律依据"
    item.save()
    latest = item.history.first()
    assert latest.legal_basis == "《旅馆业治安管理办法》第四条"
    assert latest.prev_record.legal_basis == ""
    assert latest.prev_record.history_change_reason.startswith("钦政发〔2019〕18号附件2")
    html = admin_client_.get(reverse("admin:licensing_item_history", args=[item.pk])).content.decode()
    assert "补充法律依据" in html


def test_an_edit_through_the_admin_records_the_admin(admin_client_, admin_user):
    item = Item.objects.get(seq_no=20)
    url = reverse("admin:licensing_item_change", args=[item.pk])
    form = admin_client_.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k != "measures"}
    data.update({"measures": '["推广网上业务办理。"]', "statutory_days": 30,
                 "authorities-TOTAL_FORMS": 0, "authorities-INITIAL_FORMS": 0,
                 "regulator_routes-TOTAL_FORMS": 0, "regulator_routes-INITIAL_FORMS": 0,
                 "materials-TOTAL_FORMS": 0, "materials-INITIAL_FORMS": 0,
                 "scope_keywords-TOTAL_FORMS": 0, "scope_keywords-INITIAL_FORMS": 0})
    response = admin_client_.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    item.refresh_from_db()
    assert item.committed_days == 20
    assert item.history.first().history_user == admin_user


def test_export_to_xlsx_holds_every_item_with_measures_one_per_line(admin_client_):
    url = reverse("admin:licensing_item_export")
    response = admin_client_.post(url, {"format": "0", "resource": "0", **{f"itemresource_{f}": "on" for f in (
        "seq_no", "code", "name", "reform_mode", "measures")}})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[0]
    assert len(rows) == 1 + 102
    row38 = next(r for r in rows[1:] if r[header.index("code")] == "QZ-038")
    assert row38[header.index("measures")].split("\n")[1] == "压缩审批时限，将法定20个工作日压缩至15个工作日。"


def test_import_from_csv_updates_an_item_by_code(admin_client_):
    from licensing.admin import ItemResource

    dataset = ItemResource().export(Item.objects.filter(code="QZ-038"))
    dataset.dict = [{**dataset.dict[0], "legal_basis": "《代理记账管理办法》第五条"}]
    result = ItemResource().import_data(dataset, dry_run=False)
    assert not result.has_errors()
    assert Item.objects.get(code="QZ-038").legal_basis == "《代理记账管理办法》第五条"
    assert Item.objects.count() == 102
