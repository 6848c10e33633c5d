"""Permission-matrix rows of issue 15 (i18n): merged into tests.portal.matrix_rows.MATRIX.

The language switch is everyone's, signed in or not: a POST sets the language and goes back to `next` (a
signed-in user's account keeps the choice, tests/portal/test_i18n.py); a language the portal does not offer
is a 400 that changes nothing; opened by its address (GET) it explains itself (405), like every step.
"""
from tests.portal.matrix_rows import HOME, Probe, everyone

ROWS = {
    "set-language": [
        Probe("post", everyone(HOME), data=lambda w: {"language": "en", "next": "/"}),
        Probe("post", everyone(400), data=lambda w: {"language": "fr", "next": "/"}),
        Probe("get", everyone(405)),
    ],
}
