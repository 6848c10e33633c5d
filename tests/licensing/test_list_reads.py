"""Lists and details read what they show of an application's documents and materials, no more (issue 13).

A document keeps its frozen HTML and the masked copy, tens of KB each. The window's list of an
applicant's applications, the application's page and the API's detail show each document as a link
(kind, version, number, verification code); reading every document's whole text for that made the
window's page of a busy enterprise carry megabytes from the database on every view. The links must
stay right, and the text stays where the document is rendered or verified. Likewise a list reads
only the materials its "next deadline" column is made from, and the application's page reads its
materials with their catalogue entries in one statement.
"""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from licensing import services
from licensing.constants import MaterialDue, MaterialStatus
from notices.constants import DocumentKind
from notices.models import Document
from tests.factories import commitment_application
from tests.licensing.test_api_applications import API, token_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def decided(commitment_item, enterprise, clerk, officer):
    """Item 13 decided at the window: its notice, commitment, licence and 决定书 issued."""
    return commitment_application(item=commitment_item, applicant=enterprise, actor=clerk, officer=officer)


def document_statements(captured) -> list[str]:
    return [q["sql"] for q in captured if 'FROM "notices_document"' in q["sql"]]


def reads_text(sql: str) -> bool:
    return '"notices_document"."html"' in sql or '"notices_document"."masked_html"' in sql


