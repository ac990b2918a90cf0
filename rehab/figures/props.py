"""Props drawn around the body: mat, chair, step/box/bench, wall, rail, bike,
roller, slider, pillow/cushion, ice pack, compression wrap, weight, band, strap
and a broom handle held along the back.

Fixed props (chair, wall, step...) are placed once for the figure so they stand
still between the Start and Finish panels; worn or held ones (weight, band,
strap, slider, ice) follow the body in each panel.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from rehab.library.schema import Figure

from .body import (BODY_R, BOX_H, CUSHION_H, HEAD_R, MAT_H, OUTLINE, ROLLER_R, SEAT_H, STEP_H, STICK_HOLDERS,
                   THIGH_W, Context, Point, Skeleton, bike_layout, dist, mid, stick_line, sub)

# --------------------------------------------------------------------------- shapes

@dataclass(frozen=True)
class Shape:
    """One drawable item in world units. kind: 'path' (open polyline), 'poly'
    (closed polygon) or 'circle' (points = (centre,), radius r). `style` names an
    entry of rehab.figures.scene.STYLES."""

    kind: str
    points: tuple[Point, ...]
    style: str
    r: float = 0.0
    w: float = 0.0  # stroke width in world units (a limb's thickness); 0 = the style's line


def stroke(style: str, w: float, *pts: Point) -> Shape:
    """A thick round-ended line of world width w: a limb, a chair's frame, a wrap."""
    return Shape("path", tuple(pts), style, 0.0, w)


def polyline(style: str, *pts: Point) -> Shape:
    return Shape("path", tuple(pts), style)


def polygon(style: str, *pts: Point) -> Shape:
    return Shape("poly", tuple(pts), style)


def rect(style: str, x0: float, y0: float, x1: float, y1: float) -> Shape:
    return polygon(style, (x0, y0), (x1, y0), (x1, y1), (x0, y1))


def ellipse(style: str, c: Point, rx: float, ry: float, angle: float = 0.0, n: int = 20) -> Shape:
    ca, sa = math.cos(math.radians(angle)), math.sin(math.radians(angle))
    pts = []
    for i in range(n):
        t = 2 * math.pi * i / n
        x, y = rx * math.cos(t), ry * math.sin(t)
        pts.append((c[0] + x * ca - y * sa, c[1] + x * sa + y * ca))
    return Shape("poly", tuple(pts), style)


# --------------------------------------------------------------------------- props

STICK_W = 0.03  # a broom handle


