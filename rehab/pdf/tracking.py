"""The tracking sheet: a row per exercise, a tick box per day for 14 days, the worst
pain per exercise, and rows for the day's pain and the next morning's.

Drawn as one flowable with lines and strings rather than a Table of some 200
cells: the same picture for a fraction of the work."""

from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.platypus import Flowable

from .fonts import BOLD
from .layout import Para, markup, para
from .styles import ACCENT, INK, RULE, TINT, Styles

DAYS = 14
PAD = 3.0  # points inside each cell


class TrackingGrid(Flowable):
    """rows: one list of flowables (name, dose) per exercise. Splits between exercise
    rows, repeating the header and the date row; the two pain rows come last."""

    def __init__(self, rows: list[list[Para]], st: Styles, width: float, with_pain_rows: bool = True):
        super().__init__()
        self.rows, self.st, self.total_w, self.with_pain_rows = rows, st, width, with_pain_rows
        self.day_w = 10 * mm
        self.pain_w = (24 if st.large else 20) * mm
        self.name_w = width - DAYS * self.day_w - self.pain_w
        self.box_h = (11 if st.large else 9) * mm
        self.row_pad = 7 if st.large else 5
        c, cb = st.cell, st.cell_bold
        self.head_name = para("Exercise", cb)
        self.head_pain = para("Worst pain 0-10", cb)
        self.date = para("Date", c)
        self.pain_rows = [markup("<b>Pain today</b> (0-10)", c), markup("<b>Next morning</b> (0-10)", c)]

    def _row_h(self, cell: list[Para]) -> float:
        inner = sum(f.wrap(self.name_w - 2 * PAD, 1e6)[1] for f in cell)
        return max(inner + 2 * self.row_pad, self.box_h)

    def _head_h(self) -> tuple[float, float]:
        line = self.st.cell.leading + 2 * PAD
        spanned = max(self.head_name.wrap(self.name_w - 2 * PAD, 1e6)[1],
                      self.head_pain.wrap(self.pain_w - 2 * PAD, 1e6)[1]) + 2 * PAD
        return max(line, spanned - line), line  # "Day" row, day-number row

    def wrap(self, aw, ah):
        self._h0, self._h1 = self._head_h()
        self._date_h = self.box_h * 0.8
        self._row_hs = [self._row_h(r) for r in self.rows]
        pain = 2 * self.box_h if self.with_pain_rows else 0
        self.width = self.total_w
        self.height = self._h0 + self._h1 + self._date_h + sum(self._row_hs) + pain
        return self.width, self.height

    def split(self, aw, ah):
        self.wrap(aw, ah)
        room = ah - self._h0 - self._h1 - self._date_h
        used, k = 0.0, 0
        while k < len(self.rows) and used + self._row_hs[k] <= room:
            used += self._row_hs[k]
            k += 1
        if k == 0:
            return []
        if k == len(self.rows):  # the exercises fit but not the pain rows: carry one row over
            k -= 1
            if k == 0:
                return []
        return [TrackingGrid(self.rows[:k], self.st, self.total_w, with_pain_rows=False),
                TrackingGrid(self.rows[k:], self.st, self.total_w, self.with_pain_rows)]

    def draw(self):
        canv, st = self.canv, self.st
        w, h = self.width, self.height
        x_days = self.name_w
        x_pain = self.name_w + DAYS * self.day_w
        head = self._h0 + self._h1
        # Row boundaries from the top: header, date, exercises, pain rows.
        tops = [h - head, h - head - self._date_h]
        for rh in self._row_hs:
            tops.append(tops[-1] - rh)
        first_pain = tops[-1]
        if self.with_pain_rows:
            tops += [first_pain - self.box_h, first_pain - 2 * self.box_h]

        canv.saveState()
        canv.setFillColor(TINT)
        canv.rect(0, h - head, w, head, stroke=0, fill=1)
        if self.rows:
            canv.rect(x_pain, first_pain, self.pain_w, tops[1] - first_pain, stroke=0, fill=1)
        if self.with_pain_rows:
            canv.setFillColor(RULE)
            canv.rect(x_pain, 0, self.pain_w, 2 * self.box_h, stroke=0, fill=1)

        lines = [(0, y, w, y) for y in tops[:-1]]  # every row boundary under the header
        lines.append((x_days, h - self._h0, x_pain, h - self._h0))  # under "Day"
        lines += [(x_days + i * self.day_w, 0, x_days + i * self.day_w, h - self._h0) for i in range(1, DAYS)]
        lines += [(x_days, 0, x_days, h), (x_pain, 0, x_pain, h)]
        canv.setStrokeColor(RULE)
        canv.setLineWidth(0.6)
        canv.lines(lines)
        canv.setStrokeColor(ACCENT)
        canv.setLineWidth(1)
        if self.with_pain_rows:
            canv.line(0, first_pain, w, first_pain)
        canv.rect(0, 0, w, h, stroke=1, fill=0)

        canv.setFillColor(INK)
        size = st.cell.fontSize
        canv.setFont(BOLD, size)
        canv.drawCentredString((x_days + x_pain) / 2, h - self._h0 + (self._h0 - size) / 2 + size * 0.2, "Day")
        y_num = h - head + (self._h1 - size) / 2 + size * 0.2
        for i in range(DAYS):
            canv.drawCentredString(x_days + (i + 0.5) * self.day_w, y_num, str(i + 1))
        canv.restoreState()

        self._cell(self.head_name, 0, h - head, self.name_w, head)
        self._cell(self.head_pain, x_pain, h - head, self.pain_w, head)
        self._cell(self.date, 0, tops[1], self.name_w, self._date_h)
        for cell, top, rh in zip(self.rows, tops[1:], self._row_hs):
            self._cells(cell, 0, top - rh, rh)
        if self.with_pain_rows:
            for label, y in zip(self.pain_rows, (first_pain - self.box_h, first_pain - 2 * self.box_h)):
                self._cell(label, 0, y, self.name_w, self.box_h)

    def _cell(self, f: Para, x, y, w, h):
        """One paragraph, vertically centred in the cell (x, y, w, h)."""
        _, fh = f.wrap(w - 2 * PAD, 1e6)
        f.drawOn(self.canv, x + PAD, y + (h - fh) / 2)

    def _cells(self, fs: list[Para], x, y, h):
        heights = [f.wrap(self.name_w - 2 * PAD, 1e6)[1] for f in fs]
        top = y + (h + sum(heights)) / 2
        for f, fh in zip(fs, heights):
            top -= fh
            f.drawOn(self.canv, x + PAD, top)
