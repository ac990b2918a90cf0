"""Geometry of the stick figure: each body rests on its support the way a patient
would recognise, and the angles come out as written."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rehab.figures import body as g
from rehab.figures.geometry import pose_points, scene
from rehab.library.schema import BODIES, PROPS, Figure, Pose

FLOOR_LINE = g.BODY_R  # a lying body's centre line is this far above the floor


def angle_between(a, b, c):
    """Angle at b (degrees) between b->a and b->c."""
    v1 = (a[0] - b[0], a[1] - b[1])
    v2 = (c[0] - b[0], c[1] - b[1])
    cos = (v1[0] * v2[0] + v1[1] * v2[1]) / (math.hypot(*v1) * math.hypot(*v2))
    return math.degrees(math.acos(max(-1.0, min(1.0, cos))))


def direction(a, b):
    """Direction a -> b in degrees, -180..180 (0 = right, 90 = up)."""
    return math.degrees(math.atan2(b[1] - a[1], b[0] - a[0]))


def sole(pts, prefix=""):
    return min(pts[prefix + "heel"][1], pts[prefix + "toe"][1])


def test_standing_feet_on_floor_and_upright():
    p = pose_points(Pose(body="standing"))
    assert sole(p) == pytest.approx(0, abs=1e-9)
    assert sole(p, "o") == pytest.approx(0, abs=1e-9)
    assert p["hip"][1] > p["knee"][1] > p["ankle"][1]
    assert p["shoulder"][1] > p["hip"][1]
    assert 1.55 < p["head"][1] + g.HEAD_R < 1.85  # about a person's height
    assert abs(p["shoulder"][0] - p["hip"][0]) < 1e-9


def test_supine_lies_on_the_floor():
    p = pose_points(Pose(body="supine"))
    assert p["hip"][1] == pytest.approx(FLOOR_LINE)
    assert p["shoulder"][1] == pytest.approx(FLOOR_LINE)
    assert p["shoulder"][0] < p["hip"][0] < p["knee"][0]  # head on the left, feet on the right
    assert p["head"][1] - g.HEAD_R >= -1e-9


def test_mat_raises_a_lying_body_by_its_thickness():
    p = pose_points(Pose(body="supine"), props=("mat",))
    assert p["hip"][1] == pytest.approx(g.MAT_H + FLOOR_LINE)


def test_hooklying_knee_up_feet_flat():
    p = pose_points(Pose(body="supine", hip=45, knee=90))
    assert p["knee"][1] > p["hip"][1] + 0.2
    assert sole(p) == pytest.approx(0, abs=0.02)
    assert p["heel"][1] == pytest.approx(p["toe"][1])  # foot flat


@pytest.mark.parametrize("body,hip", [("standing", 90), ("supine", 45), ("sitting", 90), ("prone", 0)])
def test_knee_90_is_a_right_angle(body, hip):
    p = pose_points(Pose(body=body, hip=hip, knee=90))
    assert angle_between(p["hip"], p["knee"], p["ankle"]) == pytest.approx(90, abs=1e-6)


def test_hip_90_puts_the_thigh_at_right_angles_to_the_trunk():
    p = pose_points(Pose(body="standing", hip=90))
    assert angle_between(p["shoulder"], p["hip"], p["knee"]) == pytest.approx(90)
    assert direction(p["hip"], p["knee"]) == pytest.approx(0, abs=1e-6)  # thigh forward


def test_bridge_lifts_the_hips_keeping_shoulders_and_feet_down():
    fig = Figure(start=Pose(body="supine", hip=45, knee=90, other_hip=45, other_knee=90),
                 end=Pose(body="supine", knee=90, other_knee=90, other_hip=0, lift=True), move="hip")
    start, end = scene(fig).skeletons
    assert end["hip"][1] > start["hip"][1] + 0.2
    assert end["shoulder"][1] == pytest.approx(FLOOR_LINE)
    assert sole(end.points) == pytest.approx(0, abs=1e-3)
    # hips roughly in line between shoulders and knees
    assert angle_between(end["shoulder"], end["hip"], end["knee"]) > 160


def test_bridge_written_with_resting_hip_angle_still_lifts():
    fig = Figure(start=Pose(body="supine", hip=45, knee=90), end=Pose(body="supine", hip=45, knee=90, lift=True))
    start, end = scene(fig).skeletons
    assert end["hip"][1] > start["hip"][1] + 0.15


def test_plank_rests_on_forearms_and_toes():
    p = pose_points(Pose(body="prone", arm=90, lift=True))
    assert p["hip"][1] > 0.2
    assert min(p["toe"][1], p["heel"][1]) == pytest.approx(0, abs=1e-3)
    assert p["elbow"][1] == pytest.approx(g.ELBOW_PAD, abs=0.02)
    assert 0 <= p["hand"][1] < 0.05  # forearm along the floor
    assert p["hand"][0] > p["elbow"][0] + 0.2


def test_quadruped_on_hands_and_knees_with_vertical_arms():
    p = pose_points(Pose(body="quadruped", hip=90, knee=90, arm=90))
    assert p["knee"][1] == pytest.approx(FLOOR_LINE)
    assert p["oknee"][1] == pytest.approx(FLOOR_LINE)
    assert p["hand"][1] == pytest.approx(0, abs=0.035)
    assert abs(p["hand"][0] - p["shoulder"][0]) < 0.2  # arms about vertical
    assert abs(p["shoulder"][1] - p["hip"][1]) < 0.12   # back about level
    assert p["head"][0] > p["shoulder"][0]             # facing right


def test_kneeling_upright_on_the_knees():
    p = pose_points(Pose(body="kneeling", knee=90))
    assert p["knee"][1] == pytest.approx(FLOOR_LINE)
    assert direction(p["knee"], p["hip"]) == pytest.approx(90, abs=1e-6)
    assert p["ankle"][0] < p["knee"][0]  # shins back along the floor


def test_half_kneeling_one_knee_one_foot_down():
    p = pose_points(Pose(body="half_kneeling", knee=90))  # working leg kneels, other leg in front
    assert p["knee"][1] == pytest.approx(FLOOR_LINE, abs=0.02)
    assert sole(p, "o") == pytest.approx(0, abs=0.02)
    assert p["oknee"][0] > p["knee"][0] + 0.3


def test_sitting_on_a_chair():
    fig = Figure(start=Pose(body="sitting", hip=90, knee=90), end=Pose(body="sitting", hip=90, knee=90),
                 props=["chair"])
    s = scene(fig).skeletons[0]
    assert s["hip"][1] == pytest.approx(g.SEAT_H + g.BODY_R)
    assert s["knee"][1] == pytest.approx(s["hip"][1])
    assert sole(s.points) == pytest.approx(0, abs=1e-6)
    assert any(sh.style == "prop" for sh in scene(fig).panels[0])


def test_sitting_lean_keeps_the_other_thigh_on_the_seat():
    p = pose_points(Pose(body="sitting", hip=120, knee=90, trunk=30))
    assert direction(p["hip"], p["oknee"]) == pytest.approx(0, abs=1e-6)
    assert p["shoulder"][0] > p["hip"][0] + 0.2


def test_forward_lean_and_split_stance():
    p = pose_points(Pose(body="standing", hip=70, knee=10, other_hip=70, other_knee=10, trunk=70))
    assert p["shoulder"][0] > p["hip"][0] + 0.4
    split = pose_points(Pose(body="standing", hip=30, other_hip=-20))
    assert split["oankle"][0] < split["hip"][0] < split["ankle"][0]


def test_long_sitting_legs_along_the_floor():
    p = pose_points(Pose(body="long_sitting", hip=90))
    assert p["ankle"][1] == pytest.approx(FLOOR_LINE)
    assert p["hip"][1] == pytest.approx(FLOOR_LINE)
    assert p["shoulder"][1] > 0.4


def test_side_lying_abduction_lifts_the_top_leg():
    flat = pose_points(Pose(body="side_lying"))
    raised = pose_points(Pose(body="side_lying", abduct=35))
    # Seen from the front the hips are stacked: the top leg lies a thigh's width above the lower one.
    assert flat["oankle"][1] == pytest.approx(FLOOR_LINE)
    assert flat["ankle"][1] == pytest.approx(FLOOR_LINE + g.SIDE_STACK)
    assert flat["hip_top"][1] == pytest.approx(flat["hip"][1] + g.SIDE_STACK)
    assert raised["ankle"][1] > flat["ankle"][1] + 0.3
    assert raised["oankle"][1] == pytest.approx(FLOOR_LINE)


def test_arrow_follows_the_move_and_only_when_it_moves():
    moving = Figure(start=Pose(body="sitting", hip=90, knee=90), end=Pose(body="sitting", hip=90, knee=0),
                    move="foot")
    sc = scene(moving)
    start, end = sc.skeletons
    assert len(sc.arrow) > 2
    assert math.dist(sc.arrow[0], start["ankle"]) < 0.2
    assert math.dist(sc.arrow[-1], end["ankle"]) < 0.2
    # curved: the foot swings about the knee
    chord = math.dist(sc.arrow[0], sc.arrow[-1])
    length = sum(math.dist(a, b) for a, b in zip(sc.arrow, sc.arrow[1:]))
    assert length > chord * 1.05
    still = Figure(start=Pose(body="supine", hip=45, knee=90), end=Pose(body="supine", hip=45, knee=90),
                   move="foot")
    assert scene(still).arrow == ()
    assert scene(moving.model_copy(update={"move": "none"})).arrow == ()


def test_panels_share_the_room():
    fig = Figure(start=Pose(body="sitting", hip=90, knee=90), end=Pose(body="standing"), move="hip",
                 props=["chair"])
    sc = scene(fig)
    chair = [sh for sh in sc.panels[0] if sh.style == "prop"]
    assert chair and chair == [sh for sh in sc.panels[1] if sh.style == "prop"]
    x0, y0, x1, y1 = sc.bounds
    assert y0 <= 0 and y1 > 1.5


poses = st.builds(
    Pose,
    body=st.sampled_from(BODIES),
    hip=st.integers(-60, 150), knee=st.integers(0, 160),
    other_hip=st.none() | st.integers(-60, 150), other_knee=st.none() | st.integers(0, 160),
    trunk=st.integers(-60, 120), arm=st.integers(-60, 180), lift=st.booleans(), abduct=st.integers(0, 60),
    elbow=st.none() | st.integers(0, 150), head=st.integers(-45, 60), hold=st.booleans(),
)


@settings(max_examples=150, deadline=None)
@given(start=poses, end=poses, move=st.sampled_from(["hand", "foot", "knee", "hip", "head", "trunk", "none"]),
       props=st.lists(st.sampled_from(PROPS), max_size=4, unique=True))
def test_any_valid_figure_gives_finite_geometry(start, end, move, props):
    sc = scene(Figure(start=start, end=end, move=move, props=props))
    assert all(math.isfinite(v) for v in sc.bounds)
    assert sc.bounds[2] - sc.bounds[0] < 10 and sc.bounds[3] - sc.bounds[1] < 10
    for panel in sc.panels:
        for shape in panel:
            assert all(math.isfinite(x) and math.isfinite(y) for x, y in shape.points)
