"""Figures a patient can follow (issue 12): bodies with volume, a visible start and
finish (or "Hold"), the props drawn, the affected leg coloured and mirrored by
side, labels readable at the printed size in the embedded font, each figure
matching its steps, and the contact sheet of every figure."""

from __future__ import annotations

import math
import os
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from reportlab.graphics import renderPDF
from reportlab.graphics.shapes import String
from reportlab.lib.units import mm

from rehab.figures import render_drawing, render_svg, scene
from rehab.figures.contact_sheet import library_items, write_sheet
from rehab.figures.scene import LABEL_SHARE, SORE, layout
from rehab.figures.geometry import figure_key
from rehab.library.loader import load_library
from rehab.library.schema import Figure, Pose
from rehab.pdf.fonts import REGULAR

ROOT = Path(__file__).resolve().parents[2]
SVG = "{http://www.w3.org/2000/svg}"

HEEL_DIG = Figure(start=Pose(body="supine", hip=45, knee=90), end=Pose(body="supine", hip=45, knee=96, hold=True),
                  move="foot", props=["mat"])
CURL = Figure(start=Pose(body="standing"), end=Pose(body="standing", knee=90), move="foot", props=["chair"])


@pytest.fixture(scope="module")
def library():
    return load_library(ROOT / "exercises")


def _labels(drawing):
    return [n for n in drawing.contents if isinstance(n, String)]


# --------------------------------------------------------------------------- labels

@pytest.mark.parametrize("shown_mm, least_pt", [(45, 8.0), (65, 12.0)])
def test_labels_readable_at_the_printed_width_for_every_figure(library, shown_mm, least_pt):
    """45 mm in the plan's cards (8 pt), 65 mm in large print (12 pt), whatever size the
    drawing is made at and then scaled to."""
    for exercise in library.values():
        for width, height in ((240, 120), (160, 120), (480, 240)):
            drawing = render_drawing(exercise.figure, width, height)
            scale = shown_mm * mm / width
            labels = _labels(drawing)
            assert labels, exercise.id
            for label in labels:
                assert label.fontSize * scale >= least_pt, (exercise.id, width, label.text)


def test_label_share_is_just_above_8_pt_at_45_mm():
    assert 8.0 <= LABEL_SHARE * 45 * mm < 8.6


def test_labels_use_the_embedded_dejavu_font_never_helvetica():
    drawing = render_drawing(CURL, 240, 120)
    assert {s.fontName for s in _labels(drawing)} == {REGULAR}
    pdf = renderPDF.drawToString(drawing)
    assert b"Helvetica" not in pdf
    assert b"DejaVuSans" in pdf
    svg = render_svg(CURL)
    assert "Helvetica" not in svg and 'font-family="DejaVu Sans' in svg


# --------------------------------------------------------------------------- volume

def test_limbs_have_width_and_the_trunk_is_a_shape():
    panel = scene(CURL).panels[0]
    widths = {}
    for sh in panel:
        widths[sh.style] = max(widths.get(sh.style, 0.0), sh.w)
    assert widths["leg"] >= 0.09 and widths["near"] >= 0.06 and widths["far"] >= 0.06
    assert all(widths[s + "_o"] > widths[s] for s in ("leg", "near", "far"))  # an outline round each limb
    torso = [sh for sh in panel if sh.style == "torso"]
    assert len(torso) == 1 and torso[0].kind == "poly" and len(torso[0].points) >= 12
    xs = [p[0] for p in torso[0].points]
    assert max(xs) - min(xs) > 0.12  # a standing trunk seen from the side has depth
    # drawn in pixels in proportion to the body, not as hairlines
    prims = layout(figure_key(CURL), 240.0, 120.0)
    thigh = max(p.width for p in prims if p.style == "leg")
    assert thigh > 3 * max(p.width for p in prims if p.style == "floor")


# --------------------------------------------------------------------------- start, finish, hold

