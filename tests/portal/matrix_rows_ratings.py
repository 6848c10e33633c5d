"""Permission-matrix rows of issue 15 (ratings, 好差评): merged into tests.portal.matrix_rows.MATRIX.

The enterprise's own accounts rate its decided application (item 13), in the browser and through the API; the
clerk, the officer, the regulator and the admin see the application but rate nothing (403); the strangers are
told it does not exist (404). The poor rating goes to the officer's authority, whose officers answer it on
their desk; another authority's officer is told the rating does not exist (404), everyone else is refused by
the desk (403). The aggregate is public, in the browser and through the API.
"""
from tests.portal.matrix_rows import (
    APPLICANT_SIDE, PERSONAS, READERS_ONLY, SIGN_IN, SIGNED_IN, STRANGERS, UNKNOWN_ARGS, Probe, Redirect, api, desk,
    everyone, number,
)

RATERS = ("applicant_user", "colleague")  # the enterprise's accounts; the window clerk does not rate for it
SEES_NOT_RATER = tuple(p for p in APPLICANT_SIDE + READERS_ONLY if p not in RATERS)


def rater(ok) -> dict:
    return {**dict.fromkeys(RATERS, ok), **dict.fromkeys(SEES_NOT_RATER, 403), **dict.fromkeys(STRANGERS, 404),
            "anonymous": SIGN_IN}


def a_rating(w):
    return {"level": "5", "comment": "办理很快，服务周到。"}


def a_rating_json(w):
    return {"level": 5, "comment": "办理很快，服务周到。"}


def poor_rating_args(w):
    """The enterprise's decided application rated 非常不满意 by its account: a follow-up of the officer's authority."""
    from licensing.services.ratings import rating_submit
    from tests.factories import commitment_application

    application = commitment_application(item=w.item, applicant=w.enterprise, actor=w.fixture("applicant_user"),
                                         officer=w.fixture("officer"), channel="online")
    rating = rating_submit(application=application, actor=w.fixture("applicant_user"), level=1,
                           comment="材料被退回三次。")
    return (rating.pk,)


UNKNOWN_ARGS[poor_rating_args] = lambda w: (999_999_999,)


def an_answer(w):
    return {"answer": "已核实：窗口一次性告知了补正内容，已对经办人员进行培训。"}


ROWS = {
    "web-application-rate": [
        Probe("get", rater(200), state="approved", args=number),
        Probe("post", rater(Redirect("/applications/")), state="approved", args=number, data=a_rating),
    ],
    "rating-follow-ups": [Probe("get", desk(("officer", "other_officer")))],
    "rating-answer": [Probe("post", {**dict.fromkeys(SIGNED_IN, 403), "officer": Redirect("/desk/ratings/"),
                                     "other_officer": 404, "anonymous": SIGN_IN},
                            args=poor_rating_args, data=an_answer)],
    "ratings-public": [Probe("get", everyone())],
    "application-rating": [Probe("post", api({**rater(201), "anonymous": 401}), state="approved", args=number,
                                 data=a_rating_json, json=True)],
    "ratings-summary": [Probe("get", everyone())],
}
assert all(set(probe.answers) == set(PERSONAS) for probes in ROWS.values() for probe in probes)
