"""The electronic seal of the documents' PDFs, and its verification (issue 12).

"The PDF is signed per organisation with pyHanko (PAdES, with a visible seal stamp), using that
organisation's certificate and key"; "the documents say plainly that the seal is a demonstration and
not a legal 电子印章 (GB/T 38540)"; "the verification page reports whether the downloaded PDF's
signature is intact"; "remove the footer claim wherever no real seal is applied".

Real WeasyPrint, real pyHanko: each PDF is signed and validated as a reader's software would. The
certificates are the demonstration ones `manage.py seal_demo_certs` makes (tests/conftest.py); tests
that take seals away or make new ones point DOCUMENT_SEAL_DIR at a directory of their own first.
"""
import datetime as dt
import io
import stat

import pytest
from asn1crypto import keys as asn1_keys
from asn1crypto import pem
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.validation import SignatureCoverageLevel, validate_pdf_signature
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore
from pypdf import PdfReader

from notices import seal as seals
from notices import services as notice_services
from notices.constants import DocumentKind, SealKind
from notices.models import Document
from notices.pdf import html_to_pdf
from portal.models import Organisation
from tests.factories import OrganisationFactory, commitment_application

pytestmark = pytest.mark.django_db

DEMO_STATEMENT = "不是《信息安全技术电子印章》（GB/T38540）规定的电子印章"  # as read back, without whitespace


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def approved(commitment_item, enterprise, applicant_user, officer):
    """Item 13 approved by the notify-and-commit procedure; its authority holds a demonstration seal."""
    return commitment_application(item=commitment_item, applicant=enterprise, actor=applicant_user, officer=officer,
                                  until="approved", channel="online")


@pytest.fixture
def own_seal_dir(settings, tmp_path):
    """A seal directory of this test's own, empty: the organisations have no seal until one is made."""
    settings.DOCUMENT_SEAL_DIR = tmp_path / "seals"
    settings.DOCUMENT_SEAL_DIR.mkdir()
    return settings.DOCUMENT_SEAL_DIR


def decision_of(application) -> Document:
    return application.documents.get(kind=DocumentKind.DECISION)


def pdf_text(data: bytes) -> str:
    """The PDF's text without whitespace: line breaks fall anywhere in Chinese text."""
    return "".join("".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages).split())


def certificate_of(organisation) -> asn1_x509.Certificate:
    data = seals.seal_of(organisation).cert_path.read_bytes()
    return asn1_x509.Certificate.load(pem.unarmor(data)[2])


def validated(data: bytes, trusting):
    """pyHanko's verdict on the PDF's one signature, trusting only `trusting`'s certificate."""
    signatures = PdfFileReader(io.BytesIO(data)).embedded_signatures
    assert len(signatures) == 1
    context = ValidationContext(trust_roots=[certificate_of(trusting)], allow_fetching=False)
    return signatures[0], validate_pdf_signature(signatures[0], context)


# --- the documents are signed by the organisation that issued them ---------------------------------------

@pytest.mark.parametrize(("kind", "masked"), [(DocumentKind.DECISION, False), (DocumentKind.DECISION, True),
                                              (DocumentKind.NOTICE, False)],
                         ids=["decision", "decision-masked", "notice"])
def test_the_pdf_carries_a_pades_signature_of_the_deciding_authority(approved, officer, other_officer, kind, masked):
    """"The PDF is signed per organisation with pyHanko (PAdES …), using that organisation's certificate
    and key": intact, valid, trusted, covering the whole file, by the deciding authority (谁审批、谁负责)."""
    document = approved.documents.get(kind=kind)
    authority = officer.organisation
    assert document.organisation == authority and document.seal == SealKind.DEMO
    data = notice_services.document_pdf(document, masked=masked)

    signature, status = validated(data, trusting=authority)
    assert status.intact and status.valid and status.trusted, status.pretty_print_details()
    assert status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    assert signature.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"
    assert signature.signer_cert.dump() == certificate_of(authority).dump()
    assert authority.name in signature.signer_cert.subject.human_friendly
    assert f"验证码 {document.verification_code}" in str(signature.sig_object["/Reason"])
    # Another organisation's certificate does not vouch for it.
    _, stranger_status = validated(data, trusting=other_officer.organisation)
    assert stranger_status.intact and not stranger_status.trusted