def test_every_figure_shows_a_visible_move_or_is_marked_hold(library):
    for exercise in library.values():
        fig = exercise.figure
        sc = scene(fig)
        labels = [s.text for s in _labels(render_drawing(fig, 240, 120))]
        if fig.start == fig.end or fig.move == "none" and fig.end.hold:  # a static hold: one picture
            assert sc.single and fig.end.hold and labels == ["Hold"], exercise.id
            continue
        assert not sc.single and labels[0] == "Start", exercise.id
        if fig.end.hold:
            assert labels[1] == "Hold", exercise.id
            continue
        assert labels[1] == "Finish", exercise.id
        a, b = ([pt for sh in p for pt in sh.points] for p in sc.panels)  # the body and what it moves
        moved = max(math.dist(p, q) for p, q in zip(a, b)) if len(a) == len(b) else 1.0
        assert moved > 0.15, (exercise.id, moved)
        if fig.move == "none":  # nothing moves on the body: a prop goes on (the wrap)
            assert "wrap" in fig.props, exercise.id
            continue
        assert sc.arrow, exercise.id


def test_the_issue_figures_are_no_longer_identical(library):
    for slug in ("seated_heel_dig", "supine_heel_dig", "posterior_pelvic_tilt", "compression_wrap",
                 "deep_core_activation", "sit_bone_offload_cushion"):
        fig = library[slug].figure
        assert fig.start != fig.end, slug
    for slug in ("seated_heel_dig", "supine_heel_dig", "posterior_pelvic_tilt", "deep_core_activation",
                 "prone_isometric_knee_flexion", "standing_isometric_hip_extension", "bridge_hold", "front_plank",
                 "side_plank", "ice_pack", "glute_sets"):
        assert library[slug].figure.end.hold, slug


def test_a_held_press_shows_its_direction():
    sc = scene(HEEL_DIG)
    assert sc.arrow  # the heel's small push, drawn as an arrow
    assert sc.arrow[-1][0] < sc.arrow[0][0]  # towards the bottom
    same = HEEL_DIG.model_copy(update={"end": HEEL_DIG.end.model_copy(update={"knee": 90})})
    assert not scene(same).arrow  # nothing to push: no arrow
    unheld = HEEL_DIG.model_copy(update={"end": HEEL_DIG.end.model_copy(update={"hold": False})})
    assert not scene(unheld).arrow  # a 6 degree move that is not a hold is too small to draw


def test_a_single_held_position_is_drawn_once_in_the_middle():
    fig = Figure(start=Pose(body="standing", hold=True), end=Pose(body="standing", hold=True))
    prims = layout(figure_key(fig), 240.0, 120.0)
    assert [p.text for p in prims if p.kind == "text"] == ["Hold"]
    assert not [p for p in prims if p.style == "divider"]
    xs = [x for p in prims if p.style == "torso" for x, _ in p.points]
    assert 100 < sum(xs) / len(xs) < 140


def test_caller_labels_still_win():
    d = render_drawing(HEEL_DIG, 240, 120, labels=("Before", "During"))
    assert [s.text for s in _labels(d)] == ["Before", "During"]


# --------------------------------------------------------------------------- props

PROP_STYLES = {"ice": "ice", "wrap": "wrap", "band": "band", "chair": "prop", "step": "prop_fill", "wall": "hatch",
               "cushion": "prop_soft", "strap": "strap", "roller": "prop_fill"}


def test_the_props_are_drawn(library):
    for prop, style in PROP_STYLES.items():
        users = [ex for ex in library.values() if prop in ex.figure.props]
        assert users, prop
        for ex in users:
            styles = {sh.style for panel in scene(ex.figure).panels for sh in panel}
            assert style in styles or (prop == "band" and "band_loop" in styles), (prop, ex.id)


