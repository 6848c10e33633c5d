"""Every kind of document the portal issues, read back as its holder and a reader of the paper would
(issue 12, "Done when"): "For an approved application, the licence and every document open, show
Chinese, carry a QR code that a test decodes to the right verification URL, and carry a signature that
pyHanko validates against the organisation's certificate."

"A QR code on every document, pointing to /verify/?code=… on the portal's configured public address
(a setting, never the request's Host header)": every step below is taken through the API by a client
whose Host is an internal address of no public meaning, so a document that took its address from the
request would show it.

The applications are built once for the module, through the real services behind the real API, in one
transaction rolled back at the end; each document's two PDFs (the original and its masked copy) are
rendered once, by the job that prepares them ahead of the first download, and each test reads them.
The seals are the demonstration ones (tests/conftest.py). Real WeasyPrint, pyHanko, pdfium and zxing.
"""
import io
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

import pypdfium2
import pytest
import zxingcpp
from asn1crypto import pem
from asn1crypto import x509 as asn1_x509
from django.conf import settings
from django.db import transaction
from django.test import Client, override_settings
from django.urls import reverse
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import SignatureCoverageLevel, validate_pdf_signature
from pyhanko_certvalidator import ValidationContext
from pypdf import PdfReader

from licensing.constants import MaterialDue
from licensing.models import Application, Item
from notices import services as notice_services
from notices.constants import DocumentKind, SealKind
from notices.models import Document
from portal.constants import Role
from tests.clock import at
from tests.conftest import pass_second_factor
from supervision.directories import inspector_add
from tests.factories import ApplicantFactory, UserFactory, pdf_file, ready_commitment_item, route_item

pytestmark = pytest.mark.django_db

# The Host of every request that issues a document here: an internal node's address, as a proxy may pass
# on. ALLOWED_HOSTS admits it for this module only.
INTERNAL_HOST = "portal-node-2.intranet.invalid"
PUBLIC_ADDRESS = "https://zzfl.qinzhou.example.gov.cn"  # settings.SITE_URL under portal.settings.test
API = "/api/v1"
COMMIT = {"kind": "already_meets", "confirmations": [True] * 7, "signatory": "张三"}


@dataclass
class Case:
    """One issued document, with who issued it and its PDFs as the preparing job kept them."""

    key: str
    document: Document
    organisation: object          # the organisation expected to issue and seal it
    pdf: bytes = b""
    masked_pdf: bytes = b""


@dataclass
class World:
    applicant_user: object
    officer: object
    regulator: object
    cases: dict


# --- the applications, built once --------------------------------------------------------------

def signed_in(user) -> Client:
    """A client of `user` (staff past their second factor) whose requests name the internal Host."""
    client = Client(HTTP_HOST=INTERNAL_HOST)
    client.force_login(user)
    if user.is_staff_role:
        pass_second_factor(client, user)
    return client


def ok(response, status=200) -> dict:
    assert response.status_code == status, response.content.decode()[:2000]
    return response.json()


def post(client, path, data=None, status=200) -> dict:
    return ok(client.post(f"{API}/{path}", data or {}, content_type="application/json"), status)


def submit(client, item, applicant, **data) -> str:
    body = {"item": item.code, "applicant": applicant.identifier, **data}
    return post(client, "applications/", body, status=201)["number"]


def hand_in_materials(client, number) -> None:
    """Upload every material owed at application or commitment, as the applicant does before committing."""
    owed = Application.objects.get(number=number).materials.filter(
        material__due__in=[MaterialDue.AT_APPLICATION, MaterialDue.AT_COMMITMENT]).select_related("material")
    for submission in owed:
        response = client.post(f"{API}/applications/{number}/materials/{submission.material_id}/",
                               {"file": pdf_file(f"{submission.material.name}.pdf")})
        ok(response)


