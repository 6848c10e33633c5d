"""Permission-matrix rows of issue 16 (publicity): merged into tests.portal.matrix_rows.MATRIX.

归集 to the credit publicity systems is the platform's: only admins watch its SLA page and download its daily
files; every other signed-in persona is refused (403), the anonymous visitor is sent to sign in.
"""
from tests.portal.matrix_rows import Probe, desk


def a_day(w):
    return ("2024-10-14",)


ROWS = {
    "publicity-sla": [Probe("get", desk(("admin_user",)))],
    "publicity-export-csv": [Probe("get", desk(("admin_user",)), args=a_day)],
    "publicity-export-json": [Probe("get", desk(("admin_user",)), args=a_day)],
}