def test_wrap_sits_round_the_thigh():
    fig = Figure(start=Pose(body="standing"), end=Pose(body="standing", hold=True), props=["wrap"])
    sc = scene(fig)
    s = sc.skeletons[0]
    wrap = next(sh for sh in sc.panels[0] if sh.style == "wrap")
    thigh = next(sh for sh in sc.panels[0] if sh.style == "leg")
    assert wrap.w > thigh.w
    assert all(s["knee"][1] < y < s["hip"][1] for _, y in wrap.points)


def test_roller_travels_along_the_thigh(library):
    sc = scene(library["foam_roll_posterior_thigh"].figure)
    rollers = [next(sh for sh in p if sh.kind == "circle" and sh.style == "prop_fill") for p in sc.panels]
    assert rollers[1].points[0][0] > rollers[0].points[0][0] + 0.1
    assert sc.arrow


# --------------------------------------------------------------------------- side

def _styles_svg(svg):
    return [el.get("stroke") for el in ET.fromstring(svg).iter(SVG + "polyline")]


def test_side_colours_the_working_leg_and_none_is_neutral():
    assert SORE not in _styles_svg(render_svg(CURL))
    for side in ("left", "right"):
        assert SORE in _styles_svg(render_svg(CURL, side=side))
        d = render_drawing(CURL, 240, 120, side=side)
        assert any(getattr(n, "strokeColor", None) is not None and n.strokeColor.hexval().lower() == "0x" + SORE[1:]
                   for n in d.contents)


def test_left_mirrors_right_and_labels_stay_readable():
    key = figure_key(CURL)
    right = layout(key, 240.0, 120.0, side="right")
    left = layout(key, 240.0, 120.0, side="left")
    neutral = layout(key, 240.0, 120.0)
    # facing right, a standing body shows its right side: right is drawn as the neutral figure
    assert [p.points for p in right] == [p.points for p in neutral]
    # left: every point mirrored inside its panel
    for r, l in zip(right, left):
        if r.kind == "text":
            assert r.points == l.points and r.text == l.text  # labels are not mirrored
            continue
        if r.style in ("divider", "floor"):  # symmetric in each panel
            continue
        panel = 0 if r.points[0][0] < 120 else 1
        mirrored = sorted((round((2 * panel + 1) * 120 - x), round(y)) for x, y in r.points)
        assert mirrored == sorted((round(x), round(y)) for x, y in l.points), r.style


def test_side_lying_top_leg_is_the_left_unmirrored():
    fig = Figure(start=Pose(body="side_lying"), end=Pose(body="side_lying", abduct=30), move="foot")
    assert scene(fig).near_side == "left"
    key = figure_key(fig)
    assert [p.points for p in layout(key, 240.0, 120.0, side="left")] == [p.points for p in layout(key, 240.0, 120.0)]
    assert [p.points for p in layout(key, 240.0, 120.0, side="right")] != [p.points for p in layout(key, 240.0, 120.0)]


@pytest.mark.parametrize("abduct, front", [(0, False), (1, True), (25, True)])
def test_a_sideways_step_is_seen_from_the_front(abduct, front):
    fig = Figure(start=Pose(body="standing", hip=20, knee=30, other_hip=20, other_knee=30),
                 end=Pose(body="standing", hip=20, knee=30, other_hip=20, other_knee=30, abduct=abduct),
                 move="foot", props=["band"])
    sc = scene(fig)
    assert all(s.front == front for s in sc.skeletons)
    if front:
        start, end = sc.skeletons
        assert start["ankle"][0] < start["oankle"][0]  # the working leg on the viewer's left
        assert end["oankle"] == pytest.approx(start["oankle"])  # the other foot stays put
        assert (end["ankle"][0] < start["ankle"][0]) == (abduct > 0)
        assert {sh.style for sh in sc.panels[0]} >= {"band", "torso", "leg", "eye"}


