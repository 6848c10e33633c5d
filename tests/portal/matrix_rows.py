"""The rows of the permission matrix (issue 4): for each URL name of the project, the request that
exercises it and the answer every persona gets. test_permission_matrix.py runs them.

Who is who (tests/conftest.py): applicant_user and colleague act for `enterprise`, whose
application of item 13 (告知承诺) every row about an application uses; outsider is another
applicant; officer and regulator are item 13's approval authority and industry regulator;
other_officer and other_regulator belong to other organisations; clerk works the window.
The steps of issue 11 need applications of their own (made by their rows' `args`): item 75,
which the officer's county police examines first (审查) before the region decides; a notice sent
by post; a licence on a commitment to meet the conditions by a date; a filing whose records go
to the regulator.
"""
import datetime as dt
import itertools
from collections.abc import Callable
from dataclasses import dataclass

from django.utils import timezone

from licensing.constants import Channel, CommitmentKind, MaterialDue, ReformMode, Status
from portal.constants import Role
from tests.factories import TEST_PASSWORD, UserFactory, pdf_file, second_factor_code
from tests.portal.permission_matrix import project_urls

PERSONAS = ("applicant_user", "colleague", "outsider", "clerk", "officer", "other_officer",
            "regulator", "other_regulator", "admin_user", "anonymous")
SIGNED_IN = PERSONAS[:-1]
APPLICANT_ACCOUNTS = ("applicant_user", "colleague", "outsider")
# Who may see the application: its applicant side, its authority's officer, its regulator, the admin.
APPLICANT_SIDE = ("applicant_user", "colleague", "clerk")
READERS_ONLY = ("officer", "regulator", "admin_user")  # for the applicant's steps
VIEWERS = APPLICANT_SIDE + READERS_ONLY
STRANGERS = ("outsider", "other_officer", "other_regulator")  # told it does not exist


@dataclass(frozen=True)
class Redirect:
    to: str                 # where the Location header starts
    refusal: bool = False   # a refusal (sign in first) rather than the success of a step


SIGN_IN = Redirect("/accounts/login/", refusal=True)
ADMIN_SIGN_IN = Redirect("/admin/login/", refusal=True)
DONE = Redirect("/applications/")  # a step done: back to the application page
HOME = Redirect("/")


@dataclass(frozen=True)
class Probe:
    method: str                              # "get" or "post"
    answers: dict                            # persona -> status code or Redirect
    state: str | None = None                 # the application's state the request needs (World.prepare)
    args: Callable = lambda w: ()            # reverse() arguments
    data: Callable = lambda w: None          # query (GET) or body (POST)
    json: bool = False                       # the body as JSON (the API)
    moves_to: str | None = None              # the application's status after an allowed step
    lists: tuple | None = None               # personas whose 200 lists the application; others' must not
    url_name: str | None = None              # for reverse() when the row's key is not a URL name ("admin")


def everyone(answer=200) -> dict:
    return dict.fromkeys(PERSONAS, answer)


def application_page(*, ok=200, anonymous=SIGN_IN) -> dict:
    return {**dict.fromkeys(VIEWERS, ok), **dict.fromkeys(STRANGERS, 404), "anonymous": anonymous}


def applicant_step(*, ok=DONE, anonymous=SIGN_IN) -> dict:
    return {**dict.fromkeys(APPLICANT_SIDE, ok), **dict.fromkeys(READERS_ONLY, 403),
            **dict.fromkeys(STRANGERS, 404), "anonymous": anonymous}


def officer_step(*, ok=DONE, anonymous=SIGN_IN) -> dict:
    return {"officer": ok, **dict.fromkeys(APPLICANT_SIDE + ("regulator", "admin_user"), 403),
            **dict.fromkeys(STRANGERS, 404), "anonymous": anonymous}


def desk(allowed, *, ok=200, anonymous=SIGN_IN) -> dict:
    return {**{p: ok if p in allowed else 403 for p in SIGNED_IN}, "anonymous": anonymous}


def api(answers: dict) -> dict:
    """The API's anonymous answer is 401 (a token is asked for), not a redirect."""
    return {**answers, "anonymous": 401}


