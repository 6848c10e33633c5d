"""The catalogue the portal ships: 附件2 of 钦政发〔2019〕18号, clean and complete."""
import re
import subprocess
import sys
from pathlib import Path

import pytest

from licensing.constants import Compression, ReformMode
from licensing.models import Item

pytestmark = pytest.mark.django_db

DATA = Path(__file__).resolve().parents[2] / "licensing" / "data"

CJK = r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef“”‘’]"
STRAY_SPACE = re.compile(rf"{CJK}\s|\s{CJK}")


def _texts(item):
    yield item.name
    yield item.remark
    yield from item.measures
    for a in item.authorities.all():
        yield a.organisation.name
        yield a.variant_name
        yield a.remark


def test_every_seq_no_from_1_to_100_is_there_once_as_a_number():
    assert sorted(set(Item.objects.values_list("seq_no", flat=True))) == list(range(1, 101))


def test_the_reform_modes_count_as_the_gazette_says():
    counts = {m: Item.objects.filter(reform_mode=m).values("seq_no").distinct().count() for m in ReformMode}
    assert counts == {ReformMode.CANCEL: 2, ReformMode.FILING: 1, ReformMode.COMMITMENT: 16, ReformMode.OPTIMISE: 81}


def test_seq_no_42_and_53_each_keep_their_two_different_items():
    for seq in (42, 53):
        names = list(Item.objects.filter(seq_no=seq).values_list("name", flat=True))
        assert len(names) == 2 and names[0] != names[1]
    assert Item.objects.count() == 102


def test_commitment_items_are_4_to_19():
    assert set(Item.objects.filter(reform_mode=ReformMode.COMMITMENT).values_list("seq_no", flat=True)) == set(range(4, 20))


def test_no_stray_whitespace_inside_chinese_text():
    bad = [(i.code, t) for i in Item.objects.prefetch_related("authorities__organisation")
           for t in _texts(i) if t and (STRAY_SPACE.search(t) or t != t.strip())]
    assert bad == []


def test_every_item_has_an_authority_and_measures():
    assert not Item.objects.filter(authorities__isnull=True).exists()
    assert [i.code for i in Item.objects.all() if not i.measures] == []


def test_extra_rows_of_other_levels_are_kept_as_authorities_with_their_own_name():
    item = Item.objects.get(seq_no=82)
    variants = {a.variant_name for a in item.authorities.all() if a.variant_name}
    assert variants == {"危险化学品建设项目的安全条件审查"}
    for seq in (70, 71, 72, 73, 80, 82, 87, 89, 95):
        assert Item.objects.get(seq_no=seq).authorities.count() >= 2, seq


def test_item_95_keeps_its_eight_measures_in_order():
    measures = Item.objects.get(seq_no=95).measures
    assert len(measures) == 8
    assert measures[0].startswith("推广网上业务办理") and measures[-1].startswith("推进部门间信息共享应用")


def test_the_garbled_item_6_is_repaired():
    item = Item.objects.get(seq_no=6)
    assert item.name == "从事出版物、包装装潢印刷品和其他印刷品印刷经营活动的企业设立、变更审批"
    assert "企业必须具备2台以上" in item.measures[1]


def test_item_38_commits_15_of_its_20_statutory_working_days():
    item = Item.objects.get(seq_no=38)
    assert (item.statutory_days, item.committed_days, item.compression) == (20, 15, Compression.FIXED)


def test_the_compression_stated_in_the_measures_is_kept_as_data():
    assert Item.objects.get(seq_no=20).compression == Compression.ONE_THIRD
    assert Item.objects.get(seq_no=24).compression == Compression.ONE_QUARTER
    assert Item.objects.get(seq_no=45).compression == Compression.LOCAL


def test_no_legal_basis_or_statutory_limit_is_invented():
    assert not Item.objects.exclude(legal_basis="").exists()
    assert list(Item.objects.exclude(statutory_days=None).values_list("seq_no", flat=True)) == [38]


def test_the_shipped_json_passes_its_self_check():
    """licensing/data/check_catalogue.py: clean text, known organisations and roles, and (issue 11) the
    printed cells kept as printed, a repair note beside each printed name, a 委托机关 on every 委托 row only."""
    result = subprocess.run([sys.executable, str(DATA / "check_catalogue.py"), str(DATA / "catalogue.json")],
                            capture_output=True, text=True, check=False)
    assert (result.returncode, result.stdout.strip()) == (0, "ok"), result.stdout
