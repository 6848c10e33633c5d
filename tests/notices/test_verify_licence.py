"""The verification page and the licence's versions (issue 12): "A revocation or a change issues a new
version; the old one shows as superseded or revoked on the verification page, and since when." Done when:
"A revoked licence's verification page says revoked, and since when."
"""
import datetime as dt
import re

import pytest
from django.urls import reverse

from licensing import services
from licensing.constants import Channel, CommitmentKind
from notices.constants import DocumentKind
from notices.models import Document
from tests.factories import ApplicationFactory, pdf_file

pytestmark = pytest.mark.django_db


def verify(client, document) -> str:
    """The result section of the document's verification page, as text."""
    page = client.get(reverse("verify"), {"code": document.verification_code}).content.decode()
    section = page[page.index('<section class="verify-result'):]
    section = section[:section.index("</section>")]
    return " ".join(re.sub(r"<[^>]+>", " ", section).split())


def licences(application) -> list[Document]:
    return list(Document.objects.filter(application=application, kind=DocumentKind.LICENCE).order_by("version"))


@pytest.fixture
def will_meet(commitment_item, enterprise, officer, at):
    """Licensed on 14 October 2024 on the promise to meet the conditions by 29 November 2024."""
    with at(2024, 10, 14):
        return ApplicationFactory(item=commitment_item, applicant=enterprise, officer=officer, channel=Channel.WINDOW,
                                  decided=True, kind=CommitmentKind.WILL_MEET, meet_by=dt.date(2024, 11, 29))


@pytest.fixture
def confirmed(will_meet, applicant_user, officer, at):
    """The conditions declared on 1 November and confirmed on 4 November 2024: version 2."""
    with at(2024, 11, 1):
        for submission in will_meet.materials.filter(status="owed"):
            services.material_submit(application=will_meet, material_id=submission.material_id, upload=pdf_file(),
                                     actor=applicant_user)
        services.application_declare_conditions(application=will_meet, actor=applicant_user)
    with at(2024, 11, 4):
        services.application_confirm_conditions(application=will_meet, actor=officer)
    return will_meet


def test_the_only_version_of_a_licence_in_force_is_current_and_valid(client, will_meet):
    [licence] = licences(will_meet)
    shown = verify(client, licence)
    for phrase in ["验证通过", "文书类型 许可证", "版本 第1版（现行版本）", f"许可证编号 {will_meet.licence.number}",
                   "有效期 2024年10月14日至长期", "证照状态 有效"]:
        assert phrase in shown, phrase
    assert "取代" not in shown and "撤销" not in shown


def test_every_document_says_its_version(client, will_meet):
    decision = Document.objects.get(application=will_meet, kind=DocumentKind.DECISION)
    shown = verify(client, decision)
    assert "版本 第1版" in shown and "许可状态 有效" in shown and "证照状态" not in shown


def test_a_superseded_version_says_by_which_and_since_when(client, confirmed):
    """The old version "shows as superseded … on the verification page, and since when"."""
    first, second = licences(confirmed)
    old = verify(client, first)
    for phrase in ["版本 第1版（已被第2版取代，自2024年11月4日起）",
                   "证照状态 已被第2版取代（自2024年11月4日起），请以第2版为准",
                   "本文书是许可证第1版，已被第2版取代（自2024年11月4日起）"]:
        assert phrase in old, phrase
    new = verify(client, second)
    assert "版本 第2版（现行版本）" in new and "证照状态 有效" in new and "取代" not in new


def test_every_version_of_a_revoked_licence_says_revoked_and_since_when(client, confirmed, officer, at):
    """Done when: "A revoked licence's verification page says revoked, and since when" — whichever
    version one holds, and the other documents of the application too."""
    with at(2024, 11, 6):
        services.application_revoke(application=confirmed, actor=officer, reason="检查发现承诺内容不实。")
    first, second, revoked = licences(confirmed)
    for document in (first, second, revoked):
        shown = verify(client, document)
        assert "证照状态 已撤销，自2024年11月6日起" in shown, document.version
        assert "该办件的行政许可已于2024年11月6日撤销" in shown
    assert "版本 第2版（已被第3版取代，自2024年11月6日起）" in verify(client, second)
    assert "版本 第3版（最新版本）" in verify(client, revoked)
    decision = Document.objects.get(application=confirmed, kind=DocumentKind.DECISION)
    assert "许可状态 已撤销（2024年11月6日）" in verify(client, decision)


def test_a_licence_past_its_validity_says_so(client, commitment_item, enterprise, officer, at):
    """Item.licence_valid_years: a licence of one year from 14 October 2024 is valid to 13 October 2025."""
    commitment_item.licence_valid_years = 1
    commitment_item.save()
    with at(2024, 10, 14):
        application = ApplicationFactory(item=commitment_item, applicant=enterprise, officer=officer,
                                         channel=Channel.WINDOW, decided=True)
    [licence] = licences(application)
    with at(2025, 10, 13):
        assert "有效期 2024年10月14日至2025年10月13日" in verify(client, licence)
        assert "证照状态 有效" in verify(client, licence)
    with at(2025, 10, 14):
        assert "证照状态 已超过有效期（有效期至2025年10月13日）" in verify(client, licence)
