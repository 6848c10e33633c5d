"""The report as files: an xlsx workbook (one sheet per section) and an A4 PDF (each section's chart with
its table beside it). Both are drawn from the figures alone (QuarterlyReport.figures), as is the page
that shows the report, so the three say the same.
"""
import datetime as dt
import io
from dataclasses import dataclass, field

from django.utils.translation import gettext as _, gettext_noop as _noop, pgettext
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font

from licensing.i18n import local_date
from licensing.reports.charts import report_charts
from notices.reports_pdf import report_pdf
from portal import exports

PDF_TEMPLATE = "licensing/reports/report_pdf.html"
DEADLINE_NOTE = ("依据钦政发〔2019〕20号，各部门于每季度首月5日前报送上一季度的工作情况（牵头单位于10日前汇总报送）。"
                 "本报告由钦州市“证照分离”政务服务平台按平台记录生成。")


@dataclass
class Table:
    headers: list
    rows: list = field(default_factory=list)

    @property
    def cells(self) -> list:
        """Each row as (value, is a number) pairs: numbers are set flush right."""
        return [[(value, isinstance(value, int)) for value in row] for row in self.rows]


@dataclass
class Section:
    key: str
    title: str
    note: str
    summary: Table          # beside the chart
    details: Table | None = None  # below it: the rows counted


def _when(text: str) -> str:
    """An ISO time of the figures as the tables show it (minutes, Qinzhou time)."""
    return dt.datetime.fromisoformat(text).strftime("%Y-%m-%d %H:%M") if text else ""


def _applications(figures) -> Section:
    data = figures["applications"]
    rows = [[r["label"], r["count"]] for r in data["by_mode"]] + [[_("合计"), data["total"]]]
    return Section("applications", _("办件受理"), _("本季度向本部门提交的办件（本部门作出决定、受委托办理或负责初审的），按事项的改革方式统计。"),
                   Table([_("改革方式"), _("办件数")], rows))


def _steps(figures) -> Section:
    data = figures["steps"]
    summary = [[s["label"], s["total"], s["on_time"], s["late"], s["late_days"]] for s in data["quarter"]]
    total = data["total"]
    summary.append([_("合计"), total["total"], total["on_time"], total["late"], total["late_days"]])
    details = [[m["label"], s["label"], s["total"], s["on_time"], s["late"], s["late_days"]]
               for m in data["months"] for s in m["steps"] + [m["total"]]]
    return Section("steps", _("办理时效"), _("有办理期限的环节按期、逾期办理的数量（与“办理时效（电子监察）”页面按月统计的数字相同）："
                   "出具告知书（收到申请后3个工作日内）、作出许可决定（告知承诺当场作出，其他在承诺时限内）。"),
                   Table([_("环节"), _("办理数"), _("按期"), _("逾期"), _("逾期工作日")], summary),
                   Table([_("月份"), _("环节"), _("办理数"), _("按期"), _("逾期"), _("逾期工作日合计")], details))


INSPECTION_ROWS = [(_noop("本季度办结"), "done"), (_noop("其中：核查属实"), "passed"), (_noop("其中：承诺不实"), "failed"),
                   (_noop("其中：双随机抽查"), "done_from_draws"), (_noop("责令限期整改"), "rectify"),
                   (_noop("取消核查"), "cancelled"), (_noop("本季度双随机抽取"), "drawn"), (_noop("季度末未办结"), "open_at_end"),
                   (_noop("季度末已逾期"), "overdue_at_end")]


def _inspections(figures) -> Section:
    data = figures["inspections"]
    return Section("inspections", _("事后核查"), _("本部门（行业主管部门）的核查：本季度办结的按结果统计，责令整改按作出时间统计；"
                   "未办结、已逾期按季度最后一日结束时的情况统计（与核查工作台的“已逾期”口径相同）。"),
                   Table([_("项目"), _("项数")], [[_(label), data[key]] for label, key in INSPECTION_ROWS]))


def _revocations(figures) -> Section:
    data = figures["revocations"]
    rows = [[_("本部门办理"), data["by_officers"]], [_("系统逾期自动撤销"), data["by_portal"]], [_("合计"), data["total"]]]
    details = [[r["number"], r["item"], r["applicant"], _when(r["at"]), r["by"], r["reason"]] for r in data["rows"]]
    return Section("revocations", pgettext("report section", "撤销许可"), _("本季度撤销的许可：本部门审批人员办理的，和系统因逾期未补交材料、未达到条件按期自动撤销的本部门许可。"),
                   Table([_("撤销方式"), _("件数")], rows),
                   Table([_("办件编号"), _("事项"), _("申请人"), _("撤销时间"), _("撤销方式"), _("理由")], details))


