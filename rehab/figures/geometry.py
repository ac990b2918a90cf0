"""Pose -> 2D stick-figure geometry for a whole exercise figure, computed once
(cached per figure) and drawn the same way by both back ends.

scene(figure) gives both panels' shapes in world units (see rehab.figures.body
for the conventions) plus the path of the arrow; rehab.figures.scene lays them
out in pixels.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

from rehab.library.schema import Figure, Pose

from .body import (FOOT_W, FOREARM, FOREARM_W, NECK_W, OUTLINE, SHANK_W, THIGH_W, UPPER_ARM, UPPER_ARM_W,
                   HEAD_R, SHOULDER_HALF, Context, Params, Point, Skeleton, add, dist, figure_context, mid,
                   skeleton, sub)
from .props import Shape, prop_shapes, roller_centre, stroke

MOVE_POINT = {"hand": "hand", "foot": "ankle", "knee": "knee", "hip": "hip", "head": "head",
              "trunk": "shoulder"}


# --------------------------------------------------------------------------- the figure

@dataclass(frozen=True)
class Scene:
    """Both panels in world units. panels[i] is the list of shapes in drawing order;
    arrow is the move point's path (world points) for the finish panel, or ()."""

    panels: tuple[tuple[Shape, ...], tuple[Shape, ...]]
    arrow: tuple[Point, ...]
    bounds: tuple[float, float, float, float]  # x0, y0, x1, y1 over both panels
    skeletons: tuple[Skeleton, Skeleton]
    held: tuple[bool, bool] = (False, False)  # each panel's pose is held still ("Hold")
    near_side: str = "right"  # the patient's side of the working (near, top) leg as drawn
    single: bool = False  # a static hold (nothing moves, the end held): drawn once, the held pose


def near_side(fig: Figure) -> str:
    """Which of the patient's legs the drawn working leg is, unmirrored. A body facing
    right shows its right side to the viewer (standing, sitting, lying on the back or
    front); lying on the side, head left and seen from the front, the top leg is the left."""
    return "left" if fig.start.body == "side_lying" and fig.end.body == "side_lying" else "right"


TORSO_FRONT = ((0.0, 0.07), (0.45, 0.07), (0.78, 0.09), (1.0, 0.07))
TORSO_BACK = ((0.0, 0.075), (0.5, 0.06), (0.85, 0.068), (1.0, 0.06))
# Lying on the side seen from the front: the stacked hips and shoulders make the upper
# side broad (the top of the pelvis, the waist, the top shoulder); the lower side rests.
TORSO_SIDE_UP = ((0.0, 0.2), (0.12, 0.23), (0.45, 0.15), (0.8, 0.23), (1.0, 0.2))
TORSO_SIDE_DOWN = ((0.0, 0.07), (1.0, 0.07))


def _limb(style: str, segments: list[tuple[float, tuple[Point, ...]]]) -> list[Shape]:
    """A limb as round-ended thick strokes: the outlines first, then the fills, so
    the joints between its segments do not show."""
    out = [stroke(style + "_o", w + 2 * OUTLINE, *pts) for w, pts in segments]
    return out + [stroke(style, w, *pts) for w, pts in segments]


def _leg_shapes(style: str, p: dict, prefix: str, pointed: bool) -> list[Shape]:
    n = lambda k: p[prefix + k]  # noqa: E731
    foot = (n("ankle"), n("toe")) if pointed else (n("ankle"), n("heel"), n("toe"))
    hip = p.get("hip_top", p["hip"]) if prefix == "" else p["hip"]  # side-lying: the top hip
    return _limb(style, [(THIGH_W, (hip, n("knee"))), (SHANK_W, (n("knee"), n("ankle"))),
                         (FOOT_W, foot)])


def _arm_shapes(style: str, p: dict, prefix: str) -> list[Shape]:
    return _limb(style, [(UPPER_ARM_W, (p["shoulder"], p[prefix + "elbow"])),
                         (FOREARM_W, (p[prefix + "elbow"], p[prefix + "hand"]))])


def _profile(table, t: float) -> float:
    for (t0, v0), (t1, v1) in zip(table, table[1:]):
        if t <= t1:
            return v0 + (v1 - v0) * (t - t0) / (t1 - t0)
    return table[-1][1]


