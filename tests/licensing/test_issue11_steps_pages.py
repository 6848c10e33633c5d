"""Issue 11's steps on the application page, and the choice of the deciding authority when filing.

Each step is a form the page draws only for whoever may take it (the list the API returns as
allowed_actions), posts to its own address with its CSRF token, and answers a refusal on the page in
Chinese with nothing changed: 400 for bad input, 409 for a step the application is not ready for,
403 for a user who sees the application but may not take the step, 404 for one who may not see it.
"""
import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from licensing import selectors, services
from licensing.constants import Action, Channel, ReviewOpinion, Status
from licensing.models import Application, ApplicationEvent, Item
from supervision.constants import CreditReason
from supervision.models import CreditRecord
from tests.factories import pdf_file
from tests.licensing.issue11_world import (
    CITY_POLICE, REGION_POLICE, at_first_review, in_days, mailed_notice, officer_of, org, regulated_filing,
    submit, untrue_filing, will_meet_licence,
)

pytestmark = pytest.mark.django_db


def url(step, application) -> str:
    return reverse(f"web-application-{step}", args=[application.number])


def page(client, application) -> str:
    response = client.get(reverse("web-application-detail", args=[application.number]))
    assert response.status_code == 200
    return response.content.decode()


def offers(html, step, application) -> bool:
    return f'action="{url(step, application)}"' in html


def fresh(application) -> Application:
    return Application.objects.get(pk=application.pk)


def said(response) -> str:
    return response.content.decode()


def events(application, action) -> int:
    return ApplicationEvent.objects.filter(application=application, action=action).count()


# --- 谁审批、谁负责: the first review forwards, the decider decides ----------------------------------

def test_the_first_review_officer_forwards_its_opinion_from_the_page(login, client, enterprise, applicant_user):
    """附件2 序号46 "自治区公安厅审批，市人民政府公安部门初审"; 行政许可法 第三十五条: "下级行政机关应当…将初步审查
    意见和全部申请材料直接报送上级行政机关". The city police's page offers 初审意见报送, not a decision; a
    不同意 opinion without reasons comes back in Chinese and nothing moves; once forwarded, the region's
    page shows the opinion and offers the decision."""
    city, region = officer_of("C02"), officer_of("R01")
    application = at_first_review(enterprise, applicant_user, city)

    html = page(login(city), application)
    assert "初审意见报送" in html and offers(html, "forward", application)
    assert not offers(html, "approve", application) and not offers(html, "reject", application)

    refused = client.post(url("forward", application), {"opinion": ReviewOpinion.DISAGREE, "comments": " "})
    assert refused.status_code == 400 and "不同意的初审意见须说明理由。" in said(refused)
    assert fresh(application).reviewing == org("C02") and events(application, Action.FORWARD) == 0

    done = client.post(url("forward", application), {"opinion": ReviewOpinion.AGREE, "comments": "材料齐全，符合条件。"})
    assert done.status_code == 302 and done["Location"] == reverse("web-application-detail", args=[application.number])
    assert fresh(application).reviewing is None

    html = page(login(region), application)
    assert offers(html, "approve", application) and not offers(html, "forward", application)
    reviews = html[html.index('<section id="reviews">'):]
    assert CITY_POLICE in reviews and "同意，建议准予许可" in reviews and "材料齐全，符合条件。" in reviews
    assert f'<dd class="authority">{REGION_POLICE}</dd>' in html


def test_the_decider_may_not_forward_and_the_first_review_officer_may_not_decide(
        login, client, enterprise, applicant_user):
    """谁审批、谁负责 (附件2 序号46): while 市公安 examines, 自治区公安厅 cannot forward for it (403); 市公安
    cannot decide (409: "初审意见报送审批机关后方可作出决定"); once it has forwarded, it takes no step (403)."""
    city, region = officer_of("C02"), officer_of("R01")
    application = at_first_review(enterprise, applicant_user, city)

    assert login(region).post(url("forward", application), {"opinion": ReviewOpinion.AGREE}).status_code == 403
    early = login(city).post(url("approve", application))
    assert early.status_code == 409 and f"办件正由{CITY_POLICE}初审" in said(early)
    assert fresh(application).status == Status.ACCEPTED and fresh(application).reviewing == org("C02")

    services.application_forward(application=application, actor=city, opinion=ReviewOpinion.AGREE)
    assert client.post(url("approve", application)).status_code == 403
    assert client.post(url("reject", application), {"reason": "不符合条件。"}).status_code == 403
    assert client.post(url("forward", application), {"opinion": ReviewOpinion.AGREE}).status_code == 403
    assert fresh(application).status == Status.ACCEPTED


