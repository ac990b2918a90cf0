"""Choose the current phase from the findings: criteria-based, not calendar-based.

The patient is in the first phase whose exit criteria are not all met. A
finding that was not assessed counts as not met (unless the criterion is marked
`required: false`), so missing information keeps the plan earlier, never later.
"""

from __future__ import annotations

from rehab.planner.intake import Intake
from rehab.planner.protocols import Criterion, Protocol, for_goal
from rehab.vocab import CODE_BY_PHASE, PHASE_BY_CODE, PHASE_CODES


def irritable(intake: Intake, kind: str) -> tuple[bool, list[str]]:
    """The irritability rule of reference 0.3 for non-traumatic conditions."""
    f = intake.findings
    why = []
    if f.nprs_rest is not None and f.nprs_rest >= 4:
        why.append(f"pain at rest {f.nprs_rest}/10 (4 or more)")
    # Walking and sitting are daily activities; a score without a context (back pain, or leg
    # pain outside radicular pain) is held to the activity threshold too (conservative).
    activity = [("pain with daily activity", f.nprs_activity), ("pain when walking", f.nprs_walking),
                ("pain when sitting", f.sitting_nprs), ("back pain", f.back_nprs)]
    if kind != "radicular":
        activity.append(("leg pain", f.leg_nprs))
    for label, score in activity:
        if score is not None and score >= 6:
            why.append(f"{label} {score}/10 (6 or more)")
    if f.response_24h == "flare":
        why.append("flare-up in the 24 hours after loading")
    if kind == "radicular":
        if f.leg_nprs is not None and f.leg_nprs >= 6:
            why.append(f"leg pain {f.leg_nprs}/10 (6 or more)")
        if f.slr_deg is not None and f.slr_deg < 45:
            why.append(f"straight-leg raise {f.slr_deg} deg (under 45)")
        assessed = f.leg_nprs is not None or f.nprs_rest is not None or f.nprs_activity is not None
    else:
        assessed = any(v is not None for v in (f.nprs_rest, f.nprs_activity, f.nprs_walking,
                                                f.sitting_nprs, f.back_nprs, f.leg_nprs))
    if not assessed and kind != "no_tissue_injury":
        why.append("pain scores not assessed (irritability unknown)")
    return bool(why), why


def derived_findings(intake: Intake, kind: str) -> dict:
    """Findings plus values computed from them; stronger tests imply weaker ones."""
    f = intake.findings
    values = dict(f.__dict__)  # the fields as they are (faster than model_dump)
    running = f.running_pain_free_pct
    if f.sprint_95pct_pain_free:
        running = max(running or 0, 95)
    values["running_pct"] = running
    ran_pain_free = running is not None and running >= 50
    values["walking_pain_free"] = (f.walking == "pain_free") if f.walking is not None else (
        True if (f.slow_jog_pain_free or ran_pain_free) else None)
    values["slow_jog_ok"] = f.slow_jog_pain_free if f.slow_jog_pain_free is not None else (
        True if ran_pain_free else None)
    values["isometric_ok"] = f.isometric_50_70_pain_free if f.isometric_50_70_pain_free is not None else (
        True if f.knee_flexion_max_pain_free or (f.strength_pct_other_side or 0) >= 80 else None)
    values["knee_flexion_strong"] = True if (f.knee_flexion_max_pain_free or
                                             (f.strength_pct_other_side or 0) >= 80) else (
        False if f.knee_flexion_max_pain_free is False or f.strength_pct_other_side is not None else None)
    bridge = f.single_leg_bridge_reps
    values["bridge_reps"] = bridge.injured if bridge else None
    # Exact, not rounded: 89.7% is not "within 10%". No reps on the other side: nothing to compare.
    values["bridge_pct"] = 100 * bridge.injured / bridge.uninjured if bridge and bridge.uninjured else None
    values["h_test_secure"] = None if f.askling_h_test_insecurity is None else not f.askling_h_test_insecurity
    hot = irritable(intake, kind)[0]
    scored = any(v is not None for v in (f.nprs_rest, f.nprs_activity, f.nprs_walking, f.sitting_nprs,
                                         f.back_nprs, f.leg_nprs))
    values["not_irritable"] = False if hot else (True if scored else None)  # no pain score: not assessed
    return values


def check(criterion: Criterion, values: dict) -> bool | None:
    """True met, False not met, None not assessed."""
    value = values.get(criterion.finding)
    if value is None:
        return None
    op, target = criterion.op, criterion.value
    if op == "is_true":
        return value is True
    if op == "in":
        return value in target
    if op == "==":
        return value == target
    return {"<=": value <= target, ">=": value >= target, "<": value < target}[op]


