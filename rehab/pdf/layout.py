"""Page set-up shared by the plan and the letter: margins, the footer with
"Page x of y" in one pass, the document properties (language, outline, creation
date, no patient data) and the building blocks for boxed sections."""

from __future__ import annotations

import datetime as dt
import io
import itertools

from reportlab.lib.pagesizes import landscape
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.lib.units import mm
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate, Spacer, TableStyle

from .details import PrintDetails
from .fonts import BOLD, REGULAR
from .styles import MUTED, RULE, Styles

TOTAL_FORM = "PageTotal"
LANG = "en-GB"  # the documents' language (/Lang), for screen readers and hyphenation


def break_lines(text: str, font: str, size: float, width: float) -> list[str]:
    """Greedy word wrap at `width`; a word wider than the line is cut into pieces
    (as Paragraph's splitLongWords does), so nothing runs past the margin."""
    space = stringWidth(" ", font, size)
    lines: list[str] = []
    line: list[str] = []
    used = 0.0
    for word in text.split():
        w = stringWidth(word, font, size)
        if w > width:  # cut it: fill the current line, then whole lines of it
            while word:
                room = width - (used + space if line else 0)
                n = _fit_chars(word, font, size, room)
                if n == 0 and line:
                    lines.append(" ".join(line))
                    line, used = [], 0.0
                    continue
                n = max(n, 1)
                line.append(word[:n])
                word = word[n:]
                lines.append(" ".join(line))
                line, used = [], 0.0
            continue
        if line and used + space + w > width:
            lines.append(" ".join(line))
            line, used = [], 0.0
        used += (space if line else 0) + w
        line.append(word)
    if line:
        lines.append(" ".join(line))
    return lines


def _fit_chars(word: str, font: str, size: float, room: float) -> int:
    """How many leading characters of word fit in room."""
    lo, hi = 0, len(word)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if stringWidth(word[:mid], font, size) <= room:
            lo = mid
        else:
            hi = mid - 1
    return lo