def test_the_demonstration_seal_is_said_to_be_no_legal_electronic_seal(approved):
    """"The documents say plainly that the seal is a demonstration and not a legal 电子印章 (GB/T 38540)"."""
    text = pdf_text(notice_services.document_pdf(decision_of(approved)))
    assert "演示" in text and DEMO_STATEMENT in text
    assert "同等法律效力" not in text
    assert "加盖" not in text.replace("签章是系统演示用的自签名证书所加", "")  # no "加盖…电子签章" claim


def test_a_document_of_an_organisation_without_a_seal_is_unsigned_and_says_so(
        own_seal_dir, commitment_item, enterprise, applicant_user, officer):
    """"Remove the footer claim wherever no real seal is applied": no signature, and the text says 未加盖电子签章
    and claims no seal anywhere."""
    application = commitment_application(item=commitment_item, applicant=enterprise, actor=applicant_user,
                                         officer=officer, until="approved", channel="online")
    document = decision_of(application)
    assert document.seal == SealKind.NONE
    data = notice_services.document_pdf(document)

    assert PdfFileReader(io.BytesIO(data)).embedded_signatures == []
    text = pdf_text(data)
    assert "本文书未加盖电子签章" in text
    assert text.count("电子签章") == text.count("未加盖电子签章")
    for claim in ["电子印章", "演示签章", "同等法律效力", "签章完好"]:
        assert claim not in text, claim


def test_an_organisation_made_without_a_seal_issues_unsigned_documents(approved, own_seal_dir):
    """OrganisationFactory(demo_seal=False): an organisation that holds no certificate seals nothing. (In a
    seal directory of its own: factory codes repeat from run to run, so the shared one may hold its code.)"""
    unsealed = OrganisationFactory(demo_seal=False)
    assert seals.seal_of(unsealed) is None
    document = notice_services.document_issue(application=approved, kind=DocumentKind.DECISION, version=2,
                                              organisation=unsealed)
    assert document.seal == SealKind.NONE
    data = notice_services.document_pdf(document)
    assert PdfFileReader(io.BytesIO(data)).embedded_signatures == []
    assert "本文书未加盖电子签章" in pdf_text(data)


def test_a_document_whose_seal_vanished_is_not_rendered_unsigned(own_seal_dir, commitment_item, enterprise,
                                                                  applicant_user, officer, media_root):
    """A document issued saying it carries a seal is never a PDF without one: rendering fails
    (SealError, for the operator) and nothing is kept."""
    seals.make_demo_seal(officer.organisation)
    application = commitment_application(item=commitment_item, applicant=enterprise, actor=applicant_user,
                                         officer=officer, until="approved", channel="online")
    document = decision_of(application)
    assert document.seal == SealKind.DEMO
    (own_seal_dir / officer.organisation.code / seals.KEY_FILE).unlink()

    for masked in (False, True):
        with pytest.raises(seals.SealError):
            notice_services.document_pdf(document, masked=masked)
    document.refresh_from_db()
    assert not document.pdf and not document.masked_pdf
    assert not list((media_root / "documents").rglob("*"))


def boxes_of(page, text):
    """The box (left, bottom, right, top, in points) of each character of each occurrence of `text`."""
    textpage = page.get_textpage()
    searcher, found = textpage.search(text), []
    while (match := searcher.get_next()) is not None:
        start, count = match
        found.append([textpage.get_charbox(index) for index in range(start, start + count)])
    return found


def inside(box, rect) -> bool:
    left, bottom, right, top = box
    return rect[0] <= left and right <= rect[2] and rect[1] <= bottom and top <= rect[3]


def overlaps(box, rect) -> bool:
    left, bottom, right, top = box
    return left < rect[2] and rect[0] < right and bottom < rect[3] and rect[1] < top


def test_the_visible_stamp_lies_over_the_issuers_name_and_date_and_clear_of_the_footer(approved, officer):
    """"A visible seal stamp": on the page that ends the document, over the end of the issuer's name and
    its date, as a seal is pressed (the name and date read between the stamp's words), and not over the
    verification footer below them."""
    import pypdfium2
    from django.utils import timezone
    from django.utils.dateformat import format as date_format

    document = decision_of(approved)
    data = notice_services.document_pdf(document)
    reader = PdfReader(io.BytesIO(data))
    widgets = [(index, [float(v) for v in annotation.get_object()["/Rect"]])
               for index, page in enumerate(reader.pages) for annotation in page.get("/Annots") or []
               if annotation.get_object().get("/FT") == "/Sig"]
    assert len(widgets) == 1
    index, rect = widgets[0]
    assert index == len(reader.pages) - 1
    assert rect[2] - rect[0] == pytest.approx(40 * 72 / 25.4, abs=1)  # 40 mm across

    page = pypdfium2.PdfDocument(data)[index]
    name = boxes_of(page, officer.organisation.name)
    date = boxes_of(page, date_format(timezone.localtime(document.issued_at), "Y年n月j日"))
    assert any(inside(chars[-1], rect) for chars in name), (rect, name)
    assert any(inside(chars[-1], rect) for chars in date), (rect, date)
    for footer in ["文书编号", "验证码", "验证网址"]:
        assert not any(overlaps(box, rect) for chars in boxes_of(page, footer) for box in chars), footer


