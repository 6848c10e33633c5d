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
        **_ratings_chart(figures.get("ratings")),
    }


def _ratings_chart(ratings) -> dict:
    """好差评 (issue 15), in reports made since: received, poor, and the follow-ups' state at the quarter's end."""
    if ratings is None:
        return {}
    rows = [("收到评价", "rated"), ("差评", "poor"), ("逾期反馈", "answered_late"), ("季度末已逾期", "overdue_at_end")]
    return {"ratings": bar_chart("好差评及差评整改反馈", [label for label, _ in rows],
                                 [Series("件数", [ratings[key] for _, key in rows], AMBER)])}


# --- column charts (issue 15: the dashboards) ----------------------------------------------------
# Upright columns, one group per category (a month, a week) and one column per series, for figures that
# run along time. Every column carries its value (data-value, and a <title> a pointer or a screen reader
# reads), so a chart and the table beside it can be checked against each other.
COLUMN, COLUMN_GAP, COLUMN_GROUP_GAP, COLUMN_AREA = 12, 1, 10, 140
AXIS_LABEL, VALUE_LABEL = 11, 9.5  # font sizes (px) of the categories and of the values over the columns


def _text_width(text: str, size: float) -> float:
    """About how wide `text` runs at `size` px: a CJK character is a square, a Latin one about half."""
    return sum(size if ord(c) > 0x2E7F else size * 0.6 for c in text)


def _column(x: float, base: int, value, largest, colour: str, tip: str) -> str:
    height = COLUMN_AREA * value / largest
    top = base - height
    label = (f'<text x="{x + COLUMN / 2:.1f}" y="{top - 2:.1f}" font-size="{VALUE_LABEL}" '
             f'text-anchor="middle">{value}</text>') if value else ""
    return (f'<rect x="{x:.1f}" y="{top:.1f}" width="{COLUMN}" height="{height:.1f}" fill="{colour}" '
            f'data-value="{value}"><title>{escape(tip)}</title></rect>{label}')


def column_chart(title: str, categories: list[str], series: list[Series]) -> SafeString:
    """An SVG chart of `series` (each one value per category) in upright columns over `categories`."""
    group = len(series) * COLUMN + (len(series) - 1) * COLUMN_GAP
    widest = max([_text_width(c, AXIS_LABEL) for c in categories] + [0])
    step = max(group, widest + 4) + COLUMN_GROUP_GAP
    left, top = 8, TOP + (LEGEND if len(series) > 1 else 0) + 14
    base = top + COLUMN_AREA
    legend = left + sum(32 + CHAR * len(s.name) for s in series) if len(series) > 1 else 0
    width = int(max(left + step * len(categories) + 8, legend))
    height = base + AXIS_LABEL + 12
    largest = max([v for s in series for v in s.values] + [1])
    parts = _legend(series, left)
    for index, category in enumerate(categories):
        x = left + index * step + (step - group) / 2
        for n, s in enumerate(series):
            parts.append(_column(x + n * (COLUMN + COLUMN_GAP), base, s.values[index], largest, s.colour,
                                 f"{category} {s.name}: {s.values[index]}"))
        parts.append(f'<text x="{left + index * step + step / 2:.1f}" y="{base + AXIS_LABEL + 4}" '
                     f'font-size="{AXIS_LABEL}" text-anchor="middle">{escape(category)}</text>')
    axis = f'<line x1="{left}" y1="{base}" x2="{width - 4}" y2="{base}" stroke="#333" stroke-width="0.8"/>'
    svg = (f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" aria-label="{escape(title)}" '
           f'width="100%" viewBox="0 0 {width} {height}" font-family="{FONT}">'
           f'<title>{escape(title)}</title>{"".join(parts)}{axis}</svg>')
    return mark_safe(svg)  # noqa: S308 - every text in it is escaped above; the rest are our own numbers
