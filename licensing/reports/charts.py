"""Bar charts for the report's PDF, drawn here as SVG (no library, nothing fetched): WeasyPrint draws
inline SVG as vectors, sharp on paper, and the HTML page can show the same chart.

Horizontal bars, one group per category and one bar per series, each bar labelled with its value, so a
chart reads without its table (which stands beside it all the same).
"""
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

BLUE, GREEN, RED, GREY, AMBER = "#1f5fa8", "#2e7d32", "#c62828", "#757575", "#b26a00"
FONT = "Noto Sans CJK SC, sans-serif"
# In CSS px (the PDF draws the SVG at its own size): labels at 11.5 px, about the tables' 9 pt.
AREA, VALUE_WIDTH, CHAR = 130, 36, 12  # the bars' room, their values', a label's character (CJK)
MAX_LABEL = 12  # characters; a longer label is cut with "…" (the table beside gives it in full)
BAR, BAR_GAP, GROUP_GAP, TOP = 15, 2, 10, 6
LEGEND = 22


@dataclass(frozen=True)
class Series:
    name: str
    values: list
    colour: str = BLUE


def _label(text: str) -> str:
    return text if len(text) <= MAX_LABEL else text[:MAX_LABEL - 1] + "…"


def _legend(series: list[Series], x: int) -> list[str]:
    if len(series) < 2:
        return []
    parts = []
    for s in series:
        parts.append(f'<rect x="{x}" y="{TOP}" width="12" height="12" fill="{s.colour}"/>'
                     f'<text x="{x + 16}" y="{TOP + 11}" font-size="11">{escape(s.name)}</text>')
        x += 16 + CHAR * len(s.name) + 16
    return parts


def bar_chart(title: str, categories: list[str], series: list[Series]) -> SafeString:
    """An SVG chart of `series` (each one value per category) over `categories`."""
    labels = [_label(c) for c in categories]
    label_width = CHAR * max([len(text) for text in labels] + [4]) + 8
    width = label_width + AREA + VALUE_WIDTH
    top = TOP + (LEGEND if len(series) > 1 else 0)
    group = len(series) * BAR + (len(series) - 1) * BAR_GAP
    height = top + len(categories) * (group + GROUP_GAP) + 4
    largest = max([v for s in series for v in s.values] + [1])
    parts = _legend(series, label_width)
    for index, category in enumerate(labels):
        y = top + index * (group + GROUP_GAP)
        parts.append(f'<text x="{label_width - 6}" y="{y + group / 2 + 4:.1f}" font-size="11.5" '
                     f'text-anchor="end">{escape(category)}</text>')
        for n, s in enumerate(series):
            value = s.values[index]
            bar_y, length = y + n * (BAR + BAR_GAP), AREA * value / largest
            parts.append(f'<rect x="{label_width}" y="{bar_y}" width="{length:.1f}" height="{BAR}" fill="{s.colour}"/>'
                         f'<text x="{label_width + length + 4:.1f}" y="{bar_y + BAR - 3}" font-size="11">{value}</text>')
    axis = f'<line x1="{label_width}" y1="{top - 2}" x2="{label_width}" y2="{height - 2}" stroke="#333" stroke-width="0.8"/>'
    svg = (f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" aria-label="{escape(title)}" '
           f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" font-family="{FONT}">'
           f'<title>{escape(title)}</title>{"".join(parts)}{axis}</svg>')
    return mark_safe(svg)  # noqa: S308 - every text in it is escaped above; the rest are our own numbers


def report_charts(figures: dict) -> dict:
    """One chart per section of the report, by its key."""
    applications = figures["applications"]["by_mode"]
    steps = figures["steps"]["quarter"]
    inspections, pushes = figures["inspections"], figures["pushes"]
    revocations, credit = figures["revocations"], figures["credit_records"]["by_reason"]
    inspection_rows = [("核查属实", "passed"), ("承诺不实", "failed"), ("责令限期整改", "rectify"),
                       ("季度末未办结", "open_at_end"), ("季度末已逾期", "overdue_at_end"), ("本季度双随机抽取", "drawn")]
    return {
        "applications": bar_chart("按改革方式统计的办件数", [r["label"] for r in applications],
                                  [Series("办件数", [r["count"] for r in applications])]),
        "steps": bar_chart("按期与逾期办理的环节数", [s["label"] for s in steps],
                           [Series("按期", [s["on_time"] for s in steps], GREEN),
                            Series("逾期", [s["late"] for s in steps], RED)]),
        "inspections": bar_chart("事后核查情况", [label for label, _ in inspection_rows],
                                 [Series("项数", [inspections[key] for _, key in inspection_rows], AMBER)]),
        "revocations": bar_chart("撤销许可件数", ["本部门办理", "系统逾期自动撤销"],
                                 [Series("件数", [revocations["by_officers"], revocations["by_portal"]], RED)]),
        "credit_records": bar_chart("记入诚信档案的记录数", [r["label"] for r in credit],
                                    [Series("记录数", [r["count"] for r in credit], GREY)]),
        "pushes": bar_chart("审批信息推送时效", ["按时推送", "超时推送", "尚未推送"],
                            [Series("条数", [pushes["on_time"], pushes["late"], pushes["undelivered"]], BLUE)]),
    }
