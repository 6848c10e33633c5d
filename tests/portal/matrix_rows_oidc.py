"""Permission-matrix rows of issue 16 (sign-in through the unified identity service, licensing/oidc.py).

The matrix runs with the default settings, in which 统一身份认证 is not configured: both routes then answer
404 to everyone, signed in or not (the service does not exist here). Configured, they are exercised against
a real stand-in provider in tests/licensing/test_oidc_sign_in.py.
"""
from tests.portal.matrix_rows import Probe, everyone

ROWS = {
    "oidc_authentication_init": [Probe("get", everyone(404))],
    "oidc_authentication_callback": [Probe("get", everyone(404), data=lambda w: {"code": "c", "state": "s"})],
}
