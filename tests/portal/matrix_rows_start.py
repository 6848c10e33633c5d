"""Permission-matrix rows of issue 15 (start): merged into tests.portal.matrix_rows.MATRIX.

我的首页 answers every signed-in persona with its own role's page, and lists only what that persona has to do:
the notice waiting for the enterprise's commitment is on its two accounts' pages; the commitment received,
on the deciding officer's (decided today); the decision, on the applicant side's (materials owed later, and
to rate), the officer's (decided today) and the item's regulator's (its check to make). No one of another
organisation, and no other applicant, sees any of them. Visitors sign in.

统计看板 is for those who read the quarterly reports: every approval officer and regulator of an organisation,
and the admin; its CSV export likewise. Applicants and the window's clerk get 403.
"""
from tests.portal.matrix_rows import SIGN_IN, SIGNED_IN, Probe, desk

READERS = ("officer", "other_officer", "regulator", "other_regulator", "admin_user")
EVERYONE_SIGNED_IN = {**dict.fromkeys(SIGNED_IN, 200), "anonymous": SIGN_IN}

ROWS = {
    "start": [
        Probe("get", EVERYONE_SIGNED_IN, state="notice_issued", lists=("applicant_user", "colleague")),
        Probe("get", EVERYONE_SIGNED_IN, state="committed", lists=("officer",)),
        Probe("get", EVERYONE_SIGNED_IN, state="approved",
              lists=("applicant_user", "colleague", "officer", "regulator")),
    ],
    "dashboard": [
        Probe("get", desk(READERS), state="approved"),
        Probe("get", desk(READERS), data=lambda w: {"format": "csv", "figure": "decisions"}),
    ],
}
