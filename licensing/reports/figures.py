"""The figures of a department's quarterly report, each read through the selector of the page that lists
the same rows, so the report and the pages agree by construction (issue 14: "The numbers in the report
equal the numbers of the pages that list the same rows"):

- applications   the applications an officer of the department sees (applications_of_authority: decided
                 in its name, entrusted to it, or examined first by it), submitted in the quarter, by
                 the item's reform mode;
- steps          办理时效（电子监察）: the efficiency page's counts (licensing.selectors.efficiency, scoped
                 as the page scopes them for the department's officers), month by month, summed;
- inspections    the regulator's queue (supervision.selectors_reports);
- revocations    REVOKE events taken by the department's officers, and those the portal's beat job took
                 on its decisions (谁审批、谁撤销: the revocation is issued in the deciding authority's name);
- credit records the records the department made (认定机关);
- pushes         the approval records of its decisions due in the quarter (推送时效, the SLA page's rule).
- ratings        好差评 (issue 15): ratings of the department in the quarter, its follow-ups of poor ones
                 answered (and late), and those open and overdue as the quarter ended (the desk's rule,
                 licensing.selectors.ratings).

Every section is there for every department, with zeros where it has nothing (a regulator approves
nothing; an approval authority inspects nothing), so that no one reads a missing section as missing data.
Persons' names are masked as everywhere in public (licensing.selectors.public_name).
"""
import datetime as dt

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.functional import Promise

from licensing.constants import Action, ReformMode
from licensing.models import ApplicationEvent
from licensing.reports.periods import Quarter
from licensing.reports.selectors import as_staff_of
from licensing.selectors import STEP_KINDS, applications_of_authority, public_name, step_efficiency, timed_steps
from licensing.selectors.ratings import follow_up_figures
from notices import selectors_outbox
from portal.constants import OrgKind
from supervision import selectors_reports
from supervision.constants import CreditReason

FIGURES_VERSION = 2  # 2: with "ratings" (issue 15); reports made before have none
BY_OFFICERS, BY_PORTAL = "本部门办理", "系统逾期自动撤销"


def department_figures(organisation, period: Quarter, *, now: dt.datetime | None = None) -> dict:
    """Everything the report says, as JSON-ready data (kept in QuarterlyReport.figures as sent)."""
    now = now or timezone.now()
    officer = as_staff_of(organisation)
    return _plain({
        "version": FIGURES_VERSION,
        "organisation": {"code": organisation.code, "name": organisation.name, "kind": organisation.kind,
                         "kind_label": OrgKind(organisation.kind).label if organisation.kind in OrgKind.values else ""},
        "year": period.year, "quarter": period.quarter, "label": period.label,
        "first_day": period.first_day.isoformat(), "last_day": period.last_day.isoformat(),
        "generated_at": timezone.localtime(now).isoformat(timespec="seconds"),
        "applications": applications_by_mode(officer, period),
        "steps": steps_on_time(officer, period),
        "inspections": selectors_reports.inspection_figures(organisation.pk, start=period.start, end=period.end),
        "revocations": revocations(organisation, period),
        "credit_records": credit_records(organisation, period),
        "pushes": pushes(officer, period, now),
        "ratings": follow_up_figures(organisation.pk, start=period.start, end=period.end),
    })


def _plain(data):
    """The figures as plain JSON data: a label given in the language active (a lazy translation: the
    choices' labels, issue 15) is written out as text, as the report keeps and sends it."""
    if isinstance(data, dict):
        return {key: _plain(value) for key, value in data.items()}
    if isinstance(data, (list, tuple)):
        return [_plain(value) for value in data]
    return str(data) if isinstance(data, Promise) else data


def _local(moment) -> str:
    return timezone.localtime(moment).isoformat(timespec="seconds") if moment else ""


def applications_by_mode(officer, period: Quarter) -> dict:
    submitted = applications_of_authority(officer).filter(submitted_at__gte=period.start, submitted_at__lt=period.end)
    found = dict(submitted.order_by().values_list("item__reform_mode").annotate(n=Count("id")))
    by_mode = [{"mode": mode, "label": label, "count": found.get(mode, 0)} for mode, label in ReformMode.choices]
    return {"total": sum(row["count"] for row in by_mode), "by_mode": by_mode}