def build_world() -> World:
    """Five applications that between them receive every kind of document:

    - item 13 by notify-and-commit: notice, commitment, decision and licence; the regulator's check
      orders a rectification (inspection record, rectification notice), the re-check finds it still
      wanting (re-inspection record); the authority revokes (revocation, the licence's revoked version 2);
    - item 13 by the ordinary procedure, approved (decision, licence) and another rejected (rejection);
    - a filing item (filing receipt), which its regulator then finds untrue (filing correction);
    - a cancelled item (registration receipt).
    """
    item = ready_commitment_item()
    regulator_org = item.regulator_routes.get().regulator
    officer = UserFactory(role=Role.OFFICER, organisation=item.authorities.first().organisation, full_name="审批员")
    regulator = UserFactory(role=Role.REGULATOR, organisation=regulator_org, full_name="监管员陈一")
    second_inspector = UserFactory(role=Role.REGULATOR, organisation=regulator_org, full_name="监管员林二")
    applicant_user = UserFactory(role=Role.APPLICANT, full_name="张三")
    enterprise = ApplicantFactory(name="钦州市好客旅馆有限公司", members=[applicant_user])
    other = ApplicantFactory(name="钦州市远客旅馆有限公司", members=[applicant_user])
    filing_item = Item.objects.filter(reform_mode="filing").order_by("seq_no").first()
    route_item(filing_item, regulator_org)
    cancelled_item = Item.objects.filter(reform_mode="cancel").order_by("seq_no").first()

    with at(2025, 3, 10, 9):  # a Monday
        as_applicant, as_officer, as_regulator = signed_in(applicant_user), signed_in(officer), signed_in(regulator)
        committed = submit(as_applicant, item, enterprise)
        hand_in_materials(as_applicant, committed)
        post(as_officer, f"applications/{committed}/issue-notice/")
        post(as_applicant, f"applications/{committed}/commit/", COMMIT)
        post(as_officer, f"applications/{committed}/decide/")

        approved = submit(as_applicant, item, other, wants_commitment=False)
        post(as_officer, f"applications/{approved}/accept/")
        post(as_officer, f"applications/{approved}/approve/")
        rejected = submit(as_applicant, item, other, wants_commitment=False)
        post(as_officer, f"applications/{rejected}/accept/")
        post(as_officer, f"applications/{rejected}/reject/", {"reason": "经营场所消防验收不合格。"})

        filed = submit(as_applicant, filing_item, enterprise, details="经营场所：钦州市钦南区某路2号。")
        post(as_regulator, f"applications/{filed}/mark-filing-untrue/",
             {"findings": "经营场所与备案不符。", "correct_by": "2025-03-31"})
        recorded = submit(as_applicant, cancelled_item, enterprise)

    inspection = Application.objects.get(number=committed).inspection
    with at(2025, 3, 17, 10):  # each day's session signed in that day (staff sessions expire when idle)
        as_regulator = signed_in(regulator)
        post(as_regulator, f"inspections/{inspection.pk}/assign/",
             {"inspectors": [regulator.username, second_inspector.username]})
        post(as_regulator, f"inspections/{inspection.pk}/result/",
             {"outcome": "rectify", "note": "消防通道堆放杂物。", "rectify_within_days": 1}, status=201)
    with at(2025, 3, 19, 10):  # the day after the deadline (18 March)
        post(signed_in(regulator), f"inspections/{inspection.pk}/result/",
             {"outcome": "fails", "note": "复查时消防通道仍被占用。", "ground": "still_nonconforming"}, status=201)
    with at(2025, 3, 20, 10):
        post(signed_in(officer), f"applications/{committed}/revoke/", {"reason": "核查发现承诺内容不实。"})
    with at(2025, 3, 21, 10):  # a 双随机 draw over what the regulator supervises (issue 14): its record
        as_regulator = signed_in(regulator)
        for n, inspector in enumerate((regulator, second_inspector), start=1):
            inspector_add(actor=regulator, username=inspector.username, code=f"DOC-{n:04d}")
        plan = post(as_regulator, "draws/", {
            "title": "2025年3月双随机抽查", "items": [item.code], "licensed_from": "2025-03-01",
            "licensed_until": "2025-03-21", "sample_percent": 100, "inspectors": ["DOC-0001", "DOC-0002"],
            "due_date": "2025-04-30"}, status=201)
        post(as_regulator, f"draws/{plan['id']}/run/")
        drawn = Application.objects.get(number=approved).inspections.get(pick__isnull=False)
        post(as_regulator, f"inspections/{drawn.pk}/result/",
             {"outcome": "rectify", "note": "从业人员登记簿未按规定填写。", "rectify_within_days": 5}, status=201)

    authority, cases = officer.organisation, {}

    def add(key, number, kind, organisation, version=1):
        document = Document.objects.filter(application__number=number, kind=kind, version=version).first()
        cases[key] = Case(key=key, document=document, organisation=organisation)

    for kind in (DocumentKind.NOTICE, DocumentKind.COMMITMENT, DocumentKind.DECISION, DocumentKind.LICENCE,
                 DocumentKind.REVOCATION):
        add(f"commitment-{kind}", committed, kind, authority)
    add("commitment-licence-revoked", committed, DocumentKind.LICENCE, authority, version=2)
    for kind in (DocumentKind.INSPECTION_RECORD, DocumentKind.RECTIFICATION, DocumentKind.REINSPECTION_RECORD):
        add(f"commitment-{kind}", committed, kind, regulator_org)
    add("ordinary-decision", approved, DocumentKind.DECISION, authority)
    add("ordinary-licence", approved, DocumentKind.LICENCE, authority)
    add("ordinary-rejection", rejected, DocumentKind.REJECTION, authority)
    add("ordinary-draw_check_record", approved, DocumentKind.DRAW_CHECK_RECORD, regulator_org)
    add("filing-filing_receipt", filed, DocumentKind.FILING_RECEIPT, None)  # the item's authority
    add("filing-filing_correction", filed, DocumentKind.FILING_CORRECTION, regulator_org)
    add("cancel-cancel_receipt", recorded, DocumentKind.CANCEL_RECEIPT, None)
    return World(applicant_user=applicant_user, officer=officer, regulator=regulator, cases=cases)


