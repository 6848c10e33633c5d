"""What an approval record tells the regulator: the decision, the licence, the applicant, the item
and the full commitment (钦政办〔2019〕72号: 推送给监管部门的信息包括承诺内容).

The `data` of the v1 payload (notices adds the envelope and the documents). Dates and times are
ISO 8601; labels are given beside codes so a receiver needs no table of ours. A field is added to
v1 only when old receivers can ignore it; anything else is a v2.
"""
from licensing.constants import COMMITMENT_CONFIRMATIONS, MaterialDue, MaterialStatus
from licensing.i18n import in_source_language
from licensing.selectors.routing import authority_of


def _org(org) -> dict | None:
    return None if org is None else {"code": org.code, "name": org.name, "level": org.level}


def _applicant(applicant) -> dict:
    return {"kind": applicant.kind, "name": applicant.name, "identifier": applicant.identifier,
            "legal_representative": applicant.legal_representative, "address": applicant.address,
            "phone": applicant.phone}


def _item(item) -> dict:
    return {"code": item.code, "seq_no": item.seq_no, "name": item.name, "reform_mode": item.reform_mode,
            "reform_mode_label": item.get_reform_mode_display(), "inspection_months": item.inspection_months}


def _licence(application) -> dict | None:
    licence = getattr(application, "licence", None)
    if licence is None:
        return None
    return {"number": licence.number, "issued_at": licence.issued_at, "may_operate_from": licence.may_operate_from,
            "revoked_at": licence.revoked_at, "revocation_reason": licence.revocation_reason}


def _commitment(application) -> dict | None:
    """The signed 承诺书 in full: its kind, each of the seven confirmations with its answer, who
    signed, and the materials promised for after the decision with their dates (附件3 第四条)."""
    commitment = getattr(application, "commitment", None)
    if commitment is None:
        return None
    answers = list(commitment.confirmations or [])
    later = (application.materials.filter(material__due=MaterialDue.AFTER_DECISION)
             .exclude(status=MaterialStatus.SHARED).select_related("material"))  # shared: not promised (issue 16)
    return {
        "kind": commitment.kind, "kind_label": commitment.get_kind_display(), "meet_by": commitment.meet_by,
        # The words the applicant signed (stored with the commitment), not today's wording.
        "confirmations": [{"text": _signed_text(answers, i, text),
                           "confirmed": bool(answers[i]) if i < len(answers) else False}
                          for i, text in enumerate(COMMITMENT_CONFIRMATIONS)],
        "signatory": commitment.signatory, "signed_at": commitment.signed_at,
        "materials_promised": [{"name": s.material.name, "due_date": s.due_date, "status": s.status}
                               for s in later.order_by("material__order", "id")],
    }


def _signed_text(answers, i, text) -> str:
    return answers[i] if i < len(answers) and isinstance(answers[i], str) and answers[i] else text


def approval_record_data(application, *, outcome: str = "", reason: str = "", authority=None) -> dict:
    """The record's `data`: everything the regulator supervises from, read now (inside the event's
    transaction, so it is what the event decided). Its labels are Chinese whatever the language of the
    page that took the step: the record is kept and sent as it is (issue 15)."""
    with in_source_language():
        return _record_data(application, outcome=outcome, reason=reason, authority=authority)


def _record_data(application, *, outcome, reason, authority) -> dict:
    decided_by = application.decided_by if application.decided_by_id else None
    return {
        "application": {"number": application.number, "status": application.status,
                        "status_label": application.get_status_display(), "route": application.route,
                        "channel": application.channel, "submitted_at": application.submitted_at,
                        "details": application.details},
        "decision": {"outcome": outcome, "decided_at": application.decided_at or application.closed_at,
                     "decided_by": str(decided_by) if decided_by else "", "reason": reason,
                     "inspection_due": application.inspection_due},
        "authority": _org(authority or authority_of(application)),
        # 委托: the authority that acted in the authority's name (行政许可法 第二十四条), or None.
        "entrusted": _org(application.entrusted) if application.entrusted_id else None,
        "regulator": _org(application.regulator),
        "item": _item(application.item),
        "applicant": _applicant(application.applicant),
        "licence": _licence(application),
        "commitment": _commitment(application),
    }
