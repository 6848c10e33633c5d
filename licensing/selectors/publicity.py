"""The 行政许可 items of a permit as published to the credit publicity systems (issue 16): the national
双公示 data standard's 行政许可信息 (国家发展改革委“双公示”数据标准), as notices/publicity.py lists them
(PERMIT_ITEMS) and says why and how far they can be trusted.

Read inside the transaction of the event (a grant, a change of the licence, a revocation), so the items
are what the event decided. Values are the portal's own Chinese text; dates are YYYY-MM-DD.
"""
from django.core.exceptions import ValidationError
from django.utils import timezone

from licensing.constants import ApplicantKind
from licensing.i18n import in_source_language
from licensing.models import Licence
from licensing.selectors.routing import authority_of
from licensing.validators import normalise, validate_uscc
from notices.constants import DocumentKind
from notices.publicity import PERMIT_INVALID
from portal.masking import mask_identifier

# 行政相对人类别 (双公示数据标准): 法人及非法人组织 / 自然人 / 个体工商户. The portal knows enterprises by their
# 统一社会信用代码 (a 个体工商户 has one too, and is filed as an enterprise) and persons by their ID card.
PARTY_KIND = {ApplicantKind.ENTERPRISE: "法人及非法人组织", ApplicantKind.PERSON: "自然人"}
# 证件类型 of a natural person (the standard's code list: 身份证).
PERSON_DOCUMENT = "身份证"
# 许可类别 (行政许可法 第十二条: 普通、特许、认可、核准、登记; the standard adds 其他). The catalogue does not
# classify its items; the 涉企经营许可 of the 证照分离 list are 普通 unless the receiving system says otherwise.
PERMIT_CATEGORY = "普通"
# 有效期至 of a licence valid without end (长期有效): the date the standard prescribes for it.
NO_END = "2099-12-31"


def organisation_uscc(organisation) -> str:
    """The organisation's 统一社会信用代码 where its 机构代码 is one (Organisation has no field of its own);
    blank otherwise, for the receiving system's operators to fill in from their own register."""
    code = normalise(getattr(organisation, "code", ""))
    try:
        validate_uscc(code)
    except ValidationError:
        return ""
    return code


def _party(applicant) -> dict:
    """Who the permit is for. A person's ID number only where the standard asks for it (行政相对人类别 自然人:
    证件类型, 证件号码), and masked; the portal holds no ID document of an enterprise's 法定代表人."""
    person = applicant.kind == ApplicantKind.PERSON
    return {"行政相对人名称": applicant.name, "行政相对人类别": PARTY_KIND.get(applicant.kind, ""),
            "行政相对人代码_1(统一社会信用代码)": "" if person else applicant.identifier,
            "法定代表人": "" if person else applicant.legal_representative,
            "法定代表人证件类型": "", "法定代表人证件号码": "",
            "证件类型": PERSON_DOCUMENT if person else "",
            "证件号码": mask_identifier(applicant.identifier) if person else ""}


def _documents(application) -> dict:
    """The newest decision and revocation documents, {kind: document}, in one query."""
    rows = (application.documents.filter(kind__in=[DocumentKind.DECISION, DocumentKind.REVOCATION])
            .only("application", "kind", "number", "version", "issued_at").order_by("version", "issued_at", "id"))
    return {row.kind: row for row in rows}


def _decision(decision, application) -> dict:
    decided = timezone.localtime(application.decided_at).date().isoformat() if application.decided_at else ""
    return {"行政许可决定文书名称": decision.get_kind_display() if decision else "",
            "行政许可决定文书号": decision.number if decision else "", "许可决定日期": decided}


def _licence(application, licence) -> dict:
    from licensing.services.licences import licence_title  # a pure function; services import selectors

    return {"许可类别": PERMIT_CATEGORY, "许可证书名称": licence_title(application.item), "许可编号": licence.number,
            "许可内容": licence.scope, "有效期自": licence.valid_from.isoformat() if licence.valid_from else "",
            "有效期至": licence.valid_until.isoformat() if licence.valid_until else NO_END}


def _authority(application) -> dict:
    authority = authority_of(application)
    name, uscc = (authority.name, organisation_uscc(authority)) if authority is not None else ("", "")
    return {"许可机关": name, "许可机关统一社会信用代码": uscc, "数据来源单位": name, "数据来源单位统一社会信用代码": uscc}


def _remark(revocation, licence, state: str, note: str) -> str:
    if state != PERMIT_INVALID:
        return note
    named = f"（{revocation.get_kind_display()} {revocation.number}）" if revocation else ""
    return f"已撤销{named}：{licence.revocation_reason}".rstrip("：") + (f"；{note}" if note else "")


def licence_of(application) -> Licence | None:
    """The application's licence as the event left it (read afresh: the event changed it in this transaction)."""
    return Licence.objects.filter(application=application).first()


def permit_publicity_items(application, *, state: str, note: str = "", licence=None) -> dict:
    """The 行政许可 items of the application's licence (`licence`, when the caller has just read it);
    `state` is 当前状态 (notices.publicity.PERMIT_VALID or PERMIT_INVALID), `note` the 备注 (what a change changed)."""
    licence = licence or licence_of(application)
    documents = _documents(application)
    with in_source_language():
        return {**_party(application.applicant), **_decision(documents.get(DocumentKind.DECISION), application),
                **_licence(application, licence), **_authority(application), "当前状态": state,
                "备注": _remark(documents.get(DocumentKind.REVOCATION), licence, state, note)}
