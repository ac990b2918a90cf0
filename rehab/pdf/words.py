"""Plain words for codes and numbers, as a patient reads them."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rehab.planner.types import Dosage

DIAGNOSIS_WORDS = {
    "hamstring_strain": "Hamstring strain (a tear in the muscle at the back of the thigh)",
    "proximal_hamstring_tendinopathy": "Hamstring tendon pain at the sit bone (proximal hamstring tendinopathy)",
    "sciatica_lumbar_radiculopathy": "Sciatica (irritated nerve root in the lower back)",
    "piriformis_syndrome": "Deep buttock pain (piriformis syndrome)",
    "sacroiliac_joint_dysfunction": "Pelvic joint pain (sacroiliac joint)",
    "lumbar_spinal_stenosis": "Narrowing around the nerves in the lower back (lumbar spinal stenosis)",
    "ischial_bursitis": "Irritated fluid cushion over the sit bone (ischial bursitis)",
    "referred_pain_lumbar_facet": "Pain felt in the thigh that comes from the lower back (referred pain)",
    "muscle_cramps": "Muscle cramps in the back of the thigh",
    "sitting_related_posterior_thigh_soreness": "Soreness at the back of the thigh from long sitting",
}

SIDE_WORDS = {"left": "Left leg", "right": "Right leg", "bilateral": "Both legs", "unspecified": "Not specified"}

# reference.md 0.3, in patient words. Which rules apply depends on the kind of pain.
PAIN_MUSCLE = (
    "During the exercises, pain should stay at 2 out of 10 or less "
    "(0 = no pain, 10 = worst pain you can imagine)."
)
PAIN_TENDON = (
    "Some pain during the exercises is fine if it stays between 0 and 3 out of 10 "
    "and settles back to your usual level within 24 hours. "
    "Pain of 4 out of 10 or more, or a flare the next day, means go back one step."
)
PAIN_NERVE = (
    "Stop any exercise that sends pain, tingling or numbness further down your leg. "
    "Movements that bring the symptoms back up towards your back are a good sign."
)
MORNING_CHECK = (
    "Next-morning check: if your pain or stiffness is worse the next morning, "
    "do less the next day (fewer repetitions or an easier version) and tell your physio."
)

_NERVE = {"sciatica_lumbar_radiculopathy", "lumbar_spinal_stenosis", "piriformis_syndrome"}
_MUSCLE = {"hamstring_strain"}


def diagnosis_words(code: str) -> str:
    return DIAGNOSIS_WORDS.get(code, code.replace("_", " ").capitalize())


def side_words(side: str) -> str:
    return SIDE_WORDS.get(side, side.capitalize())


def pain_rules(diagnosis: str) -> list[str]:
    """The stop rules that fit this kind of pain, with the next-morning check last."""
    if diagnosis in _MUSCLE:
        rules = [PAIN_MUSCLE]
    elif diagnosis in DIAGNOSIS_WORDS:
        rules = [PAIN_TENDON]
    else:  # unknown code: give every rule rather than the wrong one
        rules = [PAIN_MUSCLE, PAIN_TENDON]
    if diagnosis in _NERVE or diagnosis not in DIAGNOSIS_WORDS:
        rules.append(PAIN_NERVE)
    return rules + [MORNING_CHECK]


def date_words(value: dt.date | str | None) -> str:
    if value is None:
        return ""
    if isinstance(value, (dt.date, dt.datetime)):
        return f"{value.day} {value.strftime('%B %Y')}"
    return str(value)


def _seconds(s: int) -> str:
    if s >= 60 and s % 60 == 0:
        return f"{s // 60} min"
    return f"{s} s"


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def dosage_parts(d: Dosage) -> tuple[str, str]:
    """('3 sets x 10 reps each side · hold 5 s · 2x a day · 7 days a week', 'Effort: ...').

    Parts whose number is missing are left out, so no 'None' ever prints; so is a lone
    '1 set' (advice, a wrap), which says nothing to a patient.
    """
    sets = d.sets if d.sets and (d.sets > 1 or d.reps or d.hold_s or d.duration_min) else None
    amount = " x ".join(
        ([_count(sets, "set", "sets")] if sets else []) + ([_count(d.reps, "rep", "reps")] if d.reps else [])
    )
    hold = f"hold {_seconds(d.hold_s)}" if d.hold_s else ""
    duration = f"{d.duration_min} min" if d.duration_min else ""
    parts = [p for p in (amount, hold, duration) if p]
    if d.per_side:
        # 'each side' goes with the repetitions, else with the hold, else the time.
        target = amount if d.reps else (hold or duration or amount)
        if target:
            parts[parts.index(target)] = f"{target} each side"
        else:
            parts.append("each side")
    if d.per_day:
        parts.append("once a day" if d.per_day == 1 else f"{d.per_day}x a day")
    if d.days_per_week:
        parts.append(f"{_count(d.days_per_week, 'day', 'days')} a week")
    effort = f"Effort: {d.effort.strip()}" if d.effort and d.effort.strip() else ""
    return " · ".join(parts), effort


def dosage_line(d: Dosage) -> str:
    """The whole dose on one line: numbers, then the effort."""
    return " · ".join(p for p in dosage_parts(d) if p)


def phase_number(phase_id: str) -> str:
    """'P2_progressive_strengthening' -> 'Phase 2'."""
    if len(phase_id) >= 2 and phase_id[0] == "P" and phase_id[1].isdigit():
        return f"Phase {phase_id[1]}"
    return "Phase"


REFERRAL_WORDS = {
    "emergency": (
        "EMERGENCY: today",
        "Go to the emergency department today. If you feel very unwell, faint or short of "
        "breath, call an ambulance. Do not drive yourself.",
    ),
    "urgent": (
        "URGENT: medical review within 24-48 hours",
        "See a doctor (your GP or an urgent care service) within 24 to 48 hours, "
        "the same day if you can. If things get worse before then, go to the emergency department.",
    ),
    "routine": (
        "ROUTINE: GP review",
        "Book an appointment with your GP in the coming weeks and take this letter with you.",
    ),
    "none": (
        "For information",
        "Please take this letter to your GP.",
    ),
}

_FINDING_LABELS = {
    "days_since_onset": "Days since the pain started",
    "nprs_rest": "Pain at rest (0-10)",
    "nprs_activity": "Pain with daily activity (0-10)",
    "nprs_leg": "Leg pain (0-10)",
    "ake_deficit_deg": "Active knee extension deficit (degrees)",
    "slr_deg": "Straight-leg raise (degrees)",
    "neuro_exam": "Neurological examination",
}


def finding_label(key: str) -> str:
    return _FINDING_LABELS.get(key, key.replace("_", " ").capitalize())


def finding_value(value) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if value is None:
        return "not recorded"
    if isinstance(value, (list, tuple, set)):
        return ", ".join(finding_value(v) for v in value) or "none"
    if isinstance(value, dict):
        return "; ".join(f"{finding_label(str(k))}: {finding_value(v)}" for k, v in value.items()) or "none"
    if isinstance(value, str):
        return value.replace("_", " ")
    return str(value)


def wells_words(score: int) -> str:
    return f"{score} ({'DVT likely' if score >= 2 else 'DVT unlikely'}, two-level Wells score)"