def _torso(spine: list[Point], front_w=TORSO_FRONT, back_w=TORSO_BACK) -> Shape:
    """The trunk as a closed outline round the spine: fuller at the chest, flatter at the back."""
    n = len(spine)
    front, back = [], []
    for i, pt in enumerate(spine):
        a, b = spine[max(i - 1, 0)], spine[min(i + 1, n - 1)]
        ln = dist(a, b) or 1.0
        tx, ty = (b[0] - a[0]) / ln, (b[1] - a[1]) / ln
        t = i / (n - 1)
        wf, wb = _profile(front_w, t), _profile(back_w, t)
        front.append((pt[0] + ty * wf, pt[1] - tx * wf))
        back.append((pt[0] - ty * wb, pt[1] + tx * wb))
    (x0, y0), (x1, y1) = spine[0], spine[1]
    ln = math.hypot(x1 - x0, y1 - y0) or 1.0
    hip_cap = (x0 - (x1 - x0) / ln * 0.05, y0 - (y1 - y0) / ln * 0.05)
    (x0, y0), (x1, y1) = spine[-1], spine[-2]
    ln = math.hypot(x1 - x0, y1 - y0) or 1.0
    top_cap = (x0 - (x1 - x0) / ln * 0.04, y0 - (y1 - y0) / ln * 0.04)
    return Shape("poly", tuple([hip_cap] + front + [top_cap] + back[::-1]), "torso")


def _body_shapes(s: Skeleton) -> list[Shape]:
    """Back to front: far arm, far leg, trunk, working leg, neck and head, near arm."""
    if s.front:
        return _front_shapes(s)
    p = s.points
    shapes = []
    if s.far_arm:
        shapes += _arm_shapes("far", p, "o")
    shapes += _leg_shapes("far", p, "o", s.pointed[1])
    hip, back, sh = p["hip"], p["mid_back"], p["shoulder"]
    ctrl = (2 * back[0] - (hip[0] + sh[0]) / 2, 2 * back[1] - (hip[1] + sh[1]) / 2)
    spine = [((1 - t) ** 2 * hip[0] + 2 * (1 - t) * t * ctrl[0] + t * t * sh[0],
              (1 - t) ** 2 * hip[1] + 2 * (1 - t) * t * ctrl[1] + t * t * sh[1])
             for t in (i / 8 for i in range(9))]
    side = s.body == "side_lying"
    shapes.append(_torso(spine, *((TORSO_SIDE_UP, TORSO_SIDE_DOWN) if side else (TORSO_FRONT, TORSO_BACK))))
    shapes += _leg_shapes("leg", p, "", s.pointed[0])
    if s.body == "side_lying" and s.far_arm and p["oelbow"][1] < p["shoulder"][1] - 0.15:
        shapes += _arm_shapes("near", p, "o")  # propped on the lower forearm: it carries the body
    shapes += _limb("near", [(NECK_W, (sh, p["neck"], mid(p["neck"], p["head"])))])
    if s.body != "side_lying":  # the nose shows which way the head faces
        head, face = p["head"], p["face"]
        d = sub(face, head)
        shapes.append(Shape("poly", (add(head, _turn(d, 38)), add(head, (d[0] * 1.42, d[1] * 1.42)),
                                     add(head, _turn(d, -38))), "head"))
    shapes.append(Shape("circle", (p["head"],), "head", HEAD_R))
    if s.body != "side_lying":  # and an eye, above the nose
        eye = add(head, add((d[0] * 0.5, d[1] * 0.5), _turn((d[0] * 0.3, d[1] * 0.3), 90)))
        shapes.append(Shape("circle", (eye,), "eye", HEAD_R * 0.16))
    shapes += _arm_shapes("near", p, "")
    return shapes


# A chest turned to the viewer over legs seen from the side (a trunk turn): the trunk's
# outline as (across, along) offsets, across to the right of the spine, along measured
# from the hip for the lower points and from the shoulder for the upper ones.
TURNED_TORSO = ((-0.12, 0.0, -0.05), (0.12, 0.0, -0.05), (0.135, 0.0, 0.04), (0.125, 0.5, 0.0),
                (0.2, 1.0, -0.06), (0.17, 1.0, 0.02), (-0.17, 1.0, 0.02), (-0.2, 1.0, -0.06),
                (-0.125, 0.5, 0.0), (-0.135, 0.0, 0.04))
HANGING = 12.0  # a turned chest's arms at 0: just off the trunk


