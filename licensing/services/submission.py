"""Receiving an application, for any of the four reform modes."""
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _, gettext_noop

from licensing.constants import NOTICE_WORKING_DAYS, Action, Channel, MaterialDue, ReformMode, Route, Status
from licensing.i18n import in_source_language
from licensing.models import Application, ApplicationReview
from licensing.selectors.authorities import decider_option, decider_options, review_chain
from licensing.services._core import _allocate_number, _check_notice_content, _event, _today, _working_days_after
from licensing.services.commitment import application_issue_notice
from licensing.services.materials import check_uploads, material_submissions_open, material_submit
from portal.uploads import removed_on_error
from licensing.selectors.routing import regulator_for
from licensing.services.records import record_push
from notices.constants import DocumentKind, RecordKind
from notices.services import document_issue
from portal.exceptions import InvalidInput
from supervision import selectors as supervision_selectors

DIRECT_OUTCOME = {ReformMode.CANCEL: (Status.RECORDED, DocumentKind.CANCEL_RECEIPT),
                  ReformMode.FILING: (Status.FILED, DocumentKind.FILING_RECEIPT)}
# The record each direct outcome pushes to the regulator ("登记信息将推送至…", 备案信息).
DIRECT_RECORD = {ReformMode.CANCEL: (RecordKind.REGISTERED, "registered"), ReformMode.FILING: (RecordKind.FILED, "filed")}


# --- submission ----------------------------------------------------------------------------

@transaction.atomic
@removed_on_error()  # a later step that fails takes the uploaded files with it
def application_submit(*, item, applicant, actor, channel=Channel.ONLINE, details="",
                       wants_commitment=True, uploads=None, authority=None) -> Application:
    """Receive an application for any of the four modes.

    Cancel and filing items are done at once (回执). A commitment item goes the commitment way
    unless the applicant declines or is barred by a credit record (附件3 第九、十条); at the
    window the notice is handed over on the spot, otherwise it is due in 3 working days.

    `uploads` ({material id: file}) are materials due with the application, handed in with it:
    every file is checked before anything is saved, so a refusal leaves nothing on disk.

    `authority` (an organisation or its id) is the deciding authority chosen among the item's
    (licensing.selectors.authorities: alternatives, or an entrusted one); the first when not given.
    """
    if channel not in Channel.values:
        raise InvalidInput(_("申请渠道无效。"), field="channel")
    option = _decider(item, authority)
    uploads = _check_uploads_for(item, uploads or {})
    now = timezone.now()
    application = Application(item=item, applicant=applicant, submitted_by=actor, channel=channel,
                              details=(details or "").strip(), submitted_at=now, number=_allocate_number(now),
                              authority=option.authority if option else None,
                              entrusted=option.entrusted if option else None)
    reason = ""
    if item.reform_mode in DIRECT_OUTCOME:
        application.status, document_kind = DIRECT_OUTCOME[item.reform_mode]
        application.closed_at = now
    elif item.reform_mode == ReformMode.COMMITMENT:
        reason = _choose_route(application, item, applicant, wants_commitment)
    application.regulator = regulator_for(application)  # who may see it meanwhile; fixed again at each record
    chain = review_chain(item, application.authority) if item.reform_mode not in DIRECT_OUTCOME else []
    application.reviewing = chain[0].organisation if chain else None
    application.save()
    _event(application, Action.SUBMIT, "", actor, reason)
    ApplicationReview.objects.bulk_create(
        ApplicationReview(application=application, organisation=row.organisation, role=row.role, order=n,
                          submitted_at=application.submitted_at)
        for n, row in enumerate(chain))
    material_submissions_open(application=application)
    for material_id, upload in uploads.items():
        material_submit(application=application, material_id=material_id, upload=upload, actor=actor)
    if item.reform_mode in DIRECT_OUTCOME:
        document_issue(application=application, kind=document_kind)
        record_kind, outcome = DIRECT_RECORD[item.reform_mode]
        record_push(application, record_kind, outcome=outcome)
    elif application.route == Route.COMMITMENT and channel == Channel.WINDOW:
        application = application_issue_notice(application=application, actor=actor)
    return application


def _choose_route(application, item, applicant, wants_commitment) -> str:
    record = supervision_selectors.applicant_barred_from_commitment(applicant)
    if record is not None:
        application.route = Route.ORDINARY
        with in_source_language():  # the event's reason: a record, in Chinese
            return (f"申请人因“{record.get_reason_display()}”已记入诚信档案，依据告知承诺指引第九条不再适用告知承诺，"
                    "按一般程序办理。")
    if not wants_commitment:
        application.route = Route.ORDINARY
        return gettext_noop("申请人不愿作出承诺，按一般程序办理（告知承诺指引第十条）。")
    if application.channel == Channel.WINDOW:
        _check_notice_content(item)  # the notice is handed over on the spot: it must exist
    application.route = Route.COMMITMENT
    application.notice_due = (_today() if application.channel == Channel.WINDOW
                              else _working_days_after(_today(), NOTICE_WORKING_DAYS, application))
    return ""


def _decider(item, authority):
    """The chosen deciding authority of the item (an Organisation or its id), or the first one."""
    key = getattr(authority, "pk", authority)
    if isinstance(key, str) and key.strip() and not key.strip().isdigit():
        raise InvalidInput(_("审批机关应为机构编号。"), field="authority")
    option = decider_option(item, key.strip() if isinstance(key, str) else key)
    if option is None and key not in (None, ""):
        names = _("、").join(o.label for o in decider_options(item)) or _("（无）")
        raise InvalidInput(_("所选机关不是本事项的审批机关。可选：%(names)s。") % {"names": names}, field="authority")
    return option


def _check_uploads_for(item, uploads: dict) -> dict:
    """The files handed in with the application: materials of this item due at application, not
    those obtained by sharing (issue 16)."""
    if not uploads:
        return {}
    shared = {m.pk: (m.name, m.get_shared_source_display()) for m in item.materials.exclude(shared_source="")}
    return check_uploads(uploads, shared=shared, known=set(
        item.materials.filter(due=MaterialDue.AT_APPLICATION, shared_source="").values_list("pk", flat=True)))
