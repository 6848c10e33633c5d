"""Permission-matrix rows of issue 16 (registrations_api): merged into tests.portal.matrix_rows.MATRIX.

The 双告知 intake (licensing/api_registrations.py) reads no session and no user token: only a registration
sender's own bearer token (and, to post, its signature) gets in. So every persona, signed in (by session or by
user token) or not, is answered 401 with WWW-Authenticate: Bearer, whatever it sends. The sender's own answers
are exercised in tests/licensing/test_registrations_intake.py.
"""
from tests.portal.matrix_rows import Probe, everyone

ROWS = {
    "registration-list": [Probe("post", everyone(401), json=True, data=lambda w: {
        "event_id": "REG-MATRIX-1", "uscc": "91450700MA5L0000XX", "name": "矩阵测试企业", "scope": "住宿服务",
        "registered_on": "2024-10-14"})],
    "registration-detail": [Probe("get", everyone(401), args=lambda w: ("REG-MATRIX-1",))],
}