# --- what the requests carry ---------------------------------------------------------------------

def number(w):
    return (w.application.number,)


def document_code(w):
    return (w.document().verification_code,)


def prepared_document_code(w):
    """The document with its PDFs already kept, as the worker leaves them after issue (issue 12): a download
    never renders, and one asked for before the worker's turn answers 202 (tests/notices/test_pdf_ahead.py)."""
    from notices.services import document_prepare_pdf

    document_prepare_pdf(w.document().pk)
    return document_code(w)


def upload_args(w):
    return (w.application.number, w.later_material().pk)


def material_file_args(w):
    return (w.application.number, w.handed_in_material().pk)


def earlier_file_args(w):
    """A file of the 申请书 that a second upload replaced (kept as history, issue 8)."""
    from licensing import services
    from licensing.models import MaterialFile

    material = w.item.materials.get(due=MaterialDue.AT_APPLICATION)
    for _ in range(2):
        services.material_submit(application=w.application, material_id=material.pk, upload=pdf_file("申请书.pdf"),
                                 actor=w.fixture("applicant_user"))
    earlier = MaterialFile.objects.get(submission__application=w.application, replaced_at__isnull=False)
    return (w.application.number, material.pk, earlier.pk)


def commit_form(w):
    confirmations = {f"confirm_{n}": "on" for n in range(1, 8)}
    return {"kind": CommitmentKind.ALREADY_MEETS, "signatory": "张三", **confirmations}


def commit_json(w):
    return {"kind": CommitmentKind.ALREADY_MEETS, "confirmations": [True] * 7, "signatory": "张三"}


def a_reason(w):
    return {"reason": "经审查，场所不符合治安管理要求。"}


def a_file(w):
    return {"file": pdf_file("安全设施说明.pdf")}


def credentials(w):
    """The persona's own credentials (staff with a one-time code); anonymous has none that work."""
    if w.user is None:
        return {"username": "nobody", "password": "Not-The-Password-1"}
    body = {"username": w.user.username, "password": TEST_PASSWORD}
    if w.user.is_staff_role:
        body["otp"] = second_factor_code(w.user)
    return body


def new_account(w):
    """An applicant account that asks at the window to act for the enterprise online."""
    return {"username": UserFactory(role=Role.APPLICANT).username}


def pending_claim(w):
    """Another account's claim to the enterprise, made online and not yet verified (issue 8)."""
    from licensing.models import ApplicantMembership

    claim = ApplicantMembership.objects.create(applicant=w.enterprise, user=UserFactory(role=Role.APPLICANT))
    return (w.enterprise.pk, claim.pk)


def submit_json(w):
    return {"item": w.item.code, "applicant": w.enterprise.identifier, "details": "经营场所：钦州市钦南区"}


def apply_form(w):
    return {"applicant": w.enterprise.pk, "wants_commitment": "yes", "details": "经营场所：钦州市钦南区"}


def progress_form(w):
    return {"number": w.application.number, "code": w.application.query_code}


def kept_decision_pdf(w):
    """The decision's PDF as the applicant downloaded it, uploaded to have its seal checked (issue 12)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from notices.services import document_pdf

    return {"pdf": SimpleUploadedFile("决定书.pdf", document_pdf(w.document()), content_type="application/pdf")}


# The same request naming an application or a document that does not exist: a stranger's 404 must
# read exactly like it, or the answer would tell that the application exists.
UNKNOWN_ARGS = {
    number: lambda w: ("QZ1999-999999",),
    upload_args: lambda w: ("QZ1999-999999", w.later_material().pk),
    document_code: lambda w: ("ZZZZZZZZZZZZ",),
    prepared_document_code: lambda w: ("ZZZZZZZZZZZZ",),
}


# --- the regulator's inbox (issue 9) ----------------------------------------------------------------

def inbox_delivered(w):
    """Deliver the application's approval records into the inbox, as the worker would (issue 9)."""
    from notices.constants import Destination
    from notices.outbox import outbox_deliver

    for record in w.application.outbox_records.filter(destination=Destination.INBOX):
        outbox_deliver(record.pk)
    return w.application.inbox_records.get(kind="approval.decided")