def trunk_turns(fig: Figure) -> bool:
    """Move "trunk" on a standing body is a turn of the trunk (a lean shows by itself):
    the finish shows the chest turned to the viewer, towards the working (near, front)
    leg, with an arc round the waist for the arrow; see turned()."""
    return fig.move == "trunk" and fig.start.body == fig.end.body == "standing"


def turned(fig: Figure) -> tuple[bool, bool]:
    """Which panels show the chest turned to the viewer: the finish of a trunk turn, and its
    start too when the arms are raised, because arms out to the sides point at the viewer
    in a side view; seen from the front they show. On a turned chest `arm` lifts the arms
    out to the sides (0 by the side, 90 level with the shoulders, in line with each other)."""
    if not trunk_turns(fig):
        return (False, False)
    return (fig.start.arm >= 45, True)


def _axes(s: Skeleton) -> tuple[Point, Point, float]:
    """(along the spine hip -> shoulder, across it to the front, spine length)."""
    d = sub(s["shoulder"], s["hip"])
    ln = math.hypot(*d) or 1.0
    u = (d[0] / ln, d[1] / ln)
    return u, (u[1], -u[0]), ln


def _turned_shapes(s: Skeleton, pose: Pose) -> list[Shape]:
    """Back to front: far leg, the broad trunk, working leg, neck and head with two eyes,
    both arms out to the sides by `arm` (the near one on the back side of the picture)."""
    p = s.points
    u, across, ln = _axes(s)
    hip = p["hip"]

    def at(a: float, t: float, b: float) -> Point:
        along = t * ln + b
        return (hip[0] + u[0] * along + across[0] * a, hip[1] + u[1] * along + across[1] * a)

    shapes = _leg_shapes("far", p, "o", s.pointed[1])
    shapes.append(Shape("poly", tuple(at(*pt) for pt in TURNED_TORSO), "torso"))
    shapes += _leg_shapes("leg", p, "", s.pointed[0])
    sh, head = p["shoulder"], p["head"]
    shapes += _limb("near", [(NECK_W, (sh, p["neck"], head))])
    shapes.append(Shape("circle", (head,), "head", HEAD_R))
    for dx in (-0.035, 0.035):
        eye = (head[0] + across[0] * dx + u[0] * 0.01, head[1] + across[1] * dx + u[1] * 0.01)
        shapes.append(Shape("circle", (eye,), "eye", HEAD_R * 0.14))
    for joint, elbow, hand in turned_arms(s, pose):
        shapes += _limb("near", [(UPPER_ARM_W, (joint, elbow)), (FOREARM_W, (elbow, hand))])
    return shapes


def turned_arms(s: Skeleton, pose: Pose) -> tuple[tuple[Point, Point, Point], ...]:
    """(shoulder joint, elbow, hand) of the near and the far arm of a chest turned to the
    viewer: out to the sides by `arm`, the near one on the back side of the picture."""
    u, across, _ = _axes(s)
    sh = s["shoulder"]
    lift = math.radians(max(HANGING, min(180.0, float(pose.arm))))
    bend = math.cos(math.radians(8 if pose.elbow is None else pose.elbow))  # elbow flexion points at the viewer
    arms = []
    for sign in (-1.0, 1.0):
        joint = (sh[0] + sign * across[0] * SHOULDER_HALF - u[0] * 0.03,
                 sh[1] + sign * across[1] * SHOULDER_HALF - u[1] * 0.03)
        d = (-u[0] * math.cos(lift) + sign * across[0] * math.sin(lift),
             -u[1] * math.cos(lift) + sign * across[1] * math.sin(lift))
        elbow = add(joint, (d[0] * UPPER_ARM, d[1] * UPPER_ARM))
        arms.append((joint, elbow, add(elbow, (d[0] * FOREARM * bend, d[1] * FOREARM * bend))))
    return tuple(arms)


def _turn_arrow(s: Skeleton) -> tuple[Point, ...]:
    """An arc round the trunk at the waist, from its front towards the viewer: the turn.
    Depth towards the viewer is drawn as a little towards the hips."""
    u, across, ln = _axes(s)
    hip = s["hip"]
    c = (hip[0] + u[0] * ln * 0.45, hip[1] + u[1] * ln * 0.45)
    a, b = 0.3, 0.1
    pts = []
    for i in range(17):
        t = math.radians(25 - 170 * i / 16)
        pts.append((c[0] + across[0] * a * math.cos(t) + u[0] * b * math.sin(t),
                    c[1] + across[1] * a * math.cos(t) + u[1] * b * math.sin(t)))
    return tuple(pts)


