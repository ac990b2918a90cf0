"""Four figures redrawn to match their steps (issue 12 review): the broom handle along
the back in the hip-hinge drill, the side plank starting propped on the forearm, the
trunk turn of the walking lunge, and the airplane's arms out to the sides. The rules
are general (a prop, a side-lying trunk lean, move "trunk" on a standing body), so
each is also checked on a figure that is not in the library."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from rehab.figures import render_svg, scene
from rehab.figures.body import BODY_R, ELBOW_PAD, HEAD_R, STICK_OFF, UPPER_ARM, stick_line
from rehab.figures.geometry import _seg_dist, turned, turned_arms
from rehab.library.loader import load_library
from rehab.library.schema import PROPS, Figure, Pose

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def library():
    return load_library(ROOT / "exercises")


def _eyes(panel) -> int:
    return sum(1 for sh in panel if sh.style == "eye")


# --------------------------------------------------------------------------- the stick

def test_broom_handle_is_a_prop_the_admin_form_offers():
    from rehab.admin.forms import FigureForm

    assert "broom_handle" in PROPS
    form = FigureForm()
    assert "broom_handle" in [choice.value for choice in form.props.choices]


def test_hip_hinge_drill_holds_a_stick_touching_head_upper_back_and_tailbone(library):
    fig = library["hip_hinge_lifting"].figure
    assert "broom_handle" in fig.props
    sc = scene(fig)
    for panel, s in zip(sc.panels, sc.skeletons):
        sticks = [sh for sh in panel if sh.style == "stick"]
        assert len(sticks) == 1
        low, top = sticks[0].points
        assert math.dist(low, top) > 0.9  # a broom handle, longer than the back
        head_back_gap = _seg_dist(s["head"], low, top) - HEAD_R
        assert abs(head_back_gap) < 0.02  # touches the back of the head
        for name in ("shoulder", "hip"):  # upper back and tailbone: just behind the spine
            assert _seg_dist(s[name], low, top) == pytest.approx(STICK_OFF, abs=1e-6)
        # on the back, not the front: behind the spine, away from the face
        spine = (s["shoulder"][0] - s["hip"][0], s["shoulder"][1] - s["hip"][1])
        side = lambda p: spine[0] * (p[1] - s["hip"][1]) - spine[1] * (p[0] - s["hip"][0])  # noqa: E731
        assert side(low) * side(s["face"]) < 0
        for hand in ("hand", "ohand"):  # both hands hold it
            assert _seg_dist(s[hand], low, top) < 0.01, hand
    start, finish = sc.skeletons
    assert finish["ohand"][1] > finish["hand"][1]  # one hand behind the neck, one at the low back
    assert {sh.style for sh in sc.panels[0]} >= {"far", "near"}  # both arms are drawn


def test_stick_follows_any_upright_body_and_is_not_drawn_lying_down():
    kneel = scene(Figure(start=Pose(body="kneeling"), end=Pose(body="kneeling", trunk=40), move="trunk",
                         props=["broom_handle"]))
    for panel, s in zip(kneel.panels, kneel.skeletons):
        (stick,) = [sh for sh in panel if sh.style == "stick"]
        assert stick.points == stick_line(s.points)
    lying = scene(Figure(start=Pose(body="supine"), end=Pose(body="supine", knee=60), props=["broom_handle"]))
    assert not [sh for panel in lying.panels for sh in panel if sh.style == "stick"]


# --------------------------------------------------------------------------- side plank

def test_side_plank_starts_propped_on_the_forearm_hips_down(library):
    fig = library["side_plank"].figure
    sc = scene(fig)
    floor = 0.025  # the mat
    start, held = sc.skeletons
    for s in (start, held):  # elbow under the shoulder, forearm along the floor
        assert abs(s["oelbow"][0] - s["shoulder"][0]) < 0.05
        assert s["oelbow"][1] == pytest.approx(floor + ELBOW_PAD)
        assert s["ohand"][1] == pytest.approx(floor + ELBOW_PAD)
        assert s["shoulder"][1] == pytest.approx(floor + ELBOW_PAD + UPPER_ARM, abs=0.03)
    assert start["hip"][1] == pytest.approx(floor + BODY_R, abs=1e-6)  # the hips on the mat
    assert max(start[n][1] for n in ("ankle", "oankle")) < floor + 0.25  # the legs along it
    assert held["hip"][1] > start["hip"][1] + 0.08  # then lifted
    # the propping arm is drawn over the trunk in the start too, so it shows
    panel = sc.panels[0]
    torso = next(i for i, sh in enumerate(panel) if sh.style == "torso")
    assert any(i > torso and sh.style == "near" and start["oelbow"] in sh.points for i, sh in enumerate(panel))


def test_side_lying_without_a_lean_still_rests_the_head_on_the_outstretched_arm():
    s = scene(Figure(start=Pose(body="side_lying"), end=Pose(body="side_lying", abduct=30), move="foot")).skeletons[0]
    assert s["ohand"][0] < s["oelbow"][0] < s["shoulder"][0]
    assert abs(s["ohand"][1] - s["shoulder"][1]) < 0.01  # along the floor, not propped


# --------------------------------------------------------------------------- trunk turn

def test_lunge_finish_shows_the_chest_turned_with_an_arc_arrow(library):
    fig = library["lunge_walk_rotation"].figure
    sc = scene(fig)
    assert turned(fig) == (False, True)
    assert _eyes(sc.panels[0]) == 1 and _eyes(sc.panels[1]) == 2  # profile, then facing the viewer
    finish = sc.skeletons[1]
    assert finish["knee"][1] < 0.5 and finish["oknee"][1] < 0.3  # still in the lunge
    arrow = sc.arrow
    assert arrow
    xs = [p[0] for p in arrow]
    hip_x = finish["hip"][0]
    assert min(xs) < hip_x - 0.2 and max(xs) > hip_x + 0.2  # round the waist, both sides of it
    bow = max(_seg_dist(p, arrow[0], arrow[-1]) for p in arrow)
    assert bow > 0.08  # an arc, not a straight push


def test_airplane_arms_out_to_the_sides_then_one_hand_down_to_the_standing_foot(library):
    fig = library["single_leg_airplane"].figure
    sc = scene(fig)
    assert turned(fig) == (True, True)
    start, finish = sc.skeletons
    (nj, _, nh), (fj, _, fh) = turned_arms(start, fig.start)
    for joint, hand in ((nj, nh), (fj, fh)):  # level with the shoulders, out to each side
        assert abs(hand[1] - joint[1]) < 0.03
        assert abs(hand[0] - joint[0]) > 0.5
    assert (nh[0] - start["hip"][0]) * (fh[0] - start["hip"][0]) < 0
    (nj, _, nh), (fj, _, fh) = turned_arms(finish, fig.end)
    down, up = sorted((nh, fh), key=lambda h: h[1])
    assert up[1] > finish["shoulder"][1] + 0.4  # one arm up to the ceiling
    stance = finish["ankle"]  # the working leg stands; the other reaches back
    assert finish["oankle"][0] < finish["hip"][0] - 0.5
    # the other hand down towards that foot: below its knee, in front of it, above the floor
    assert 0.0 < down[1] < finish["knee"][1] and stance[0] < down[0] < finish["shoulder"][0] + 0.3


def test_a_turn_with_arms_down_keeps_the_start_in_profile():
    fig = Figure(start=Pose(body="standing"), end=Pose(body="standing", arm=90), move="trunk")
    assert turned(fig) == (False, True)
    sc = scene(fig)
    (_, _, nh), (_, _, fh) = turned_arms(sc.skeletons[1], fig.end)
    assert abs(nh[1] - fh[1]) < 1e-6 and abs(nh[0] - fh[0]) > 1.0  # a T, seen from the front


@pytest.mark.parametrize("slug", ["cat_camel", "seated_figure4_stretch", "pelvis_friendly_transfers"])
def test_move_trunk_off_standing_bodies_is_unchanged(library, slug):
    fig = library[slug].figure
    assert turned(fig) == (False, False)
    assert all(_eyes(panel) <= 1 for panel in scene(fig).panels)


def test_turned_figures_render_mirrored_for_the_left_leg(library):
    for slug in ("lunge_walk_rotation", "single_leg_airplane"):
        fig = library[slug].figure
        right, left = render_svg(fig, side="right"), render_svg(fig, side="left")
        assert right != left and left.count("<circle") == right.count("<circle")