def inbox_record_args(w):
    return (inbox_delivered(w).pk,)


UNKNOWN_ARGS[inbox_record_args] = lambda w: (999_999_999,)


# --- the applications of issue 11's steps (made by `args`, so `state` is None) ----------------------

def _in_days(n):
    return timezone.localdate() + dt.timedelta(days=n)


def _the(w, application):
    w.application = application
    return (application.number,)


def first_review_args(w):
    """Item 75 accepted by the county police (the officer's organisation), which examines it first (审查);
    the city then 审核, the region decides. Its records go to the regulator."""
    from licensing import services
    from licensing.models import Item
    from tests.factories import route_item

    item = Item.objects.get(code="QZ-075")
    route_item(item, w.fixture("regulator").organisation)
    application = services.application_submit(item=item, applicant=w.enterprise, actor=w.fixture("applicant_user"),
                                              channel=Channel.ONLINE)
    return _the(w, services.application_accept(application=application, actor=w.fixture("officer")))


def mailed_notice_args(w):
    """Item 13 sent in by post at the window; the notice went out by post and its receipt is not recorded."""
    from licensing import services

    application = services.application_submit(item=w.item, applicant=w.enterprise, actor=w.fixture("clerk"),
                                              channel=Channel.MAIL)
    return _the(w, services.application_issue_notice(application=application, actor=w.fixture("officer")))


def _will_meet(w):
    from licensing import services
    from tests.factories import commitment_application

    application = commitment_application(item=w.item, applicant=w.enterprise, actor=w.fixture("applicant_user"),
                                         officer=w.fixture("officer"), channel="online",
                                         kind=CommitmentKind.WILL_MEET, meet_by=_in_days(30))
    for owed in application.materials.filter(status="owed"):
        services.material_submit(application=application, material_id=owed.material_id, upload=pdf_file(),
                                 actor=w.fixture("applicant_user"))
    return application


def will_meet_args(w):
    """Licensed on a commitment to meet the conditions by a date, the materials owed handed in."""
    return _the(w, _will_meet(w))


def conditions_declared_args(w):
    from licensing import services

    return _the(w, services.application_declare_conditions(application=_will_meet(w),
                                                           actor=w.fixture("applicant_user")))


def _filing(w):
    from licensing import services
    from licensing.models import Item
    from tests.factories import route_item

    item = Item.objects.filter(reform_mode=ReformMode.FILING).order_by("seq_no").first()
    route_item(item, w.fixture("regulator").organisation)
    return services.application_submit(item=item, applicant=w.enterprise, actor=w.fixture("applicant_user"),
                                       channel=Channel.ONLINE)


def filing_args(w):
    """The enterprise's filing (item 3, 审批改为备案), whose records go to the regulator."""
    return _the(w, _filing(w))


def filing_correction_args(w):
    from licensing import services

    return _the(w, services.application_mark_filing_untrue(
        application=_filing(w), actor=w.fixture("regulator"), findings="经营场所与备案不符。", correct_by=_in_days(10)))


for _made in (first_review_args, mailed_notice_args, will_meet_args, conditions_declared_args, filing_args,
              filing_correction_args):
    UNKNOWN_ARGS[_made] = lambda w: ("QZ1999-999999",)


def an_opinion(w):
    return {"opinion": "agree", "comments": "材料齐全，符合条件。"}


def a_receipt(w):
    return {"received_on": timezone.localdate().isoformat()}


def untrue_findings(w):
    return {"findings": "经营场所与备案不符。", "correct_by": _in_days(10).isoformat()}


def corrected_filing(w):
    return {"details": "经营场所：钦州市钦南区某路1号。"}


def regulator_step(*, ok=DONE, anonymous=SIGN_IN) -> dict:
    """The filing's regulator (谁主管、谁监管) acts; the applicant side and the admin read; the officer of
    another item's authority, like every stranger, is told it does not exist."""
    return {"regulator": ok, **dict.fromkeys(APPLICANT_SIDE + ("admin_user",), 403),
            **dict.fromkeys(STRANGERS + ("officer",), 404), "anonymous": anonymous}


