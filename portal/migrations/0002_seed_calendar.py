"""Seed the working-day calendar from the chinese-calendar package.

Every year the package knows (2004 onwards; 1.11 knows up to 2026) becomes a confirmed
CalendarYear, and every public holiday and make-up working day (调休上班) becomes a
CalendarDay. Weekends that are plain weekends are not stored: the Monday-to-Friday rule
covers them (see portal/calendar.py).

Days that already exist (entered by an admin before this ran) are left as they are.
This migration is self-contained on purpose: migrations must not import app code, and the
package's data is read once, at migrate time.
"""

import datetime

from django.db import migrations

SOURCE_PREFIX = "chinese-calendar "

# The package labels holidays with the English names of its Holiday enum.
CHINESE_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
}
COMBINED_NAME = "国庆节、中秋节"
MAKE_UP_SUFFIX = "调休上班"

# In 2020 the Mid-autumn Festival fell on 1 October and the notice gave one combined
# "国庆节、中秋节" break (1-8 October), but the package labels all eight days "National Day".
# Other combined years (2009, 2017, 2023, 2025...) carry both labels inside one run.
MID_AUTUMN_INSIDE_NATIONAL_DAY = {datetime.date(2020, 10, 1)}


def _runs(holidays):
    """Group holiday dates into runs of consecutive days: [[(date, label), ...], ...]."""
    runs = []
    for day in sorted(holidays):
        if runs and day - runs[-1][-1][0] == datetime.timedelta(days=1):
            runs[-1].append((day, holidays[day]))
        else:
            runs.append([(day, holidays[day])])
    return runs


def _run_name(run):
    labels = {label for _, label in run}
    if any(day in MID_AUTUMN_INSIDE_NATIONAL_DAY for day, _ in run):
        labels.add("Mid-autumn Festival")
    if {"National Day", "Mid-autumn Festival"} <= labels:
        return COMBINED_NAME
    # A run normally carries one label; take the most common one if it does not.
    main = max(labels, key=lambda lab: sum(1 for _, x in run if x == lab))
    return CHINESE_NAMES.get(main, main)


def _holiday_names(holidays):
    """date -> Chinese name, with the whole of a combined break named 国庆节、中秋节."""
    names, runs_named = {}, []
    for run in _runs(holidays):
        name = _run_name(run)
        runs_named.append((run, name))
        for day, _ in run:
            names[day] = name
    return names, runs_named


def _make_up_name(day, label, runs_named):
    """Name a make-up day after the nearest break it pays for (e.g. 春节调休上班)."""
    candidates = [
        (min(abs((d - day).days) for d, _ in run), name)
        for run, name in runs_named
        if any(lab == label for _, lab in run)
        or (name == COMBINED_NAME and label in ("National Day", "Mid-autumn Festival"))
    ]
    if candidates:
        distance, name = min(candidates)
        if distance <= 31:
            return name + MAKE_UP_SUFFIX
    return CHINESE_NAMES.get(label, label) + MAKE_UP_SUFFIX


def seed(apps, schema_editor):
    import chinese_calendar
    from chinese_calendar import constants

    CalendarDay = apps.get_model("portal", "CalendarDay")
    CalendarYear = apps.get_model("portal", "CalendarYear")
    version = getattr(chinese_calendar, "__version__", "1.x")
    source = f"{SOURCE_PREFIX}{version}（国务院办公厅节假日安排通知）"

    names, runs_named = _holiday_names(constants.holidays)
    rows = {day: (False, name) for day, name in names.items()}
    for day, label in constants.workdays.items():
        rows[day] = (True, _make_up_name(day, label, runs_named))

    existing = set(CalendarDay.objects.values_list("date", flat=True))
    CalendarDay.objects.bulk_create(
        CalendarDay(date=day, is_working_day=working, name=name)
        for day, (working, name) in sorted(rows.items())
        if day not in existing
    )
    years = sorted({day.year for day in constants.holidays})
    for year in years:
        CalendarYear.objects.update_or_create(
            year=year, defaults={"confirmed": True, "source": source}
        )


def unseed(apps, schema_editor):
    from chinese_calendar import constants

    CalendarDay = apps.get_model("portal", "CalendarDay")
    CalendarYear = apps.get_model("portal", "CalendarYear")
    seeded = sorted(set(constants.holidays) | set(constants.workdays))
    for i in range(0, len(seeded), 500):  # SQLite caps the number of query parameters
        CalendarDay.objects.filter(date__in=seeded[i : i + 500]).delete()
    CalendarYear.objects.filter(source__startswith=SOURCE_PREFIX).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(seed, unseed),
    ]
