"""The two back ends: safe standalone SVG, reportlab Drawings, same output every time,
and every exercise in the library drawn by both."""

from __future__ import annotations

import hashlib
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from reportlab.graphics import renderPDF
from reportlab.graphics.shapes import Drawing

from rehab.figures import render_drawing, render_svg
from rehab.library.loader import load_library
from rehab.library.schema import Figure, Pose

ROOT = Path(__file__).resolve().parents[2]
SVG = "{http://www.w3.org/2000/svg}"

BRIDGE = Figure(start=Pose(body="supine", hip=45, knee=90, other_hip=45, other_knee=90),
                end=Pose(body="supine", knee=90, other_knee=90, lift=True), move="hip", props=["mat"])


@pytest.fixture(scope="module")
def library():
    return load_library(ROOT / "exercises")


def test_svg_is_well_formed_and_sized():
    text = render_svg(BRIDGE)
    root = ET.fromstring(text)
    assert root.tag == SVG + "svg"
    assert root.get("width") == "240" and root.get("height") == "120"
    assert root.get("viewBox") == "0 0 240 120"
    texts = [t.text for t in root.iter(SVG + "text")]
    assert texts == ["Start", "Finish"]
    assert root.find(f".//{SVG}circle") is not None  # heads


def test_svg_is_safe():
    text = render_svg(BRIDGE, title='Bridge <script>alert("x")</script> & more',
                      labels=("<b>Start</b>", "Finish & hold"))
    root = ET.fromstring(text)
    tags = {el.tag.removeprefix(SVG) for el in root.iter()}
    assert tags <= {"svg", "title", "rect", "g", "polyline", "polygon", "circle", "text"}
    for el in root.iter():
        for name, value in el.attrib.items():
            assert not name.lower().startswith("on")
            assert "href" not in name.lower()
            assert "url(" not in value and "javascript:" not in value.lower()
    assert "<script" not in text and "<b>" not in text
    assert root.find(SVG + "title").text == 'Bridge <script>alert("x")</script> & more'


def test_svg_other_sizes():
    root = ET.fromstring(render_svg(BRIDGE, width=480, height=200.5))
    assert root.get("width") == "480" and root.get("height") == "200.5"


def test_drawing_has_the_requested_size_and_renders_to_pdf():
    drawing = render_drawing(BRIDGE, 160, 120)
    assert isinstance(drawing, Drawing)
    assert (drawing.width, drawing.height) == (160, 120)
    assert renderPDF.drawToString(drawing).startswith(b"%PDF")


def test_drawing_is_fresh_each_call_so_callers_may_change_it():
    a, b = render_drawing(BRIDGE, 160, 120), render_drawing(BRIDGE, 160, 120)
    assert a is not b
    assert len(a.contents) == len(b.contents)


def test_same_input_same_bytes():
    assert render_svg(BRIDGE) == render_svg(Figure.model_validate(BRIDGE.model_dump()))
    assert render_svg(BRIDGE) == render_svg(BRIDGE.model_dump())  # a plain dict works too
    pdf_a = renderPDF.drawToString(render_drawing(BRIDGE, 160, 120))
    pdf_b = renderPDF.drawToString(render_drawing(BRIDGE, 160, 120))
    strip = lambda pdf: b"\n".join(l for l in pdf.splitlines() if b"CreationDate" not in l and b"ModDate" not in l
                                   and not l.startswith(b"/ID") and b"[<" not in l)
    assert strip(pdf_a) == strip(pdf_b)


def test_same_bytes_in_a_fresh_process():
    code = ("import hashlib, json, sys; from rehab.figures import render_svg; "
            "print(hashlib.sha256(render_svg(json.loads(sys.argv[1])).encode()).hexdigest())")
    here = hashlib.sha256(render_svg(BRIDGE).encode()).hexdigest()
    out = subprocess.run([sys.executable, "-c", code, BRIDGE.model_dump_json()], cwd=ROOT,
                         capture_output=True, text=True, check=True, env={"PYTHONHASHSEED": "123", "PATH": ""})
    assert out.stdout.strip() == here


def test_finish_panel_has_an_arrow_only_when_something_moves():
    accent = 'stroke="#1f6fb2"'
    assert accent in render_svg(BRIDGE)
    still = BRIDGE.model_copy(update={"move": "none"})
    assert accent not in render_svg(still)


def test_every_exercise_renders_with_both_back_ends(library):
    assert len(library) >= 1
    for exercise in library.values():
        svg = render_svg(exercise.figure, title=exercise.name)
        ET.fromstring(svg)
        drawing = render_drawing(exercise.figure, 160, 120)
        assert (drawing.width, drawing.height) == (160, 120)
        assert len(drawing.contents) > 8
    # and into one PDF, as the plan PDF does
    big = Drawing(160, 120 * len(library))
    for i, exercise in enumerate(library.values()):
        d = render_drawing(exercise.figure, 160, 120)
        d.translate(0, 120 * i)
        big.add(d)
    assert renderPDF.drawToString(big).startswith(b"%PDF")