def filer_step(*, ok=DONE, anonymous=SIGN_IN) -> dict:
    """The filer's side corrects a filing; its regulator and the admin read; the officer sees no filing."""
    return {**applicant_step(ok=ok, anonymous=anonymous), "officer": 404}


def _issue11_steps(ok, wrap):
    """The six steps of issue 11, as pages (`ok` a redirect) or through the API (`ok` 200, `wrap` api)."""
    def step(answers, args, moves_to, data=lambda w: {}):
        return [Probe("post", wrap(answers), args=args, data=data, json=wrap is api, moves_to=moves_to)]
    return {
        "forward": step(officer_step(ok=ok), first_review_args, Status.ACCEPTED, an_opinion),
        "record-notice-receipt": step(officer_step(ok=ok), mailed_notice_args, Status.NOTICE_ISSUED, a_receipt),
        "declare-conditions": step(applicant_step(ok=ok), will_meet_args, Status.APPROVED),
        "confirm-conditions": step(officer_step(ok=ok), conditions_declared_args, Status.APPROVED),
        "mark-filing-untrue": step(regulator_step(ok=ok), filing_args, Status.FILING_CORRECTION, untrue_findings),
        "correct-filing": step(filer_step(ok=ok), filing_correction_args, Status.FILED, corrected_filing),
    }


# --- the rows ------------------------------------------------------------------------------------

def _public_pages():
    return {
        "home": [Probe("get", everyone())],
        "catalogue": [Probe("get", everyone())],
        "item-guide": [Probe("get", everyone(), args=lambda w: ("QZ-013",))],
        "progress": [Probe("post", everyone(), state="approved", data=progress_form)],
        "commitments": [Probe("get", everyone(), state="approved")],
        "verify": [Probe("get", everyone(), state="approved", data=lambda w: {"code": w.document().verification_code})],
        # issue 12: anyone holding a downloaded PDF checks its seal
        "verify-pdf": [Probe("get", everyone()), Probe("post", everyone(), state="approved", data=kept_decision_pdf)],
        "login": [Probe("get", everyone())],
        "logout": [Probe("post", everyone(HOME))],
        # Applicants without a device have nothing to verify; staff signed in with theirs have passed it.
        "otp-verify": [Probe("get", {**dict.fromkeys(SIGNED_IN, HOME), "anonymous": SIGN_IN})],
        "otp-setup": [Probe("get", {**dict.fromkeys(SIGNED_IN, 200), "anonymous": SIGN_IN})],
        # Everyone lists their own devices; no one removes another account's (404: not among theirs).
        "otp-devices": [Probe("get", {**dict.fromkeys(SIGNED_IN, 200), "anonymous": SIGN_IN}),
                        Probe("post", {**dict.fromkeys(SIGNED_IN, 404), "anonymous": SIGN_IN},
                              data=lambda w: {"device": someone_elses_device()})],
    }


def someone_elses_device():
    """The persistent id of an authenticator bound to an account none of the personas is."""
    from django_otp.plugins.otp_totp.models import TOTPDevice
    return TOTPDevice.objects.create(user=UserFactory(), name="身份验证器", confirmed=True).persistent_id


def registration(w):
    """A visitor's own new account (issue 8): a fresh name each time, a password the rules accept."""
    name = f"newcomer{next(_NEW_ACCOUNTS)}"
    return {"username": name, "full_name": "赵六", "email": f"{name}@example.com",
            "new_password1": "Qinzhou-Newcomer-2026", "new_password2": "Qinzhou-Newcomer-2026"}


_NEW_ACCOUNTS = itertools.count(1)


def password_change_form(w):
    return {"old_password": TEST_PASSWORD, "new_password1": "Qinzhou-Changed-2026",
            "new_password2": "Qinzhou-Changed-2026"}


