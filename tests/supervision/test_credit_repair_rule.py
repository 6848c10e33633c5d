"""Credit repair (信用修复) only under a rule an admin can read (issue 11).

附件3 第九条: "…应当记入诚信档案，并在今后对该申请单位（人）不再适用告知承诺的许可方式。" It names no
repair and no end, so by default no record may be repaired; an admin may open repair of a kind of
record, after so many months, where a later rule (a credit-repair measure) allows it, and says which.
"""
import importlib
import re

import pytest
from django.apps import apps
from django.urls import reverse

from licensing.constants import Route
from licensing.services import application_submit
from portal.exceptions import Conflict
from portal.models import AuditAction, AuditEvent
from supervision.constants import CreditReason
from supervision.models import CreditRecord, CreditRepairRule
from supervision.selectors import applicant_barred_from_commitment, repair_rule_for
from supervision.services import credit_record_create, credit_record_repair

pytestmark = pytest.mark.django_db

rules_migration = importlib.import_module("supervision.migrations.0004_credit_repair_rules")

ARTICLE_9 = "今后对该申请单位（人）不再适用告知承诺的许可方式"
LATER_RULE = "广西壮族自治区公共信用信息修复办法（示例）第十条：失信记录满12个月可申请修复"
RULES = reverse("admin:supervision_creditrepairrule_changelist")
RECORDS = reverse("admin:supervision_creditrecord_changelist")


@pytest.fixture(autouse=True)
def default_rules(db):
    """The rows migration 0004 writes (a transactional test elsewhere may have flushed them)."""
    if not CreditRepairRule.objects.exists():
        rules_migration.create_default_rules(apps, None)


@pytest.fixture
def record(enterprise, at):
    """Recorded on 15 January 2024 (materials not handed in, 附件3 第六条、第九条)."""
    with at(2024, 1, 15, 10):
        return credit_record_create(applicant=enterprise, actor=None, reason=CreditReason.MISSING_MATERIALS,
                                    details="逾期未交材料")


def change_url(rule) -> str:
    return reverse("admin:supervision_creditrepairrule_change", args=[rule.pk])


def open_repair_in_the_admin(client, reason, months, basis=LATER_RULE):
    rule = CreditRepairRule.objects.get(reason=reason)
    return client.post(change_url(rule), {"repairable": "on", "after_months": str(months), "basis": basis,
                                          "_save": "保存"})


def repair(record, actor):
    return credit_record_repair(record=record, actor=actor, note="已补交材料并整改完毕")


# --- the default, from the documents -----------------------------------------------------------------

def test_every_kind_of_record_has_a_rule_and_none_is_repairable_by_default():
    """附件3 第九条 names no repair: every kind of record, the two of 钦政发〔2019〕20号 included (备案信息
    虚假, 承诺期限内未达到许可条件), starts not repairable, its basis quoting 第九条."""
    rules = {rule.reason: rule for rule in CreditRepairRule.objects.all()}
    assert set(rules) == set(CreditReason.values)
    assert {"false_filing", "conditions_unmet"} <= set(rules)
    for rule in rules.values():
        assert not rule.repairable, rule.reason
        assert "第九条" in rule.basis and ARTICLE_9 in rule.basis and "管理员可依该办法开放修复" in rule.basis
    assert "备案信息不实的企业" in rules[CreditReason.FALSE_FILING].basis  # 20号 二（四）


def test_by_default_repair_is_refused_quoting_article_9_and_the_bar_stays(record, enterprise, admin_user):
    """附件3 第九条: "不再适用告知承诺的许可方式" — and no rule says otherwise yet."""
    with pytest.raises(Conflict) as refused:
        repair(record, admin_user)
    assert "信用修复规则“未按期提交材料或材料不符合要求”" in refused.value.message
    assert "不予修复" in refused.value.message and ARTICLE_9 in refused.value.message
    assert refused.value.status == 409
    assert CreditRecord.objects.get(pk=record.pk).repaired_at is None
    assert applicant_barred_from_commitment(enterprise) == record
    assert not AuditEvent.objects.filter(action=AuditAction.CREDIT_REPAIR).exists()


def test_a_kind_without_a_row_follows_the_default():
    """An emptied table never opens repair: the documents' default stands (附件3 第九条)."""
    CreditRepairRule.objects.filter(reason=CreditReason.FALSE_COMMITMENT).delete()
    rule = repair_rule_for(CreditReason.FALSE_COMMITMENT)
    assert not rule.repairable and ARTICLE_9 in rule.basis


# --- an admin opens repair under a later rule ---------------------------------------------------------

def test_opened_after_12_months_repair_is_refused_at_11_and_granted_at_12(
        login, admin_user, record, enterprise, commitment_item, applicant_user, at):
    """A later rule lets an admin open repair "满12个月": 12 calendar months after the day of the record
    (15 January 2024 → 15 January 2025); then the record no longer bars notify-and-commit."""
    response = open_repair_in_the_admin(login(admin_user), CreditReason.MISSING_MATERIALS, 12)
    assert response.status_code == 302
    with at(2024, 12, 15):  # 11 months
        with pytest.raises(Conflict) as refused:
            repair(record, admin_user)
    assert "记入满12个月后方可修复" in refused.value.message
    assert "本记录记入于2024年1月15日，2025年1月15日起方可修复" in refused.value.message
    with at(2025, 1, 14, 23, 59):  # a day short
        with pytest.raises(Conflict):
            repair(record, admin_user)
    with at(2025, 1, 14, 23, 59):
        assert application_submit(item=commitment_item, applicant=enterprise, actor=applicant_user).route == \
            Route.ORDINARY
    with at(2025, 1, 15, 9):
        repaired = repair(record, admin_user)
        assert repaired.repaired_at is not None and "【信用修复】已补交材料并整改完毕" in repaired.details
        assert applicant_barred_from_commitment(enterprise) is None
        application = application_submit(item=commitment_item, applicant=enterprise, actor=applicant_user)
    assert application.route == Route.COMMITMENT