def _credit(figures) -> Section:
    data = figures["credit_records"]
    rows = [[r["label"], r["count"]] for r in data["by_reason"]] + [[_("合计"), data["total"]]]
    details = [[r["number"], r["applicant"], r["reason_label"], _when(r["recorded_at"]), _("是") if r["repaired"] else _("否")]
               for r in data["rows"]]
    return Section("credit_records", _("诚信档案"), _("本季度由本部门认定、记入诚信档案的记录（告知承诺指引第九条）。"),
                   Table([_("事由"), _("记录数")], rows),
                   Table([_("办件编号"), _("申请人"), _("事由"), _("记录时间"), _("已信用修复")], details))


def _pushes(figures) -> Section:
    data = figures["pushes"]
    rows = [[_("本季度到期"), data["due"]], [_("按时推送"), data["on_time"]], [_("超时推送"), data["late"]],
            [_("尚未推送"), data["undelivered"]]]
    return Section("pushes", _("审批信息推送"), _("本部门的审批信息推送记录中，推送期限（事件后3个工作日，钦政办〔2019〕72号）在本季度内的，"
                   "按时送达、超时送达和生成报告时仍未送达的条数。"),
                   Table([_("项目"), _("条数")], rows))


RATING_ROWS = [("本季度收到评价", "rated"), ("其中：差评", "poor"), ("本季度整改反馈", "answered"),
               ("其中：逾期反馈", "answered_late"), ("季度末未反馈", "open_at_end"), ("季度末已逾期", "overdue_at_end")]


def _ratings(figures) -> Section | None:
    data = figures.get("ratings")
    if data is None:  # a report made before issue 15
        return None
    return Section("ratings", "好差评", "申请人对本部门办理情况的评价；“不满意”“非常不满意”的差评须在15个工作日内整改反馈。"
                   "未反馈、已逾期按季度最后一日结束时的情况统计（与“差评整改反馈”页面的“已逾期”口径相同）。",
                   Table(["项目", "件数"], [[label, data[key]] for label, key in RATING_ROWS]))


def report_sections(figures: dict) -> list[Section]:
    makers = (_applications, _steps, _inspections, _revocations, _credit, _pushes, _ratings)
    return [section for section in (maker(figures) for maker in makers) if section is not None]


def report_title(figures: dict) -> str:
    return _("%(organisation)s%(quarter)s“证照分离”改革工作情况报告") % {
        "organisation": figures["organisation"]["name"], "quarter": figures["label"]}


def report_period(figures: dict) -> str:
    first, last = (dt.date.fromisoformat(figures[k]) for k in ("first_day", "last_day"))
    return _("统计期间：%(first)s至%(last)s") % {"first": local_date(first), "last": local_date(last)}


# --- xlsx ----------------------------------------------------------------------------------------

def _cell(value):
    """Text without the control characters a workbook cannot hold, never starting a formula (portal.exports)."""
    if isinstance(value, str):
        return exports.defuse(ILLEGAL_CHARACTERS_RE.sub("", value))
    return value


def _write_table(sheet, table: Table, row: int) -> int:
    for column, header in enumerate(table.headers, start=1):
        sheet.cell(row=row, column=column, value=_cell(header)).font = Font(bold=True)
    for values in table.rows:
        row += 1
        for column, value in enumerate(values, start=1):
            sheet.cell(row=row, column=column, value=_cell(value))
    return row + 2


def _sheet(book, figures, section: Section) -> None:
    sheet = book.create_sheet(section.title)
    sheet.cell(row=1, column=1, value=_cell(f"{report_title(figures)}：{section.title}")).font = Font(bold=True, size=13)
    sheet.cell(row=2, column=1, value=_cell(report_period(figures)))
    sheet.cell(row=3, column=1, value=_cell(section.note)).alignment = Alignment(wrap_text=False)
    row = _write_table(sheet, section.summary, 5)
    if section.details is not None:
        _write_table(sheet, section.details, row)
    for column, width in zip("ABCDEF", (22, 24, 18, 18, 16, 40)):
        sheet.column_dimensions[column].width = width


def report_xlsx(figures: dict) -> bytes:
    """The workbook: one sheet per section, each titled with the department and the quarter."""
    book = Workbook()
    book.remove(book.active)
    for section in report_sections(figures):
        _sheet(book, figures, section)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# --- pdf -----------------------------------------------------------------------------------------

def report_context(figures: dict) -> dict:
    """What the PDF and the page show: each section with its chart (SVG) beside its table."""
    charts = report_charts(figures)
    sections = [{"section": s, "chart": charts.get(s.key)} for s in report_sections(figures)]
    return {"figures": figures, "title": report_title(figures), "period": report_period(figures),
            "generated_at": _when(figures["generated_at"]), "deadline_note": DEADLINE_NOTE, "sections": sections}


def report_document(figures: dict):
    """The A4 PDF and its HTML (notices.reports_pdf.RenderedDocument)."""
    return report_pdf(PDF_TEMPLATE, report_context(figures))
