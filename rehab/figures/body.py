"""The stick figure's body: a Pose placed on what supports it, as named points.

Side view, world units of about a metre (a standing adult is ~1.7 tall), x to
the right, y up, the floor at y = 0. Angles follow rehab.library.schema.Pose:
the trunk line (hip -> shoulder) starts from the body's base direction and
leans forward by `trunk`; thighs and upper arms are placed against the trunk
line (hip flexion, shoulder flexion: 0 = along the trunk towards the feet, 90 =
to the front); shanks against the thigh (knee flexion, bending backwards).

How each body is drawn:
  standing       upright, facing right, feet on the floor (or the working foot on
                 a step/box/bench/chair when it is raised in front)
  sitting        on a chair (or bench/box, bike saddle), hips on the seat; other leg 90/90
  long_sitting   on the floor, trunk up, legs along the floor at hip 90; other leg 90/0
  supine         on the back, head left, feet right; hip flexion raises the thigh
  prone          on the front, head right; hip extension (negative) lifts the leg,
                 a trunk lean back (negative) lifts the chest
  side_lying     on the side, head left on the lower arm, seen from the front:
                 hip flexion is foreshortened, `abduct` lifts the top (working) leg
  quadruped      hands and knees, facing right; `trunk` rounds (+) or hollows (-)
                 the back instead of tilting it; arms under 45 are drawn supporting
  kneeling       upright on both knees, shins back along the floor; other leg 0/90
  half_kneeling  one knee down, other foot in front; the other leg defaults to the
                 complement of the working one (kneeling <-> foot in front)
  standing with abduct (a sideways step): the whole figure is seen from the front,
                 the working leg on the viewer's left (the patient's right)
lift: supine pivots on the shoulders (or a bench under them, with props [bench])
until the feet reach the floor or a step/box under them (bridge); prone and
side_lying rise onto the forearm (plank, side plank); quadruped and
half_kneeling tuck the toes and raise the knees.
side_lying with a trunk lean (+) raises the chest, the hips and legs staying down:
at about 30 the shoulder is at the height of the lower forearm, which props it
(elbow under the shoulder), as a side plank starts.
A broom handle (props [broom_handle]) is held along the back of an upright body,
touching the head, upper back and tailbone: the near hand holds it at the low
back, the far hand behind the neck (the hip-hinge drill).
When other_hip/other_knee are left out, the other leg keeps the body's default
place in the room (a trunk lean does not move it).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from rehab.library.schema import Figure, Pose

Point = tuple[float, float]

# Body proportions (world units).
HEAD_R = 0.095
NECK = 0.05
TRUNK = 0.50
THIGH = 0.44
SHANK = 0.42
ANKLE_H = 0.07
FOOT = 0.16
UPPER_ARM = 0.29
FOREARM = 0.32  # with the hand
BODY_R = 0.07  # half the body's thickness: a lying body's line is this far above its support
ELBOW_PAD = 0.03  # an elbow resting on the floor
LIMB_R = 0.025  # half a drawn line: how far a limb's line sits above what it rests on
SIDE_STACK = 0.11  # lying on the side, seen from the front: the top hip this far above the lower one
PROPPED = 0.12  # lying on the side: a chest raised this far off the floor rests on the lower forearm
STICK_OFF = 0.1  # a stick held along the back: this far behind the spine (head, upper back, tailbone)
STICK_HOLDERS = ("standing", "kneeling", "half_kneeling")  # bodies that hold a stick along the back
# Limb thickness (world units; a standing adult is ~1.7 tall) and the outline
# drawn round each limb, so a body reads as a body, not as lines.
THIGH_W, SHANK_W, FOOT_W = 0.13, 0.095, 0.06
UPPER_ARM_W, FOREARM_W, NECK_W = 0.08, 0.065, 0.075
OUTLINE = 0.016
# Torso half-widths along the spine (t = 0 at the hip, 1 at the shoulder), to the
# front (belly, chest) and to the back.

# Props (world units).
MAT_H = 0.025
SEAT_H = SHANK + ANKLE_H - BODY_R  # chair seat: thighs level with the feet flat on the floor
SADDLE_H = 0.78
STEP_H = 0.18
BOX_H = 0.32
BENCH_H = 0.42
ROLLER_R = 0.075
CUSHION_H = 0.05

BODIES_UPRIGHT = ("standing", "sitting", "kneeling", "half_kneeling", "long_sitting")
BASE_TRUNK = {  # direction hip -> shoulder (degrees, 0 = right, 90 = up) before any lean
    "standing": 90, "sitting": 90, "kneeling": 90, "half_kneeling": 90, "long_sitting": 90,
    "supine": 180, "side_lying": 180, "prone": 0, "quadruped": 0,
}
QUADRUPED_RISE = 6  # on hands and knees the back rises a little to the shoulders (arms are long)
OBLIQUE = 0.45  # side-lying is seen from the front: depth (towards the viewer) shows as this much height
LIFT_SIGN = {"supine": 1, "prone": 1, "side_lying": -1}


# --------------------------------------------------------------------------- vectors

def polar(angle: float, length: float) -> Point:
    a = math.radians(angle)
    return (length * math.cos(a), length * math.sin(a))


def add(p: Point, q: Point) -> Point:
    return (p[0] + q[0], p[1] + q[1])


def sub(p: Point, q: Point) -> Point:
    return (p[0] - q[0], p[1] - q[1])


def dist(p: Point, q: Point) -> float:
    return math.hypot(p[0] - q[0], p[1] - q[1])


def _norm180(angle: float) -> float:
    return (angle + 180.0) % 360.0 - 180.0


def mid(p: Point, q: Point) -> Point:
    return ((p[0] + q[0]) / 2, (p[1] + q[1]) / 2)


# --------------------------------------------------------------------------- poses

@dataclass(frozen=True)
class Params:
    """A pose as continuous numbers, so that poses can be interpolated for the arrow."""

    body: str
    hip: float
    knee: float
    other_hip: float
    other_knee: float
    trunk: float
    arm: float
    lift: float  # 0 = resting, 1 = lifted
    abduct: float = 0.0
    elbow: float = -1.0  # -1: the body's usual bend (see _arm_pose)
    head: float = 0.0    # neck flexion

    @classmethod
    def of(cls, pose: Pose) -> "Params":
        d_hip, d_knee = other_leg_default(pose)
        return cls(pose.body, pose.hip, pose.knee,
                   d_hip + (0 if pose.body in ("quadruped", "side_lying") else pose.trunk) if pose.other_hip is None
                   else pose.other_hip,
                   d_knee if pose.other_knee is None else pose.other_knee,
                   pose.trunk, pose.arm, 1.0 if pose.lift else 0.0, pose.abduct,
                   -1.0 if pose.elbow is None else float(pose.elbow), pose.head)

    def toward(self, other: "Params", t: float) -> "Params":
        def mix(a, b):
            return a + (b - a) * t
        if self.elbow < 0 or other.elbow < 0:  # a usual bend does not mix with a given one
            elbow = self.elbow if t < 0.5 else other.elbow
        else:
            elbow = mix(self.elbow, other.elbow)
        return Params(self.body, mix(self.hip, other.hip), mix(self.knee, other.knee),
                      mix(self.other_hip, other.other_hip), mix(self.other_knee, other.other_knee),
                      mix(self.trunk, other.trunk), mix(self.arm, other.arm), mix(self.lift, other.lift),
                      mix(self.abduct, other.abduct), elbow, mix(self.head, other.head))


def other_leg_default(pose: Pose) -> tuple[int, int]:
    """(hip, knee) of the other leg when the pose leaves it out, before any trunk
    lean: the other leg keeps its place in the base position, so a lean adds to
    its hip angle."""
    body = pose.body
    if body in ("sitting", "quadruped"):
        return (90, 90)
    if body == "kneeling":
        return (0, 90)
    if body == "half_kneeling":  # the other leg is the complement of the working one
        return (90, 90) if pose.hip < 45 else (0, 90)
    if body == "long_sitting":
        return (90, 0)
    return (0, 0)


@dataclass(frozen=True)
class Context:
    """What a whole figure decides once for both of its poses."""

    props: frozenset
    floor: float          # top of what the body rests on at floor level (the mat)
    seat: float           # seat top for sitting bodies
    foot_rest: float      # top of the raised support under the working foot (0 = none)
    anchor: str           # named point kept at x = 0 in both panels
    grip: Point | None = None  # what a standing person holds on to (chair back, rail)
    back_rest: float = 0.0     # top of a bench under the shoulders (hip thrust), 0 = none
    front: bool = False        # standing seen from the front (a sideways step: abduct)


@dataclass(frozen=True)
class Skeleton:
    """Named points of one placed pose, and how to draw the feet and far arm."""

    points: dict
    pointed: tuple[bool, bool]   # working foot, other foot: toes pointed (no heel drawn)
    far_arm: bool                 # draw the far arm (it differs from the near one)
    body: str
    front: bool = False           # seen from the front: both legs and arms side by side

    def __getitem__(self, name: str) -> Point:
        return self.points[name]


def _leg(theta: float, hip: float, knee: float, pointed: bool) -> dict:
    thigh_a = theta + 180 + hip
    knee_pt = polar(thigh_a, THIGH)
    shank_a = thigh_a - knee
    ankle = add(knee_pt, polar(shank_a, SHANK))
    if pointed:
        toe = add(ankle, polar(shank_a + 12, FOOT))
        heel = ankle
    else:
        foot_a = _norm180(shank_a + 90)
        if -55 < foot_a < 55:  # a foot roughly flat stays flat
            foot_a = 0.0
        heel = add(ankle, polar(foot_a - 90, ANKLE_H))
        toe = add(heel, polar(foot_a, FOOT))
    return {"knee": knee_pt, "ankle": ankle, "heel": heel, "toe": toe, "thigh_a": thigh_a}


def _leg_side(theta: float, hip: float, knee: float, abduct: float) -> dict:
    """A side-lying leg seen from the front: flexion points towards the viewer (shown
    foreshortened, a little raised), abduction lifts the leg; with the knee bent it
    opens like a clamshell, the feet staying together."""
    h, s = math.radians(hip), math.radians(hip - knee)
    thigh = (math.cos(h), 0.0, math.sin(h))          # (along the body, up, towards the viewer)
    shank = (math.cos(s), 0.0, math.sin(s))
    foot = (-math.sin(s), 0.0, math.cos(s))
    a = math.radians(abduct)
    if a and knee < 60:  # the whole leg swings up about the hip
        axis = (0.0, 0.0, 1.0)
    elif a:  # the knee opens about the hip-ankle line
        axis = tuple(THIGH * t + SHANK * u for t, u in zip(thigh, shank))
    if a:
        if _rotate(thigh, axis, a)[1] < 0:  # always upwards
            a = -a
        thigh, shank, foot = (_rotate(v, axis, a) for v in (thigh, shank, foot))
    ax, up = polar(theta + 180, 1.0), polar(theta + 270, 1.0)

    def proj(v, length):
        along, lift = v[0] * length, (v[1] + OBLIQUE * v[2]) * length
        return (ax[0] * along + up[0] * lift, ax[1] * along + up[1] * lift)

    knee_pt = proj(thigh, THIGH)
    ankle = add(knee_pt, proj(shank, SHANK))
    toe = add(ankle, proj(foot, FOOT))
    return {"knee": knee_pt, "ankle": ankle, "heel": ankle, "toe": toe}


def _rotate(v: tuple, axis: tuple, angle: float) -> tuple:
    """v rotated by angle (radians) about axis (Rodrigues)."""
    n = math.sqrt(sum(c * c for c in axis)) or 1.0
    k = tuple(c / n for c in axis)
    c, s = math.cos(angle), math.sin(angle)
    cross = (k[1] * v[2] - k[2] * v[1], k[2] * v[0] - k[0] * v[2], k[0] * v[1] - k[1] * v[0])
    dot = sum(x * y for x, y in zip(k, v))
    return tuple(v[i] * c + cross[i] * s + k[i] * dot * (1 - c) for i in range(3))


def _pointed(p: Params, theta: float, hip: float, knee: float) -> bool:
    if p.lift >= 0.5:
        return False
    if p.body == "prone":
        return True
    if p.body in ("kneeling", "half_kneeling", "quadruped"):
        shank_a = theta + 180 + hip - knee
        return math.cos(math.radians(shank_a)) < -0.7  # shin lying back along the floor
    return False


def _raw(p: Params, theta: float) -> tuple[dict, tuple[bool, bool]]:
    """Trunk and legs relative to the hip at the origin."""
    rise = QUADRUPED_RISE if p.body == "quadruped" else 0
    pts: dict[str, Point] = {"hip": (0.0, 0.0), "shoulder": polar(theta + rise, TRUNK)}
    pw = _pointed(p, theta, p.hip, p.knee)
    po = _pointed(p, theta, p.other_hip, p.other_knee)
    for prefix, h, k, pt, ab in (("", p.hip, p.knee, pw, p.abduct), ("o", p.other_hip, p.other_knee, po, 0)):
        # lying on the side, a trunk lean raises the chest only: the legs stay along the floor
        leg = _leg_side(theta + p.trunk, h, k, ab) if p.body == "side_lying" else _leg(theta, h, k, pt)
        for name in ("knee", "ankle", "heel", "toe"):
            pts[prefix + name] = leg[name]
        pts[prefix + "thigh_mid"] = mid(pts["hip"], leg["knee"])
    if p.body == "side_lying":
        pw = po = True  # feet point at the viewer: drawn as a short stub
        # Seen from the front, the hips are stacked: the top (working) leg starts a thigh's
        # width above the lower one, so both legs show.
        up = polar(theta + p.trunk - 90, SIDE_STACK)
        for name in ("knee", "ankle", "heel", "toe", "thigh_mid"):
            pts[name] = add(pts[name], up)
        pts["hip_top"] = up
    return pts, (pw, po)


def _shift(pts: dict, dx: float, dy: float) -> dict:
    return {k: (v[0] + dx, v[1] + dy) for k, v in pts.items()}


def soles(pts: dict, prefix: str = "") -> float:
    return min(pts[prefix + "heel"][1], pts[prefix + "toe"][1])


def _ground_offset(p: Params, pts: dict, ctx: Context) -> float:
    """How far to move a hip-relative pose up so it rests on its support."""
    floor = ctx.floor
    if p.body == "sitting":
        seat = ctx.seat + (CUSHION_H if "cushion" in ctx.props else 0.0)
        return seat + BODY_R
    if p.body == "standing":
        working = soles(pts) - (ctx.foot_rest or floor)
        return -min(working, soles(pts, "o") - floor)
    rests = ["ankle", "oankle"]
    if p.body in ("supine", "prone", "side_lying", "long_sitting"):
        rests += ["hip", "shoulder", "knee", "oknee"]
    elif p.lift < 0.5 or p.body == "kneeling":
        rests += ["knee", "oknee"]
    low = min(pts[n][1] - BODY_R for n in rests)
    low = min(low, soles(pts), soles(pts, "o"))
    if "roller" in ctx.props and p.body in ("long_sitting", "supine", "side_lying", "prone"):
        low = min(low, pts["thigh_mid"][1] - LIMB_R - 2 * ROLLER_R)
    return floor - low


def _lift_pin(p: Params, ctx: Context) -> float:
    """Shoulder height of a lifted lying body: on the floor (bridge) or on the elbows (plank)."""
    if p.body == "supine":
        return (ctx.back_rest or ctx.floor) + BODY_R
    return ctx.floor + ELBOW_PAD + UPPER_ARM


def _lift_angle(p: Params, ctx: Context, theta0: float) -> float:
    """Rotation about the shoulders that brings the feet down onto their support."""
    sign = LIFT_SIGN[p.body]
    pin = _lift_pin(p, ctx)
    target = ctx.foot_rest or ctx.floor

    def gap(phi: float) -> float:
        pts, _ = _raw(p, theta0 + sign * phi)
        dy = pin - pts["shoulder"][1]
        return min(soles(pts), soles(pts, "o")) + dy - target

    lo, hi = (-30.0 if ctx.back_rest else 0.0), None
    g_lo = gap(lo)
    for step in range(int(lo) + 5, 80, 5):
        g = gap(float(step))
        if (g > 0) != (g_lo > 0):
            hi = float(step)
            break
        lo, g_lo = float(step), g
    if hi is None:
        return -99.0
    for _ in range(30):
        mid = (lo + hi) / 2
        g = gap(mid)
        if (g > 0) == (g_lo > 0):
            lo, g_lo = mid, g
        else:
            hi = mid
    return (lo + hi) / 2


def _lifted(p: Params, ctx: Context, theta0: float) -> tuple[Params, float]:
    """The pose and rotation of a lifted lying body. If the feet cannot reach the
    floor with the given hip angle (e.g. a bridge written with the resting hip
    flexion), the hip opens until they can."""
    phi = _lift_angle(replace(p, lift=1.0), ctx, theta0)
    hip, other = p.hip, p.other_hip
    both = p.other_knee > 45  # the other foot is planted too: open both hips
    enough = -30.0 if ctx.back_rest else 5.0
    if phi < enough and p.body == "supine":
        hip, other = min(hip, 0), min(other, 0) if both else other
    while phi < enough and p.body == "supine" and hip > -30:
        phi = _lift_angle(replace(p, hip=hip, other_hip=other, lift=1.0), ctx, theta0)
        if phi < enough:
            hip, other = hip - 5, other - 5 if both else other
    if phi < -90:
        phi = 12.0 if p.body == "supine" else 0.0
    mixed = replace(p, hip=p.hip + (hip - p.hip) * p.lift, other_hip=p.other_hip + (other - p.other_hip) * p.lift)
    return mixed, phi * p.lift


def _arm(shoulder: Point, arm_a: float, elbow: float, floor: float) -> tuple[Point, Point]:
    """Elbow and hand of an arm, resting on the floor rather than going through it."""
    el = add(shoulder, polar(arm_a, UPPER_ARM))
    hand = add(el, polar(arm_a + elbow, FOREARM))
    if hand[1] >= floor:
        return el, hand
    forward = 1.0 if math.cos(math.radians(arm_a)) >= -0.05 else -1.0
    rest = floor + ELBOW_PAD
    if el[1] <= rest:  # forearm flat on the floor, elbow under the shoulder line
        down = max(-math.sin(math.radians(arm_a)), 0.2)
        reach = min((shoulder[1] - rest) / down, UPPER_ARM) if shoulder[1] > rest else 0.0
        el = add(shoulder, polar(arm_a, reach))
        el = (el[0], max(el[1], rest))
        return el, (el[0] + forward * FOREARM, rest)
    dy = el[1] - floor
    dx = math.sqrt(max(FOREARM ** 2 - dy ** 2, 0.0))
    return el, (el[0] + forward * dx, floor)


def _reach(shoulder: Point, target: Point) -> tuple[Point, Point]:
    """Elbow and hand of an arm reaching for target, the elbow bending down."""
    d = dist(shoulder, target)
    base = math.degrees(math.atan2(target[1] - shoulder[1], target[0] - shoulder[0]))
    if d >= UPPER_ARM + FOREARM - 1e-9 or d < 1e-9:
        el = add(shoulder, polar(base, UPPER_ARM))
        return el, add(el, polar(base, FOREARM))
    cos_a = (UPPER_ARM ** 2 + d * d - FOREARM ** 2) / (2 * UPPER_ARM * d)
    a = math.degrees(math.acos(max(-1.0, min(1.0, cos_a))))
    elbows = [add(shoulder, polar(base + a, UPPER_ARM)), add(shoulder, polar(base - a, UPPER_ARM))]
    el = min(elbows, key=lambda e: (round(e[1], 9), e[0]))
    return el, target


def _reach_up(shoulder: Point, target: Point) -> tuple[Point, Point]:
    """Elbow and hand of an arm reaching for target with the elbow raised (a hand
    behind the neck)."""
    el, hand = _reach(shoulder, target)
    # mirror the low elbow across the shoulder -> target line
    dx, dy = target[0] - shoulder[0], target[1] - shoulder[1]
    ln2 = dx * dx + dy * dy
    if ln2 < 1e-12:
        return el, hand
    ex, ey = el[0] - shoulder[0], el[1] - shoulder[1]
    t = (ex * dx + ey * dy) / ln2
    foot = (shoulder[0] + dx * t, shoulder[1] + dy * t)
    return (2 * foot[0] - el[0], 2 * foot[1] - el[1]), hand


def stick_line(pts: dict) -> tuple[Point, Point]:
    """(low end, top end) of a stick held along the back: it touches the back of the
    head, the upper back and the tailbone, and reaches a little past both."""
    hip, sh = pts["hip"], pts["shoulder"]
    d = sub(sh, hip)
    ln = math.hypot(*d) or 1.0
    u = (d[0] / ln, d[1] / ln)
    back = (-u[1], u[0])  # the back is on the left of hip -> shoulder for a body facing right
    off = STICK_OFF
    top = max(0.0, (pts["head"][0] - hip[0]) * u[0] + (pts["head"][1] - hip[1]) * u[1]) + HEAD_R + 0.1
    low = (hip[0] + back[0] * off - u[0] * 0.14, hip[1] + back[1] * off - u[1] * 0.14)
    return low, (hip[0] + back[0] * off + u[0] * top, hip[1] + back[1] * off + u[1] * top)


def _along_stick(line: tuple[Point, Point], t: float) -> Point:
    """The point `t` of the way along the stick from its low end."""
    (x0, y0), (x1, y1) = line
    return (x0 + (x1 - x0) * t, y0 + (y1 - y0) * t)


def _arm_pose(body: str, arm: float, lifted: bool) -> tuple[float, float]:
    """(shoulder flexion, elbow flexion) actually drawn for the near arm."""
    if body == "quadruped" and arm < 45:
        return 90.0, 0.0
    if body == "prone" and lifted and arm < 45:
        return 90.0, 0.0
    if body in BODIES_UPRIGHT and abs(arm) < 15:  # hanging arms drawn just off the trunk
        if body == "sitting":
            return 22.0, 55.0
        return 14.0, 12.0
    return arm, (8.0 if body in BODIES_UPRIGHT else 0.0)


HIP_HALF = 0.09       # front view: half the distance between the hip joints
SHOULDER_HALF = 0.18  # and between the shoulders
STANCE = 4.0          # front view: each leg a little out, feet about hip-width apart


def _front(p: Params, ctx: Context) -> Skeleton:
    """A standing body seen from the front, for a sideways step (abduct). The working
    leg is on the viewer's left, the patient's right; flexion points at the viewer and
    is shown foreshortened."""
    pts: dict[str, Point] = {"hip": (0.0, 0.0)}
    for prefix, sgn, h, k, ab in (("", -1, p.hip, p.knee, p.abduct + STANCE),
                                   ("o", 1, p.other_hip, p.other_knee, STANCE)):
        a, f, sg = math.radians(ab), math.radians(h - p.trunk), math.radians(h - p.trunk - k)
        joint = (sgn * HIP_HALF, 0.0)
        knee = add(joint, (sgn * math.sin(a) * THIGH, -math.cos(a) * math.cos(f) * THIGH))
        ankle = add(knee, (sgn * math.sin(a) * SHANK, -math.cos(a) * math.cos(sg) * SHANK))
        heel = (ankle[0], ankle[1] - ANKLE_H)
        pts.update({prefix + "hipj": joint, prefix + "knee": knee, prefix + "ankle": ankle, prefix + "heel": heel,
                    prefix + "toe": (heel[0] + sgn * 0.06, heel[1]), prefix + "thigh_mid": mid(joint, knee)})
    low = min(pts["heel"][1], pts["oheel"][1])
    pts = _shift(pts, 0.0, ctx.floor - low)
    hip = pts["hip"]
    shoulder = (hip[0], hip[1] + TRUNK * math.cos(math.radians(p.trunk)))
    pts["shoulder"] = pts["mid_back"] = shoulder
    pts["mid_back"] = mid(hip, shoulder)
    pts["neck"] = (shoulder[0], shoulder[1] + NECK * 0.5)
    pts["head"] = (shoulder[0], shoulder[1] + NECK + HEAD_R)
    pts["face"] = pts["head"]
    drop = math.cos(math.radians(p.arm))
    for prefix, sgn in (("", -1), ("o", 1)):
        sh = (shoulder[0] + sgn * SHOULDER_HALF, shoulder[1] - 0.03)
        el = add(sh, (sgn * 0.05, -UPPER_ARM * drop))
        pts[prefix + "shoulder_j"] = sh
        pts[prefix + "elbow"] = el
        pts[prefix + "hand"] = add(el, (sgn * 0.02, -FOREARM * drop))
    ax = pts[ctx.anchor][0] if ctx.anchor in pts else 0.0
    return Skeleton(_shift(pts, -ax, 0.0), (False, False), True, p.body, front=True)


def skeleton(p: Params, ctx: Context) -> Skeleton:
    """Place one pose: trunk, legs, arms and head, resting on its support."""
    if ctx.front and p.body == "standing":
        return _front(p, ctx)
    theta0 = BASE_TRUNK[p.body] - (0 if p.body == "quadruped" else p.trunk)
    if ctx.back_rest and p.body == "supine":  # sitting back against the bench, hips on the floor
        lean = math.degrees(math.asin(min(1.0, (ctx.back_rest - ctx.floor) / TRUNK)))
        theta0 -= lean * (1 - p.lift)
    theta, phi = theta0, 0.0
    lifted = p.lift > 0 and p.body in LIFT_SIGN
    if lifted:
        p, phi = _lifted(p, ctx, theta0)
        theta = theta0 + LIFT_SIGN[p.body] * phi
    pts, pointed = _raw(p, theta)
    if ctx.back_rest and p.body == "supine":  # shoulders on the bench
        dy = _lift_pin(p, ctx) - pts["shoulder"][1]
    elif lifted:  # pinned at the shoulders, interpolating from resting to lifted
        rest_dy = _ground_offset(p, pts, ctx)
        pin_dy = _lift_pin(p, ctx) - pts["shoulder"][1]
        dy = rest_dy + (pin_dy - rest_dy) * min(1.0, p.lift)
    else:
        dy = _ground_offset(p, pts, ctx)
    pts = _shift(pts, 0.0, dy)
    ax = pts[ctx.anchor][0] if ctx.anchor in pts else 0.0
    pts = _shift(pts, -ax, 0.0)

    floor = ctx.floor
    shoulder = pts["shoulder"]
    # Head: follows the trunk, except that a bridged or planked body keeps looking along the floor.
    head_dir = theta0 if p.body in ("supine", "side_lying") else theta
    nod = 0.0 if p.body == "side_lying" else p.head  # neck flexion turns the face down
    pts["neck"] = add(shoulder, polar(head_dir, NECK * 0.5))
    head = add(pts["neck"], polar(head_dir - nod, NECK * 0.5 + HEAD_R))
    if p.body in ("supine", "prone", "side_lying", "quadruped"):
        lowest = floor + HEAD_R + (0.07 if p.body == "side_lying" else 0.0)  # side-lying: on the lower arm
        head = (head[0], max(head[1], lowest))
    pts["head"] = head
    # a point on the face (nose), to show where the head looks; the face is on the
    # front of the body (to the right standing), towards the viewer side-lying
    pts["face"] = add(head, polar(head_dir - nod - 90, HEAD_R))
    bulge = 0.0
    if p.body == "quadruped":  # trunk = spine flexion: rounded up (+) or sagging (-)
        bulge = max(-30.0, min(30.0, p.trunk)) / 30.0 * 0.1
    pts["mid_back"] = add(mid(pts["hip"], shoulder), polar(theta + 90, bulge))

    arm_ref = theta0 if p.body in ("supine", "side_lying") else theta
    if p.elbow >= 0:  # the pose gives the elbow: draw the arm as written
        arm, elbow = p.arm, p.elbow
    else:
        arm, elbow = _arm_pose(p.body, p.arm, p.lift >= 0.5)
    pts["elbow"], pts["hand"] = _arm(shoulder, arm_ref + 180 + arm, elbow, floor)
    holds = p.body in ("standing", "kneeling", "half_kneeling") or (p.body == "sitting" and "bike" in ctx.props)
    if ctx.grip and holds and p.arm < 120:
        pts["elbow"], pts["hand"] = _reach(shoulder, ctx.grip)
    elif "broom_handle" in ctx.props and p.body in STICK_HOLDERS:
        line = stick_line(pts)  # the near hand at the low back, the far one behind the neck
        pts["elbow"], pts["hand"] = _reach(shoulder, _along_stick(line, 0.22))
        pts["oelbow"], pts["ohand"] = _reach_up(shoulder, _along_stick(line, 0.68))
        return Skeleton(pts, pointed, True, p.body)
    elif p.body == "side_lying" and abs(p.arm) < 20:  # the top arm resting along the side, hand on the hip
        pts["elbow"] = add(shoulder, add(polar(theta + 180, UPPER_ARM * 0.95), polar(theta + 270, 0.17)))
        pts["hand"] = add(pts["elbow"], add(polar(theta + 180, FOREARM * 0.9), polar(theta + 270, 0.02)))
    far_arm = False
    if p.body == "quadruped" and abs(arm - 90) > 10:
        far_arm = True
        pts["oelbow"], pts["ohand"] = _arm(shoulder, arm_ref + 270, 0.0, floor)
    elif p.body == "side_lying" and p.lift < 0.5 and shoulder[1] < floor + BODY_R + PROPPED:
        far_arm = True  # the lower arm stretched out under the head
        pts["oelbow"] = add(shoulder, polar(theta0, UPPER_ARM))
        pts["ohand"] = add(pts["oelbow"], polar(theta0, FOREARM))
    elif p.body == "side_lying":
        far_arm = True  # propped on the lower forearm (lifted, or the chest raised)
        pts["oelbow"] = (shoulder[0] - 0.02, floor + ELBOW_PAD)
        pts["ohand"] = (shoulder[0] - 0.02 - FOREARM, floor + ELBOW_PAD)
    else:
        pts["oelbow"], pts["ohand"] = pts["elbow"], pts["hand"]
    return Skeleton(pts, pointed, far_arm, p.body)


# --------------------------------------------------------------------------- figure context

def _anchor(fig: Figure, foot_rest: float) -> str:
    a, b = fig.start, fig.end
    if a.body != b.body:
        return "oankle" if {a.body, b.body} <= {"standing", "sitting"} else "hip"
    body = a.body
    if body == "standing":
        if foot_rest:
            return "ankle"
        planted = []
        for pose in (a, b):  # which feet are down: keep the one that stays down in place
            p = Params.of(pose)
            pts, _ = _raw(p, BASE_TRUNK["standing"] - p.trunk)
            low = min(soles(pts), soles(pts, "o"))
            planted.append((soles(pts) - low < 0.03, soles(pts, "o") - low < 0.03))
        if planted[0][0] and planted[1][0]:  # the working foot stays down: it stays put
            return "ankle"
        return "oankle"
    if body in ("supine", "prone", "side_lying"):
        return "shoulder" if (a.lift or b.lift) else "hip"
    if body in ("quadruped", "kneeling"):
        return "oknee"
    if body == "half_kneeling":
        return "knee" if a.hip < 45 else "oknee"
    return "hip"


def figure_context(fig: Figure) -> Context:
    props = frozenset(fig.props)
    floor = MAT_H if "mat" in props else 0.0
    seat = SEAT_H
    if "bike" in props:
        seat = SADDLE_H
    elif "chair" not in props and "bench" in props:
        seat = BENCH_H
    elif "chair" not in props and "box" in props:
        seat = BOX_H + 0.1
    foot_rest = 0.0
    raised = [k for k in ("step", "box", "bench", "chair") if k in props]
    poses = [Params.of(fig.start), Params.of(fig.end)]
    if raised and any(p.body == "standing" for p in poses):
        lift = 0.0
        for p in poses:
            if p.body == "standing":
                pts, _ = _raw(p, BASE_TRUNK["standing"] - p.trunk)
                if pts["heel"][0] > pts["oheel"][0] + 0.1:  # raised in front, not curled behind
                    lift = max(lift, soles(pts) - soles(pts, "o"))
        if lift > 0.12:
            foot_rest = floor + min(lift, 0.9)
        elif "step" in props:
            foot_rest = floor + STEP_H
    back_rest = 0.0
    if raised and all(p.body == "supine" for p in poses) and any(p.lift for p in poses):
        if raised == ["bench"]:  # hip thrust: shoulders on the bench, feet on the floor
            back_rest = floor + BENCH_H
        else:  # feet up on it: as high as a resting pose puts the heel, or the prop's own height
            foot_rest = floor + {"step": STEP_H, "box": BOX_H, "bench": BENCH_H, "chair": SEAT_H}[raised[0]]
            flat = Context(props, floor, seat, 0.0, "hip")
            heels = [soles(skeleton(p, flat).points) for p in poses if not p.lift]
            if heels and max(heels) > floor + 0.15:
                foot_rest = max(heels)
    front = all(p.body == "standing" for p in poses) and any(p.abduct for p in poses)
    ctx = Context(props, floor, seat, foot_rest, _anchor(fig, foot_rest), back_rest=back_rest, front=front)
    if front:
        return replace(ctx, anchor="oankle")
    holders = ("standing", "kneeling", "half_kneeling")
    if "bike" in props and any(p.body == "sitting" for p in poses):
        bar = bike_layout([skeleton(p, ctx) for p in poses])[3]
        return replace(ctx, grip=(bar[0] - 0.08, bar[1]))
    if not any(p.body in holders for p in poses) or any(p.body == "sitting" for p in poses):
        return ctx
    if "rail" in props or ("chair" in props and not foot_rest):
        skels = [skeleton(p, ctx) for p in poses]
        if "chair" in props and "rail" not in props:
            toes = max(s[n][0] for s in skels for n in ("toe", "otoe", "knee", "oknee"))
            grip = (toes + 0.16, floor + SEAT_H + 0.5)
        else:
            sh = skels[0]["shoulder"]
            grip = (sh[0] + 0.3, max(sh[1] - 0.5, floor + 0.45))
        ctx = replace(ctx, grip=grip)
    return ctx


def bike_layout(skels: list[Skeleton]) -> tuple[Point, Point, float, Point]:
    """(hip on the saddle, crank centre, pedal radius, handlebar) from where the feet are."""
    s = next((sk for sk in skels if sk.body == "sitting"), skels[0])
    hip = s["hip"]
    feet = [sk[n] for sk in skels for n in ("ankle", "oankle")]
    cx = sum(a[0] for a in feet) / len(feet)
    cy = sum(a[1] for a in feet) / len(feet)
    r = sum(dist(a, (cx, cy)) for a in feet) / len(feet)
    r = max(0.1, min(0.2, r))
    bar = (max(hip[0] + 0.48, cx + 0.25), hip[1] - BODY_R + 0.45)
    return hip, (cx, cy), r, bar
