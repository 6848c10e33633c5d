"""Permission-matrix rows of issue 15 (finder): merged into tests.portal.matrix_rows.MATRIX.

经营范围查事项 is public, like the catalogue it reads: every persona, signed in or not, gets the form, the items
a business scope leads to, and the same 400 for a text it cannot take (licensing.selectors.scope). The API's
?scope= is a parameter of the catalogue's list, whose row (item-list) is in tests.portal.matrix_rows.
"""
from tests.portal.matrix_rows import Probe, everyone

ROWS = {
    "finder": [
        Probe("get", everyone()),
        Probe("get", everyone(), data=lambda w: {"scope": "许可项目：住宿服务；餐饮服务。一般项目：酒店管理"}),
        Probe("get", everyone(), data=lambda w: {"scope": "酒"}),
        Probe("get", everyone(400), data=lambda w: {"scope": ""}),
    ],
}
