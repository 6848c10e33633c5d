"""Documents issued at the same moment by different transitions get distinct, consecutive numbers
of their kind: the counter row is locked while each issue takes its number (issue 8).

PostgreSQL only, as tests/licensing/test_concurrency.py: SQLite serialises all writers."""
import re

import pytest
from django.db import connection

from licensing import services
from licensing.models import Item
from notices.models import Document
from tests.licensing.test_concurrency import at_once

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="needs PostgreSQL row locks; SQLite serialises all writers, so there is no race to test"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_receipts_issued_at_once_are_numbered_one_after_another_per_kind(enterprise, applicant_user):
    items = [Item.objects.get(seq_no=1), Item.objects.get(seq_no=3)]  # registration and filing receipts
    results = at_once(10, lambda i: services.application_submit(item=items[i % 2], applicant=enterprise,
                                                                actor=applicant_user).number)
    assert all(isinstance(r, str) for r in results), results
    numbers = list(Document.objects.values_list("number", flat=True))
    assert len(numbers) == len(set(numbers)) == 10
    for prefix in ("登", "备"):
        serials = sorted(int(re.search(r"〕(\d+)号", n)[1]) for n in numbers if n.startswith(f"钦{prefix}"))
        assert serials == [1, 2, 3, 4, 5], prefix
