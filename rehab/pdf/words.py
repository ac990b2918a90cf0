"""Plain words for codes and numbers, as a patient reads them."""

from __future__ import annotations

import datetime as dt
import re
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


def join_words(items) -> str:
    """'a', 'a and b', 'a, b and c'."""
    items = [str(i).strip() for i in items if str(i).strip()]
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1] if items else ""


def phase_number(phase_id: str) -> str:
    """'P2_progressive_strengthening' -> 'Phase 2'."""
    if len(phase_id) >= 2 and phase_id[0] == "P" and phase_id[1].isdigit():
        return f"Phase {phase_id[1]}"
    return "Phase"


REFERRAL_WORDS = {
    "emergency": (
        "EMERGENCY: go now, or call an ambulance",
        "Go to the emergency department now, or call an ambulance. Do not wait to see if it "
        "gets better, and do not drive yourself.",
    ),
    "urgent": (
        "URGENT: see a doctor within 24-48 hours",
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

# The referral letter of an allowed plan that also refers: heading and action in its box. The
# exercise plan goes on, so these are not REFERRAL_WORDS' "go now" / "do not exercise".
PLAN_LETTER_WORDS = {
    "emergency": REFERRAL_WORDS["emergency"],
    "urgent": ("URGENT referral: to be seen within 1 to 2 days",
               "Your physiotherapist will arrange this appointment with you; it should happen within the next "
               "1 to 2 days. If you have not heard by then, call the clinic."),
    "routine": ("ROUTINE referral: in the coming weeks",
                "Your physiotherapist will arrange this appointment with you in the coming weeks."),
}
PLAN_LETTER_PATIENT = ("take this letter with you to the appointment. Keep to the exercises in your plan until "
                       "then; if the pain gets much worse or you notice anything in \"Get help now\" on your plan, "
                       "stop and get help.")


def plan_letter_opening(plan) -> str:
    """The letter's first line for an allowed plan with a referral: why, and that exercise goes on."""
    phase = phase_number(plan.current_phase) if plan.current_phase else ""
    started = f"an exercise plan ({phase})" if phase and phase != "Phase" else "an exercise plan"
    return (f"During today's assessment we found signs that need a further opinion. The patient has started "
            f"{started} suited to these findings and will keep to it until seen. Reasons for the referral:")


# An allowed plan that also carries a referral (contract: routine or urgent), on page 1.
def next_without_later_phases(referral_level: str, refer_to) -> str:
    """'What comes next' for a plan with no later stage: the specialist's opinion decides it
    (a grade 3 strain before its orthopaedic review), or this is the last stage."""
    if referral_level in PLAN_REFERRAL_WORDS:
        to = join_words(str(r).split(" (")[0] for r in refer_to)  # the name, not the clinician's detail
        who = f"the specialist you are being referred to ({to})" if to else "the specialist you are being referred to"
        return (f"Your next stage depends on the opinion of {who}. Keep to this plan until then; your physio "
                "will plan the next stage with you after that appointment.")
    return ("This is the last stage of your plan. Keep it up until your physio tells you that you can stop, "
            "or what to keep doing.")


PLAN_REFERRAL_WORDS = {
    "urgent": "Your physiotherapist will arrange this with you; it should happen within the next 1 to 2 "
              "days - if you have not heard by then, call the clinic. Keep to the exercises in this plan "
              "until then.",
    "routine": "Your physiotherapist will arrange this with you in the coming weeks. Carry on with this plan "
               "in the meantime.",
}



def plan_referral(referral) -> tuple[str, str] | None:
    """An allowed plan's own referral (routine or urgent) in the patient's words, as the
    printed plan (page 1) and the patient's page both say it: (who to, what happens next),
    or None for a plan that refers nowhere."""
    if referral.level not in PLAN_REFERRAL_WORDS:
        return None
    to = join_words(referral.refer_to) or "a doctor"
    return f"Your physiotherapist is also referring you to: {to}.", PLAN_REFERRAL_WORDS[referral.level]


WELLS_ITEM_WORDS = {
    "active_cancer": "Active cancer",
    "paralysis_or_recent_cast": "Paralysis, weakness or a recent plaster cast of the leg",
    "bedridden_or_recent_surgery": "Bedridden 3 days or more, or major surgery in the last 12 weeks",
    "deep_vein_tenderness": "Tenderness along the deep veins",
    "entire_leg_swollen": "Entire leg swollen",
    "calf_swelling_3cm": "Calf swelling 3 cm or more than the other side",
    "pitting_oedema": "Pitting oedema in the symptomatic leg",
    "collateral_superficial_veins": "Collateral superficial veins (not varicose)",
    "previous_dvt": "Previous DVT",
    "alternative_dx_as_likely": "An alternative diagnosis at least as likely (scores -2)",
}

MEDICINE_WORDS = {
    "anticoagulant": "Anticoagulant",
    "antiplatelet": "Antiplatelet",
    "oral_contraceptive": "Combined oral contraceptive",
    "corticosteroid": "Corticosteroid",
}

SEX_WORDS = {"female": "Female", "male": "Male", "other": "Other", "unspecified": "Not recorded"}

# Words that have to stay in a plan (the exercise is known by them), explained once in
# "Words used in this plan". Matched as whole words in everything the plan prints.
GLOSSARY = {
    "Askling": "A set of three hamstring exercises (the Glider, Diver and Extender) named after the "
               "researcher who designed them. They train the muscle at long length.",
    "Nordic": "The Nordic hamstring curl: kneeling, you lower your body forward slowly while your "
              "ankles are held. A hard exercise for the back of the thigh.",
    "Pallof": "The Pallof press: you push a band or cable straight out from your chest and stop "
              "it from twisting you. It trains the tummy and trunk muscles.",
    "H-test": "A check your physio does: lying on your back you lift the straight leg quickly, "
              "to see if the back of the thigh feels safe at speed.",
    "eccentric": "Eccentric means the muscle works while it lengthens, for example lowering "
                 "slowly rather than lifting.",
    "isometric": "Isometric means the muscle works without the joint moving, for example pushing "
                 "against something that does not move.",
    "carioca": "A sideways running drill: you step one foot in front of and then behind the other.",
    "plyometric": "Jumping and bouncing exercises that train quick, springy muscle work.",
    "Copenhagen": "The Copenhagen plank: a side plank with the top leg resting on a bench.",
    "sciatic": "The sciatic nerve runs from the lower back down the back of the leg.",
    "glute": "The glutes are the buttock muscles.",
    "HARM": "Heat, Alcohol, Running and Massage: avoid them for the first 72 hours after an injury.",
    "Bird-dog": "On hands and knees, you reach one arm forward and the other leg back, your back still.",
    "Dead bug": "On your back, arms and legs up, you lower one arm and the other leg, your back still.",
    "T-drill": "A running drill along the shape of a T: forward, sideways each way, then back.",
    "end range": "As far as a joint can move or a muscle can stretch.",
    "exit test": "A check at the end of a stage: are you ready for the next one?",
    "maximal strength test": "A test where you push or pull as hard as you can.",
}


def _glossary_pattern() -> re.Pattern:
    """One pattern for every term: names match as whole words; lower-case terms also with
    an ending ("eccentrically", "glutes"); an acronym (HARM) only in capitals, never "harm"."""
    def alternative(term: str) -> str:
        if term.isupper():
            return f"(?-i:{re.escape(term)})" + r"(?![\w-])"
        return re.escape(term) + ("" if term.islower() else r"(?![\w-])")
    alternatives = [alternative(term) for term in GLOSSARY]
    return re.compile(r"(?<![\w-])(" + "|".join(alternatives) + ")", re.IGNORECASE)


_GLOSSARY_RE = _glossary_pattern()
_GLOSSARY_KEYS = {term.lower(): term for term in GLOSSARY}


def glossary_terms(texts) -> list[tuple[str, str]]:
    """(term, meaning) for each glossary word found in `texts`, in glossary order."""
    found = {_GLOSSARY_KEYS[m.lower()] for m in _GLOSSARY_RE.findall("\n".join(str(t) for t in texts))}
    return [(term, meaning) for term, meaning in GLOSSARY.items() if term in found]


_FINDING_LABELS = {
    "days_since_onset": "Days since the pain started",
    "nprs_rest": "Pain at rest (0-10)",
    "nprs_activity": "Pain with daily activity (0-10)",
    "nprs_leg": "Leg pain (0-10)",
    "ake_deficit_deg": "Active knee extension deficit (degrees)",
    "slr_deg": "Straight-leg raise (degrees)",
    "leg_nprs": "Leg pain (0-10)",
    "back_nprs": "Back pain (0-10)",
    "sitting_nprs": "Pain when sitting (0-10)",
    "nprs_walking": "Pain when walking (0-10)",
    "temperature_c": "Temperature (°C)",
    "bamic": "BAMIC grade",
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


def wells_item(code: str) -> str:
    return WELLS_ITEM_WORDS.get(code, code.replace("_", " ").capitalize())


def medicine_words(code: str) -> str:
    return MEDICINE_WORDS.get(code, code.replace("_", " ").capitalize())


def sex_words(code: str) -> str:
    return SEX_WORDS.get(code, code.replace("_", " ").capitalize()) if code else SEX_WORDS["unspecified"]


def wells_words(score: int) -> str:
    return f"{score} ({'DVT likely' if score >= 2 else 'DVT unlikely'}, two-level Wells score)"
