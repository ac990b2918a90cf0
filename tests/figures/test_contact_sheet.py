"""The contact sheet (python -m rehab.figures.contact_sheet): every library figure on
A4 pages with its name, the tool for reviewing figures by eye. Kept as an artefact."""

from __future__ import annotations

import io
import os
import re
from pathlib import Path

from pypdf import PdfReader

from rehab.figures import contact_sheet

ROOT = Path(__file__).resolve().parents[2]


def test_contact_sheet_shows_every_figure_with_its_name(library, tmp_path):
    out = Path(os.environ.get("REHAB_SCREENSHOT_DIR") or tmp_path) / "figure-contact-sheet.pdf"
    out.parent.mkdir(parents=True, exist_ok=True)
    contact_sheet.main([str(out), "--exercises", str(ROOT / "exercises")])
    reader = PdfReader(io.BytesIO(out.read_bytes()))
    text = re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))
    for slug in library:
        assert f"{slug}:" in text, slug
    assert len(reader.pages) >= 2
    for page in reader.pages:  # each page carries drawings (paths), not just names
        data = page.get_contents().get_data()
        names = len(re.findall(r"^[a-z0-9_]+: ", page.extract_text(), re.M))
        assert names and data.count(b" l ") >= 5 * names


def test_contact_sheet_from_a_figures_file(tmp_path):
    figures = tmp_path / "figures.yaml"
    figures.write_text("one:\n  start: {body: standing}\n  end: {body: standing, hip: 40}\n  move: hip\n"
                       "two:\n  start: {body: supine}\n  end: {body: supine, knee: 60}\n  move: knee\n")
    out = tmp_path / "sheet.pdf"
    contact_sheet.main([str(out), "--figures", str(figures), "--size", "200x100"])
    reader = PdfReader(io.BytesIO(out.read_bytes()))
    assert len(reader.pages) == 1
    text = reader.pages[0].extract_text()
    assert "one" in text and "two" in text