def _account_pages():
    # Only a visitor registers; whoever is signed in has an account already and is sent home.
    signed_in_home = dict.fromkeys(SIGNED_IN, HOME)
    return {
        "register": [
            Probe("get", {**signed_in_home, "anonymous": 200}),
            Probe("post", {**signed_in_home, "anonymous": Redirect("/my/applicants/")}, data=registration),
        ],
        "password-change": [
            Probe("get", {**dict.fromkeys(SIGNED_IN, 200), "anonymous": SIGN_IN}),
            Probe("post", {**signed_in_home, "anonymous": SIGN_IN}, data=password_change_form),
        ],
        # The same answer for an address with an account and without one, signed in or not.
        "password-reset": [
            Probe("get", everyone()),
            Probe("post", everyone(Redirect("/accounts/password/reset/sent/")),
                  data=lambda w: {"email": "nobody@example.com"}),
        ],
        "password-reset-done": [Probe("get", everyone())],
        # A link that is not one: the page says so, to everyone alike.
        "password-reset-confirm": [Probe("get", everyone(), args=lambda w: ("MQ", "not-a-token"))],
    }


def _applicant_pages():
    return {
        "my-applications": [Probe("get", desk(APPLICANT_ACCOUNTS), state="approved",
                                  lists=("applicant_user", "colleague"))],
        "my-applicants": [Probe("get", desk(APPLICANT_ACCOUNTS))],
        "apply": [
            Probe("get", desk(APPLICANT_ACCOUNTS), args=lambda w: (w.item.code,)),
            # The outsider may only choose its own applicants: the enterprise is not a choice (400).
            Probe("post", {**desk(APPLICANT_ACCOUNTS, ok=DONE), "outsider": 400}, args=lambda w: (w.item.code,),
                  data=apply_form),
        ],
    }


def _application_pages():
    return {
        "web-application-detail": [Probe("get", application_page(), state="approved", args=number)],
        "document-html": [Probe("get", application_page(), state="approved", args=document_code)],
        "document-content": [Probe("get", application_page(), state="approved", args=document_code)],
        "document-pdf": [Probe("get", application_page(), state="approved", args=prepared_document_code)],
        "web-application-material-file": [Probe("get", application_page(), state="approved",
                                                args=material_file_args)],
        "web-application-material-file-version": [Probe("get", application_page(), state="submitted",
                                                        args=earlier_file_args)],
    }


def _web_steps():
    def step(answers, state, moves_to, data=lambda w: None, args=number):
        return [Probe("post", answers, state=state, args=args, data=data, moves_to=moves_to)]
    return {
        "web-application-commit": step(applicant_step(), "ready_to_commit", Status.COMMITTED, commit_form),
        "web-application-material-upload": step(applicant_step(), "approved", Status.APPROVED, a_file, upload_args),
        "web-application-choose-ordinary": step(applicant_step(), "notice_issued", Status.SUBMITTED),
        "web-application-withdraw": step(applicant_step(), "notice_issued", Status.WITHDRAWN),
        "web-application-resubmit": step(applicant_step(), "correction", Status.ACCEPTED),
        "web-application-issue-notice": step(officer_step(), "submitted", Status.NOTICE_ISSUED),
        "web-application-decide": step(officer_step(), "committed", Status.APPROVED),
        "web-application-accept": step(officer_step(), "ordinary", Status.ACCEPTED),
        "web-application-request-correction": step(officer_step(), "accepted", Status.CORRECTION, a_reason),
        "web-application-approve": step(officer_step(), "accepted", Status.APPROVED),
        "web-application-reject": step(officer_step(), "accepted", Status.REJECTED, a_reason),
        "web-application-revoke": step(officer_step(), "approved", Status.REVOKED, a_reason),
        **{f"web-application-{name}": probes for name, probes in _issue11_steps(DONE, lambda a: a).items()},
    }


def printable(w):
    """A committed application whose notice and commitment PDFs a worker has kept, so the clerk gets
    the print itself (200, not "being prepared"); the others are refused before any PDF is read, so
    theirs are not rendered (it takes seconds)."""
    from notices.printing import documents_to_print
    from notices.services import document_pdf

    if w.user is not None and w.user.role == Role.CLERK:
        for document in documents_to_print(w.application):
            document_pdf(document)
    return number(w)