def _step(kind, label, on_time=0, late=0, late_days=0) -> dict:
    return {"kind": kind, "label": label, "on_time": on_time, "late": late, "late_days": late_days,
            "total": on_time + late}


def _added(a: dict, b: dict) -> dict:
    return _step(a["kind"], a["label"], a["on_time"] + b["on_time"], a["late"] + b["late"],
                 a["late_days"] + b["late_days"])


def _month(events, month: dt.date) -> dict:
    """One month as the efficiency page shows it (?month=YYYY-MM), every kind present, zeros included."""
    steps = {kind: _step(kind, label) for kind, (label, _) in STEP_KINDS.items()}
    for row in step_efficiency(events, month=month):
        for count in row["steps"]:
            steps[count.kind] = _added(steps[count.kind], _step(count.kind, count.label, count.on_time, count.late,
                                                                count.late_days))
    return {"month": f"{month:%Y-%m}", "label": f"{month.year}年{month.month}月", "steps": list(steps.values()),
            "total": _total(steps.values())}


def _total(steps) -> dict:
    total = _step("all", "合计")
    for step in steps:
        total = _added(total, {**step, "kind": "all", "label": "合计"})
    return total


def steps_on_time(officer, period: Quarter) -> dict:
    """办理时效: the department's steps with a deadline, on time and late, per month and for the quarter."""
    events = selectors_outbox.scoped_to_own_authority(timed_steps(), officer, "organisation_id")
    months = [_month(events, month) for month in period.months]
    quarter = []
    for kind, (label, _) in STEP_KINDS.items():
        step = _step(kind, label)
        for month in months:
            step = _added(step, next(s for s in month["steps"] if s["kind"] == kind))
        quarter.append(step)
    return {"months": months, "quarter": quarter, "total": _total(quarter)}


def _decided_by(organisation) -> Q:
    """Decided in the organisation's name or by it entrusted (licensing.selectors.authorities.decider_id)."""
    return (Q(application__entrusted_id=organisation.pk)
            | Q(application__entrusted__isnull=True, application__authority_id=organisation.pk))


def revocations(organisation, period: Quarter) -> dict:
    """撤销许可 in the quarter: by the department's officers, and by the portal on its decisions."""
    by_portal = Q(organisation__isnull=True, actor__isnull=True) & _decided_by(organisation)
    events = (ApplicationEvent.objects.filter(action=Action.REVOKE, at__gte=period.start, at__lt=period.end)
              .filter(Q(organisation_id=organisation.pk) | by_portal)
              .select_related("application__item", "application__applicant").order_by("at", "id"))
    rows = [{"number": e.application.number, "item": e.application.item.name,
             "applicant": public_name(e.application.applicant), "at": _local(e.at),
             "by": BY_PORTAL if e.organisation_id is None else BY_OFFICERS, "reason": (e.reason or "")[:200]}
            for e in events]
    return {"total": len(rows), "by_officers": sum(r["by"] == BY_OFFICERS for r in rows),
            "by_portal": sum(r["by"] == BY_PORTAL for r in rows), "rows": rows}


def credit_records(organisation, period: Quarter) -> dict:
    """记入诚信档案 by the department in the quarter, by reason, with each record."""
    records = list(selectors_reports.credit_records_made(organisation.pk, start=period.start, end=period.end))
    rows = [{"number": r.application.number if r.application_id else "", "applicant": public_name(r.applicant),
             "reason": r.reason, "reason_label": r.get_reason_display(), "recorded_at": _local(r.recorded_at),
             "repaired": r.repaired_at is not None} for r in records]
    by_reason = [{"reason": reason, "label": label, "count": sum(r["reason"] == reason for r in rows)}
                 for reason, label in CreditReason.choices]
    return {"total": len(rows), "by_reason": by_reason, "rows": rows}


def pushes(officer, period: Quarter, now) -> dict:
    """推送时效: the department's approval records due in the quarter (3 working days after the event,
    钦政办〔2019〕72号), as the SLA page counts them for its officers."""
    records = selectors_outbox.due_between(selectors_outbox.outbox_records_visible_to(officer),
                                           period.start, period.end)
    return selectors_outbox.push_counts(records, now)