def test_the_window_lists_the_documents_as_links_without_reading_their_text(login, clerk, enterprise, decided):
    documents = list(Document.objects.filter(application=decided))
    assert {d.kind for d in documents} >= {DocumentKind.NOTICE, DocumentKind.LICENCE, DocumentKind.DECISION}
    client = login(clerk)
    with CaptureQueriesContext(connection) as captured:
        page = client.get(reverse("window-applicant", args=[enterprise.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    for document in documents:  # every link is still there, to the right document
        assert reverse("document-pdf", args=[document.verification_code]) in html
    statements = document_statements(captured.captured_queries)
    assert statements and not any(reads_text(sql) for sql in statements)


def test_the_application_page_links_its_documents_without_reading_their_text(login, officer, decided):
    client = login(officer)
    with CaptureQueriesContext(connection) as captured:
        page = client.get(reverse("web-application-detail", args=[decided.number]))
    assert page.status_code == 200
    html = page.content.decode()
    for document in Document.objects.filter(application=decided):
        assert document.verification_code in html
    statements = document_statements(captured.captured_queries)
    assert statements and not any(reads_text(sql) for sql in statements)


def test_the_api_detail_lists_the_documents_without_reading_their_text(officer, decided):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token_for(officer)}")
    with CaptureQueriesContext(connection) as captured:
        answer = client.get(f"{API}/applications/{decided.number}/")
    assert answer.status_code == 200
    listed = {(d["kind"], d["number"]) for d in answer.json()["documents"]}
    assert listed == {(d.kind, d.number) for d in Document.objects.filter(application=decided)}
    statements = document_statements(captured.captured_queries)
    assert statements and not any(reads_text(sql) for sql in statements)


def test_a_list_still_names_a_material_owed_after_the_decision_as_the_next_deadline(
        login, applicant_user, clerk, enterprise, decided):
    """The lists read only the materials a deadline comes from (owed after the decision, with a date):
    the one still owed is the row's next deadline, before the inspection's two months."""
    owed = decided.materials.select_related("material").get(due_date__isnull=False, status=MaterialStatus.OWED)
    assert owed.material.due == MaterialDue.AFTER_DECISION and owed.due_date < decided.inspection_due
    label = f"补交材料：{owed.material.name}：{owed.due_date.year}年{owed.due_date.month}月{owed.due_date.day}日"
    for user, address in ((applicant_user, reverse("my-applications")),
                          (clerk, reverse("window-applicant", args=[enterprise.pk]))):
        assert label in login(user).get(address).content.decode(), address


def test_the_application_page_reads_the_materials_in_one_statement_however_many_the_item_asks_for(
        login, officer, commitment_item, enterprise, clerk):
    """The page's deadlines name each material owed after the decision: its catalogue entries are read
    with the materials, not one statement per material (an item of the catalogue asks for up to a dozen)."""
    for n in range(6):
        commitment_item.materials.create(name=f"补充材料{n}", due=MaterialDue.AFTER_DECISION, due_working_days=20,
                                         order=50 + n)
    application = commitment_application(item=commitment_item, applicant=enterprise, actor=clerk, officer=officer)
    client = login(officer)
    with CaptureQueriesContext(connection) as captured:
        page = client.get(reverse("web-application-detail", args=[application.number]))
    assert page.status_code == 200
    html = page.content.decode()
    assert all(f"补充材料{n}" in html for n in range(6))
    one_by_one = [q["sql"] for q in captured.captured_queries if 'FROM "licensing_material" WHERE' in q["sql"]]
    assert one_by_one == []


def test_the_materials_and_the_item_s_lists_are_read_in_order_without_joining_their_parent(
        login, officer, commitment_item, enterprise, clerk):
    """An application's materials come in the catalogue's order, sorted by the application's column: sorting
    by the relation (Meta.ordering "application") joined the applications to every read of them, to sort by
    Application.Meta.ordering. Likewise an item's materials and authorities, and the reviews and files."""
    commitment_item.materials.create(name="最后的材料", due=MaterialDue.AFTER_DECISION, due_working_days=20, order=99)
    commitment_item.materials.create(name="最先的材料", due=MaterialDue.AFTER_DECISION, due_working_days=20, order=0)
    application = commitment_application(item=commitment_item, applicant=enterprise, actor=clerk, officer=officer)
    with CaptureQueriesContext(connection) as captured:
        read = [(s.material.order, s.material.name) for s in application.materials.select_related("material")]
        list(commitment_item.materials.all()), list(commitment_item.authorities.all())
        list(application.reviews.all())
    assert read == sorted(read, key=lambda row: row[0]) and len(read) >= 3
    assert read[-1][1] == "最后的材料" and "最先的材料" in dict(read).values()
    joined = [q["sql"] for q in captured.captured_queries
              if 'JOIN "licensing_application"' in q["sql"] or 'JOIN "licensing_item"' in q["sql"]]
    assert joined == []
    page = login(officer).get(reverse("web-application-detail", args=[application.number])).content.decode()
    assert page.index("最先的材料") < page.index("最后的材料")


def test_the_application_page_reads_the_application_once(login, officer, decided):
    """Asked for, the page is drawn from the row read to check the officer may see it (with its item and
    applicant), not from a second read of it."""
    client = login(officer)
    with CaptureQueriesContext(connection) as captured:
        page = client.get(reverse("web-application-detail", args=[decided.number]))
    assert page.status_code == 200 and decided.number in page.content.decode()
    reads = [q["sql"] for q in captured.captured_queries if q["sql"].startswith('SELECT "licensing_application"."id"')]
    assert len(reads) == 1, reads


def test_deciding_reads_the_earlier_documents_without_their_text(commitment_item, enterprise, clerk, officer):
    """The 决定书 names the licence's and the 承诺书's numbers, and the approval record lists every document
    with its number: what they read of the documents issued before is those numbers, not their text."""
    application = commitment_application(item=commitment_item, applicant=enterprise, actor=clerk, officer=officer,
                                         until="committed")
    with CaptureQueriesContext(connection) as captured:
        services.application_decide(application=application, actor=officer)
    lists = [sql for sql in document_statements(captured.captured_queries)
             if sql.startswith("SELECT") and not sql.rstrip().endswith("LIMIT 1")]
    assert lists and not any(reads_text(sql) for sql in lists), lists
    decision = Document.objects.get(application=application, kind=DocumentKind.DECISION)
    licence = Document.objects.get(application=application, kind=DocumentKind.LICENCE)
    assert licence.number in decision.html  # the numbers still reach the document
    record = application.outbox_records.first()
    assert {d["number"] for d in record.payload["data"]["documents"]} >= {decision.number, licence.number}