def _desks():
    window = ("clerk",)
    return {
        "window-desk": [Probe("get", desk(window))],
        "window-applicant": [Probe("get", desk(window), state="approved", args=lambda w: (w.enterprise.pk,),
                                   lists=window)],
        "window-bind-account": [Probe("post", desk(window, ok=Redirect("/desk/window/applicants/")),
                                      args=lambda w: (w.enterprise.pk,), data=new_account)],
        # The window settles who acts for the enterprise online: verify a claim, or remove a false one.
        "window-claim-verify": [Probe("post", desk(window, ok=Redirect("/desk/window/applicants/")),
                                      args=pending_claim)],
        "window-claim-remove": [Probe("post", desk(window, ok=Redirect("/desk/window/applicants/")),
                                      args=pending_claim, data=lambda w: {"reason": "证照核对不符"})],
        # issue 12: the clerk prints the notice and the commitment, two copies each (附件3 第二条).
        "window-print-notice-commitment": [Probe("get", desk(window), state="committed", args=printable)],
        # Every officer has a desk; it lists only the own authority's work (谁审批、谁负责).
        "officer-desk": [Probe("get", desk(("officer", "other_officer")), state="committed", lists=("officer",))],
        # issue 9: the 3-working-day SLA of approval records, for admins (all records) and approval
        # officers (their own authority's: a decided application's record shows to its officer only).
        "records-sla": [Probe("get", desk(("officer", "other_officer", "admin_user")), state="approved",
                              lists=("officer", "admin_user"))],
        # issue 11: 办理时效（电子监察）, for the same people as the SLA page (their own organisation's steps).
        "records-efficiency": [Probe("get", desk(("officer", "other_officer", "admin_user")), state="approved")],
    }


def _api_public():
    return {
        "api-root": [Probe("get", everyone())],
        "item-list": [Probe("get", everyone())],
        "item-detail": [Probe("get", everyone(), args=lambda w: ("QZ-013",))],
        "calendar-add-working-days": [Probe("get", everyone(), data=lambda w: {"start": "2024-09-30", "days": 3})],
        "auth-token": [Probe("post", {**everyone(200), "anonymous": 400}, data=credentials, json=True)],
        "application-progress": [Probe("get", everyone(), state="approved", args=number,
                                       data=lambda w: {"code": w.application.query_code})],
        "schema": [Probe("get", everyone())],
        "api-docs": [Probe("get", everyone())],
    }


def _api_applications():
    # Filing is for the applicant side; the others are refused whoever they name (403).
    create = {**dict.fromkeys(SIGNED_IN, 403), **dict.fromkeys(APPLICANT_SIDE, 201)}
    return {
        "application-list": [
            Probe("get", api(everyone()), state="approved", lists=VIEWERS),
            Probe("post", api(create), data=submit_json, json=True),
        ],
        "application-detail": [Probe("get", api(application_page()), state="approved", args=number)],
    }


def _api_steps():
    def step(answers, state, moves_to, data=lambda w: {}, args=number, json=True):
        return [Probe("post", api(answers), state=state, args=args, data=data, json=json, moves_to=moves_to)]
    return {
        "application-commit": step(applicant_step(ok=200), "ready_to_commit", Status.COMMITTED, commit_json),
        "application-material-upload": step(applicant_step(ok=200), "approved", Status.APPROVED, a_file,
                                            upload_args, json=False),
        "application-choose-ordinary": step(applicant_step(ok=200), "notice_issued", Status.SUBMITTED),
        "application-withdraw": step(applicant_step(ok=200), "notice_issued", Status.WITHDRAWN),
        "application-resubmit": step(applicant_step(ok=200), "correction", Status.ACCEPTED),
        "application-issue-notice": step(officer_step(ok=200), "submitted", Status.NOTICE_ISSUED),
        "application-decide": step(officer_step(ok=200), "committed", Status.APPROVED),
        "application-accept": step(officer_step(ok=200), "ordinary", Status.ACCEPTED),
        "application-request-correction": step(officer_step(ok=200), "accepted", Status.CORRECTION, a_reason),
        "application-approve": step(officer_step(ok=200), "accepted", Status.APPROVED),
        "application-reject": step(officer_step(ok=200), "accepted", Status.REJECTED, a_reason),
        "application-revoke": step(officer_step(ok=200), "approved", Status.REVOKED, a_reason),
        **{f"application-{name}": probes for name, probes in _issue11_steps(200, api).items()},
    }


