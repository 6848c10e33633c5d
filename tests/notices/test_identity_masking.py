"""Whoever sees the applicant's identifier masked on the pages sees it masked in every document too
(issue 8): the regulator reads the 身份证号码 / 统一社会信用代码 masked in the document page, its frozen
content and the PDF; the applicant side and the deciding officer read the original, which the
public verification page still finds intact.

Real WeasyPrint: each PDF is read back with pypdf, as tests/notices/test_pdf.py does.
"""
import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from licensing.constants import ApplicantKind, Channel, ReformMode
from licensing.models import Item
from notices import services as notice_services
from notices.constants import DocumentKind
from notices.models import Document
from portal.constants import OrgKind, Role
from portal.masking import mask_identifier
from tests.factories import ApplicantFactory, ApplicationFactory, OrganisationFactory, UserFactory, route_item, valid_id_number

pytestmark = pytest.mark.django_db

SIGNED = [DocumentKind.COMMITMENT, DocumentKind.DECISION]  # the two that print the identifier in full


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def person(applicant_user):
    return ApplicantFactory(kind=ApplicantKind.PERSON, name="赵六", identifier=valid_id_number(8),
                            members=[applicant_user])


def decided_for(applicant, item, applicant_user, officer):
    return ApplicationFactory(item=item, applicant=applicant, actor=applicant_user, officer=officer,
                              channel=Channel.ONLINE, decided=True)


@pytest.fixture
def decided(person, commitment_item, applicant_user, officer):
    return decided_for(person, commitment_item, applicant_user, officer)


def code_of(application, kind):
    return Document.objects.get(application=application, kind=kind).verification_code


def pdf_text(data: bytes) -> str:
    return "".join("".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages).split())


def content(client, application, kind) -> str:
    response = client.get(reverse("document-content", args=[code_of(application, kind)]))
    assert response.status_code == 200
    return response.content.decode()


def pdf(client, application, kind) -> str:
    response = client.get(reverse("document-pdf", args=[code_of(application, kind)]))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    return pdf_text(response.content)


@pytest.mark.parametrize("kind", SIGNED)
def test_the_regulator_reads_the_persons_id_number_masked_the_applicant_and_officer_in_full(
        decided, person, login, regulator, applicant_user, officer, kind):
    shown = content(login(regulator), decided, kind)
    assert person.identifier not in shown
    assert mask_identifier(person.identifier) in shown
    assert "赵六" in shown  # the rest of the document is as issued
    for reader in (applicant_user, officer):
        original = content(login(reader), decided, kind)
        assert person.identifier in original
        assert Document.digest(original) == Document.objects.get(application=decided, kind=kind).sha256


@pytest.mark.parametrize("kind", [DocumentKind.NOTICE, *SIGNED])
def test_the_regulator_reads_the_enterprises_credit_code_masked_in_every_document(
        enterprise, commitment_item, applicant_user, officer, login, regulator, kind):
    decided = decided_for(enterprise, commitment_item, applicant_user, officer)
    shown = content(login(regulator), decided, kind)
    assert enterprise.identifier not in shown
    assert mask_identifier(enterprise.identifier) in shown


def test_the_regulators_pdfs_carry_the_masked_number_and_the_applicants_the_full_one(
        decided, person, login, regulator, applicant_user, officer, client):
    # Issue 12: the worker keeps both PDFs of each document after issue (the job's own function here);
    # a download serves the one kept for its reader and never renders.
    for kind in SIGNED:
        notice_services.document_prepare_pdf(Document.objects.get(application=decided, kind=kind).pk)
    for kind in SIGNED:
        masked = pdf(login(regulator), decided, kind)
        assert person.identifier not in masked, kind
        assert mask_identifier(person.identifier) in masked, kind
    for kind in SIGNED:
        original = pdf(login(applicant_user), decided, kind)
        assert person.identifier in original, kind
    # The deciding officer gets the kept original; the regulator's masked copy is kept beside it.
    assert person.identifier in pdf(login(officer), decided, DocumentKind.DECISION)
    assert person.identifier not in pdf(login(regulator), decided, DocumentKind.DECISION)
    decision = Document.objects.get(application=decided, kind=DocumentKind.DECISION)
    assert decision.pdf and decision.masked_pdf and decision.pdf.name != decision.masked_pdf.name


def test_the_regulators_document_page_says_the_number_is_masked(decided, person, login, regulator, applicant_user):
    url = reverse("document-html", args=[code_of(decided, DocumentKind.DECISION)])
    assert "证件号码已隐去部分字符" in login(regulator).get(url).content.decode()
    assert "证件号码已隐去部分字符" not in login(applicant_user).get(url).content.decode()


def test_verification_still_finds_the_original_intact_after_the_masked_copy_was_read(
        decided, person, login, regulator, client):
    code = code_of(decided, DocumentKind.COMMITMENT)
    assert person.identifier not in content(login(regulator), decided, DocumentKind.COMMITMENT)
    client.logout()
    page = client.get(reverse("verify"), {"code": code}).content.decode()
    assert "验证通过" in page and "出具后未被修改" in page
    document = Document.objects.get(verification_code=code)
    assert person.identifier in document.html
    assert Document.digest(document.html) == document.sha256


def test_an_identifier_typed_into_the_applicants_own_text_is_masked_too(enterprise, applicant_user, login):
    regulated = Item.objects.filter(reform_mode=ReformMode.FILING).order_by("seq_no").first()
    route_item(regulated, OrganisationFactory(kind=OrgKind.REGULATOR, name="文化市场监管部门"))
    filed = ApplicationFactory(item=regulated, applicant=enterprise, actor=applicant_user,
                               details=f"备案主体代码：{enterprise.identifier.lower()}")
    receipt = Document.objects.get(application=filed, kind=DocumentKind.FILING_RECEIPT)
    assert enterprise.identifier.lower() in receipt.html  # the receipt repeats what the applicant wrote
    its_regulator = UserFactory(role=Role.REGULATOR, organisation=filed.regulator)
    shown = content(login(its_regulator), filed, DocumentKind.FILING_RECEIPT)
    assert enterprise.identifier.lower() not in shown.lower()
    assert mask_identifier(enterprise.identifier) in shown