def prepare_pdfs(world: World) -> None:
    """Both PDFs of every document, by the job that renders them ahead of the first download."""
    for case in world.cases.values():
        if case.document is None:
            continue
        notice_services.document_prepare_pdf(case.document.pk)
        case.document.refresh_from_db()
        with case.document.pdf.open("rb") as kept:
            case.pdf = kept.read()
        with case.document.masked_pdf.open("rb") as kept:
            case.masked_pdf = kept.read()


CASES = [
    "commitment-notice", "commitment-commitment", "commitment-decision", "commitment-licence",
    "commitment-inspection_record", "commitment-rectification", "commitment-reinspection_record",
    "commitment-revocation", "commitment-licence-revoked",
    "ordinary-decision", "ordinary-licence", "ordinary-rejection", "ordinary-draw_check_record",
    "filing-filing_receipt", "filing-filing_correction", "cancel-cancel_receipt",
]


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, _demo_seals, tmp_path_factory):
    """The applications and their documents, for every test of the module; rolled back at its end. Each
    test still runs in a transaction of its own inside this one (pytest-django's savepoint)."""
    media = tmp_path_factory.mktemp("every-document-media")
    hosts = [*settings.ALLOWED_HOSTS, INTERNAL_HOST]
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media, ALLOWED_HOSTS=hosts):
        with transaction.atomic():
            built = build_world()
            prepare_pdfs(built)  # now, not in 2025: the demonstration certificates are valid from today
            yield built
            transaction.set_rollback(True)


@pytest.fixture(params=CASES)
def case(request, world) -> Case:
    found = world.cases[request.param]
    assert found.document is not None, f"{request.param}: no such document was issued"
    return found


# --- reading a PDF back -----------------------------------------------------------------------

def pdf_text(data: bytes) -> str:
    """The PDF's text without whitespace: line breaks fall anywhere in Chinese text."""
    return "".join("".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages).split())


def qr_codes(data: bytes) -> list[str]:
    """The text of every QR code on every page, as a phone's camera would read the printed page (216 dpi)."""
    found = []
    pdf = pypdfium2.PdfDocument(data)
    try:
        for page in pdf:
            image = page.render(scale=3).to_pil()
            found += [barcode.text for barcode in zxingcpp.read_barcodes(image)
                      if barcode.format == zxingcpp.BarcodeFormat.QRCode]
    finally:
        pdf.close()
    return found


def certificate_of(organisation) -> asn1_x509.Certificate:
    """The organisation's certificate, read where the settings keep it (DOCUMENT_SEAL_DIR/<机构代码>/cert.pem)."""
    data = (settings.DOCUMENT_SEAL_DIR / organisation.code / "cert.pem").read_bytes()
    return asn1_x509.Certificate.load(pem.unarmor(data)[2])