def prop_shapes(fig: Figure, ctx: Context, skels: list[Skeleton]) -> tuple[list, list, list]:
    """(shared, back, front): shapes fixed in the room (the same in both panels), and per
    panel the ones drawn behind the body and in front of it."""
    props = ctx.props
    shared: list[Shape] = []       # fixed in the room: the same in both panels
    back: list[list[Shape]] = [[], []]
    front: list[list[Shape]] = [[], []]
    all_pts = [pt for s in skels for pt in s.points.values()]
    floor = ctx.floor
    sitting = [s for s in skels if s.body == "sitting"]

    if "mat" in props:
        low = [pt[0] for pt in all_pts if pt[1] < floor + 0.35]
        if skels[0].body == "sitting" and skels[1].body == "sitting":
            low = [s[n][0] for s in skels for n in ("heel", "toe", "oheel", "otoe")]
        if low:
            shared.append(rect("mat", min(low) - 0.06, 0.0, max(low) + 0.06, MAT_H))

    if sitting and "bike" not in props:
        hip = sitting[0]["hip"]
        seat = ctx.seat
        seats = shared
        if any(s.body not in ("sitting", "standing") for s in skels):  # lying down in the other panel
            seats = next(back[i] for i, s in enumerate(skels) if s.body == "sitting")
        if "chair" in props or not ({"box", "bench"} & props):
            seats.extend(_chair(hip[0] - 0.18, seat))
        elif "bench" in props:
            seats.append(rect("prop_fill", hip[0] - 0.45, 0.0, hip[0] + 0.2, seat))
        else:
            seats.append(rect("prop_fill", hip[0] - 0.2, 0.0, hip[0] + 0.16, seat))
        if "cushion" in props:
            seats.append(rect("prop_soft", hip[0] - 0.17, seat, hip[0] + 0.15, seat + CUSHION_H))
    elif "chair" in props and not ctx.foot_rest:
        # a chair to hold on to, its back towards the person
        if ctx.grip and "rail" not in props:
            x = ctx.grip[0]
        else:
            x = max(pt[0] for pt in all_pts) + 0.15
        shared.extend(_chair(x, floor + SEAT_H, facing=1))

    if "bike" in props:
        bike, crank = _bike(skels)
        shared.extend(bike)
        for i, s in enumerate(skels):
            back[i].append(polyline("prop", crank, s["ankle"]))

    if ctx.back_rest:
        sh = skels[0]["shoulder"]
        shared.append(rect("prop_fill", sh[0] - 0.5, 0.0, sh[0] + 0.06, ctx.back_rest))
    if ctx.foot_rest:
        kind = next(k for k in ("step", "box", "bench", "chair") if k in props)
        ref = next((s for s in skels if s.body in ("standing", "supine")), skels[0])
        heel, toe = ref["heel"], ref["toe"]
        x0, x1 = min(heel[0], toe[0]) - 0.08, max(heel[0], toe[0]) + 0.08
        top = ctx.foot_rest
        if ref.body == "supine":  # the feet of a lifted pose rest on it
            lifted = next((s for s in skels if s.body == "supine" and s["hip"][1] > floor + 0.15), ref)
            heel, toe = lifted["heel"], lifted["toe"]
            x0, x1 = min(heel[0], toe[0]) - 0.1, max(heel[0], toe[0]) + 0.12
        if kind == "chair":
            shared.extend(_chair(x1 + 0.1, top, facing=-1))
        elif kind == "bench":
            shared.append(rect("prop_fill", x0, 0.0, x1 + 0.35, top))
        else:
            w = max(x1 - x0, 0.34)
            shared.append(rect("prop_fill", x0, 0.0, x0 + w, top))
    elif "box" in props and not sitting and skels[1].body == "standing":
        # a box to lift: on the floor under the hands at the end
        hand, toe = skels[1]["hand"], max(skels[1]["toe"][0], skels[0]["toe"][0])
        x = max(hand[0], toe + 0.2) if hand[1] < 0.8 else toe + 0.3
        shared.append(rect("prop_fill", x - 0.16, floor, x + 0.16, floor + 0.26))
    elif "step" in props or "box" in props or ("bench" in props and not sitting and not ctx.back_rest):
        # a step or box in front of the person when nothing stands on it
        x = max(pt[0] for pt in all_pts) + 0.1
        top = STEP_H if "step" in props else BOX_H
        shared.append(rect("prop_fill", x, 0.0, x + 0.34, top))

    if "wall" in props:
        shared.extend(_wall(skels, ctx.grip))

    if "rail" in props:
        if ctx.grip:
            x, y = ctx.grip
        else:
            hand = skels[0]["hand"]
            x, y = hand[0], min(max(hand[1], 0.75), 1.1)
        x0, x1 = min(pt[0] for pt in all_pts) - 0.15, max(pt[0] for pt in all_pts) + 0.15
        shared.append(polyline("prop", (x0, y), (x1, y)))
        shared.append(polyline("prop", (x0 + 0.05, floor), (x0 + 0.05, y)))
        shared.append(polyline("prop", (x1 - 0.05, floor), (x1 - 0.05, y)))

    if "crutches" in props:  # a pair standing ready beside the head (steps that say to use them)
        shared.extend(_crutches(min(pt[0] for pt in all_pts) - 0.45, floor))

    if "cone" in props:
        x = max(pt[0] for pt in all_pts) + 0.25
        shared.append(polygon("prop_fill", (x - 0.07, floor), (x + 0.07, floor), (x, floor + 0.2)))

    for i, s in enumerate(skels):
        if "roller" in props:
            back[i].append(Shape("circle", (roller_centre(s, i, floor),), "prop_fill", ROLLER_R))
        if "slider" in props:
            prefix = _sliding_foot(skels)
            heel, toe = s[prefix + "heel"], s[prefix + "toe"]
            if min(heel[1], toe[1]) < floor + 0.1:
                x0, x1 = min(heel[0], toe[0]), max(heel[0], toe[0])
                back[i].append(rect("prop_fill", x0 - 0.04, floor, x1 + 0.04, floor + 0.025))
        if "pillow" in props or ("cushion" in props and s.body != "sitting"):
            back[i].extend(_pillow(s, floor))
        if "ice" in props:
            front[i].extend(_ice(s))
        if "wrap" in props:  # nothing else changes: the start shows the wrap going on
            front[i].extend(_wrap(s, going_on=(i == 0 and fig.move == "none" and fig.start != fig.end)))
        if "weight" in props:
            front[i].extend(_weight(fig, s))
        if "broom_handle" in props and s.body in STICK_HOLDERS:  # along the back: head, upper back, tailbone
            front[i].append(stroke("stick", STICK_W, *stick_line(s.points)))
        if "strap" in props:  # from the hands round the sole of the foot
            sole = mid(s["heel"], s["toe"])
            d = sub(s["toe"], s["heel"])
            under = (sole[0] + d[1] * 0.35, sole[1] - d[0] * 0.35)
            front[i].append(polyline("strap", s["hand"], s["toe"], under, s["heel"], s["hand"]))
    if "band" in props:
        _band(fig, ctx, skels, front)
    return shared, back, front


