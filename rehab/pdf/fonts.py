"""The one TrueType family the PDFs use, registered once per process.

Built-in PDF fonts cannot print letters such as ł, so the documents embed
DejaVu Sans (Debian package fonts-dejavu-core), which covers Latin, Greek and
Cyrillic.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

REGULAR = "DejaVuSans"
BOLD = "DejaVuSans-Bold"

# REHAB_FONT_DIR lets a machine without the Debian package point at its own copy.
_DIRS = [
    os.environ.get("REHAB_FONT_DIR", ""),
    "/usr/share/fonts/truetype/dejavu",
    "/usr/share/fonts/dejavu",
    "/usr/local/share/fonts/dejavu",
]

_lock = threading.Lock()
_done = False


class FontMissing(RuntimeError):
    """The TrueType font the PDFs need is not installed."""


def _find(filename: str) -> Path:
    for folder in _DIRS:
        if folder and (Path(folder) / filename).is_file():
            return Path(folder) / filename
    raise FontMissing(
        f"{filename} not found in {', '.join(d for d in _DIRS if d)}. "
        "Install it with 'apt-get install -y fonts-dejavu-core' "
        "or set REHAB_FONT_DIR to a folder that holds DejaVuSans.ttf and DejaVuSans-Bold.ttf."
    )


def register_fonts() -> None:
    """Register DejaVu Sans (regular and bold) with reportlab; cheap after the first call."""
    global _done
    if _done:
        return
    with _lock:
        if _done:
            return
        pdfmetrics.registerFont(TTFont(REGULAR, str(_find("DejaVuSans.ttf"))))
        pdfmetrics.registerFont(TTFont(BOLD, str(_find("DejaVuSans-Bold.ttf"))))
        # <b> and <i> in Paragraph markup map onto the family; there is no italic
        # face in fonts-dejavu-core, so italic falls back to upright. The upright
        # mappings go last: the reverse lookup keeps the last one per font.
        addMapping(REGULAR, 0, 1, REGULAR)
        addMapping(REGULAR, 1, 1, BOLD)
        addMapping(REGULAR, 0, 0, REGULAR)
        addMapping(REGULAR, 1, 0, BOLD)
        _done = True


def accelerated() -> bool:
    """True when reportlab uses its C helpers (the rl_accel package) rather than pure Python."""
    from reportlab.lib import rl_accel

    return "fp_str" in rl_accel._c_funcs and "instanceStringWidthTTF" in rl_accel._c_funcs
