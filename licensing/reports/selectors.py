"""Who reads which department's quarterly reports, which departments owe one, and the reports kept.

A department's reports are read by its own approval officers and regulators (the desks that link to
them), and by the admin, who names the department (?organisation=<机构代码>); the others (applicants,
the window's clerks, staff without an organisation) get 403, as at the other staff desks.
"""
from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, QuerySet
from django.utils.translation import gettext_lazy

from licensing.models import QuarterlyReport
from portal.constants import OrgKind, Role
from portal.exceptions import InvalidInput, NotAllowed
from portal.models import Organisation
from portal.permissions import is_admin, is_officer, is_regulator

ONLY_STAFF = gettext_lazy("季度报告只供各部门的审批人员、监管人员和系统管理员查看。")
ONLY_OWN = gettext_lazy("只能查看本部门的季度报告。")
NAME_ONE = gettext_lazy("请用 organisation 参数指定部门（机构代码），如 organisation=D01。")
NO_SUCH = gettext_lazy("没有这个部门（机构代码不存在）。")
REPORTING_ROLES = (Role.OFFICER, Role.REGULATOR)


def may_read_reports(user) -> bool:
    """The admin, and an approval officer or regulator of an organisation."""
    if is_admin(user):
        return True
    return bool((is_officer(user) or is_regulator(user)) and user.organisation_id)


def report_organisation(user, code=None) -> Organisation | None:
    """The department whose reports `user` asks for: its own (a code naming another is refused, 403); for
    the admin the one `code` names (None when it names none; Organisation.DoesNotExist for an unknown one).
    NotAllowed for anyone who reads no reports."""
    if not may_read_reports(user):
        raise NotAllowed(ONLY_STAFF)
    code = (code or "").strip()
    if not is_admin(user):
        own = user.organisation
        if code and code.upper() != own.code.upper():
            raise NotAllowed(ONLY_OWN)
        return own
    if not code:
        return None
    if len(code) > 32 or "\x00" in code:
        raise InvalidInput(NO_SUCH, field="organisation")
    return Organisation.objects.get(code__iexact=code)


def departments() -> QuerySet[Organisation]:
    """Every organisation that may report (all but the service halls, which decide and supervise nothing)."""
    return Organisation.objects.exclude(kind=OrgKind.SERVICE_HALL).order_by("code")


def reporting_departments() -> QuerySet[Organisation]:
    """The departments the beat job reports for: those with an active approval officer or regulator in
    the portal, whose desks link to the reports. Any other department's report is made on demand."""
    staff = get_user_model().objects.filter(organisation=OuterRef("pk"), is_active=True, role__in=REPORTING_ROLES)
    return departments().filter(Exists(staff))


def reports_of(organisation) -> QuerySet[QuarterlyReport]:
    return QuarterlyReport.objects.filter(organisation=organisation).order_by("-year", "-quarter")


def report_of(organisation, period) -> QuarterlyReport | None:
    return reports_of(organisation).filter(year=period.year, quarter=period.quarter).first()


def as_staff_of(organisation, role: str = Role.OFFICER):
    """An unsaved member of `organisation` in `role`: the reader for whom a page's own selector lists the
    department's rows, so that a report counts exactly what that page shows its staff."""
    return get_user_model()(role=role, organisation=organisation, is_active=True, username=f"report-{organisation.code}")
