"""The public catalogue pages: browse, search, filter and read an item's guide, in Chinese."""
import pytest
from django.urls import reverse

from licensing.models import Item

pytestmark = pytest.mark.django_db


def page(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == 200
    return response.content.decode()


def test_the_home_page_counts_the_reform_modes_by_seq_no(client):
    html = page(client, reverse("home"))
    assert "共 100 项" in html
    assert "实行告知承诺" in html and "16 项" in html and "81 项" in html


def test_the_catalogue_lists_every_item_across_its_pages(client):
    codes = list(Item.objects.values_list("code", flat=True))
    html = "".join(page(client, reverse("catalogue"), page=n) for n in range(1, 6))
    assert [c for c in codes if f"/items/{c}/" not in html] == []


def test_a_keyword_finds_the_hotel_item(client):
    html = page(client, reverse("catalogue"), q="旅馆")
    assert "旅馆业特种行业许可证核发" in html and "共找到 <strong>1</strong>" in html


def test_a_keyword_in_the_measures_is_found_too(client):
    html = page(client, reverse("catalogue"), q="20个工作日压缩至15个工作日")
    assert "中介机构从事代理记账业务审批" in html


def test_filters_by_mode_and_level_combine(client):
    html = page(client, reverse("catalogue"), reform_mode="commitment", level="county")
    assert "旅馆业特种行业许可证核发" in html
    assert "电影放映单位设立审批" in html  # 县区宣传部门
    assert "保安培训许可" not in html  # 自治区 and 市 only


def test_filter_by_authority(client):
    org = Item.objects.get(seq_no=38).authorities.get(organisation__level="region").organisation
    html = page(client, reverse("catalogue"), authority=org.code)
    assert "中介机构从事代理记账业务审批" in html and "旅馆业" not in html


def test_an_unknown_filter_value_is_ignored_with_a_message_not_an_error(client):
    html = page(client, reverse("catalogue"), reform_mode="nonsense")
    assert "选择一个有效的选项" in html


def test_nothing_found_says_so(client):
    assert "没有符合条件的事项" in page(client, reverse("catalogue"), q="不存在的事项名称")


def test_the_guide_of_a_commitment_item_explains_the_workflow(client):
    html = page(client, reverse("item-guide", args=["QZ-013"]))
    assert "旅馆业特种行业许可证核发" in html
    assert "3 个工作日内" in html and "2 个月内" in html
    assert "待审批部门补充" in html  # no invented legal basis


def test_the_guide_shows_the_compressed_limit(client):
    html = page(client, reverse("item-guide", args=["QZ-038"]))
    assert "法定 20 个工作日" in html and "承诺 15 个工作日" in html


def test_the_guide_of_a_cancelled_item_says_no_permit_is_needed(client):
    assert "无需再申领许可证" in page(client, reverse("item-guide", args=["QZ-001"]))


def test_the_guide_of_an_item_with_another_level_shows_that_level_name(client):
    html = page(client, reverse("item-guide", args=["QZ-087"]))
    assert "医疗机构执业登记（人体器官移植除外）" in html


def test_an_unknown_item_is_404(client):
    assert client.get(reverse("item-guide", args=["QZ-999"])).status_code == 404


def test_demo_content_is_marked_on_the_guide(client):
    Item.objects.filter(seq_no=13).update(is_demo_content=True, legal_basis="演示")
    assert "演示数据" in page(client, reverse("item-guide", args=["QZ-013"]))