def title_of(document: Document) -> str:
    return re.search(r"<h1>(.*?)</h1>", document.html, re.S).group(1).strip()


def expected_url(document: Document) -> str:
    return f"{PUBLIC_ADDRESS}/verify/?code={document.verification_code}"


# --- every kind --------------------------------------------------------------------------------

def test_the_module_covers_every_kind_of_document(world):
    """Every DocumentKind is issued here at least once: a kind added later must be added to this module."""
    covered = {case.document.kind for case in world.cases.values() if case.document is not None}
    missing = sorted(set(DocumentKind.values) - covered)
    assert not missing, f"no document issued of kind {missing}"
    assert set(world.cases) == set(CASES)


def test_the_revoked_licence_is_a_second_version_that_says_so(world):
    """"A revocation … issues a new version": version 2 of the licence says revoked, and since when."""
    revoked = world.cases["commitment-licence-revoked"]
    assert revoked.document is not None
    text = pdf_text(revoked.pdf)
    assert "已撤销" in text and "2025年3月20日" in text


# --- each document ------------------------------------------------------------------------------

def test_its_pages_and_its_pdf_open_for_the_applicant(case, world, login):
    """The applicant's member opens the document's page, its frozen HTML and, once prepared, its PDF: the
    very file the job kept (a download never renders)."""
    document = case.document
    client = login(world.applicant_user)
    for page in ("document-html", "document-content"):
        response = client.get(reverse(page, args=[document.verification_code]))
        assert response.status_code == 200, page
        assert document.number in response.content.decode(), page
    response = client.get(reverse("document-pdf", args=[document.verification_code]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content == case.pdf


def test_its_pdf_shows_its_chinese_title_number_and_code(case):
    document = case.document
    title = title_of(document)
    if document.kind == DocumentKind.LICENCE:
        assert title.endswith("许可证"), title  # 证照名称, e.g. 旅馆业特种行业许可证
    else:
        assert title == DocumentKind(document.kind).label
    for text in (pdf_text(case.pdf), pdf_text(case.masked_pdf)):
        assert title in text
        assert document.number in text and f"验证码：{document.verification_code}" in text


def test_its_qr_code_reads_back_as_the_verification_url_on_the_public_address(case, client):
    """"A QR code on every document, pointing to /verify/?code=… on the portal's configured public address
    (a setting, never the request's Host header)": decoded from the rendered page of the PDF and of its
    masked copy, one code each, the public address, whatever Host the issuing request named; and the
    address it opens verifies the document."""
    document = case.document
    assert settings.SITE_URL == PUBLIC_ADDRESS
    assert qr_codes(case.pdf) == [expected_url(document)]
    assert qr_codes(case.masked_pdf) == [expected_url(document)]
    for html in (document.html, document.masked_html):
        assert INTERNAL_HOST not in html and "testserver" not in html
        assert expected_url(document) in html

    address = urlsplit(expected_url(document))
    shown = client.get(f"{address.path}?{address.query}")
    assert shown.status_code == 200
    assert document.number in shown.content.decode()


def test_its_pdf_is_sealed_by_the_issuing_organisation(case):
    """"The PDF is signed per organisation with pyHanko (PAdES …), using that organisation's certificate":
    the signature of the PDF and of its masked copy is intact, valid and trusted against the issuing
    organisation's certificate from DOCUMENT_SEAL_DIR, and covers the whole file."""
    document = case.document
    if case.organisation is not None:
        assert document.organisation == case.organisation
    assert document.organisation is not None and document.seal == SealKind.DEMO
    context = ValidationContext(trust_roots=[certificate_of(document.organisation)], allow_fetching=False)
    for data in (case.pdf, case.masked_pdf):
        signatures = PdfFileReader(io.BytesIO(data)).embedded_signatures
        assert len(signatures) == 1
        status = validate_pdf_signature(signatures[0], context)
        assert status.intact and status.valid and status.trusted, status.pretty_print_details()
        assert status.coverage == SignatureCoverageLevel.ENTIRE_FILE
        assert signatures[0].signer_cert.dump() == certificate_of(document.organisation).dump()
