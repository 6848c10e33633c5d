"""Permission-matrix rows of issue 14 (credit): merged into tests.portal.matrix_rows.MATRIX.

信用公示 is public to everyone. The enterprise's record is made by item 13's approval authority (the
officer's organisation, its 认定机关) under a rule an admin opened: the enterprise's two verified accounts
apply for repair, the officer decides; another authority's officer is told a request does not exist
(404), the outsider that the record does not; every other role is refused (403) by the pages, like the
other desks. Through the API a record is read as credit_records_scope says (anonymous and the clerk:
the public subset; the outsider: its own, none; the authority: its own organisation's; the admin: all).
"""
from tests.portal.matrix_rows import PERSONAS, SIGN_IN, SIGNED_IN, UNKNOWN_ARGS, Probe, Redirect, desk, everyone

APPLICANT_SIDE = ("applicant_user", "colleague")


def _record(w):
    """The enterprise's late materials, recorded by the officer's authority; repair opened (0 months)."""
    from supervision.constants import CreditReason
    from supervision.models import CreditRepairRule
    from supervision.services import credit_record_create

    CreditRepairRule.objects.update_or_create(reason=CreditReason.MISSING_MATERIALS, defaults={
        "repairable": True, "after_months": 0, "basis": "测试用信用修复办法"})
    return credit_record_create(applicant=w.enterprise, actor=w.fixture("officer"),
                                reason=CreditReason.MISSING_MATERIALS, details="逾期未提交材料")


def record_args(w):
    return (_record(w).pk,)


def _request(w):
    from supervision.services import credit_repair_request_submit
    from tests.factories import pdf_file

    return credit_repair_request_submit(record=_record(w), actor=w.fixture("applicant_user"),
                                        reasons="已补交全部材料。", files=[pdf_file("补交回执.pdf")])


def request_args(w):
    return (_request(w).pk,)


def evidence_args(w):
    repair = _request(w)
    return (repair.pk, repair.evidence.get().pk)


UNKNOWN_ARGS[record_args] = lambda w: (999_999_999,)
UNKNOWN_ARGS[request_args] = lambda w: (999_999_999,)
UNKNOWN_ARGS[evidence_args] = lambda w: (999_999_999, 999_999_999)


def _reasons(w):
    return {"reasons": "已补交全部材料，经核对符合要求。"}


def _decision(w):
    return {"decision": "grant", "note": "已核实，准予修复。"}


def applicant_side(ok) -> dict:
    """The enterprise's accounts; the outsider is told the record does not exist; staff are refused."""
    return {**dict.fromkeys(SIGNED_IN, 403), **dict.fromkeys(APPLICANT_SIDE, ok), "outsider": 404,
            "anonymous": SIGN_IN}


def authority(ok) -> dict:
    """The officer of the authority that made the record; another authority's officer: 404."""
    return {**dict.fromkeys(SIGNED_IN, 403), "officer": ok, "other_officer": 404, "anonymous": SIGN_IN}


# Who reads the enterprise's (unrepaired, so public) record through the API.
RECORD_READERS = ("anonymous", "clerk", "applicant_user", "colleague", "officer", "admin_user")
# Who sees it but is not the applicant's side: refused (403); those who do not see it: 404.
SEES_NOT_APPLICANT = ("clerk", "officer", "admin_user")

ROWS = {
    "credit-public": [Probe("get", everyone()),
                      Probe("get", everyone(), data=lambda w: {"q": "好客旅馆"})],
    "my-credit": [Probe("get", desk(("applicant_user", "colleague", "outsider")))],
    "my-credit-repair": [
        Probe("get", applicant_side(200), args=record_args),
        Probe("post", applicant_side(Redirect("/my/credit/")), args=record_args, data=_reasons),
    ],
    "credit-repair-desk": [Probe("get", desk(("officer", "other_officer")))],
    "credit-repair-request": [Probe("get", authority(200), args=request_args)],
    "credit-repair-decide": [Probe("post", authority(Redirect("/desk/credit-repairs/")), args=request_args,
                                   data=_decision)],
    "credit-repair-evidence": [Probe("get", authority(200), args=evidence_args)],
    # the API: the list answers everyone (each their own scope), anonymous too
    "credit-record-list": [Probe("get", everyone())],
    "credit-record-detail": [Probe("get", {p: 200 if p in RECORD_READERS else 404 for p in PERSONAS},
                                   args=record_args)],
    "credit-record-repair-requests": [Probe(
        "post", {**{p: 403 if p in SEES_NOT_APPLICANT else 404 for p in PERSONAS},
                 **dict.fromkeys(APPLICANT_SIDE, 201), "anonymous": 401},
        args=record_args, data=_reasons, json=True)],
    "credit-repair-request-decide": [Probe("post", {**dict.fromkeys(PERSONAS, 404), "officer": 200, "anonymous": 401},
                                           args=request_args, data=_decision, json=True)],
}