def _unmet(intake: Intake, protocol: Protocol, code: str, values: dict, goal: str) -> list[str]:
    """The exit criteria of phase `code` not met (an assessable one not assessed counts)."""
    exits = for_goal(protocol.phases[code].exit, goal)
    unmet = []
    for criterion in exits:
        if criterion.finding is None:
            continue  # shown to the clinician, not evaluated
        result = check(criterion, values)
        if result is False:
            unmet.append(f"{criterion.text} (not met)")
        elif result is None and criterion.required:
            unmet.append(f"{criterion.text} (not assessed)")
    if unmet and any(c.finding == "not_irritable" for c in exits) and not values["not_irritable"]:
        unmet = [u for u in unmet if not u.startswith("Not irritable")]
        unmet.insert(0, "irritable - " + "; ".join(irritable(intake, protocol.kind)[1]))
    return unmet


def _walk(intake: Intake, protocol: Protocol, start: int, values: dict, goal: str,
          reasons: list[str], stop: str = "Starts in") -> tuple[str, list[str]]:
    """From phase index `start`, move on phase by phase while each exit is met; the phase
    where it stops "Starts in" at a first assessment, "Stays in" at a reassessment."""
    for index in range(start, len(PHASE_CODES) - 1):
        code = PHASE_CODES[index]
        unmet = _unmet(intake, protocol, code, values, goal)
        if unmet:
            reasons.append(f"{stop} {code}: exit criteria not met - " + "; ".join(unmet) + ".")
            return PHASE_BY_CODE[code], reasons
        reasons.append(f"{code} exit criteria met.")
    return PHASE_BY_CODE["P4"], reasons


def setback(intake: Intake, kind: str) -> list[str]:
    """Why a reassessment steps back a phase (2.3): a flare, or the 0.3 irritability rule
    (non-traumatic conditions). Pain not assessed is not a setback, only not a pass."""
    if intake.findings.response_24h == "flare":
        return ["flare-up in the 24 hours after loading"]
    if kind == "acute_muscle":
        return []
    return [w for w in irritable(intake, kind)[1] if "not assessed" not in w]


def choose_phase(intake: Intake, protocol: Protocol, goal: str = "recreational_sport") -> tuple[str, list[str]]:
    """(phase id, reasons a clinician reads)."""
    values = derived_findings(intake, protocol.kind)
    f = intake.findings
    if protocol.kind == "acute_muscle" and f.days_since_onset is not None and f.days_since_onset < 3:
        return PHASE_BY_CODE["P1"], [f"Day {f.days_since_onset} after injury: the first 72 hours are "
                                     "always phase 1 (protect, avoid HARM)."]
    if intake.previous_phase is not None:  # a reassessment progresses from where the patient was
        previous = PHASE_CODES.index(CODE_BY_PHASE[intake.previous_phase])
        why = setback(intake, protocol.kind)
        if why:
            back = max(previous - 1, 0)
            return PHASE_BY_CODE[PHASE_CODES[back]], [
                f"Reassessment from {PHASE_CODES[previous]}: " + "; ".join(why) + " - "
                + (f"back to {PHASE_CODES[back]}" if back < previous else "stays in P1")
                + ", no progression at this visit (reference 2.3)."]
        return _walk(intake, protocol, previous, values, goal,
                     [f"Reassessment: was in {PHASE_CODES[previous]} at the last visit; moves on only "
                      "when that phase's exit criteria are met."], stop="Stays in")
    reasons: list[str] = []
    start_if = protocol.phases["P1"].start_if
    if start_if is not None:  # reference 0.3: start in P1 if irritable (or P1's entry), else in P2
        hot, why = irritable(intake, protocol.kind)
        for criterion in start_if:
            result = check(criterion, values)
            said = protocol.kind == "radicular" and criterion.finding in ("leg_nprs", "slr_deg")
            if (result or (result is None and criterion.required)) and not (result and said):
                why.append(criterion.text + ("" if result else " (not assessed)"))
        if why:
            return PHASE_BY_CODE["P1"], ["Starts in phase 1: " + "; ".join(why) + "."]
        reasons.append("Not irritable and no phase 1 entry criterion: starts in phase 2 (reference 0.3).")
        start = 1
    else:
        start = 0
    return _walk(intake, protocol, start, values, goal, reasons)