def _front_shapes(s: Skeleton) -> list[Shape]:
    """A standing body seen from the front: both legs, a broad trunk, both arms, a face with two eyes."""
    p = s.points
    shapes = []
    for style, prefix in (("near", "o"), ("leg", "")):
        shapes += _limb(style, [(THIGH_W, (p[prefix + "hipj"], p[prefix + "knee"])),
                                (SHANK_W, (p[prefix + "knee"], p[prefix + "ankle"])),
                                (FOOT_W, (p[prefix + "ankle"], p[prefix + "heel"], p[prefix + "toe"]))])
    hip, sh = p["hip"], p["shoulder"]
    waist = mid(hip, sh)
    outline = [(-0.15, hip[1] - 0.05), (0.15, hip[1] - 0.05), (0.155, hip[1] + 0.04), (0.125, waist[1]),
               (0.2, sh[1] - 0.06), (0.17, sh[1] + 0.02), (-0.17, sh[1] + 0.02), (-0.2, sh[1] - 0.06),
               (-0.125, waist[1]), (-0.155, hip[1] + 0.04)]
    shapes.append(Shape("poly", tuple((hip[0] + x, y) for x, y in outline), "torso"))
    for prefix in ("o", ""):
        shapes += _limb("near", [(UPPER_ARM_W, (p[prefix + "shoulder_j"], p[prefix + "elbow"])),
                                 (FOREARM_W, (p[prefix + "elbow"], p[prefix + "hand"]))])
    shapes += _limb("near", [(NECK_W, (sh, p["neck"], p["head"]))])
    head = p["head"]
    shapes.append(Shape("circle", (head,), "head", HEAD_R))
    for dx in (-0.035, 0.035):
        shapes.append(Shape("circle", ((head[0] + dx, head[1] + 0.01),), "eye", HEAD_R * 0.14))
    return shapes


def _turn(v: Point, angle: float) -> Point:
    c, s_ = math.cos(math.radians(angle)), math.sin(math.radians(angle))
    return (v[0] * c - v[1] * s_, v[0] * s_ + v[1] * c)


def _arrow_path(fig: Figure, ctx: Context, skels: list[Skeleton], shapes: list[Shape]) -> tuple[Point, ...]:
    if trunk_turns(fig):
        return _turn_arrow(skels[1])
    name = MOVE_POINT.get(fig.move)
    if name is None:
        return ()
    if name == "shoulder" and fig.start.body == fig.end.body == "quadruped":
        name = "mid_back"
    if name in ("ankle", "knee", "hand"):  # the leg or arm that moves, if only the other one does
        other = "o" + name
        if dist(skels[0][name], skels[1][name]) < 0.03 <= dist(skels[0][other], skels[1][other]):
            name = other
    a, b = skels[0][name], skels[1][name]
    if fig.start.body == fig.end.body and fig.start.lift == fig.end.lift:
        p0, p1 = Params.of(fig.start), Params.of(fig.end)
        pts = [a] + [skeleton(p0.toward(p1, i / 16), ctx)[name] for i in range(1, 16)] + [b]
    else:  # no joint motion to follow: straight, or a gentle curve bowing forwards
        middle = mid(a, b)
        d = sub(b, a)
        n = (d[1], -d[0]) if d[1] >= 0 else (-d[1], d[0])
        bow = 0.0 if fig.start.body == fig.end.body else 0.25
        ctrl = (middle[0] + n[0] * bow, middle[1] + n[1] * bow)
        pts = []
        for i in range(17):
            t = i / 16
            pts.append(((1 - t) ** 2 * a[0] + 2 * (1 - t) * t * ctrl[0] + t * t * b[0],
                        (1 - t) ** 2 * a[1] + 2 * (1 - t) * t * ctrl[1] + t * t * b[1]))
    length = sum(dist(pts[i], pts[i + 1]) for i in range(len(pts) - 1))
    if length < 0.05 and "roller" in ctx.props:  # the body rolls over the roller: show the roller's travel
        a, b = (roller_centre(s, i, ctx.floor) for i, s in enumerate(skels))
        below = -0.03
        pts = [(a[0] + (b[0] - a[0]) * i / 8, below) for i in range(9)]
        return tuple(pts)
    if length < (0.005 if fig.end.hold else 0.05):  # a held press shows its small push, lengthened
        return ()
    return _offset(pts, shapes, ctx.floor)


