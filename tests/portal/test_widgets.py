"""FastSelect (issue 13) renders exactly what Django's Select renders, faster."""
import pytest
from django import forms

from portal.widgets import FastSelect

pytestmark = pytest.mark.django_db  # the suite's autouse fixtures read the database

CHOICES = [("", "请选择"), ("1", "1. 旅馆业特种行业许可证核发（告知承诺）"), ("2", "<script>alert(1)</script> & \"引号\""),
           ("甲组", [("a:1", "钦州市公安局"), ("a:2", "钦南区 <分局>")]), (3, "三")]


@pytest.mark.parametrize("value", [None, "", "1", "a:2", 3, "nothing-like-it"])
@pytest.mark.parametrize("attrs", [None, {"id": "id_item", "required": True, "aria-describedby": "x_helptext",
                                         "disabled": False, "data-x": '"q"'}])
def test_it_renders_what_django_s_select_renders(value, attrs):
    assert FastSelect(choices=CHOICES).render("item", value, attrs) == \
        forms.Select(choices=CHOICES).render("item", value, attrs)


def test_a_bound_field_renders_the_same_with_either_widget():
    class Plain(forms.Form):
        item = forms.ChoiceField(choices=CHOICES, help_text="说明")

    class Fast(forms.Form):
        item = forms.ChoiceField(choices=CHOICES, help_text="说明", widget=FastSelect)

    for data in ({"item": "a:1"}, {"item": "bogus"}, None):  # chosen, refused (aria-invalid), unbound
        plain, fast = Plain(data), Fast(data)
        if data:
            plain.is_valid(), fast.is_valid()
        assert str(fast["item"]) == str(plain["item"])
        assert ('value="a:1" selected' in str(fast["item"])) == (data == {"item": "a:1"})