def roller_centre(s: Skeleton, panel: int, floor: float) -> Point:
    """A foam roller under the thigh: nearer the hip at the start, nearer the knee at
    the finish, as the body rolls over it."""
    hip, knee = s["hip"], s["knee"]
    t = (0.4, 0.75)[panel]
    return (hip[0] + (knee[0] - hip[0]) * t, floor + ROLLER_R)


def _sliding_foot(skels: list[Skeleton]) -> str:
    """'' or 'o': the foot that travels more between the panels (the one on the slider)."""
    moved = [dist(skels[0][n], skels[1][n]) for n in ("ankle", "oankle")]
    return "o" if moved[1] > moved[0] + 0.03 else ""


def _chair(back_x: float, seat: float, facing: int = 1) -> list[Shape]:
    """A chair with its backrest at back_x, the seat going the way it faces."""
    front_x = back_x + 0.4 * facing
    return [
        stroke("prop", 0.03, (back_x, seat + 0.48), (back_x, 0.0)),
        stroke("prop", 0.045, (back_x, seat - 0.02), (front_x, seat - 0.02)),
        stroke("prop", 0.03, (front_x, seat), (front_x, 0.0)),
    ]


def _wall(skels: list[Skeleton], grip: Point | None) -> list[Shape]:
    s = skels[0]
    pts = [pt for sk in skels for pt in sk.points.values()]
    hands_forward = [sk["hand"] for sk in skels
                     if sk.body in ("standing", "half_kneeling", "kneeling") and not grip
                     and sk["hand"][0] > sk["shoulder"][0] + 0.25 and sk["hand"][1] > sk["hip"][1] + 0.2]
    if s.body == "supine" and max(sk["heel"][1] for sk in skels) > 0.5:
        x = max(pt[0] for pt in pts) + 0.03
        side = 1
    elif hands_forward:
        x = max(h[0] for h in hands_forward) + 0.02
        side = 1
    elif any(min(sk["oankle"][0], sk["ankle"][0]) < sk["hip"][0] - 0.3 for sk in skels):
        x = max(pt[0] for pt in pts) + HEAD_R + 0.08  # a leg reaches back: the wall is in front
        side = 1
    elif s.body in ("supine", "prone", "side_lying"):
        x = max(pt[0] for pt in pts) + 0.06
        side = 1
    else:
        x = min(min(sk["hip"][0], sk["shoulder"][0], sk["head"][0] - HEAD_R) for sk in skels) - BODY_R
        side = -1
    top = max(1.75, max(pt[1] for pt in pts) + 0.1)
    shapes = [polyline("prop", (x, 0.0), (x, top))]
    y = 0.12
    while y < top:
        shapes.append(polyline("hatch", (x, y), (x + side * 0.07, y + 0.07)))
        y += 0.16
    return shapes


def _bike(skels: list[Skeleton]) -> tuple[list[Shape], Point]:
    """A stationary bike under a sitting body: (shapes, crank centre)."""
    hip, (cx, cy), r, bar = bike_layout(skels)
    seat = hip[1] - BODY_R
    post_x = hip[0] - 0.03
    col_foot = (bar[0] + 0.02, 0.02)
    return [
        polyline("frame", (post_x - 0.2, 0.02), (col_foot[0] + 0.15, 0.02)),
        polyline("frame", (post_x, seat - 0.02), (post_x, 0.02)),
        polyline("frame", col_foot, (bar[0] - 0.06, bar[1])),
        polyline("frame", (post_x, cy), (cx, cy)),
        polyline("frame", (bar[0] - 0.12, bar[1]), (bar[0] + 0.02, bar[1])),
        polyline("weight_bar", (hip[0] - 0.1, seat - 0.015), (hip[0] + 0.08, seat - 0.015)),
        Shape("circle", ((cx, cy),), "pedal_path", r),
    ], (cx, cy)