def _inbox():
    """The records pushed to the regulator's organisation (谁主管、谁监管): its regulators read and sign
    for them; another organisation's regulator is told a record does not exist (404). The inbox is
    403 to everyone who reads none, like the staff desks; through the API a record is 404 to them."""
    def reader(ok, stranger, others):
        # Officers read their own organisation's inbox (revocations arrive there), not the regulator's.
        return {**dict.fromkeys(SIGNED_IN, others), "regulator": ok,
                **dict.fromkeys(("other_regulator", "officer", "other_officer"), stranger), "anonymous": SIGN_IN}

    def delivered(w):
        inbox_delivered(w)
        return None
    inbox_record = Redirect("/supervision/inbox/")
    return {
        "supervision-inbox": [Probe("get", reader(200, 200, 403), state="approved", data=delivered,
                                    lists=("regulator",))],
        "supervision-inbox-record": [Probe("get", reader(200, 404, 403), state="approved", args=inbox_record_args)],
        "supervision-inbox-ack": [Probe("post", reader(inbox_record, 404, 403), state="approved",
                                        args=inbox_record_args)],
        "inbox-list": [Probe("get", api(reader(200, 200, 403)), state="approved", data=delivered,
                             lists=("regulator",))],
        "inbox-detail": [Probe("get", api(reader(200, 404, 404)), state="approved", args=inbox_record_args)],
        "inbox-ack": [Probe("post", api(reader(200, 404, 404)), state="approved", args=inbox_record_args, json=True)],
    }


# --- the regulator's inspections through the API (issue 10) ---------------------------------------

def inspection_args(w):
    return (w.application.inspection.pk,)


def two_inspectors(w):
    """The regulator and a colleague of its organisation (两名以上执法人员), by username."""
    regulator = w.fixture("regulator")
    colleague = UserFactory(role=Role.REGULATOR, organisation=regulator.organisation)
    return {"inspectors": [regulator.username, colleague.username]}


def assigned_inspection_args(w):
    """The inspection with its two inspectors assigned, so that a result may be recorded."""
    from supervision import services

    inspection = w.application.inspection
    services.inspection_assign(inspection=inspection, inspectors=[
        w.fixture("regulator"), UserFactory(role=Role.REGULATOR, organisation=inspection.regulator)],
        actor=w.fixture("regulator"))
    return (inspection.pk,)


UNKNOWN_ARGS[inspection_args] = lambda w: (999_999_999,)
UNKNOWN_ARGS[assigned_inspection_args] = lambda w: (999_999_999,)


def _inspections_api():
    """The queue of the item's regulator (谁主管、谁监管): its regulators read and work it; another
    organisation's regulator sees an empty queue and is told an inspection does not exist (404), as
    is everyone else; the list is 403 to those who work no queue, like the inbox."""
    def worker(ok, stranger, others):
        return api({**dict.fromkeys(SIGNED_IN, others), "regulator": ok, "other_regulator": stranger})

    def conforms(w):
        return {"outcome": "conforms", "note": "现场核查，承诺属实。"}
    return {
        "inspection-list": [Probe("get", worker(200, 200, 403), state="approved", lists=("regulator",))],
        "inspection-detail": [Probe("get", worker(200, 404, 404), state="approved", args=inspection_args)],
        "inspection-assign": [Probe("post", worker(200, 404, 404), state="approved", args=inspection_args,
                                    data=two_inspectors, json=True)],
        "inspection-result": [Probe("post", worker(201, 404, 404), state="approved",
                                    args=assigned_inspection_args, data=conforms, json=True)],
    }


# --- the regulator's workbench in the browser (issue 10) -----------------------------------------------