def _seg_dist(p: Point, a: Point, b: Point) -> float:
    dx, dy = b[0] - a[0], b[1] - a[1]
    ln2 = dx * dx + dy * dy
    t = 0.0 if ln2 == 0 else max(0.0, min(1.0, ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / ln2))
    return math.hypot(p[0] - a[0] - t * dx, p[1] - a[1] - t * dy)


def _offset(pts: list[Point], shapes: list[Shape], floor: float) -> tuple[Point, ...]:
    """The path moved sideways so the arrow keeps clear of the drawn body and props."""
    segs = []
    for sh in shapes:
        if sh.style in ("band", "mat"):
            continue
        if sh.kind == "circle":
            segs.append((sh.points[0], sh.points[0], sh.r))
        else:
            ring = sh.points + (sh.points[:1] if sh.kind == "poly" else ())
            segs.extend((ring[k], ring[k + 1], sh.w / 2) for k in range(len(ring) - 1))

    def shifted(gap: float) -> list[Point]:
        out = []
        for i, p in enumerate(pts):
            q0, q1 = pts[max(i - 1, 0)], pts[min(i + 1, len(pts) - 1)]
            dx, dy = q1[0] - q0[0], q1[1] - q0[1]
            ln = math.hypot(dx, dy) or 1.0
            out.append((p[0] + gap * dy / ln, p[1] - gap * dx / ln))
        return out

    def clearance(cand: list[Point]) -> float:
        n = len(cand)
        inner = cand[n // 8: n - n // 5] or cand
        c = min(min(_seg_dist(p, a, b) - r for a, b, r in segs) for p in inner)
        return min(c, min(p[1] for p in cand) - floor)

    best = None
    for gap in (0.08, -0.08, 0.14, -0.14):
        cand = shifted(gap)
        score = clearance(cand) - abs(gap) * 0.2
        if best is None or score > best[0] + 1e-9:
            best = (score, cand)
    return tuple(best[1])


@lru_cache(maxsize=1024)
def scene_from_key(key: str) -> Scene:
    fig = Figure.model_validate_json(key)
    ctx = figure_context(fig)
    skels = [skeleton(Params.of(fig.start), ctx), skeleton(Params.of(fig.end), ctx)]
    shared, back, front = prop_shapes(fig, ctx, skels)
    panels = []
    turns = turned(fig)
    for i, s in enumerate(skels):
        body = _turned_shapes(s, (fig.start, fig.end)[i]) if turns[i] else _body_shapes(s)
        panels.append(tuple(shared + back[i] + body + front[i]))
    arrow = _arrow_path(fig, ctx, skels, list(panels[1]))
    xs, ys = [0.0], [0.0]
    for panel in panels:
        for sh in panel:
            pad = sh.r + sh.w / 2
            for x, y in sh.points:
                xs += [x - pad, x + pad]
                ys += [y - pad, y + pad]
    for x, y in arrow:
        xs.append(x)
        ys.append(y)
    return Scene((panels[0], panels[1]), arrow, (min(xs), min(ys), max(xs), max(ys)),
                 (skels[0], skels[1]), (fig.start.hold, fig.end.hold), near_side(fig), is_static(fig))


def is_static(fig: Figure) -> bool:
    """A static hold: the same position at start and end, or nothing moves and the end is
    held (stand heel to toe, draw the tummy in). One picture, labelled "Hold"."""
    return fig.start == fig.end or (fig.move == "none" and fig.end.hold)


def figure_key(figure: Figure | dict) -> str:
    """A canonical JSON text for a figure, used as the cache key."""
    if not isinstance(figure, Figure):
        figure = Figure.model_validate(figure)
    return figure.model_dump_json()


def scene(figure: Figure | dict) -> Scene:
    """Both panels of a figure in world units (cached per figure)."""
    return scene_from_key(figure_key(figure))


def pose_points(pose: Pose, props: tuple[str, ...] = ()) -> dict[str, Point]:
    """Named points of a single pose placed on its support, hip (or the body's
    anchor) at x = 0: hip, shoulder, neck, head, knee, ankle, heel, toe, elbow, hand,
    and o-prefixed ones for the other leg and far arm."""
    fig = Figure(start=pose, end=pose, props=list(props))
    return dict(skeleton(Params.of(pose), figure_context(fig)).points)