def _pillow(s: Skeleton, floor: float) -> list[Shape]:
    if s.body == "sitting":
        hip = s["hip"]
        c = (hip[0] - BODY_R - 0.04, hip[1] + 0.16)
        return [ellipse("prop_soft", c, 0.04, 0.09)]
    if s.body in ("kneeling", "half_kneeling", "quadruped"):
        knees = [s[k] for k in ("knee", "oknee") if s[k][1] < floor + BODY_R + 0.02]
        if not knees:
            return []
        x0, x1 = min(k[0] for k in knees), max(k[0] for k in knees)
        return [rect("prop_soft", x0 - 0.1, floor, x1 + 0.1, floor + 0.03)]
    if s.body == "prone":
        c = (s["hip"][0], floor + 0.035)
        return [ellipse("prop_soft", c, 0.16, 0.035)]
    if s.body == "supine" and s["ankle"][1] > floor + BODY_R + 0.1:  # legs raised on pillows
        a, k = s["ankle"], s["knee"]
        top = min(a[1], k[1]) - BODY_R
        x0 = min(a[0], k[0]) - 0.05
        return [rect("prop_soft", x0, floor, max(a[0], k[0]) + 0.08, top)]
    if s.body == "supine" and s["knee"][1] > floor + 0.15 and s["heel"][1] < floor + 0.1:
        k = s["knee"]
        return [ellipse("prop_soft", (k[0], floor + 0.06), 0.13, 0.06)]
    if s.body in ("supine", "side_lying"):
        h = s["head"]
        return [ellipse("prop_soft", (h[0], floor + 0.04), 0.15, 0.04)]
    return []


def _along(s: Skeleton, a: str, b: str, t0: float, t1: float, off: float, style: str,
           half: float) -> Shape:
    """A small block lying along segment a-b, on its back side."""
    pa, pb = s[a], s[b]
    d = sub(pb, pa)
    ln = math.hypot(*d) or 1.0
    ux, uy = d[0] / ln, d[1] / ln
    # Every leg bends the same way round, so the back of the thigh is always on the
    # clockwise side of hip -> knee (the floor side lying supine, the ceiling prone).
    nx, ny = uy, -ux
    p0 = (pa[0] + d[0] * t0 + nx * off, pa[1] + d[1] * t0 + ny * off)
    p1 = (pa[0] + d[0] * t1 + nx * off, pa[1] + d[1] * t1 + ny * off)
    q1 = (p1[0] + nx * half, p1[1] + ny * half)
    q0 = (p0[0] + nx * half, p0[1] + ny * half)
    return polygon(style, p0, p1, q1, q0)


def _ice(s: Skeleton) -> list[Shape]:
    """An ice pack on the back of the thigh, with a snowflake mark."""
    block = _along(s, "hip", "knee", 0.25, 0.8, THIGH_W / 2 + OUTLINE, "ice", 0.07)
    a, b, c, d = block.points
    centre = ((a[0] + c[0]) / 2, (a[1] + c[1]) / 2)
    marks = []
    for ang in (0, 60, 120):
        v = (math.cos(math.radians(ang)) * 0.03, math.sin(math.radians(ang)) * 0.03)
        marks.append(polyline("ice_mark", (centre[0] - v[0], centre[1] - v[1]), (centre[0] + v[0], centre[1] + v[1])))
    return [block] + marks


def _wrap(s: Skeleton, going_on: bool = False) -> list[Shape]:
    """A compression bandage round the thigh: a wider sleeve with the turns marked.
    going_on: only the first turns, above the knee, with the rest of the bandage running
    up to the hand that winds it."""
    hip, knee = s["hip"], s["knee"]
    at = lambda t: (hip[0] + (knee[0] - hip[0]) * t, hip[1] + (knee[1] - hip[1]) * t)  # noqa: E731
    w = THIGH_W + 0.035
    t0 = 0.6 if going_on else 0.18
    shapes = [stroke("wrap_o", w + 2 * OUTLINE, at(t0), at(0.88)), stroke("wrap", w, at(t0), at(0.88))]
    if going_on:
        shapes += [stroke("wrap_o", 0.035 + 2 * OUTLINE, at(t0), s["hand"]), stroke("wrap", 0.035, at(t0), s["hand"])]
    d = sub(knee, hip)
    ln = math.hypot(*d) or 1.0
    n = (-d[1] / ln * w / 2, d[0] / ln * w / 2)
    for k in range(2 if going_on else 5):
        k += 3 if going_on else 0
        c0, c1 = at(0.22 + 0.13 * k), at(0.3 + 0.13 * k)
        shapes.append(polyline("wrap_mark", (c0[0] - n[0], c0[1] - n[1]), (c1[0] + n[0], c1[1] + n[1])))
    return shapes


