"""Permission-matrix rows of issue 14 (draws): merged into tests.portal.matrix_rows.MATRIX.

双随机: the plans of item 13's regulator (the `regulator` persona's organisation), drawn from a pool that
holds the enterprise's approved application (state "approved"). Its regulators make, change and draw them;
another organisation's regulator is told a plan does not exist (404); everyone else who draws for no
organisation is refused (403), anonymous visitors sign in (pages) or are answered 401 (API). 一公开: a
drawn plan's pages and its JSON answer everyone alike.
"""
import datetime as dt

from django.utils import timezone

from portal.constants import Role
from tests.factories import UserFactory
from tests.portal.matrix_rows import SIGN_IN, SIGNED_IN, UNKNOWN_ARGS, Probe, Redirect, api, desk, everyone

CODES = ("M0000001", "M0000002")


def _inspectors(w) -> list[str]:
    """The regulator and a colleague in its organisation's 执法检查人员库 (两名以上执法人员)."""
    from supervision.models import Inspector

    regulator = w.fixture("regulator")
    users = [regulator, UserFactory(role=Role.REGULATOR, organisation=regulator.organisation, full_name="执法乙")]
    for user, code in zip(users, CODES, strict=True):
        if not Inspector.objects.filter(code=code).exists():
            Inspector.objects.create(organisation=regulator.organisation, user=user, code=code)
    return list(CODES)


def plan_data(w) -> dict:
    """A plan of item 13 licensed in the last month (the approved application's decision is today)."""
    today = timezone.localdate()
    return {"title": "双随机抽查（权限矩阵）", "items": [w.item.code], "authorities": [],
            "licensed_from": (today - dt.timedelta(days=30)).isoformat(), "licensed_until": today.isoformat(),
            "sample_count": 1, "inspectors_per_entity": 2, "inspectors": _inspectors(w),
            "due_date": (today + dt.timedelta(days=30)).isoformat()}


def plan_form(w) -> dict:
    return {name: "" if value is None else value for name, value in plan_data(w).items()}


def _draft(w):
    from supervision.draws import draw_plan_create

    return draw_plan_create(actor=w.fixture("regulator"), data=plan_data(w))


def draft_args(w):
    return (_draft(w).pk,)


def drawn_number(w):
    from supervision.draws import draw_run

    return (draw_run(plan=_draft(w), actor=w.fixture("regulator")).number,)


UNKNOWN_ARGS[draft_args] = lambda w: (999_999_999,)


def _pages():
    def plan_page(ok):
        """A plan of the regulator's organisation: 404 to another's regulator, 403 to who draws for none."""
        return {**dict.fromkeys(SIGNED_IN, 403), "regulator": ok, "other_regulator": 404, "anonymous": SIGN_IN}

    regulators = ("regulator", "other_regulator")
    done = Redirect("/desk/draws/")
    # another organisation's regulator posts item 13's plan with inspectors not in its own library: 400
    new_plan = {**desk(regulators, ok=done), "other_regulator": 400}
    return {
        "draw-list": [Probe("get", desk(regulators))],
        "draw-new": [Probe("get", desk(regulators)),
                     Probe("post", new_plan, state="approved", data=plan_form)],
        "draw-detail": [Probe("get", plan_page(200), state="approved", args=draft_args)],
        "draw-edit": [Probe("get", plan_page(200), state="approved", args=draft_args),
                      Probe("post", plan_page(done), state="approved", args=draft_args, data=plan_form)],
        "draw-run": [Probe("post", plan_page(done), state="approved", args=draft_args)],
        "draw-disclosure": [Probe("get", everyone())],
        "draw-disclosure-detail": [Probe("get", everyone(), state="approved", args=drawn_number)],
        "draw-disclosure-json": [Probe("get", everyone(), state="approved", args=drawn_number)],
    }


def _api():
    def regulators_only(ok, stranger, others):
        return api({**dict.fromkeys(SIGNED_IN, others), "regulator": ok, "other_regulator": stranger})

    return {
        "draw-plan-list": [Probe("get", regulators_only(200, 200, 403)),
                           Probe("post", regulators_only(201, 400, 403), state="approved", data=plan_data,
                                 json=True)],
        "draw-plan-detail": [Probe("get", regulators_only(200, 404, 404), state="approved", args=draft_args)],
        "draw-plan-run": [Probe("post", regulators_only(200, 404, 404), state="approved", args=draft_args,
                                json=True)],
    }


ROWS = {**_pages(), **_api()}
