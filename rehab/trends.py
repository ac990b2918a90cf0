"""Between visits: adherence, pain and PSFS from the patient's own log (no Flask, no database).

Adherence of one exercise over a window (the last 7 or 28 days up to and including today):
  days      the window's days on or after the day the version was saved (a version saved
            today has a 1-day window), so days before the plan existed never count;
  expected  per_day x days x days_per_week / 7 sessions (per_day missing: 1; days_per_week
            missing: 7), so rest days are not held against the patient and a short window is
            prorated;
  done      the sessions ticked on those days, each day capped at per_day (over-ticking) and
            the whole capped at `expected` (doing a 3-days-a-week exercise daily is 100%).
Overall adherence is the done sessions of every item over their expected sessions. Only the
items the patient ticks count (`current_items`): the current phase's, as the tracking sheet
and the patient's page list them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Iterable, Mapping

from markupsafe import Markup, escape

from rehab.pdf.plan import HABITS  # the tracking sheet's rule, which the patient's page follows too

WINDOWS = (7, 28)


@dataclass(frozen=True)
class Day:
    """One day of the log as the figures need it (a LogDay row's plain values)."""

    day: dt.date
    ticks: Mapping[str, int] = field(default_factory=dict)
    pain: int | None = None


@dataclass
class ItemAdherence:
    exercise_id: str
    name: str
    expected: Fraction
    done: Fraction

    @property
    def percent(self) -> int | None:
        return percent(self.done, self.expected)


@dataclass
class Adherence:
    window: int  # 7 or 28
    days: int  # days counted (fewer than `window` when the version is younger)
    items: list[ItemAdherence]
    days_logged: int  # days with a log row in the window

    @property
    def expected(self) -> Fraction:
        return sum((i.expected for i in self.items), Fraction(0))

    @property
    def done(self) -> Fraction:
        return sum((i.done for i in self.items), Fraction(0))

    @property
    def percent(self) -> int | None:
        return percent(self.done, self.expected)


def percent(done: Fraction, expected: Fraction) -> int | None:
    """A whole percentage, half up (None when nothing was expected)."""
    if not expected:
        return None
    return int(Fraction(100) * done / expected + Fraction(1, 2))


def current_items(plan: Mapping) -> list[dict]:
    """The items the patient ticks: those of the plan's current phase (the first phase when
    none is named) that the printed tracking sheet lists (rehab.pdf.plan.tracked: advice
    items only with a timed dose), each once; none for a refused plan."""
    phases = plan.get("phases") or [] if plan.get("allowed") else []
    phase = next((p for p in phases if p.get("id") == plan.get("current_phase")), phases[0] if phases else None)
    items = list(phase.get("items") or []) if phase else []
    ticked = [i for i in items if i.get("category") != HABITS or (i.get("dosage") or {}).get("duration_min")] \
        or items
    first: dict[str, dict] = {}
    for i in ticked:
        first.setdefault(i["exercise_id"], i)
    return list(first.values())


def _dose(item: Mapping) -> tuple[int, int]:
    dosage = item.get("dosage") or {}
    per_day = dosage.get("per_day") or 1
    days_per_week = min(7, max(1, dosage.get("days_per_week") or 7))
    return max(1, per_day), days_per_week


def adherence(plan: Mapping, saved_on: dt.date, log: Iterable[Day], today: dt.date, window: int) -> Adherence:
    """Adherence over the last `window` days up to `today` (see the module's docstring)."""
    start = max(today - dt.timedelta(days=window - 1), saved_on)
    days = max(0, (today - start).days + 1)
    in_window = [d for d in log if start <= d.day <= today]
    items = []
    for item in current_items(plan):
        per_day, days_per_week = _dose(item)
        expected = Fraction(per_day * days * days_per_week, 7)
        ticked = sum(min(per_day, max(0, int(d.ticks.get(item["exercise_id"]) or 0))) for d in in_window)
        items.append(ItemAdherence(item["exercise_id"], item.get("name") or item["exercise_id"],
                                   expected, min(Fraction(ticked), expected)))
    return Adherence(window, days, items, len({d.day for d in in_window}))


def pain_series(log: Iterable[Day], start: dt.date, end: dt.date) -> list[tuple[dt.date, int]]:
    """(day, pain) for each day from `start` to `end` with a pain score, in date order."""
    return sorted((d.day, d.pain) for d in log if d.pain is not None and start <= d.day <= end)


@dataclass
class Psfs:
    """One PSFS: up to three activities, each scored 0 (unable) to 10 (as before)."""

    taken_on: dt.date
    source: str  # "clinic" or "patient"
    items: list[dict]

    @property
    def mean(self) -> float | None:
        scores = [i["score"] for i in self.items if i.get("score") is not None]
        return round(sum(scores) / len(scores), 1) if scores else None


def psfs_by_activity(scores: Iterable[Psfs]) -> dict[str, list[tuple[dt.date, int]]]:
    """Each activity's scores in date order, under the wording it was first given (activities
    are matched without regard to case or extra spaces)."""
    names: dict[str, str] = {}
    series: dict[str, list[tuple[dt.date, int]]] = {}
    for score in sorted(scores, key=lambda s: s.taken_on):
        for item in score.items:
            key = " ".join(str(item.get("activity", "")).split()).casefold()
            if not key or item.get("score") is None:
                continue
            name = names.setdefault(key, " ".join(item["activity"].split()))
            series.setdefault(name, []).append((score.taken_on, item["score"]))
    return series


def psfs_table(scores: list[Psfs], last: int = 4) -> tuple[list[Psfs], list[tuple[str, list[int | None]]]]:
    """The last `last` PSFS (oldest first) and, per activity, its score in each (None: not rated)."""
    columns = sorted(scores, key=lambda s: s.taken_on)[-last:]
    rows = []
    for name in psfs_by_activity(columns):
        key = name.casefold()
        rows.append((name, [next((i["score"] for i in c.items if " ".join(str(i.get("activity", "")).split())
                                  .casefold() == key), None) for c in columns]))
    return columns, rows


def sessions_text(value: Fraction) -> str:
    """A number of sessions: whole, else to one decimal ("3", "1.3")."""
    return str(int(value)) if value.denominator == 1 else f"{float(value):.1f}"


def day_text(day: dt.date) -> str:
    """"28 Mar", as the chart labels a day."""
    return _label(day)


def trend_words(values: list[float]) -> str:
    """"lower", "higher" or "about the same": the last value against the first (a change of
    less than 1 point is the same); "" with fewer than two values."""
    if len(values) < 2:
        return ""
    change = values[-1] - values[0]
    return "about the same" if abs(change) < 1 else ("lower" if change < 0 else "higher")


# ------------------------------------------------------------------ the chart

WIDTH, HEIGHT = 480, 240
LEFT, RIGHT, TOP, BOTTOM = 34, 12, 12, 34


def _x(day: dt.date, start: dt.date, span: int) -> float:
    return LEFT + (WIDTH - LEFT - RIGHT) * ((day - start).days / max(1, span))


def _y(value: float) -> float:
    return TOP + (HEIGHT - TOP - BOTTOM) * (1 - value / 10)


def _label(day: dt.date) -> str:
    return f"{day.day} {day.strftime('%b')}"


def chart_svg(pain: list[tuple[dt.date, int]], psfs: list[tuple[dt.date, float]],
              start: dt.date, end: dt.date, chart_id: str = "pain-chart") -> Markup:
    """Pain (0-10, solid line, round dots) and the PSFS mean (0-10, dashed line, squares) over
    the days from `start` to `end`, as inline SVG with a title and description. The page's
    table carries the same figures for screen readers."""
    span = (end - start).days
    parts = [f'<svg class="trend-chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
             f'aria-labelledby="{chart_id}-title {chart_id}-desc" xmlns="http://www.w3.org/2000/svg">',
             f'<title id="{chart_id}-title">Pain and PSFS from {_label(start)} to {_label(end)}</title>',
             f'<desc id="{chart_id}-desc">{escape(_describe(pain, psfs))}</desc>']
    for value in range(0, 11, 2):
        y = _y(value)
        parts.append(f'<line class="grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}"/>'
                     f'<text class="tick" x="{LEFT - 8}" y="{y + 4:.1f}" text-anchor="end">{value}</text>')
    ticks = sorted({start, end, *(start + dt.timedelta(days=d) for d in range(0, span + 1, 7))})
    for day in ticks:
        if day != end and (end - day).days < 5:  # would overlap the last label
            continue
        anchor = "end" if day == end and span else "middle"  # the last label ends at the plot's edge
        parts.append(f'<text class="tick" x="{_x(day, start, span):.1f}" y="{HEIGHT - BOTTOM + 20}" '
                     f'text-anchor="{anchor}">{_label(day)}</text>')
    for series, cls, mark in ((pain, "pain", "dot"), (psfs, "psfs", "square")):
        points = [(_x(day, start, span), _y(value)) for day, value in series]
        if len(points) > 1:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
            parts.append(f'<polyline class="line-{cls}" points="{path}"/>')
        for x, y in points:
            parts.append(f'<circle class="mark-{cls}" cx="{x:.1f}" cy="{y:.1f}" r="4"/>' if mark == "dot" else
                         f'<rect class="mark-{cls}" x="{x - 4:.1f}" y="{y - 4:.1f}" width="8" height="8"/>')
    parts.append("</svg>")
    return Markup("".join(parts))


def _describe(pain, psfs) -> str:
    words = []
    if pain:
        words.append(f"Pain logged on {len(pain)} day(s), from {pain[0][1]}/10 on {_label(pain[0][0])} "
                     f"to {pain[-1][1]}/10 on {_label(pain[-1][0])}.")
    else:
        words.append("No pain logged.")
    if psfs:
        words.append(f"PSFS mean from {psfs[0][1]:g} to {psfs[-1][1]:g} out of 10.")
    return " ".join(words)
