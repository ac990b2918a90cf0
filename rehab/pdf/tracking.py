"""The tracking sheet: one week per sheet. A row per exercise (its name and dose), a day
cell per day with one tick box per session (the dose's `per_day`), a notes column, and
rows for the day's worst pain and the next morning's pain. An exercise done on fewer
than 7 days a week has its days off shaded and marked "rest", spread through the week.

Drawn as one flowable with lines and strings rather than a Table of some 100
cells: the same picture for a fraction of the work."""

from __future__ import annotations

from dataclasses import dataclass

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, PageBreak

from .fonts import BOLD, REGULAR
from .layout import PlainText, labelled, para
from .styles import ACCENT, INK, MUTED, RULE, TINT, Styles

REST_TINT = colors.HexColor("#e6e6e6")

DAYS = 7
MIN_DAY_W = 15 * mm  # a date written by hand needs room
MAX_BOXES = 6  # more sessions a day than this: one box to write the number in
PAD = 3.0  # points inside each cell


@dataclass
class TrackRow:
    """One exercise: the flowables of its first cell, how many tick boxes a day and on
    how many days of the week."""

    cell: list[PlainText]
    boxes: int
    days: int = DAYS

    def active_days(self) -> set[int]:
        """The days (0-6) with tick boxes: `days` of them spread evenly from day 1, so
        the rest days fall between sessions (3 a week: days 1, 3 and 5)."""
        n = max(1, min(self.days or DAYS, DAYS))
        return {i * DAYS // n for i in range(n)}


REST = "rest"


class TrackingGrid(Flowable):
    """Splits between exercise rows, repeating the header and the date row; every part ends
    with the two pain rows, so each sheet page is a whole sheet to fill in."""

    def __init__(self, rows: list[TrackRow], st: Styles, width: float, with_pain_rows: bool = True):
        super().__init__()
        self.rows, self.st, self.total_w, self.with_pain_rows = rows, st, width, with_pain_rows
        # Large print: a wide first column, so a dose fits on one or two lines and the sheet on one
        # page, and a notes column wide enough to write a few words in.
        if st.large:  # day cells at their narrowest ("Day 7" clear of the lines), notes 32 mm, names the rest
            from reportlab.pdfbase.pdfmetrics import stringWidth

            head_w = stringWidth("Day 7", st.cell_bold.fontName, st.cell_bold.fontSize) + 2 * PAD + 4
            self.notes_w, self.day_w = 32 * mm, max(MIN_DAY_W, head_w)
            self.name_w = width - self.notes_w - DAYS * self.day_w
        else:
            self.name_w, self.notes_w = 78 * mm, 45 * mm
            self.day_w = max(MIN_DAY_W, (width - self.name_w - self.notes_w) / DAYS)
            self.notes_w = width - self.name_w - DAYS * self.day_w
        self.box = min(4.5 * mm, (self.day_w - 2 * PAD - 2 * 3.0) / 3)  # three boxes fit on one line
        self.box_h = 9 * mm  # room to write a number by hand
        self.row_pad = 3
        c, cb = st.cell, st.cell_bold
        self.head_name = para("Exercise and dose", cb)
        self.head_notes = para("Notes", cb)
        self.date = labelled("Date", "(write it in)", c)
        self.pain_rows = [labelled("Worst pain today", "(0 = none, 10 = worst)", c),
                          labelled("Pain next morning", "(0-10)", c)]

    def _boxes_h(self, n: int) -> float:
        lines = -(-min(n, MAX_BOXES) // self._per_line(3.0))
        return lines * (self.box + 3) + 2 * PAD

    def _per_line(self, gap: float) -> int:
        """Tick boxes that fit side by side in a day cell (no gap after the last)."""
        return max(1, int((self.day_w - 2 * PAD + gap + 1e-6) // (self.box + gap)))

    def _row_h(self, row: TrackRow) -> float:
        inner = sum(f.wrap(self.name_w - 2 * PAD, 1e6)[1] for f in row.cell)
        return max(inner + 2 * self.row_pad, self.box_h, self._boxes_h(row.boxes))

    def wrap(self, aw, ah):
        line = self.st.cell_bold.leading + 2 * PAD
        self._head_h = max(line, self.head_name.wrap(self.name_w - 2 * PAD, 1e6)[1] + 2 * PAD,
                           self.head_notes.wrap(self.notes_w - 2 * PAD, 1e6)[1] + 2 * PAD)
        self._date_h = max(self.box_h, self.date.wrap(self.name_w - 2 * PAD, 1e6)[1] + 2 * PAD)
        self._row_hs = [self._row_h(r) for r in self.rows]
        self._pain_hs = [max(self.box_h, f.wrap(self.name_w - 2 * PAD, 1e6)[1] + 2 * PAD)
                         for f in self.pain_rows] if self.with_pain_rows else []
        self.width = self.total_w
        self.height = self._head_h + self._date_h + sum(self._row_hs) + sum(self._pain_hs)
        return self.width, self.height

    def split(self, aw, ah):
        self.wrap(aw, ah)
        room = ah - self._head_h - self._date_h - sum(self._pain_hs)
        used, k = 0.0, 0
        while k < len(self.rows) and used + self._row_hs[k] <= room:
            used += self._row_hs[k]
            k += 1
        if k == 0 or k == len(self.rows) and not self._pain_hs:
            return []
        k = min(k, len(self.rows) - 1) if k == len(self.rows) else k
        if k <= 0:
            return []
        # The rest starts a new page with its own header and its own pain rows.
        return [TrackingGrid(self.rows[:k], self.st, self.total_w, self.with_pain_rows), PageBreak(),
                TrackingGrid(self.rows[k:], self.st, self.total_w, self.with_pain_rows)]

    def draw(self):
        canv, st = self.canv, self.st
        w, h = self.width, self.height
        x_days, x_notes = self.name_w, self.name_w + DAYS * self.day_w
        # Row boundaries from the top: header, date, exercises, pain rows.
        tops = [h - self._head_h, h - self._head_h - self._date_h]
        for rh in self._row_hs + self._pain_hs:
            tops.append(tops[-1] - rh)
        first_pain = tops[1 + len(self._row_hs)]

        canv.saveState()
        canv.setFillColor(TINT)
        canv.rect(0, tops[0], w, self._head_h, stroke=0, fill=1)
        lines = [(0, y, w, y) for y in tops[:-1]]
        lines += [(x_days + i * self.day_w, 0, x_days + i * self.day_w, h) for i in range(1, DAYS)]
        lines += [(x_days, 0, x_days, h), (x_notes, 0, x_notes, h)]
        canv.setStrokeColor(RULE)
        canv.setLineWidth(0.7)
        canv.lines(lines)
        canv.setStrokeColor(ACCENT)
        canv.setLineWidth(1.2)
        if self.with_pain_rows:
            canv.line(0, first_pain, w, first_pain)
        canv.rect(0, 0, w, h, stroke=1, fill=0)

        canv.setFillColor(INK)
        size = st.cell_bold.fontSize
        canv.setFont(BOLD, size)
        y_head = tops[0] + (self._head_h - size) / 2 + size * 0.2
        for i in range(DAYS):
            canv.drawCentredString(x_days + (i + 0.5) * self.day_w, y_head, f"Day {i + 1}")
        # Tick boxes: one per session, centred in each day cell; a rest day is shaded.
        rest_size = st.cell.fontSize
        for row, top, rh in zip(self.rows, tops[1:], self._row_hs):
            active = row.active_days()
            for d in range(DAYS):
                x = x_days + d * self.day_w
                if d in active:
                    canv.setStrokeColor(INK)
                    canv.setLineWidth(0.9)
                    self._tick_boxes(x, top - rh, rh, row.boxes)
                    continue
                canv.setFillColor(REST_TINT)
                canv.rect(x + 0.35, top - rh + 0.35, self.day_w - 0.7, rh - 0.7, stroke=0, fill=1)
                canv.setFillColor(MUTED)
                canv.setFont(REGULAR, rest_size)
                canv.drawCentredString(x + self.day_w / 2, top - rh / 2 - rest_size * 0.35, REST)
        canv.restoreState()

        self._cell(self.head_name, 0, tops[0], self.name_w, self._head_h)
        self._cell(self.head_notes, x_notes, tops[0], self.notes_w, self._head_h)
        self._cell(self.date, 0, tops[1], self.name_w, self._date_h)
        for row, top, rh in zip(self.rows, tops[1:], self._row_hs):
            self._cells(row.cell, 0, top - rh, rh)
        for label, top, ph in zip(self.pain_rows, tops[1 + len(self._row_hs):], self._pain_hs):
            self._cell(label, 0, top - ph, self.name_w, ph)

    def _tick_boxes(self, x, y, h, n):
        """n boxes (at most MAX_BOXES) in rows that fit the day cell, centred."""
        n = max(1, min(n, MAX_BOXES))
        b, gap = self.box, 3.0
        per_line = self._per_line(gap)
        lines = [min(per_line, n - i) for i in range(0, n, per_line)]
        total_h = len(lines) * (b + 3) - 3
        top = y + (h + total_h) / 2
        for count in lines:
            row_w = count * b + (count - 1) * gap
            left = x + (self.day_w - row_w) / 2
            for i in range(count):
                self.canv.rect(left + i * (b + gap), top - b, b, b, stroke=1, fill=0)
            top -= b + 3

    def _cell(self, f, x, y, w, h):
        """One paragraph, vertically centred in the cell (x, y, w, h)."""
        _, fh = f.wrap(w - 2 * PAD, 1e6)
        f.drawOn(self.canv, x + PAD, y + (h - fh) / 2)

    def _cells(self, fs, x, y, h):
        heights = [f.wrap(self.name_w - 2 * PAD, 1e6)[1] for f in fs]
        top = y + (h + sum(heights)) / 2
        for f, fh in zip(fs, heights):
            top -= fh
            f.drawOn(self.canv, x + PAD, top)