class PlainText(Flowable):
    """Plain text in one style, with an optional bullet: what Paragraph does for text
    without markup, at a fraction of the cost (most of a plan is such text). The text
    is never parsed, so '<' and '&' print as they are."""

    def __init__(self, text: str, style, bullet: str | None = None, lines: list[str] | None = None,
                 wrapped_at: float | None = None):
        super().__init__()
        self.text, self.style, self.bullet = text, style, bullet
        self._lines, self._wrapped_at = lines, wrapped_at  # lines already broken at that width

    # Space before and after and keepWithNext come from self.style (Flowable's getters).

    def _text_width(self, aw):
        return aw - self.style.leftIndent - self.style.rightIndent

    def wrap(self, aw, ah):
        if self._wrapped_at != aw:
            st = self.style
            self._lines = break_lines(self.text, st.fontName, st.fontSize, self._text_width(aw))
            self._wrapped_at = aw
        self.width, self.height = aw, len(self._lines) * self.style.leading
        return self.width, self.height

    def split(self, aw, ah):
        self.wrap(aw, ah)
        n, total = int((ah + 1e-6) // self.style.leading), len(self._lines)
        if n >= total:
            return [self]
        if total < 4:  # a short paragraph or bullet moves whole
            return []
        n = min(n, total - 2)  # at least two lines on each side (no widow, no orphan)
        if n < 2:
            return []
        head, tail = self._lines[:n], self._lines[n:]
        return [PlainText(" ".join(head), self.style, self.bullet, head, aw),
                PlainText(" ".join(tail), self.style, None, tail, aw)]

    def draw(self):
        st, canv = self.style, self.canv
        if not self._lines:
            return
        y = self.height - st.fontSize
        if self.bullet:
            canv.setFont(st.bulletFontName, st.bulletFontSize)
            canv.setFillColor(st.textColor)
            canv.drawString(st.bulletIndent, y, self.bullet)
        tx = canv.beginText(st.leftIndent, y)
        tx.setFont(st.fontName, st.fontSize, st.leading)
        tx.setFillColor(st.textColor)
        tx.textLines(self._lines, trim=0)
        canv.drawText(tx)


def para(text, style, bullet: str | None = None) -> PlainText:
    """Plain text (from the plan, the library or a user) as a flowable. It never goes
    through the markup parser, so it cannot be read as markup."""
    return PlainText(str(text), style, bullet)


class OutlineMark(Flowable):
    """An outline entry (bookmark) at this point, drawing nothing."""

    def __init__(self, text: str, level: int = 0):
        super().__init__()
        self.text, self.outline_level = text, level

    def wrap(self, aw, ah):
        return 0, 0

    def draw(self):
        pass


def heading(text, style, level: int = 0) -> PlainText:
    """A heading that also becomes an entry in the PDF's outline (bookmarks)."""
    f = PlainText(str(text), style)
    f.outline_level = level
    return f


class LabelledText(PlainText):
    """A bold lead-in ("Take care:") then plain text, in one style: what the few bits of
    bold in running text need, without the markup parser. Nothing is parsed."""

    def __init__(self, label: str, text: str, style, bullet: str | None = None, lines=None, wrapped_at=None):
        super().__init__(f"{label} {text}".strip(), style, bullet, lines, wrapped_at)
        self.label, self.rest = label, text

    def _tokens(self):
        bold = BOLD if self.style.fontName == REGULAR else self.style.fontName
        return [(w, bold) for w in self.label.split()] + [(w, self.style.fontName) for w in self.rest.split()]

    def wrap(self, aw, ah):
        if self._wrapped_at != aw:
            self._lines = self._break(self._text_width(aw))
            self._wrapped_at = aw
        self.width, self.height = aw, len(self._lines) * self.style.leading
        return self.width, self.height

    def _break(self, width: float) -> list[list[tuple[str, str]]]:
        size = self.style.fontSize
        lines, line, used = [], [], 0.0
        for word, font in self._tokens():
            space = stringWidth(" ", font, size)
            pieces = [word]
            if stringWidth(word, font, size) > width:  # cut a word longer than the line
                pieces = []
                while word:
                    n = max(1, _fit_chars(word, font, size, width))
                    pieces.append(word[:n])
                    word = word[n:]
            for piece in pieces:
                w = stringWidth(piece, font, size)
                if line and used + space + w > width:
                    lines.append(line)
                    line, used = [], 0.0
                used += (space if line else 0) + w
                line.append((piece, font))
        if line:
            lines.append(line)
        return lines

    def split(self, aw, ah):
        self.wrap(aw, ah)
        n, total = int((ah + 1e-6) // self.style.leading), len(self._lines)
        if n >= total:
            return [self]
        if n < 1 or total < 2:
            return []
        parts = []
        for lines, bullet in ((self._lines[:n], self.bullet), (self._lines[n:], None)):
            words = [t for line in lines for t in line]
            bold = " ".join(w for w, f in words if f != self.style.fontName)
            rest = " ".join(w for w, f in words if f == self.style.fontName)
            parts.append(LabelledText(bold, rest, self.style, bullet, lines, aw))
        return parts

    def draw(self):
        st, canv = self.style, self.canv
        if not self._lines:
            return
        y = self.height - st.fontSize
        canv.setFillColor(st.textColor)
        if self.bullet:
            canv.setFont(st.bulletFontName, st.bulletFontSize)
            canv.drawString(st.bulletIndent, y, self.bullet)
        for line in self._lines:
            x = st.leftIndent
            for font, run in itertools.groupby(line, key=lambda t: t[1]):
                text = " ".join(w for w, _ in run)
                canv.setFont(font, st.fontSize)
                canv.drawString(x, y, text)
                x += stringWidth(text + " ", font, st.fontSize)
            y -= st.leading


def labelled(label: str, text: str, style, bullet: str | None = None) -> LabelledText:
    """'label' in bold, then 'text'; either may be empty."""
    return LabelledText(str(label), str(text), style, bullet)


class PageCountCanvas(Canvas):
    """Writes the page total into a form XObject when the document is saved, so
    every footer can show "Page x of y" without laying the document out twice."""

    footer_size = 8.5
    created: dt.datetime | None = None

    def __init__(self, *args, **kw):
        super().__init__(*args, **kw)
        # invariant=1 keeps object ids and the file id repeatable; the creation date is
        # still the real one (or the one a test fixes).
        self._doc._timeStamp = _Stamp(self.created or dt.datetime.now(dt.timezone.utc))

    def save(self):
        self.beginForm(TOTAL_FORM, 0, 0, 200, 40)
        self.setFont(REGULAR, self.footer_size)
        self.setFillColor(MUTED)
        self.drawString(0, 0, str(self._pageNumber - 1))
        self.endForm()
        super().save()


class _Stamp:
    """What reportlab's PDFDate reads from a TimeStamp, for a given moment (in UTC)."""

    def __init__(self, when: dt.datetime):
        if when.tzinfo is not None:
            when = when.astimezone(dt.timezone.utc)
        self.YMDhms = (when.year, when.month, when.day, when.hour, when.minute, when.second)
        self.dhh = self.dmm = 0
        self.t = when.replace(tzinfo=dt.timezone.utc).timestamp()


def _fit(text: str, font: str, size: float, width: float) -> str:
    """Cut text with an ellipsis so it fits in width."""
    if stringWidth(text, font, size) <= width:
        return text
    while text and stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text + "…"


class Document(BaseDocTemplate):
    """A4 or Letter portrait pages, optional landscape pages, a footer on each."""

    def __init__(self, buf: io.BytesIO, details: PrintDetails, styles: Styles, title: str, landscape_pages=False):
        self.details = details
        self.st = styles
        m = styles.margin
        footer_room = styles.footer_size * 2.6
        # The metadata names the kind of document and the clinic, never the patient: file
        # managers, mail clients and print queues show it.
        super().__init__(
            buf, pagesize=details.pagesize, leftMargin=m, rightMargin=m, topMargin=m,
            bottomMargin=m + footer_room, title=title, author=details.clinic_name,
            subject="", creator="rehab", invariant=1, lang=LANG,
            initialFontName=REGULAR,  # else every page also references Helvetica
        )
        self._outline_n = 0
        templates = [self._template("portrait", details.pagesize, m, footer_room)]
        if landscape_pages:
            templates.append(self._template("landscape", landscape(details.pagesize), m, footer_room))
        self.addPageTemplates(templates)

    def _template(self, name, size, m, footer_room):
        w, h = size
        frame = Frame(m, m + footer_room, w - 2 * m, h - 2 * m - footer_room, id=name,
                      leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
        return PageTemplate(id=name, frames=[frame], onPage=self._footer, pagesize=size)

    def _footer(self, canv: Canvas, doc) -> None:
        d, size, m = self.details, self.st.footer_size, self.st.margin
        w = canv._pagesize[0]
        y = m
        canv.saveState()
        canv.setStrokeColor(RULE)
        canv.setLineWidth(0.6)
        canv.line(m, y + size * 1.5, w - m, y + size * 1.5)
        canv.setFillColor(MUTED)
        canv.setFont(REGULAR, size)
        half = (w - 2 * m) / 2
        label = f"Page {canv.getPageNumber()} of "
        canv.drawString(m, y, label)
        x = m + stringWidth(label, REGULAR, size)
        canv.saveState()
        canv.translate(x, y)
        canv.doForm(TOTAL_FORM)
        canv.restoreState()
        # The total is drawn later into the form: leave room for up to three digits.
        x += stringWidth("000  ", REGULAR, size)
        canv.drawString(x, y, _fit(d.patient_name, REGULAR, size, m + half - x - 6))
        canv.drawRightString(w - m, y, _fit(f"Plan {d.plan_id} · version {d.plan_version}" if d.plan_version != "draft"
                                            else "Not saved yet", REGULAR, size,
                                            half - 6))
        canv.restoreState()

    def afterFlowable(self, flowable):
        """Headings made with heading() become outline entries (bookmarks)."""
        while getattr(flowable, "outline_level", None) is None:  # a box or group starting with a heading
            inner = getattr(flowable, "content", None) or getattr(flowable, "_content", None)
            if not inner:
                return
            flowable = inner[0]
        level = flowable.outline_level
        if not getattr(flowable, "text", ""):
            return
        self._outline_n += 1
        key = f"s{self._outline_n}"
        self.canv.bookmarkPage(key)
        self.canv.addOutlineEntry(flowable.text, key, level=level, closed=False)

    def build_bytes(self, story) -> bytes:
        st, created = self.st, self.details.created

        class _Canvas(PageCountCanvas):
            footer_size = st.footer_size

        _Canvas.created = created

        self.build(story, canvasmaker=_Canvas)
        return self.filename.getvalue()


def table_style(commands: list) -> TableStyle:
    """A TableStyle whose plain-string cells use DejaVu too (reportlab's default is Helvetica)."""
    return TableStyle([("FONT", (0, 0), (-1, -1), REGULAR)] + commands)


class Stack(Flowable):
    """Flowables one under another in a column inset by padding. Splits between (or
    inside) them, so a long column runs on to the next page. Lighter than a Table."""

    def __init__(self, content: list[Flowable], left=0.0, right=0.0, top=0.0, bottom=0.0, keep=False,
                 min_first: int = 1):
        super().__init__()
        self.content = content
        self.left, self.right, self.top, self.bottom = left, right, top, bottom
        self.keep = keep  # a short stack moves to the next page whole rather than split
        self.min_first = min_first  # a split leaves at least this many flowables before the break

    def min_height(self, aw: float) -> float:
        return 0.0

    def part(self, content: list[Flowable], first: bool) -> "Stack":
        """A piece of this stack after a split."""
        raise NotImplementedError

    def decorate(self, canv) -> None:
        """Draw what goes behind the column (background, frame, figure)."""

    def wrap(self, aw, ah):
        iw = aw - self.left - self.right
        self._heights = []
        last = len(self.content) - 1
        for i, f in enumerate(self.content):
            _, h = f.wrap(iw, 1e6)
            self._heights.append((f.getSpaceBefore() if i else 0, h, f.getSpaceAfter() if i < last else 0))
        inner = sum(b + h + a for b, h, a in self._heights)
        self.width, self.height = aw, max(inner + self.top + self.bottom, self.min_height(aw))
        return self.width, self.height

    def split(self, aw, ah):
        if self.min_height(aw) > ah or (self.keep and self.wrap(aw, ah)[1] < 200):
            return []
        iw, room = aw - self.left - self.right, ah - self.top - self.bottom
        used, first, rest = 0.0, [], list(self.content)
        while rest:
            f = rest[0]
            before = f.getSpaceBefore() if first else 0
            _, h = f.wrap(iw, room)
            if used + before + h <= room:
                first.append(rest.pop(0))
                used += before + h + f.getSpaceAfter()
                continue
            parts = f.split(iw, room - used - before)
            if len(parts) >= 2:
                first.append(parts[0])
                rest = list(parts[1:]) + rest[1:]
            break
        if len(first) < min(self.min_first, len(self.content)):
            return []
        if not rest:
            return [self]
        return [self.part(first, True), self.part(rest, False)]

    def draw(self):
        self.decorate(self.canv)
        y = self.height - self.top
        for f, (before, h, after) in zip(self.content, self._heights):
            y -= before + h
            f.drawOn(self.canv, self.left, y)
            y -= after


class FigureCard(Stack):
    """A figure on the left and a column of flowables on its right; the figure stays
    with the first part when the column runs on to the next page."""

    def __init__(self, figure: Flowable | None, content: list[Flowable], figure_w: float, gap: float,
                 keep: bool = False):
        super().__init__(content, left=figure_w + gap, keep=keep)
        self.figure, self.figure_w, self.gap = figure, figure_w, gap

    def min_height(self, aw):
        return self.figure.wrap(self.figure_w, 1e6)[1] if self.figure else 0.0

    def part(self, content, first):
        return FigureCard(self.figure if first else None, content, self.figure_w, self.gap)

    def decorate(self, canv):
        if self.figure is not None:
            _, fh = self.figure.wrap(self.figure_w, self.height)
            self.figure.drawOn(canv, 0, self.height - fh)


class Column(Stack):
    """Flowables one under another, as one flowable (for first_fit)."""

    def part(self, content, first):
        return Column(content)


class FirstFit(Flowable):
    """A box printed at the first of two places where it fits whole: make both with
    first_fit(); the second place prints it (splitting if it must) only when the first
    did not. Each place's decision is taken as the page is laid out, so nothing moves."""

    def __init__(self, box: Flowable, gap: float, state: dict, last: bool):
        super().__init__()
        self.box, self.gap, self.state, self.last = box, gap, state, last
        self.content: list[Flowable] = []  # what was drawn here (for the outline)
        self._h = 0.0

    def _skip(self) -> bool:
        return self.state["placed"]

    def wrap(self, aw, ah):
        if self._skip():
            self.width, self.height = aw, 0.0
            return aw, 0.0
        _, h = self.box.wrap(aw, ah)
        self._h = h + self.gap
        show = self.last or self._h <= ah
        self.width, self.height = aw, (self._h if show else 0.0)
        return self.width, self.height

    def split(self, aw, ah):
        if self._skip() or not self.last or self._h < 200:  # a short box moves on whole
            return []
        parts = self.box.split(aw, ah - self.gap)
        return [Spacer(0, self.gap)] + parts if parts else []

    def draw(self):
        if self._skip() or self.height == 0.0:
            return
        self.state["placed"] = True
        self.content = [self.box]
        self.box.drawOn(self.canv, 0, 0)


def first_fit(box: Flowable, gap: float) -> tuple[FirstFit, FirstFit]:
    """(the first place, the second place) for `box`, `gap` above it."""
    state = {"placed": False}
    return FirstFit(box, gap, state, last=False), FirstFit(box, gap, state, last=True)


def beside_then_below(figure: Flowable, content: list[Flowable], figure_w: float, gap: float,
                      width: float) -> list[Flowable]:
    """The figure at the top left with `content` beside it while it fits the figure's
    height (give or take a line), then the rest at the full `width` below: no narrow
    column running on under an empty space."""
    col = width - figure_w - gap
    _, room = figure.wrap(figure_w, 1e6)
    used, k = 0.0, 0
    for f in content:
        _, h = f.wrap(col, 1e6)
        step = (f.getSpaceBefore() if k else 0.0) + h
        if k and used + step > room + getattr(f.style, "leading", 0.0):
            break
        used += step + f.getSpaceAfter()
        k += 1
    below = content[k:]
    return [FigureCard(figure, content[:k], figure_w, gap)] + ([Spacer(0, 1.5 * mm)] + below if below else [])


class Box(Stack):
    """A framed, tinted box around a column of flowables; each part of a split is framed."""

    def __init__(self, content: list[Flowable], border, background, pad: float, line: float = 1.2,
                 min_first: int = 1):
        super().__init__(content, left=pad, right=pad, top=pad * 0.7, bottom=pad * 0.7, min_first=min_first)
        self.border, self.background, self.pad, self.line = border, background, pad, line

    def part(self, content, first):
        return Box(content, self.border, self.background, self.pad, self.line)

    def decorate(self, canv):
        canv.saveState()
        canv.setFillColor(self.background)
        canv.setStrokeColor(self.border)
        canv.setLineWidth(self.line)
        canv.rect(0, 0, self.width, self.height, stroke=1, fill=1)
        canv.restoreState()
