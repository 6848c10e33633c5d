"""`manage.py load_demo`: one account per role and a demo item that works end to end."""
import pytest
from django.core.management import call_command

from licensing.models import Item
from licensing.services import notice_missing_content
from portal.constants import Role
from licensing.demo import DEMO_PASSWORD
from portal.models import User

pytestmark = pytest.mark.django_db


def test_it_creates_one_account_per_role_and_can_run_twice(capsys):
    call_command("load_demo")
    call_command("load_demo")
    demo = User.objects.filter(username__startswith="demo-")
    assert set(demo.values_list("role", flat=True)) == set(Role.values)
    # two regulators of one organisation: an on-site check needs two inspectors (issue 10)
    assert demo.filter(role=Role.REGULATOR, organisation__code="G01").count() == 2
    assert all(u.check_password(DEMO_PASSWORD) for u in demo)
    assert "仅用于演示" in capsys.readouterr().out


def test_the_demo_applicant_acts_for_an_enterprise():
    call_command("load_demo")
    applicant = User.objects.get(username="demo-applicant").applicants.get()
    assert "演示" in applicant.name


def test_the_demo_item_can_issue_a_notice_and_says_it_is_demo_content():
    call_command("load_demo")
    item = Item.objects.get(seq_no=13)
    assert notice_missing_content(item) == []
    assert item.is_demo_content and "演示数据" in item.legal_basis
    assert Item.objects.filter(is_demo_content=True).count() == 1


def test_the_demo_enterprise_was_told_by_the_demo_registry_that_it_needs_item_13():
    from licensing.models import Registration
    from notices.constants import RecordKind
    from notices.models import OutboxRecord

    call_command("load_demo")
    call_command("load_demo")  # the same event again: still one registration, one 告知 per department
    [registration] = Registration.objects.filter(applicant__members__username="demo-applicant")
    assert "QZ-013" in [i.item.code for i in registration.items.all()]
    records = OutboxRecord.objects.filter(kind=RecordKind.REGISTRATION_NOTICE, registration=registration)
    assert records.filter(recipient_org__code="G01").count() == 1  # the demo regulator's inbox
