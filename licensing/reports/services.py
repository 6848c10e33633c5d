"""Making the quarterly reports (钦政发〔2019〕20号: each department by the 5th of a quarter's first month,
the lead unit by the 10th): on demand from a desk or the API, and by the beat job on the first days of
each quarter for the quarter just ended.

A report is kept once made (QuarterlyReport: its figures and its two files), so that what a department
sent can be read again; asking again returns it unchanged unless `regenerate` is given. The figures
and files are made outside the transaction (a PDF takes a second or two); the row is then written in
one, and if another run wrote it meanwhile (two beats, a desk's button and the API at once), that one
is kept and this run's files are removed.
"""
import logging
import secrets

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from licensing.i18n import in_source_language
from licensing.models import QuarterlyReport
from licensing.reports import files
from licensing.reports.figures import department_figures
from licensing.reports.periods import Quarter, last_ended, parse_quarter
from licensing.reports.selectors import report_of, reporting_departments
from portal import audit
from portal.models import AuditAction

logger = logging.getLogger("licensing.jobs")
STORED_UNDER = "reports"


def _store(organisation, period: Quarter, suffix: str, data: bytes) -> str:
    name = f"{STORED_UNDER}/{period.year}/Q{period.quarter}/{organisation.code}-{secrets.token_hex(8)}.{suffix}"
    return default_storage.save(name, ContentFile(data))


def _delete(*names) -> None:
    for name in names:
        if name:
            default_storage.delete(name)


def _made(organisation, period: Quarter) -> tuple[dict, str, str]:
    """The figures and the two stored files (their names)."""
    with in_source_language():  # what the department sends is in Chinese, whoever clicked (issue 15)
        figures = department_figures(organisation, period)
        xlsx = _store(organisation, period, "xlsx", files.report_xlsx(figures))
        try:
            pdf = _store(organisation, period, "pdf", files.report_document(figures).pdf)
        except BaseException:
            _delete(xlsx)
            raise
    return figures, xlsx, pdf


def _keep(organisation, period, figures, xlsx, pdf, regenerate) -> tuple[QuarterlyReport, list]:
    """Write the row; the files no row names any more (to delete once committed)."""
    values = {"figures": figures, "generated_at": timezone.now(), "xlsx": xlsx, "pdf": pdf}
    existing = (QuarterlyReport.objects.select_for_update()
                .filter(organisation=organisation, year=period.year, quarter=period.quarter).first())
    if existing is None:  # a concurrent insert of the same report fails on uniq_quarterly_report
        return QuarterlyReport.objects.create(organisation=organisation, year=period.year,
                                              quarter=period.quarter, **values), []
    if not regenerate:
        return existing, [xlsx, pdf]
    replaced = [existing.xlsx.name, existing.pdf.name]
    for name, value in values.items():
        setattr(existing, name, value)
    existing.save(update_fields=list(values))
    return existing, replaced


def quarterly_report_generate(*, organisation, year: int, quarter: int, actor=None,
                              regenerate: bool = False) -> QuarterlyReport:
    """The department's report of that quarter: the one kept, or made now (figures, xlsx and PDF, in the
    default storage) when there is none or `regenerate`. InvalidInput for a quarter that is no quarter, is
    before the pilot (2019) or has not ended."""
    period = parse_quarter(year, quarter)
    kept = report_of(organisation, period)
    if kept is not None and not regenerate:
        return kept
    figures, xlsx, pdf = _made(organisation, period)
    try:
        with transaction.atomic():
            report, unused = _keep(organisation, period, figures, xlsx, pdf, regenerate)
            if report.pdf.name == pdf:
                audit.write(AuditAction.REPORT_GENERATE, actor=actor, obj=report, details={
                    "organisation": organisation.code, "year": year, "quarter": quarter, "regenerate": regenerate})
            transaction.on_commit(lambda: _delete(*unused))
    except IntegrityError:  # another run made it between our look and our insert: theirs is kept
        _delete(xlsx, pdf)
        return report_of(organisation, period)
    except BaseException:
        _delete(xlsx, pdf)
        raise
    return report


def quarterly_reports_generate_due(today=None) -> list[str]:
    """The beat job: the last ended quarter's report of every reporting department that has none yet;
    each department on its own, one that fails logged and left for the next run (the job runs on
    four days). The reports made, as "<机构代码> <年>Q<季度>"."""
    period = last_ended(today)
    made = []
    reported = QuarterlyReport.objects.filter(organisation=OuterRef("pk"), year=period.year, quarter=period.quarter)
    missing = reporting_departments().exclude(Exists(reported))
    for organisation in missing:
        try:
            quarterly_report_generate(organisation=organisation, year=period.year, quarter=period.quarter)
        except Exception:  # noqa: BLE001 - one department's failure must not stop the others; logged in full
            logger.exception("quarterly reports: %s %s failed; the next run tries again", organisation.code, period.label)
            continue
        made.append(f"{organisation.code} {period.year}Q{period.quarter}")
    return made
