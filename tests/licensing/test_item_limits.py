"""The committed time limit follows from the statutory one and the compression the measures state."""
import pytest
from django.core.exceptions import ValidationError

from licensing.constants import Compression
from licensing.models import Item


@pytest.mark.parametrize("compression,statutory,committed", [
    (Compression.ONE_THIRD, 30, 20),
    (Compression.ONE_THIRD, 20, 13),   # a cut of at least a third: 13 days, not 14
    (Compression.ONE_QUARTER, 20, 15),
    (Compression.UNSPECIFIED, 20, 20),
    (Compression.NONE, None, None),
])
def test_committed_days_follow_from_statutory_days(compression, statutory, committed):
    assert Item(compression=compression, statutory_days=statutory).committed_days == committed


def test_an_explicit_committed_limit_wins():
    assert Item(compression=Compression.ONE_THIRD, statutory_days=20, committed_days_override=10).committed_days == 10


def test_a_committed_limit_longer_than_the_statutory_one_is_refused():
    with pytest.raises(ValidationError) as exc:
        Item(statutory_days=10, committed_days_override=12).clean()
    assert "承诺时限不能长于法定时限" in str(exc.value)


@pytest.mark.django_db
def test_an_admin_entering_the_statutory_limit_gives_the_committed_one():
    item = Item.objects.get(seq_no=20)
    item.statutory_days = 30
    item.save()
    assert Item.objects.get(seq_no=20).committed_days == 20
