"""The yearly sequences behind 办件编号 and 文书编号 (portal.counters): from 1 per key, never repeated,
without gaps when an issue is rolled back, and one statement a number once the year's row exists."""
import pytest
from django.db import connection, transaction

from licensing.models import NumberCounter
from notices.constants import DocumentKind
from notices.models import DocumentNumberCounter
from portal.counters import next_number
from tests.licensing.test_concurrency import at_once

pytestmark = pytest.mark.django_db


class Undone(Exception):
    pass


def test_each_key_counts_from_one():
    assert [next_number(NumberCounter, year=2031) for _ in range(3)] == [1, 2, 3]
    assert next_number(NumberCounter, year=2032) == 1
    assert next_number(DocumentNumberCounter, kind=DocumentKind.NOTICE, year=2031) == 1
    assert next_number(DocumentNumberCounter, kind=DocumentKind.LICENCE, year=2031) == 1
    assert next_number(DocumentNumberCounter, kind=DocumentKind.NOTICE, year=2031) == 2
    assert NumberCounter.objects.get(year=2031).last == 3


def test_a_block_taken_at_once_is_followed_by_the_next_number():
    """seed_volume takes a year's numbers as one block; a number taken after it comes after the block."""
    assert next_number(NumberCounter, year=2031) == 1
    assert next_number(NumberCounter, by=500, year=2031) == 501
    assert next_number(NumberCounter, year=2031) == 502


def test_a_number_taken_in_a_rolled_back_transaction_is_given_again():
    assert next_number(NumberCounter, year=2031) == 1
    with pytest.raises(Undone), transaction.atomic():
        assert next_number(NumberCounter, year=2031) == 2
        raise Undone
    assert next_number(NumberCounter, year=2031) == 2


def test_a_number_is_one_statement_once_the_years_row_exists(django_assert_num_queries):
    next_number(DocumentNumberCounter, kind=DocumentKind.DECISION, year=2031)
    with django_assert_num_queries(1):
        assert next_number(DocumentNumberCounter, kind=DocumentKind.DECISION, year=2031) == 2


@pytest.mark.skipif(connection.vendor != "postgresql",
                    reason="needs PostgreSQL row locks; SQLite serialises all writers, so there is no race to test")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_first_numbers_of_a_new_year_taken_at_once_are_consecutive_and_a_rolled_back_one_is_reused():
    """Eight transactions ask for the first numbers of a year that has no row yet; one of them rolls back
    after taking its number. The seven that commit hold 1 to 7: none shared, none skipped."""
    def work(i):
        try:
            with transaction.atomic():
                number = next_number(NumberCounter, year=2041)
                if i == 0:
                    raise Undone
                return number
        except Undone:
            return None

    results = at_once(8, work)
    assert not any(isinstance(r, Exception) for r in results), results
    assert sorted(r for r in results if r is not None) == list(range(1, 8))
    assert NumberCounter.objects.get(year=2041).last == 7