def _crutches(x: float, floor: float) -> list[Shape]:
    """Two elbow crutches side by side, leaning: a shaft with a rubber
    tip, a handgrip pointing forwards and a cuff at the top."""
    out = []
    for dx in (0.0, 0.09):
        base, top = (x + dx, floor), (x + dx + 0.5, floor + 0.62)  # leaning, so the figure stays low
        at = lambda t: (base[0] + (top[0] - base[0]) * t, base[1] + (top[1] - base[1]) * t)  # noqa: E731
        grip = at(0.74)
        cuff = at(0.97)
        out += [stroke("prop", 0.022, base, top),
                stroke("prop", 0.03, grip, (grip[0] + 0.12, grip[1] - 0.01)),
                polyline("prop", (cuff[0] - 0.045, cuff[1] - 0.03), (cuff[0] + 0.05, cuff[1] + 0.02)),
                rect("knob", base[0] - 0.016, floor, base[0] + 0.016, floor + 0.04)]
    return out


def _weight(fig: Figure, s: Skeleton) -> list[Shape]:
    if fig.move in ("foot", "knee"):
        a, k = s["ankle"], s["knee"]
        c = (a[0] + (k[0] - a[0]) * 0.12, a[1] + (k[1] - a[1]) * 0.12)
        ang = math.degrees(math.atan2(k[1] - a[1], k[0] - a[0]))
        return [ellipse("weight", c, 0.06, 0.045, ang)]
    h = s["hand"]
    return [polyline("weight_bar", (h[0] - 0.07, h[1]), (h[0] + 0.07, h[1])),
            rect("weight", h[0] - 0.1, h[1] - 0.045, h[0] - 0.06, h[1] + 0.045),
            rect("weight", h[0] + 0.06, h[1] - 0.045, h[0] + 0.1, h[1] + 0.045)]


def _band(fig: Figure, ctx: Context, skels: list[Skeleton], front: list[list[Shape]]) -> None:
    """A band tied from the moving hand or foot to a fixed point the move pulls away from;
    otherwise a loop around the thighs above the knees; seen from the front, a loop round both shins."""
    if skels[0].front:
        for i, s in enumerate(skels):
            a = [s[k] for k in ("knee", "ankle")]
            b = [s[k] for k in ("oknee", "oankle")]
            at = lambda pair: (pair[0][0] + (pair[1][0] - pair[0][0]) * 0.55,  # noqa: E731
                               pair[0][1] + (pair[1][1] - pair[0][1]) * 0.55)
            front[i].append(stroke("band", 0.03, at(a), at(b)))
        return
    name = {"foot": "ankle", "hand": "hand"}.get(fig.move)
    if name:
        a, b = skels[0][name], skels[1][name]
        d = sub(a, b)
        ln = math.hypot(*d)
        if ln > 0.03:
            anchor = (a[0] + d[0] / ln * 0.45, a[1] + d[1] / ln * 0.45)
            anchor = (anchor[0], max(anchor[1], ctx.floor + 0.05))
            for i, s in enumerate(skels):
                front[i].append(polyline("band", s[name], anchor))
                front[i].append(Shape("circle", (anchor,), "knob", 0.025))
            return
        if name == "ankle" and skels[0][name][1] > ctx.floor + 0.25:  # held still: tied down beyond the foot
            for i, s in enumerate(skels):
                a = s[name]
                side = 1.0 if a[0] >= s["hip"][0] else -1.0
                anchor = (a[0] + side * 0.35, ctx.floor + 0.05)
                front[i].append(polyline("band", a, anchor))
                front[i].append(Shape("circle", (anchor,), "knob", 0.025))
            return
    for i, s in enumerate(skels):
        hip, knee = s["hip"], s["knee"]
        c = (hip[0] + (knee[0] - hip[0]) * 0.8, hip[1] + (knee[1] - hip[1]) * 0.8)
        ang = math.degrees(math.atan2(knee[1] - hip[1], knee[0] - hip[0]))
        front[i].append(ellipse("band_loop", c, 0.035, THIGH_W / 2 + OUTLINE + 0.02, ang))