def test_the_page_shows_the_authority_the_entrusted_one_and_the_one_examining(login, client, enterprise,
                                                                                applicant_user):
    """The application page names 审批机关 and, while a lower level examines it, 当前初审机关 (附件2 序号46)."""
    application = submit("QZ-046", enterprise, applicant_user)
    html = page(login(applicant_user), application)
    assert f'<dd class="authority">{REGION_POLICE}</dd>' in html
    assert f'<dd class="reviewing">{CITY_POLICE}' in html and "受委托机关" not in html


# --- 附件3 第三条: a notice by post starts the clock on receipt ----------------------------------------

def test_a_notice_sent_by_post_starts_the_clock_on_the_receipt_date(at, login, client, commitment_item, enterprise,
                                                                    clerk, officer):
    """附件3 第三条: "申请人应当在收到告知书后3个工作日内" return the commitment. By post the clock waits for
    the 送达回证: the page says the due date is not yet running; the officer enters the receipt's date
    (not before the notice, not in the future), and the 3 working days run from it — 30 September 2024,
    then the National Day holiday, so 10 October."""
    with at(2024, 9, 27):
        application = mailed_notice(commitment_item, enterprise, clerk, officer)
    with at(2024, 10, 8):
        assert login(clerk).post(url("record-notice-receipt", application),
                                 {"received_on": "2024-09-30"}).status_code == 403
        html = page(login(officer), application)
        assert "尚未起算" in html and offers(html, "record-notice-receipt", application)
        assert "送达回证载明的送达日期" in html

        future = client.post(url("record-notice-receipt", application), {"received_on": "2024-10-09"})
        assert future.status_code == 400 and "送达日期应在告知书出具日（2024年9月27日）至今天之间。" in said(future)
        empty = client.post(url("record-notice-receipt", application), {"received_on": ""})
        assert empty.status_code == 400 and "此项为必填项。" in said(empty)
        garbled = client.post(url("record-notice-receipt", application), {"received_on": "9月30日"})
        assert garbled.status_code == 400 and "请输入有效日期" in said(garbled)
        assert fresh(application).notice_received_at is None and fresh(application).commitment_due is None

        assert client.post(url("record-notice-receipt", application), {"received_on": "2024-09-30"}).status_code == 302
        assert fresh(application).commitment_due == dt.date(2024, 10, 10)
        html = page(client, application)
        assert "尚未起算" not in html and "2024年10月10日" in html
        assert not offers(html, "record-notice-receipt", application)


# --- 钦政发〔2019〕20号: operating only once the conditions are met ------------------------------------

def test_the_holder_declares_the_conditions_met_and_the_authority_confirms(login, client, commitment_item,
                                                                         enterprise, applicant_user, officer):
    """钦政发〔2019〕20号: "企业达到经营许可条件并按要求提交材料后，方可开展经营". Until the authority confirms,
    the page says 未达到经营条件，不得开展经营; the holder declares only once the materials owed are in (409
    before); the officer cannot declare for it, nor the holder confirm (403); the confirmation dates the
    licence."""
    application = will_meet_licence(commitment_item, enterprise, applicant_user, officer, hand_in=False)
    html = page(login(applicant_user), application)
    assert "未达到经营条件，不得开展经营" in html and offers(html, "declare-conditions", application)

    early = client.post(url("declare-conditions", application), {"note": ""})
    assert early.status_code == 409 and "须先提交约定的材料：安全设施说明" in said(early)
    assert fresh(application).conditions_declared_at is None

    owed = application.materials.get(status="owed")
    client.post(reverse("web-application-material-upload", args=[application.number, owed.material_id]),
                {"file": pdf_file("安全设施说明.pdf")})
    assert client.post(url("confirm-conditions", application)).status_code == 403
    assert client.post(url("declare-conditions", application), {"note": "消防设施已安装。"}).status_code == 302
    assert fresh(application).conditions_declared_at is not None

    assert login(officer).post(url("declare-conditions", application)).status_code == 403
    html = page(client, application)
    assert offers(html, "confirm-conditions", application) and "待审批机关确认" in html
    assert client.post(url("confirm-conditions", application), {"note": ""}).status_code == 302
    licence = fresh(application).licence
    assert licence.may_operate_from == timezone.localdate()
    assert "未达到经营条件" not in page(client, application)