def test_opening_repair_for_one_kind_leaves_the_others_closed(login, admin_user, enterprise, at):
    """The rule is per kind of record: opening repair of late materials does not open 不实承诺."""
    open_repair_in_the_admin(login(admin_user), CreditReason.MISSING_MATERIALS, 0)
    with at(2024, 3, 1):
        false = credit_record_create(applicant=enterprise, actor=None, reason=CreditReason.FALSE_COMMITMENT)
        with pytest.raises(Conflict) as refused:
            repair(false, admin_user)
    assert "信用修复规则“作出不实承诺”" in refused.value.message


def test_opening_repair_without_naming_the_rule_that_allows_it_is_refused(login, admin_user):
    """Departing from 第九条's default needs a basis: the default's own text is not one."""
    rule = CreditRepairRule.objects.get(reason=CreditReason.FALSE_COMMITMENT)
    response = open_repair_in_the_admin(login(admin_user), CreditReason.FALSE_COMMITMENT, 12, basis=rule.basis)
    assert response.status_code == 200
    assert "开放信用修复须在“依据”中写明允许修复的文件名称、文号和条款" in response.content.decode()
    assert not CreditRepairRule.objects.get(pk=rule.pk).repairable


def test_each_change_of_a_rule_is_kept_with_who_made_it(login, admin_user):
    """The rule an admin can read is also one whose changes can be read back (its history)."""
    open_repair_in_the_admin(login(admin_user), CreditReason.MISSING_MATERIALS, 12)
    rule = CreditRepairRule.objects.get(reason=CreditReason.MISSING_MATERIALS)
    latest = rule.history.first()
    assert (latest.repairable, latest.after_months, latest.basis, latest.history_user) == (
        True, 12, LATER_RULE, admin_user)


# --- the admin pages ----------------------------------------------------------------------------------

def test_the_rules_page_states_the_default_and_its_source_and_shows_each_basis(login, admin_user):
    client = login(admin_user)
    page = client.get(RULES).content.decode()
    assert "默认规则：各类诚信档案记录均不予信用修复" in page and "第九条" in page
    for reason in CreditReason:
        assert str(reason.label) in page  # the label is translatable (issue 15): in Chinese here
    assert ARTICLE_9 in page  # each rule's basis is in the list
    assert reverse("admin:supervision_creditrepairrule_add") not in page


def test_rules_are_edited_but_never_added_or_deleted(login, admin_user):
    """One rule per kind of record, made by the migration: the admin edits them, and that is all."""
    client = login(admin_user)
    rule = CreditRepairRule.objects.get(reason=CreditReason.FALSE_FILING)
    assert client.get(reverse("admin:supervision_creditrepairrule_add")).status_code == 403
    assert client.post(reverse("admin:supervision_creditrepairrule_delete", args=[rule.pk]),
                       {"post": "yes"}).status_code == 403
    assert CreditRepairRule.objects.count() == len(CreditReason)
    page = client.get(change_url(rule)).content.decode()
    assert 'name="reason"' not in page and "备案信息虚假" in page  # the kind itself is fixed


def test_the_repair_action_in_the_admin_says_why_it_was_refused(login, admin_user, record, enterprise):
    """The action answers with the rule's refusal (附件3 第九条), not an error page, and repairs nothing."""
    response = login(admin_user).post(RECORDS, {"action": "repair", "_selected_action": [record.pk]}, follow=True)
    assert response.status_code == 200
    page = response.content.decode()
    assert "已完成信用修复" not in page
    [refusal] = re.findall(r'<li class="error">([^<]*)</li>', page)  # messages.error
    assert "不予修复" in refusal and ARTICLE_9 in refusal
    assert applicant_barred_from_commitment(enterprise) == record


def test_the_repair_action_repairs_what_its_rule_allows_and_refuses_the_rest(login, admin_user, enterprise, at):
    """On 1 February 2025 a late-materials record of 15 January 2024 is past the 12 months its opened
    rule asks; a 不实承诺 record of the same day is still under 第九条's default."""
    with at(2024, 1, 15):
        late = credit_record_create(applicant=enterprise, actor=None, reason=CreditReason.MISSING_MATERIALS)
        false = credit_record_create(applicant=enterprise, actor=None, reason=CreditReason.FALSE_COMMITMENT)
    client = login(admin_user)
    open_repair_in_the_admin(client, CreditReason.MISSING_MATERIALS, 12)
    with at(2025, 2, 1):
        page = client.post(RECORDS, {"action": "repair", "_selected_action": [late.pk, false.pk]},
                           follow=True).content.decode()
    assert "已完成信用修复 1 条" in page and "信用修复规则“作出不实承诺”" in page
    assert CreditRecord.objects.get(pk=late.pk).repaired_at is not None
    assert CreditRecord.objects.get(pk=false.pk).repaired_at is None
    assert applicant_barred_from_commitment(enterprise) == false