# --- the verification page checks an uploaded PDF ------------------------------------------------------

def upload(client, data: bytes | None, name="决定书.pdf", **extra):
    body = dict(extra)
    if data is not None:
        body["pdf"] = SimpleUploadedFile(name, data, content_type="application/pdf")
    return client.post(reverse("verify-pdf"), body)


def page(response) -> str:
    return response.content.decode()


def test_the_kept_pdf_is_reported_intact_with_its_organisation_and_document(client, approved, officer):
    """"The verification page reports whether the downloaded PDF's signature is intact": the PDF as
    downloaded is sealed, whole, by the deciding authority with a demonstration seal, and byte for byte
    the kept file of the document its signature names."""
    document = decision_of(approved)
    response = upload(client, notice_services.document_pdf(document))
    assert response.status_code == 200
    shown = page(response)
    for said in ["签章完好", "签章覆盖整个文件", officer.organisation.name, "演示签章，非法定电子印章", "GB/T 38540",
                 document.number, document.verification_code, "签章中写明", "逐字节完全一致",
                 f"{reverse('verify')}?code={document.verification_code}"]:
        assert said in shown, said
    for not_said in ["文件在签章后被修改", "不是本平台机关的证书", "没有签章", "不一致"]:
        assert not_said not in shown, not_said


def test_the_masked_copy_is_recognised_as_the_kept_masked_file(client, approved):
    document = decision_of(approved)
    shown = page(upload(client, notice_services.document_pdf(document, masked=True)))
    assert "签章完好" in shown and "证件号码隐去部分字符的版本）逐字节完全一致" in shown


def test_the_code_the_signature_names_wins_over_a_different_one_typed_in(client, approved):
    """The code inside the signed bytes names the document; a different code typed in is pointed out."""
    notice = approved.documents.get(kind=DocumentKind.NOTICE)
    decision = decision_of(approved)
    shown = page(upload(client, notice_services.document_pdf(decision), code=notice.verification_code))
    assert decision.number in shown and notice.number not in shown
    assert f"您填写的验证码 <span class=\"code\">{notice.verification_code}</span> 与签章中写明的验证码不同" in shown


def test_one_byte_changed_inside_the_signed_range_is_reported_as_modified(client, approved):
    data = bytearray(notice_services.document_pdf(decision_of(approved)))
    first_range_end = PdfFileReader(io.BytesIO(bytes(data))).embedded_signatures[0].byte_range[1]
    offset = 10  # inside the binary comment of the header: the file still reads, its digest changes
    assert offset < first_range_end
    data[offset] ^= 0x01
    response = upload(client, bytes(data))
    assert response.status_code == 200
    shown = page(response)
    assert "文件在签章后被修改" in shown and "签章与文件内容不符" in shown and "签章完好" not in shown
    assert "与平台存档的该文书 PDF 文件不一致" in shown


def test_bytes_appended_after_signing_are_reported_as_modified(client, approved):
    """The signature still holds for what it signed, but it no longer covers the whole file."""
    data = notice_services.document_pdf(decision_of(approved)) + b"\n% appended after signing\n"
    shown = page(upload(client, data))
    assert "文件在签章后被修改" in shown and "追加了内容" in shown and "签章完好<" not in shown