# --- 钦政发〔2019〕20号 二（四）: a filing found untrue ---------------------------------------------------

def test_the_regulator_marks_a_filing_untrue_from_the_page(login, client, enterprise, applicant_user, regulator,
                                                          officer, other_regulator):
    """钦政发〔2019〕20号 二（四）: "对未按规定备案或备案信息不实的企业…依法调查处理并采取措施予以纠正". The
    filing's regulator finds it untrue and orders it corrected by a date; a false filing is also a
    credit record. The filer may not mark its own filing (403); another regulator, or an officer of
    another authority, is told it does not exist (404); bad input changes nothing."""
    application = regulated_filing(enterprise, applicant_user, regulator)
    assert login(officer).post(url("mark-filing-untrue", application)).status_code == 404
    assert login(other_regulator).post(url("mark-filing-untrue", application)).status_code == 404
    html = page(login(applicant_user), application)
    assert not offers(html, "mark-filing-untrue", application)
    assert client.post(url("mark-filing-untrue", application), {"findings": "x", "correct_by": "2099-01-01"}
                       ).status_code == 403

    html = page(login(regulator), application)
    assert offers(html, "mark-filing-untrue", application) and "备案信息虚假（记入诚信档案）" in html
    blank = client.post(url("mark-filing-untrue", application), {"findings": "", "correct_by": str(in_days(10))})
    assert blank.status_code == 400 and "此项为必填项。" in said(blank)
    today = client.post(url("mark-filing-untrue", application),
                        {"findings": "经营场所与备案不符。", "correct_by": str(timezone.localdate())})
    assert today.status_code == 400 and "改正期限须为今天以后的日期。" in said(today)
    assert fresh(application).status == Status.FILED and not CreditRecord.objects.exists()

    done = client.post(url("mark-filing-untrue", application),
                       {"findings": "经营场所与备案不符。", "correct_by": str(in_days(10)), "false_filing": "on"})
    assert done.status_code == 302
    marked = fresh(application)
    assert (marked.status, marked.filing_correct_by) == (Status.FILING_CORRECTION, in_days(10))
    assert CreditRecord.objects.get(applicant=enterprise).reason == CreditReason.FALSE_FILING


def test_the_filer_corrects_an_untrue_filing_from_the_page(login, client, enterprise, applicant_user, regulator):
    """钦政发〔2019〕20号 二（四）: the filer ordered to correct its filing does so; an empty correction comes
    back in Chinese and nothing changes; the regulator cannot correct it for the filer (403)."""
    application = untrue_filing(enterprise, applicant_user, regulator)
    assert login(regulator).post(url("correct-filing", application), {"details": "改正。"}).status_code == 403

    html = page(login(applicant_user), application)
    assert offers(html, "correct-filing", application) and "改正后的备案信息" in html
    empty = client.post(url("correct-filing", application), {"details": "  "})
    assert empty.status_code == 400 and "此项为必填项。" in said(empty)
    assert fresh(application).status == Status.FILING_CORRECTION

    assert client.post(url("correct-filing", application), {"details": "经营场所：钦州市钦南区某路1号。"}).status_code == 302
    corrected = fresh(application)
    assert (corrected.status, corrected.details, corrected.filing_correct_by) == (
        Status.FILED, "经营场所：钦州市钦南区某路1号。", None)


# --- choosing the deciding authority when filing ---------------------------------------------------

def _select(html, name="authority") -> str:
    match = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.S)
    return match.group(1) if match else ""


