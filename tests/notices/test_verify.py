"""The public verification page: anyone holding a document checks it was issued here and is unchanged."""
import pytest
from django.urls import reverse

from licensing import services
from licensing.models import Item
from notices.constants import DocumentKind
from notices.models import Document
from tests.factories import ApplicantFactory, files_owed_at_commitment, valid_id_number

pytestmark = pytest.mark.django_db


def verify(client, code):
    return client.get(reverse("verify"), {"code": code}).content.decode()


@pytest.fixture
def receipt(enterprise, applicant_user, at):
    """A registration receipt issued on 28 November 2026 (item 1, approval cancelled)."""
    with at(2026, 11, 28):
        application = services.application_submit(item=Item.objects.get(seq_no=1), applicant=enterprise,
                                                  actor=applicant_user)
    return Document.objects.get(application=application)


@pytest.fixture
def licensed(commitment_item, enterprise, applicant_user, officer):
    application = services.application_submit(item=commitment_item, applicant=enterprise, actor=applicant_user,
                                              channel="window")
    application = services.application_commit(application=application, actor=applicant_user, kind="already_meets",
                                              confirmations=[True] * 7, signatory="张三",
                                              files=files_owed_at_commitment(application))
    return services.application_decide(application=application, actor=officer)


def test_anyone_can_verify_a_document_by_its_code(client, receipt):
    page = verify(client, receipt.verification_code)
    for shown in ["验证通过", "经营信息登记回执", receipt.number, receipt.application.item.name, "2026年11月28日",
                  "钦州市好客旅馆有限公司", receipt.sha256, "出具后未被修改"]:
        assert shown in page, shown
    assert receipt.application.applicant.identifier not in page
    assert receipt.application.number not in page  # the number plus query code opens progress: not shown


def test_a_code_is_found_whatever_its_case_and_spacing(client, receipt):
    code = receipt.verification_code
    typed = f"  {code[:4].lower()} {code[4:8]}-{code[8:].lower()} "
    assert receipt.number in verify(client, typed)


def test_an_unknown_code_says_no_document_has_it(client, receipt):
    page = verify(client, "ZZZZZZZZZZZZ")
    assert "未找到该验证码对应的文书" in page
    assert receipt.number not in page


def test_the_empty_page_asks_for_a_code_without_an_error(client):
    page = client.get(reverse("verify")).content.decode()
    assert 'name="code"' in page
    assert "未找到" not in page


def test_a_persons_name_is_masked(client, commitment_item, applicant_user):
    person = ApplicantFactory(kind="person", name="赵小六", identifier=valid_id_number(3), members=[applicant_user])
    application = services.application_submit(item=Item.objects.get(seq_no=1), applicant=person, actor=applicant_user)
    page = verify(client, application.documents.get().verification_code)
    assert "赵**" in page
    assert "赵小六" not in page


def test_every_document_of_a_revoked_licence_says_it_was_revoked(client, licensed, officer, at):
    decision = Document.objects.get(application=licensed, kind=DocumentKind.DECISION)
    assert "许可状态" in verify(client, decision.verification_code)
    assert "已撤销" not in verify(client, decision.verification_code)
    with at(2026, 12, 3):
        services.application_revoke(application=licensed, actor=officer, reason="检查发现承诺内容不实。")
    for kind in [DocumentKind.NOTICE, DocumentKind.DECISION]:
        page = verify(client, Document.objects.get(application=licensed, kind=kind).verification_code)
        assert "该办件的行政许可已于2026年12月3日撤销" in page
        assert "已撤销（2026年12月3日）" in page


def test_a_stored_document_altered_after_issue_is_flagged(client, receipt):
    Document.objects.filter(pk=receipt.pk).update(html=receipt.html.replace("予以登记", "予以许可"))
    page = verify(client, receipt.verification_code)
    assert "存档内容与出具时的摘要不一致" in page
