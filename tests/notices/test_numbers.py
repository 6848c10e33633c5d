"""Document numbers: a sequence of their own per kind and year (钦告〔2027〕000001号), never the
application's sequence, so an application filed in one year and answered in the next cannot take
the number of an application of that next year (issue 8)."""
import importlib
import re

import pytest

from licensing import services
from licensing.constants import Channel
from licensing.models import Item
from notices.constants import DocumentKind
from notices.models import Document, DocumentNumberCounter
from portal.masking import mask_identifier

pytestmark = pytest.mark.django_db

NUMBER = re.compile(r"^钦(?P<prefix>\D+)〔(?P<year>\d{4})〕(?P<serial>\d{6})号$")


def notice_of(application) -> Document:
    return Document.objects.get(application=application, kind=DocumentKind.NOTICE)


def serial(number: str) -> int:
    return int(NUMBER.match(number)["serial"])


def test_a_notice_issued_after_new_year_does_not_take_the_new_years_application_number(
        commitment_item, enterprise, applicant_user, clerk, officer, at):
    with at(2026, 12, 31, 16):
        last_years = services.application_submit(item=commitment_item, applicant=enterprise, actor=applicant_user,
                                                 channel=Channel.ONLINE)
    with at(2027, 1, 4, 9):
        services.application_issue_notice(application=last_years, actor=officer)
        this_years = services.application_submit(item=commitment_item, applicant=enterprise, actor=clerk,
                                                 channel=Channel.WINDOW)  # the notice is handed over at once
    # The very collision of the report: QZ2026-000001 and QZ2027-000001 both answered in 2027.
    assert last_years.number.split("-")[1] == this_years.number.split("-")[1]
    assert notice_of(last_years).number == "钦告〔2027〕000001号"
    assert notice_of(this_years).number == "钦告〔2027〕000002号"


def test_each_kind_counts_from_one_each_year(commitment_item, enterprise, applicant_user, clerk, officer, at):
    cancel_item = Item.objects.get(seq_no=1)
    with at(2026, 12, 30):
        services.application_submit(item=commitment_item, applicant=enterprise, actor=clerk, channel=Channel.WINDOW)
        services.application_submit(item=cancel_item, applicant=enterprise, actor=applicant_user)
    with at(2027, 1, 4):
        notified = services.application_submit(item=commitment_item, applicant=enterprise, actor=clerk,
                                               channel=Channel.WINDOW)
        recorded = services.application_submit(item=cancel_item, applicant=enterprise, actor=applicant_user)
    assert notice_of(notified).number == "钦告〔2027〕000001号"
    assert Document.objects.get(application=recorded).number == "钦登〔2027〕000001号"


def test_numbers_of_one_kind_are_consecutive_and_distinct(enterprise, applicant_user, at):
    cancel_item, filing_item = Item.objects.get(seq_no=1), Item.objects.get(seq_no=3)
    with at(2026, 11, 30):
        receipts = [Document.objects.get(application=services.application_submit(
            item=item, applicant=enterprise, actor=applicant_user)).number
            for _ in range(3) for item in (cancel_item, filing_item)]
    assert len(set(receipts)) == 6
    registrations, filings = receipts[0::2], receipts[1::2]
    assert registrations == ["钦登〔2026〕000001号", "钦登〔2026〕000002号", "钦登〔2026〕000003号"]
    assert filings == ["钦备〔2026〕000001号", "钦备〔2026〕000002号", "钦备〔2026〕000003号"]


def test_counters_start_above_the_numbers_issued_before_the_change(commitment_item, enterprise, clerk, at):
    """Migration 0002 seeds each (kind, year) counter from the highest serial already in use, since
    documents were numbered from their application's serial before."""
    from django.apps import apps

    migration = importlib.import_module("notices.migrations.0002_document_numbers_and_masked_copy")
    with at(2026, 11, 30):
        before = services.application_submit(item=commitment_item, applicant=enterprise, actor=clerk,
                                             channel=Channel.WINDOW)
        Document.objects.filter(application=before).update(number="钦告〔2026〕000058号", masked_html="")
        DocumentNumberCounter.objects.all().delete()
        migration.seed_counters_and_mask(apps, None)
        after = services.application_submit(item=commitment_item, applicant=enterprise, actor=clerk,
                                            channel=Channel.WINDOW)
    assert notice_of(after).number == "钦告〔2026〕000059号"
    old = notice_of(before)
    assert mask_identifier(enterprise.identifier) in old.masked_html
    assert enterprise.identifier not in old.masked_html