def stranger_signed(pdf: bytes, reason: str) -> bytes:
    """`pdf` signed PAdES with a self-signed key of no organisation of the portal, naming itself a 钦州 office."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "钦州市冒名局"),
                      x509.NameAttribute(NameOID.COMMON_NAME, "冒名签章")])
    now = dt.datetime.now(dt.timezone.utc)
    certificate = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
                   .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
                   .not_valid_after(now + dt.timedelta(days=30)).sign(key, hashes.SHA256()))
    signing_cert = asn1_x509.Certificate.load(certificate.public_bytes(serialization.Encoding.DER))
    signing_key = asn1_keys.PrivateKeyInfo.load(key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    signer = signers.SimpleSigner(signing_cert=signing_cert, signing_key=signing_key,
                                  cert_registry=SimpleCertificateStore.from_certs([signing_cert]))
    metadata = signers.PdfSignatureMetadata(field_name="签章", subfilter=fields.SigSeedSubFilter.PADES,
                                            md_algorithm="sha256", reason=reason)
    return signers.sign_pdf(IncrementalPdfFileWriter(io.BytesIO(pdf)), metadata, signer=signer).getvalue()


def test_a_pdf_signed_with_a_strangers_key_is_not_a_portal_certificate(client, approved):
    """Even when it names a real document's code, a signature by a key no organisation of the portal holds
    proves nothing: the page says so, and that the file is not the kept one."""
    document = decision_of(approved)
    forged = stranger_signed(html_to_pdf("<p>准予行政许可决定书</p>"), reason=f"验证码 {document.verification_code}")
    response = upload(client, forged)
    assert response.status_code == 200
    shown = page(response)
    assert "签章不是本平台机关的证书" in shown and "钦州市冒名局" in shown
    assert "签章完好<" not in shown and "演示签章，非法定电子印章" not in shown
    assert document.number in shown and "与平台存档的该文书 PDF 文件不一致" in shown


def test_an_unsigned_pdf_has_no_signature(client):
    response = upload(client, html_to_pdf("<p>钦州市好客旅馆有限公司</p>"))
    assert response.status_code == 200
    assert "文件没有签章" in page(response)


def test_an_unsealed_documents_kept_pdf_is_found_by_the_code_typed_in(
        client, own_seal_dir, commitment_item, enterprise, applicant_user, officer):
    """A document issued without a seal has no signature to name it; the code printed on it finds it."""
    application = commitment_application(item=commitment_item, applicant=enterprise, actor=applicant_user,
                                         officer=officer, until="approved", channel="online")
    document = decision_of(application)
    data = notice_services.document_pdf(document)
    shown = page(upload(client, data, code=document.verification_code.lower()))
    assert "文件没有签章" in shown and document.number in shown and "您填写" in shown
    assert "与平台存档的该文书 PDF 文件逐字节完全一致" in shown


def test_the_upload_form_is_on_both_verification_pages_with_its_csrf_token(client, approved):
    code = decision_of(approved).verification_code
    for address in [reverse("verify-pdf"), f"{reverse('verify')}?code={code}"]:
        shown = page(client.get(address))
        assert 'enctype="multipart/form-data"' in shown and 'name="csrfmiddlewaretoken"' in shown
        assert f'action="{reverse("verify-pdf")}"' in shown
    assert f'name="code" value="{code}" maxlength="40"' in page(client.get(f"{reverse('verify')}?code={code}"))


def test_an_upload_without_the_csrf_token_is_refused(approved):
    strict = Client(enforce_csrf_checks=True)
    response = upload(strict, notice_services.document_pdf(decision_of(approved)))
    assert response.status_code == 403


@pytest.mark.parametrize(("data", "message"), [
    (None, "请选择要核验的 PDF 文件"),
    (b"", "上传的文件是空的"),
    (b"MZ\x90\x00 not really a pdf", "上传的文件不是 PDF 文件"),
    (b"%PDF-1.4\n% test material\n", "PDF 文件无法读取"),
    (b"%PDF-1.7\n" + b"\x00" * 4096, "PDF 文件无法读取"),
    (b"%PDF-1.7\n" + b"0" * seals.MAX_CHECKED_PDF_BYTES, "文件超过 10MB"),
], ids=["missing", "empty", "not-a-pdf", "corrupt", "garbage", "oversize"])
def test_bad_uploads_are_refused_in_chinese(client, data, message):
    """Bad input: a clear Chinese message, a 400, on the same page (the form is still there)."""
    response = upload(client, data)
    assert response.status_code == 400
    shown = page(response)
    assert message in shown and 'name="pdf"' in shown


def test_a_damaged_copy_of_the_kept_pdf_is_a_400_not_a_500(client, approved):
    """Cut short, as an interrupted download leaves it."""
    data = notice_services.document_pdf(decision_of(approved))
    response = upload(client, data[: len(data) // 2])
    assert response.status_code == 400
    assert "PDF 文件无法读取" in page(response)


def test_an_overlong_code_is_refused(client):
    response = upload(client, html_to_pdf("<p>钦州</p>"), code="A" * 41)
    assert response.status_code == 400 and "验证码为12位" in page(response)


def test_uploads_are_rate_limited_per_address_with_the_code_lookups(client, settings):
    """The public lookups are limited per address (portal/ratelimit.py): past the limit, 429 in Chinese."""
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "verify": {"ip": "2/m"}}
    data = html_to_pdf("<p>钦州</p>")
    assert [upload(client, data).status_code for _ in range(2)] == [200, 200]
    refused = upload(client, data)
    assert refused.status_code == 429 and "验证文书过于频繁" in page(refused)
    assert client.get(reverse("verify-pdf")).status_code == 200  # the page itself is not counted


# --- manage.py seal_demo_certs --------------------------------------------------------------------------

def run_command(*args) -> str:
    out = io.StringIO()
    call_command("seal_demo_certs", *args, stdout=out)
    return out.getvalue()


def test_seal_demo_certs_makes_one_per_organisation_lacking_one_and_keeps_the_rest(own_seal_dir):
    """"For development, scripts/run makes a self-signed certificate per demo organisation"; the key is
    readable by its owner only, and a second run changes nothing."""
    organisations = list(Organisation.objects.order_by("code"))
    assert f"已生成 {len(organisations)} 个" in run_command()
    kept = {}
    for organisation in organisations:
        seal = seals.seal_of(organisation)
        assert seal is not None and seal.demo, organisation.code
        assert stat.S_IMODE(seal.key_path.stat().st_mode) == 0o600
        kept[organisation.code] = seal.cert_path.read_bytes()

    assert "已生成 0 个" in run_command()
    (own_seal_dir / organisations[0].code / seals.CERT_FILE).unlink()
    assert "已生成 1 个" in run_command()
    assert {o.code: seals.seal_of(o).cert_path.read_bytes() for o in organisations[1:]} == {
        code: data for code, data in kept.items() if code != organisations[0].code}


def test_seal_demo_certs_replace_renews_the_named_organisations_only(own_seal_dir):
    first, second = Organisation.objects.order_by("code")[:2]
    run_command(first.code, second.code)
    before = {o.code: seals.seal_of(o).cert_path.read_bytes() for o in (first, second)}
    assert "已生成 1 个" in run_command(first.code, "--replace")
    assert seals.seal_of(first).cert_path.read_bytes() != before[first.code]
    assert seals.seal_of(second).cert_path.read_bytes() == before[second.code]
    assert stat.S_IMODE(seals.seal_of(first).key_path.stat().st_mode) == 0o600


def test_seal_demo_certs_refuses_an_unknown_code_in_chinese(own_seal_dir):
    with pytest.raises(CommandError, match="没有这些机构代码：NOPE"):
        run_command("NOPE")
    assert list(own_seal_dir.iterdir()) == []


def test_a_pdf_signed_before_its_seal_was_renewed_still_verifies(client, approved, officer):
    """A demonstration seal renewed (`seal_demo_certs --replace`) keeps its old certificate aside, so the
    PDFs it signed are still reported intact and the authority's, not a stranger's."""
    document = decision_of(approved)
    signed_before = notice_services.document_pdf(document)
    call_command("seal_demo_certs", officer.organisation.code, "--replace", stdout=io.StringIO())
    shown = page(upload(client, signed_before))
    assert "签章完好" in shown and officer.organisation.name in shown
    assert "不是本平台机关的证书" not in shown


def test_seal_demo_certs_never_replaces_an_official_certificate(own_seal_dir):
    """Only a self-signed (demonstration) certificate may be renewed by the command: an organisation's
    CA-issued certificate and key are its seal, and no command of the portal overwrites them."""
    organisation = Organisation.objects.order_by("code").first()
    run_command(organisation.code)
    directory = own_seal_dir / organisation.code
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "测试认证机构")])
    key = serialization.load_pem_private_key((directory / "key.pem").read_bytes(), password=None)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "正式签章")])
    now = dt.datetime.now(dt.timezone.utc)
    official = (x509.CertificateBuilder().subject_name(subject).issuer_name(ca_name).public_key(key.public_key())
                .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
                .not_valid_after(now + dt.timedelta(days=365)).sign(ca_key, hashes.SHA256()))
    (directory / "cert.pem").write_bytes(official.public_bytes(serialization.Encoding.PEM))
    assert seals.seal_of(organisation).kind == SealKind.OFFICIAL

    with pytest.raises(CommandError, match="已配置正式签章证书，不能以演示证书替换"):
        run_command(organisation.code, "--replace")
    assert (directory / "cert.pem").read_bytes() == official.public_bytes(serialization.Encoding.PEM)