@pytest.mark.parametrize("side", ["Left", "both", "", 1])
def test_a_bad_side_is_refused(side):
    with pytest.raises(ValueError, match="side"):
        render_svg(CURL, side=side)
    with pytest.raises(ValueError, match="side"):
        render_drawing(CURL, side=side)


# --------------------------------------------------------------------------- figures match their steps

def test_slump_slider_hands_behind_the_back_and_head_tilts(library):
    fig = library["seated_slump_slider"].figure
    start, end = scene(fig).skeletons
    for s in (start, end):  # step 1: hands joined behind the back
        assert s["hand"][0] < s["hip"][0] and s["elbow"][0] < s["shoulder"][0]
    # step 2: straighten the knee and look up; step 3: bend it and look down
    assert end["face"][1] > end["head"][1] + 0.03
    assert start["face"][1] < start["head"][1] - 0.03
    assert end["ankle"][1] > start["ankle"][1] + 0.2


def test_slump_tensioner_chin_down(library):
    start, end = scene(library["seated_slump_tensioner"].figure).skeletons
    for s in (start, end):
        assert s["face"][1] < s["head"][1] - 0.04


def test_side_plank_propping_forearm_is_drawn_in_front(library):
    fig = library["side_plank"].figure
    sc = scene(fig)
    held = sc.skeletons[1]
    assert abs(held["oelbow"][0] - held["shoulder"][0]) < 0.05  # the elbow under the shoulder
    assert held["oelbow"][1] < held["shoulder"][1] - 0.2
    panel = sc.panels[1]
    torso = next(i for i, sh in enumerate(panel) if sh.style == "torso")
    forearm = [i for i, sh in enumerate(panel) if sh.style == "near" and held["ohand"] in sh.points]
    assert forearm and forearm[0] > torso  # drawn over the trunk, not hidden behind it


def test_deep_core_hand_on_the_belly(library):
    held = scene(library["deep_core_activation"].figure).skeletons[1]
    hip, shoulder, hand = held["hip"], held["shoulder"], held["hand"]
    assert hip[1] < hand[1] < (hip[1] + shoulder[1]) / 2 + 0.05  # lower tummy height
    assert 0 < hand[0] - hip[0] < 0.25  # just in front of it


def test_askling_extender_hands_hold_the_thigh(library):
    for s in scene(library["askling_extender"].figure).skeletons:
        hip, knee, hand = s["hip"], s["knee"], s["hand"]
        assert math.dist(hand, ((hip[0] + knee[0]) / 2, (hip[1] + knee[1]) / 2)) < 0.25


# --------------------------------------------------------------------------- contact sheet

