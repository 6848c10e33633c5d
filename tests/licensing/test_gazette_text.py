"""The 告知书 and the 承诺书 say what 附件3 第二条 says, word for word.

附件3 第二条（一）: "告知书包括下列内容：1. …5." and 第二条（二）: "承诺书应包含申请单位（人）的基本
信息，并对下列内容作出确认和承诺：1. …7." The text is read from the gazette's own lines (tests/gazette, a copy
checked against ../shared/source/ wherever it is present), so an abridged or reworded clause fails.
"""
import re

import pytest

from licensing import services
from licensing.constants import COMMITMENT_CONFIRMATIONS, Channel, CommitmentKind, MaterialDue
from notices.constants import DocumentKind
from notices.models import Document
from tests.gazette import gazette_lines

pytestmark = pytest.mark.django_db

NOTICE_CONTENTS = "（一）告知书包括下列内容："
COMMITMENT_CONTENTS = "（二）承诺书应包含申请单位（人）的基本信息，并对下列内容作出确认和承诺："
NUMBERED = re.compile(r"^(\d)\.\s*(\S.*)$")
# The gazette's typesetting prints the traditional 內 once (confirmation 1, "的內容"); the portal writes 内.
VARIANTS = str.maketrans({"內": "内"})


def numbered_after(heading: str, count: int) -> list[str]:
    """The `count` numbered clauses printed after `heading`, without their numbers."""
    lines = gazette_lines()
    start = lines.index(heading) + 1
    clauses = [NUMBERED.match(line) for line in lines[start:start + count]]
    assert [int(m.group(1)) for m in clauses] == list(range(1, count + 1))
    return [m.group(2).translate(VARIANTS) for m in clauses]


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def noticed(commitment_item, enterprise, applicant_user, officer, at):
    with at(2025, 3, 10):
        application = services.application_submit(item=commitment_item, applicant=enterprise, actor=applicant_user,
                                                  channel=Channel.ONLINE)
        return services.application_issue_notice(application=application, actor=officer)


def notice_html(application) -> str:
    return Document.objects.get(application=application, kind=DocumentKind.NOTICE).html


def test_the_seven_confirmations_are_the_gazette_s_word_for_word():
    """附件3 第二条（二）1-7, each beginning "申请单位（人）"; confirmation 1 in full ("了解了…，对有关
    规定的内容已经知晓和全面理解") and 6 with its two sentences."""
    gazette = numbered_after(COMMITMENT_CONTENTS, 7)
    assert COMMITMENT_CONFIRMATIONS == gazette
    assert all(text.startswith("申请单位（人）") for text in COMMITMENT_CONFIRMATIONS)
    assert "对有关规定的内容已经知晓和全面理解" in COMMITMENT_CONFIRMATIONS[0]


def test_the_notice_is_headed_by_the_gazette_s_five_contents_in_order(noticed):
    """附件3 第二条（一）: the 告知书 includes five contents; its five headings are their words."""
    gazette = [text.rstrip("。") for text in numbered_after(NOTICE_CONTENTS, 5)]
    headings = re.findall(r"<h2>[一二三四五六七八九十]+、(.+?)</h2>", notice_html(noticed))
    assert headings == gazette


def test_the_notice_lists_the_seven_confirmations_the_applicant_will_sign(noticed):
    """附件3 第二条: the notice tells what the 承诺书 confirms; the applicant reads the gazette's text."""
    html = notice_html(noticed)
    for text in numbered_after(COMMITMENT_CONTENTS, 7):
        assert f"<li>{text}</li>" in html, text


def test_the_notice_states_the_time_limit_the_effect_and_the_consequences_of_committing(noticed):
    """附件3 第二条（一）4 "申请单位（人）作出承诺的时限和法律效力，以及逾期不作出承诺和作出不实承诺的法律
    后果": 3 working days from receiving the notice (第三条), the decision on the spot on its strength
    (第五条), lapse or the ordinary procedure (第十条), revocation (第六、七条), the credit record and
    no more notify-and-commit (第九条)."""
    html = notice_html(noticed)
    fourth = html[html.index("<h2>四、"):html.index("<h2>五、")]
    for phrase in [
        "收到本告知书后3个工作日内，即<strong>2025年3月13日</strong>前",  # Mon 10 March + 3 working days
        "具有法律效力", "当场作出行政许可决定",
        "逾期未递交承诺书的，本次告知承诺申请终止", "以一般程序实施行政许可",
        "依法撤销行政许可决定（《指引》第七条）", "依法撤销行政许可决定（《指引》第六条）",
        "作出不实承诺的，记入诚信档案，今后不再对你（单位）适用告知承诺的许可方式（《指引》第九条）",
    ]:
        assert phrase in fourth, phrase


def test_the_signed_commitment_carries_the_gazette_s_seven_confirmations(noticed, applicant_user, a_pdf, at):
    """附件3 第二条（二）: what the applicant signs is the gazette's text, each marked confirmed."""
    due_now = [MaterialDue.AT_APPLICATION, MaterialDue.AT_COMMITMENT]
    files = {s.material_id: a_pdf(f"{s.material.name}.pdf")
             for s in noticed.materials.filter(material__due__in=due_now).select_related("material")}
    with at(2025, 3, 12):
        services.application_commit(application=noticed, actor=applicant_user, kind=CommitmentKind.ALREADY_MEETS,
                                    confirmations=[True] * 7, signatory="张三", files=files)
    html = Document.objects.get(application=noticed, kind=DocumentKind.COMMITMENT).html
    for text in numbered_after(COMMITMENT_CONTENTS, 7):
        assert f"<li>{text}<span class=\"confirmed\">【已确认】</span></li>" in html, text