def test_the_apply_page_offers_item_22s_alternative_deciders(login, client, enterprise, applicant_user):
    """附件2 序号22 "交通运输部或者自治区人民政府水路运输管理部门、市行政审批局": alternatives, one per
    application, chosen when filing (none preselected, so an untouched form cannot file with the ministry
    listed first; the catalogue's note as help). No choice, or a choice not among them, is refused in
    Chinese and nothing is filed; an item with one authority asks nothing."""
    item = Item.objects.get(code="QZ-022")
    options = selectors.decider_options(item)
    html = login(applicant_user).get(reverse("apply", args=[item.code])).content.decode()
    select = _select(html)
    assert [o.label for o in options] == ["交通运输部", "自治区人民政府水路运输管理部门", "市行政审批局"]
    assert all(f'value="{o.key}"' in select for o in options)
    assert '<option value="" selected>请选择审批机关</option>' in select and " selected>" not in select.split(
        "请选择审批机关", 1)[1]
    assert item.authority_note and item.authority_note in html
    assert not _select(client.get(reverse("apply", args=["QZ-013"])).content.decode())

    form = {"applicant": enterprise.pk, "details": "钦州港至北海客运航线。"}
    for chosen in (org("D03").pk, ""):
        wrong = client.post(reverse("apply", args=[item.code]), {**form, "authority": chosen})
        assert wrong.status_code == 400 and "请选择本事项的审批机关。" in said(wrong)
    assert not Application.objects.filter(item=item).exists()

    assert client.post(reverse("apply", args=[item.code]), {**form, "authority": options[1].key}).status_code == 302
    application = Application.objects.get(item=item)
    assert (application.authority, application.entrusted) == (org("R10"), None)
    assert '<dd class="authority">自治区人民政府水路运输管理部门</dd>' in page(client, application)


def test_an_entrusted_authority_is_chosen_and_named_beside_the_entruster(login, client, enterprise, applicant_user):
    """附件2 序号21 "自治区文化和旅游厅…或者其委托的市行政审批局": the entrusted bureau decides in the name of the
    department that entrusted it (行政许可法 第二十四条); the page names both."""
    item = Item.objects.get(code="QZ-021")
    entrusted = next(o for o in selectors.decider_options(item) if o.entrusted is not None)
    assert entrusted.label == "市行政审批局（受自治区文化和旅游厅委托）"
    response = login(applicant_user).post(reverse("apply", args=[item.code]),
                                          {"applicant": enterprise.pk, "authority": entrusted.key})
    assert response.status_code == 302
    application = Application.objects.get(item=item)
    assert (application.authority, application.entrusted) == (org("R09"), org("C01"))
    html = page(client, application)
    assert '<dd class="authority">自治区文化和旅游厅</dd>' in html
    assert '<dd class="entrusted">市行政审批局（受自治区文化和旅游厅委托' in html


def test_the_window_chooses_the_decider_for_the_applicant_present(login, client, clerk, enterprise):
    """一窗受理 (钦政办〔2019〕72号) for item 22 ("…或者…"): the clerk chooses among the item's deciders; no
    choice, or a decider of another item, is refused beside the field and nothing is filed."""
    item = Item.objects.get(code="QZ-022")
    options = selectors.decider_options(item)
    address = reverse("window-applicant", args=[enterprise.pk])
    html = login(clerk).get(address).content.decode()
    assert f'value="QZ-022:{options[2].key}"' in _select(html)

    form = {"item": item.pk, "channel": Channel.WINDOW, "wants_commitment": "yes", "details": ""}
    other = client.post(address, {**form, "item": Item.objects.get(code="QZ-013").pk,
                                  "authority": f"QZ-022:{options[2].key}"})
    assert other.status_code == 400 and "所选审批机关不是该事项的，请重新选择。" in said(other)
    unchosen = client.post(address, form)  # an item with alternatives is never filed with the first by default
    assert unchosen.status_code == 400 and "请选择本事项的审批机关。" in said(unchosen)
    assert not Application.objects.filter(applicant=enterprise).exists()

    assert client.post(address, {**form, "authority": f"QZ-022:{options[2].key}"}).status_code == 302
    assert Application.objects.get(applicant=enterprise).authority == org("C01")