def test_contact_sheet_has_every_exercise(library, tmp_path):
    """The figure-review artefact: every figure beside its steps. Set REHAB_ARTEFACT_DIR
    to keep it (contact_sheet.pdf there), then look at every figure."""
    folder = Path(os.environ.get("REHAB_ARTEFACT_DIR") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    out = folder / "contact_sheet.pdf"
    items = library_items(ROOT / "exercises")
    pages = write_sheet(items, out, side="right")
    data = out.read_bytes()
    assert data.startswith(b"%PDF")
    titles = re.findall(rb"/Title \((\w+): ", data)
    assert sorted(t.decode() for t in titles) == sorted(library)
    assert pages == len(re.findall(rb"/Type /Page\b", data)) >= len(library) // 5
    assert b"Helvetica" not in data


# ---------------------------------------------------------------- review fixes (side-lying, crutches, wrap, hold)

def _torso_depth(fig: Figure, panel: int) -> float:
    """The trunk's height above the floor line, as drawn."""
    torso = next(sh for sh in scene(fig).panels[panel] if sh.style == "torso")
    return max(p[1] for p in torso.points) - min(p[1] for p in torso.points)


def test_side_lying_is_drawn_on_its_side(library):
    """Seen from the front: stacked hips and shoulders make the trunk much taller than a
    body lying on its back, and both legs show, the top one above the lower one."""
    side = Figure(start=Pose(body="side_lying"), end=Pose(body="side_lying", abduct=30), move="foot")
    back = Figure(start=Pose(body="supine"), end=Pose(body="supine", knee=40), move="foot")
    assert _torso_depth(side, 0) > 1.8 * _torso_depth(back, 0)
    flat = scene(side).skeletons[0]
    assert flat["hip_top"][1] > flat["hip"][1] + 0.08 and flat["knee"][1] > flat["oknee"][1] + 0.08
    for slug in ("clamshell", "side_lying_hip_abduction", "side_plank"):
        assert _torso_depth(library[slug].figure, 0) > 1.8 * _torso_depth(back, 0), slug


def test_side_plank_shows_the_propping_forearm(library):
    """The held side plank rests on the lower forearm: drawn over the trunk (so it shows),
    upper arm down from the shoulder to an elbow on the floor, forearm along the floor."""
    sc = scene(library["side_plank"].figure)
    held = sc.skeletons[1]
    shapes = list(sc.panels[1])
    torso_at = next(i for i, sh in enumerate(shapes) if sh.style == "torso")
    arm = [i for i, sh in enumerate(shapes) if sh.style == "near" and held["oelbow"] in sh.points]
    assert arm and min(arm) > torso_at
    floor = 0.0
    assert held["oelbow"][1] < floor + 0.06 and abs(held["ohand"][1] - held["oelbow"][1]) < 0.01
    assert held["shoulder"][1] - held["oelbow"][1] > 0.2


def test_crutches_are_drawn_where_the_steps_say_to_use_them(library):
    for ex in library.values():
        says = any("crutch" in step.lower() for step in ex.steps)
        assert ("crutches" in ex.figure.props) == says, ex.id
    sc = scene(library["relative_rest_elevation"].figure)
    plain = scene(library["relative_rest_elevation"].figure.model_copy(update={"props": ["pillow"]}))
    assert len(sc.panels[0]) > len(plain.panels[0])  # the pair of crutches, in both panels
    assert len(sc.panels[1]) > len(plain.panels[1])


def test_the_wrap_goes_on_between_start_and_finish(library):
    """Nothing else moves in the wrap figure: the start shows the first turns above the knee
    with the bandage running to the hand, the finish the whole thigh wrapped."""
    fig = library["compression_wrap"].figure
    sc = scene(fig)
    start, finish = ([sh for sh in panel if sh.style == "wrap"] for panel in sc.panels)
    length = lambda sh: math.dist(sh.points[0], sh.points[-1])  # noqa: E731
    thigh = math.dist(sc.skeletons[1]["hip"], sc.skeletons[1]["knee"])
    assert max(length(sh) for sh in finish) > 0.6 * thigh
    sleeve = [sh for sh in start if sc.skeletons[0]["hand"] not in sh.points]
    assert max(length(sh) for sh in sleeve) < 0.35 * thigh
    assert any(sc.skeletons[0]["hand"] in sh.points for sh in start)  # the roll in the hand
    assert [s.text for s in _labels(render_drawing(fig, 240, 120))] == ["Start", "Finish"]


def test_static_holds_are_one_picture_labelled_hold(library):
    """Nothing moves and the end is held (stand heel to toe, draw the tummy in): one picture
    of the held position, labelled Hold, in the SVG and the PDF alike."""
    from rehab.figures import drawing_size, figure_labels

    for slug in ("tandem_stance", "deep_core_activation", "glute_sets", "ice_pack"):
        fig = library[slug].figure
        assert scene(fig).single and figure_labels(fig) == ("Hold",), slug
        assert drawing_size(fig, 240)[0] == 120  # half a start/finish pair
        svg = render_svg(fig)
        assert svg.count(">Hold</text>") == 1 and "Start" not in svg, slug
    assert figure_labels(library["bridge_hold"].figure) == ("Start", "Hold")