def inspection_file_args(w):
    """An on-site photo of a result the regulator recorded: (inspection, file)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from supervision import services

    (inspection_id,) = assigned_inspection_args(w)
    photo = SimpleUploadedFile("现场.jpg", b"\xff\xd8\xff\xe0" + b"0" * 64, content_type="image/jpeg")
    result = services.inspection_record_result(inspection=w.application.inspection, actor=w.fixture("regulator"),
                                               outcome="conforms", note="现场核查，承诺属实。", files=[photo])
    return (inspection_id, result.files.get().pk)


UNKNOWN_ARGS[inspection_file_args] = lambda w: (999_999_999, 999_999_999)


def _regulator_desk():
    """核查工作台: every regulator with an organisation has one, listing only its own organisation's
    checks (谁主管、谁监管); a check of another organisation is 404 to its regulators, and the pages
    are 403 to everyone who works no queue, like the other staff desks."""
    def worker(ok):
        return {**dict.fromkeys(SIGNED_IN, 403), "regulator": ok, "other_regulator": 404, "anonymous": SIGN_IN}

    done = Redirect("/desk/regulator/inspections/")
    return {
        "regulator-desk": [Probe("get", desk(("regulator", "other_regulator")), state="approved",
                                 lists=("regulator",))],
        "regulator-desk-export": [Probe("get", desk(("regulator", "other_regulator")), state="approved")],
        "regulator-inspection": [Probe("get", worker(200), state="approved", args=inspection_args)],
        "regulator-inspection-assign": [Probe("post", worker(done), state="approved", args=inspection_args,
                                              data=two_inspectors)],
        "regulator-inspection-result": [Probe("post", worker(done), state="approved", args=assigned_inspection_args,
                                              data=lambda w: {"outcome": "conforms", "note": "现场核查，承诺属实。"})],
        "regulator-inspection-file": [Probe("get", worker(200), state="approved", args=inspection_file_args)],
    }


def _admin():
    # The Django admin (one row for the whole site): staff accounts with is_staff only.
    return {"admin": [Probe("get", {**dict.fromkeys(PERSONAS, ADMIN_SIGN_IN), "admin_user": 200},
                             url_name="admin:index")]}


def _issue14():
    """双随机、一公开, the credit record in public and the quarterly reports: each part keeps its rows in
    its own module (imported here, after the names they use are defined)."""
    from tests.portal import matrix_rows_credit, matrix_rows_directories, matrix_rows_draws, matrix_rows_reports

    rows = {}
    for part in (matrix_rows_draws, matrix_rows_directories, matrix_rows_credit, matrix_rows_reports):
        assert not set(rows) & set(part.ROWS), "a URL has rows in two modules"
        rows.update(part.ROWS)
    return rows


def _issue15():
    """Every role's day: start pages and dashboards, 好差评, the business-scope finder, progressive lists and
    the language switch, each part in its own module."""
    from tests.portal import (matrix_rows_finder, matrix_rows_i18n, matrix_rows_lists, matrix_rows_ratings,
                              matrix_rows_start)

    rows = {}
    for part in (matrix_rows_start, matrix_rows_ratings, matrix_rows_finder, matrix_rows_lists, matrix_rows_i18n):
        assert not set(rows) & set(part.ROWS), "a URL has rows in two modules"
        rows.update(part.ROWS)
    return rows


def _issue16():
    """The systems the gazette names: each connection keeps its rows in its own module."""
    from tests.portal import (
        matrix_rows_oidc, matrix_rows_publicity, matrix_rows_registrations, matrix_rows_registrations_api,
    )

    rows = {}
    for part in (matrix_rows_oidc, matrix_rows_registrations_api, matrix_rows_registrations, matrix_rows_publicity):
        assert not set(rows) & set(part.ROWS), "a URL has rows in two modules"
        rows.update(part.ROWS)
    return rows


MATRIX = {**_public_pages(), **_account_pages(), **_applicant_pages(), **_application_pages(), **_web_steps(),
          **_desks(), **_api_public(), **_api_applications(), **_api_steps(), **_inbox(), **_inspections_api(),
          **_regulator_desk(), **_admin(), **_issue14(), **_issue15(), **_issue16()}


def api_keys():
    """The rows under /api/ (they are asked again with a token)."""
    api_routes = {url.key for url in project_urls() if url.route.startswith("api/")}
    return [key for key in MATRIX if key in api_routes]
