"""Permission-matrix rows of issue 14 (reports): merged into tests.portal.matrix_rows.MATRIX.

A department's quarterly reports are read by its own approval officers and regulators (each persona asks
for its own department's, which exists for all four of them), and by the admin, who names the department
(?organisation=, here the officer's); applicants and the window's clerk get 403, visitors sign in (the API
answers them 401). The quarter asked for is 2024's third, long ended.
"""
from portal.constants import Role
from tests.portal.matrix_rows import SIGN_IN, SIGNED_IN, Probe, Redirect, api

PERIOD = (2024, 3)
READERS = ("officer", "other_officer", "regulator", "other_regulator", "admin_user")


def _department(w):
    """The persona's own department (an officer's or a regulator's); for anyone else the officer's."""
    user = w.user
    if user is not None and user.role in (Role.OFFICER, Role.REGULATOR) and user.organisation_id:
        return user.organisation
    return w.fixture("officer").organisation


def _reads(w) -> bool:
    return w.user is not None and w.user.role in (Role.OFFICER, Role.REGULATOR, Role.ADMIN)


def made(w):
    """The quarter's report of the department asked for, made first (as the beat job would have) for
    those who may read it: the others are refused before anything is read, so none is rendered for them."""
    if _reads(w):
        from licensing.reports.services import quarterly_report_generate

        quarterly_report_generate(organisation=_department(w), year=PERIOD[0], quarter=PERIOD[1])
    return PERIOD


def chosen(w):
    return {"organisation": _department(w).code}


def readers(ok) -> dict:
    return {**{p: ok if p in READERS else 403 for p in SIGNED_IN}, "anonymous": SIGN_IN}


ROWS = {
    "reports-desk": [Probe("get", readers(200), data=chosen)],
    # an ended quarter without its report yet: the page says so and offers the button
    "report-detail": [Probe("get", readers(200), args=lambda w: PERIOD, data=chosen)],
    "report-xlsx": [Probe("get", readers(200), args=made, data=chosen)],
    "report-pdf": [Probe("get", readers(200), args=made, data=chosen)],
    "report-generate": [Probe("post", readers(Redirect("/desk/reports/2024/3/")), args=lambda w: PERIOD,
                              data=chosen)],
    # made on demand (the figures as JSON: no Accept header)
    "reports-quarterly": [Probe("get", api(readers(200)),
                                data=lambda w: {"year": PERIOD[0], "quarter": PERIOD[1], **chosen(w)})],
}
