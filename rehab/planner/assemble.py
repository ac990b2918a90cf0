"""Assemble the plan: triage, then the current phase and every later one, each with a
short list of safe exercises that covers the categories the phase needs."""

from __future__ import annotations

import hashlib
import json
import re

from rehab.library.schema import Exercise
from rehab.planner import types as t
from rehab.planner.adjustments import DOSE_BOUNDS, AdjustmentError, validated
from rehab.planner.intake import Intake
from rehab.planner.phase import choose_phase
from rehab.planner.protocols import Protocol, Rules, load_protocols
from rehab.planner.safety import exclusion_reason, patient_states
from rehab.planner.triage import triage
from rehab.vocab import CODE_BY_PHASE, PHASES

MIN_ITEMS, TARGET_ITEMS, MAX_ITEMS = 4, 6, 8
LOADING = {"strengthening_concentric", "eccentric", "core_stabilisation", "balance_proprioception"}
RPE = re.compile(r"RPE \d+\s*[-\u2013]\s*\d+(/10)?")
EFFORT_BY_PHASE = {"P2": "RPE 4-6/10", "P3": "RPE 6-8/10", "P4": "RPE 7-9/10"}
PAIN_RULE = {
    "acute_muscle": "pain at most 2/10, no worse next morning",
    "tendinopathy": "pain 0-3/10, settled within 24 h",
    "persistent": "pain 0-3/10, settled within 24 h",
    "radicular": "stop if symptoms spread down the leg",
    "no_tissue_injury": "comfortable effort, pain at most 3/10",
}

GENERAL_SEEK_HELP = [
    "Numbness between your legs or around your back passage or genitals, or new trouble passing "
    "or holding urine or stool: go to the emergency department now.",
    "New pain, numbness or weakness in both legs.",
    "A calf or leg that becomes swollen, warm, red or tender: call your doctor today.",
    "Sudden shortness of breath, chest pain or coughing blood: call an ambulance.",
    "Fever, chills or feeling generally unwell with your pain.",
    "Your leg or foot is getting weaker, or the numbness is spreading.",
    "Pain at night that no position eases, or weight loss without trying.",
    "A bruise that keeps growing, or a thigh that becomes tight and swollen with severe pain.",
]
PREGNANCY_STOP = ("Pregnancy: stop exercising and contact your maternity team if you have vaginal "
                  "bleeding, fluid leaking, contractions, chest pain, dizziness, calf pain or "
                  "swelling, or your baby moves less.")


def library_version(library: dict[str, Exercise]) -> str:
    """A short fingerprint of the library content the plan was built from."""
    digest = hashlib.sha256()
    for key in sorted(library):
        digest.update(library[key].model_dump_json().encode())
    payload = digest.digest()
    return payload.hex()[:12]


# BAMIC -> classic grade (reference 1.1); BAMIC 3 is "2 (upper) or 3": the conservative side.
BAMIC_GRADE = {"0": 1, "1": 1, "2": 2, "3": 3, "4": 3}


def effective_grade(intake: Intake) -> int | None:
    """The classic hamstring grade to plan with: the worse of the clinical grade and the MRI."""
    if intake.diagnosis != "hamstring_strain":
        return None
    bamic = intake.findings.bamic
    return max(intake.grade or 1, BAMIC_GRADE[bamic[0]] if bamic else 1)


class Context:
    """Everything derived once from the intake, shared by assembly and adjustments."""

    def __init__(self, intake: Intake, library: dict[str, Exercise]):
        protocols, rules = load_protocols()
        self.intake, self.library, self.rules = intake, library, rules
        self.protocol: Protocol = protocols[intake.diagnosis]
        self.states = patient_states(intake)
        self.grade = effective_grade(intake)
        bamic = intake.findings.bamic or ""
        self.intratendinous = intake.diagnosis == "hamstring_strain" and bamic.endswith("c")
        self.severe = self.grade == 3 or self.intratendinous
        self._reasons: dict[tuple[str, str], str | None] = {}

    def reason(self, exercise_id: str, phase: str) -> str | None:
        key = (exercise_id, phase)
        if key not in self._reasons:
            self._reasons[key] = exclusion_reason(self.library[exercise_id], phase, self.intake,
                                                  self.states, self.rules, self.severe,
                                                  self.intratendinous)
        return self._reasons[key]

    def suits(self, exercise: Exercise, phase: str) -> bool:
        return CODE_BY_PHASE[phase] in exercise.suits.get(self.intake.diagnosis, [])

    def required_categories(self, phase: str) -> list[str]:
        wanted = list(self.protocol.phases[CODE_BY_PHASE[phase]].required_categories)
        for state in sorted(self.states):
            modifier = self.rules.modifiers.get(state)
            for category in modifier.add_categories if modifier else []:
                if category not in wanted:
                    wanted.append(category)
        return wanted

    # ---- dosage
    def dosage(self, exercise: Exercise, phase: str) -> t.Dosage:
        code = CODE_BY_PHASE[phase]
        base = exercise.dosage
        for variant in exercise.dosage_variants:
            if (not variant.conditions or self.intake.diagnosis in variant.conditions) and \
                    (not variant.phases or code in variant.phases):
                base = variant.dosage
                break
        sets = base.sets
        older = self.intake.age is not None and self.intake.age >= 65
        early_severe = self.severe and code in ("P1", "P2")
        if exercise.category in LOADING and sets and sets >= 3 and (older or early_severe):
            sets -= 1  # start lower: older patients and grade 3 / intratendinous injuries
        effort = base.effort
        phase_rpe = self.protocol.phases[code].rpe or EFFORT_BY_PHASE.get(code)
        if exercise.category in LOADING and phase_rpe:
            effort = RPE.sub(phase_rpe, effort) if RPE.search(effort) else f"{phase_rpe}; {effort}"
        rule = PAIN_RULE[self.protocol.kind]
        if exercise.category not in ("ergonomics_education", "cryotherapy_rice") and \
                not any(word in effort.lower() for word in ("spread", "pain")):
            effort = f"{effort}; {rule}"
        return t.Dosage(sets=sets, reps=base.reps, hold_s=base.hold_s, per_day=base.per_day,
                        days_per_week=base.days_per_week, effort=effort,
                        duration_min=base.duration_min, per_side=base.per_side)

    def item(self, exercise_id: str, phase: str, dosage: t.Dosage | None = None,
             chosen: set[str] = frozenset()) -> t.Item:
        ex = self.library[exercise_id]
        return t.Item(exercise_id=ex.id, name=ex.name, category=ex.category, tags=list(ex.tags),
                      dosage=dosage or self.dosage(ex, phase), instructions=list(ex.steps),
                      precautions=list(ex.precautions),
                      alternatives=self.alternatives(ex, phase, chosen))

    def alternatives(self, ex: Exercise, phase: str, chosen: set[str]) -> list[t.Alternative]:
        """Safe swaps: the library's easier and harder versions, else one of the same category."""
        out = []
        for kind in ("easier", "harder"):
            other = getattr(ex, kind)
            if other in self.library and other not in chosen and self.suits(self.library[other], phase) \
                    and self.reason(other, phase) is None:
                out.append(t.Alternative(other, self.library[other].name, kind))
        if not out:
            for other in sorted(self.library):
                cand = self.library[other]
                if other != ex.id and other not in chosen and cand.category == ex.category and \
                        self.suits(cand, phase) and self.reason(other, phase) is None:
                    out.append(t.Alternative(other, cand.name, "similar"))
                    break
        return out


def _select(ctx: Context, phase: str) -> list[str]:
    """Pick 4-8 safe exercises: required categories first, then the protocol's preferences."""
    code = CODE_BY_PHASE[phase]
    preferred = [i for i in ctx.protocol.phases[code].preferred if i in ctx.library]
    suitable = [i for i in sorted(ctx.library) if ctx.suits(ctx.library[i], phase)]
    ranked = list(dict.fromkeys(preferred + suitable))
    safe = [i for i in ranked if ctx.reason(i, phase) is None]
    chosen: list[str] = []
    for category in ctx.required_categories(phase):
        pick = next((i for i in safe if ctx.library[i].category == category and i not in chosen), None)
        if pick is None:  # the rules removed every option this condition has: borrow a benign one
            pick = next(iter(_fallbacks(ctx, phase, category, chosen)), None)
        if pick:
            chosen.append(pick)
    # then the protocol's preferences: at least one beyond the required categories
    target = min(MAX_ITEMS, max(TARGET_ITEMS, len(chosen) + 1))
    for i in [p for p in preferred if p in safe] + safe:
        if len(chosen) >= target or (len(chosen) >= MIN_ITEMS and i not in preferred):
            break
        if i not in chosen:
            chosen.append(i)
    return chosen[:MAX_ITEMS]


def _fallbacks(ctx: Context, phase: str, category: str, chosen: list[str]) -> list[str]:
    """Safe exercises of `category` from other conditions' lists for this phase, with no risk
    tag at all, the most widely used first: a gentle stand-in when the safety rules leave the
    condition's own list without one (e.g. balance work the age modifier asks for)."""
    code = CODE_BY_PHASE[phase]
    candidates = [ex for ex in ctx.library.values()
                  if ex.category == category and not ex.tags and ex.id not in chosen
                  and ctx.reason(ex.id, phase) is None]
    uses = {ex.id: sum(code in phases for phases in ex.suits.values()) for ex in candidates}
    return sorted((i for i in uses if uses[i]), key=lambda i: (-uses[i], i))


def _excluded(ctx: Context, phase: str) -> list[t.Exclusion]:
    """Exercises used for this diagnosis that a safety rule removes from this phase."""
    dx = ctx.intake.diagnosis
    out = []
    for exercise_id in sorted(ctx.library):
        if dx not in ctx.library[exercise_id].suits:
            continue
        reason = ctx.reason(exercise_id, phase)
        if reason and not reason.startswith("Exercise not used in"):
            out.append(t.Exclusion(exercise_id, phase, reason, ctx.library[exercise_id].name))
    return out


def _duration(ctx: Context, phase: str) -> t.Duration | None:
    table = ctx.protocol.phases[CODE_BY_PHASE[phase]].duration_days
    if not table:
        return None
    low, high = table.get(str(ctx.grade), table.get("all", next(iter(table.values()))))
    if ctx.intratendinous:  # "c" injuries: lengthen each phase [TB/PH]
        low, high = round(low * 1.5), round(high * 1.5)
    return t.Duration(low, high)


GRADE_NOTE = re.compile(r"^Grade (\d)\b")


def _for_grade(lines: list[str], grade: int | None) -> list[str]:
    """Drop lines written for one grade only ("Grade 3 - ...") when the patient has another."""
    out = []
    for line in lines:
        match = GRADE_NOTE.match(line)
        if match is None or (grade is not None and int(match.group(1)) == grade):
            out.append(line)
    return out


def _phase(ctx: Context, phase: str, items: list[t.Item]) -> t.Phase:
    proto = ctx.protocol.phases[CODE_BY_PHASE[phase]]
    return t.Phase(id=phase, name=proto.name, goals=list(proto.goals), entry_criteria=list(proto.entry),
                   exit_criteria=[c.text for c in proto.exit], duration_days=_duration(ctx, phase),
                   items=items, precautions=_for_grade(proto.precautions, ctx.grade),
                   patient_exit_criteria=[c.patient for c in proto.exit])


def _education(ctx: Context, current: str) -> list[str]:
    out = list(ctx.protocol.education)
    s = ctx.states
    for state in sorted(s):  # the modifiers' notes (reference 2.1), each line once
        modifier = ctx.rules.modifiers.get(state)
        out.extend(line for line in (modifier.education if modifier else []) if line not in out)
    if ctx.intake.red_flags.dvt.wells_items and not ctx.intake.red_flags.dvt.symptoms_present:
        out.append("You have a risk factor for blood clots: learn the warning signs of a clot in "
                   "the leg (swollen, warm, red or tender calf) and act on them the same day.")
    if "neuro_deficit" in s and ctx.intake.diagnosis in ("piriformis_syndrome",
                                                         "sitting_related_posterior_thigh_soreness"):
        out.append("A nerve sign was found: your physio will also check your lower back as the "
                   "source and manage it as sciatica, or refer you.")
    if ctx.intake.diagnosis == "hamstring_strain" and current == PHASES[0]:
        out.append("First 72 hours: avoid HARM - Heat, Alcohol, Running and Massage.")
    return out


def _seek_help(ctx: Context) -> list[str]:
    out = list(GENERAL_SEEK_HELP)
    if "pregnant" in ctx.states:
        out.insert(0, PREGNANCY_STOP)
    for line in ctx.protocol.seek_help_if:
        if line not in out:
            out.append(line)
    return out


def _refusal(intake: Intake, result, library) -> t.Plan:
    return t.Plan(allowed=False,
                  referral=t.Referral(result.level, result.reasons, result.refer_to),
                  wells_score=result.wells_score, diagnosis=intake.diagnosis, grade=intake.grade,
                  current_phase=None, phases=[], excluded=[], education=[],
                  seek_help_if=list(GENERAL_SEEK_HELP), library_version=library_version(library))


def make_plan(intake: Intake, library: dict[str, Exercise]) -> t.Plan:
    """The one entry point: the same intake and library give the same plan."""
    result = triage(intake)
    if not result.allowed:
        return _refusal(intake, result, library)
    library = {k: v for k, v in library.items() if not v.retired}
    ctx = Context(intake, library)
    current, reasons = choose_phase(intake, ctx.protocol)
    later = PHASES[PHASES.index(current):]
    phases, excluded = [], []
    for phase in later:
        chosen = _select(ctx, phase)
        items = [ctx.item(i, phase, chosen=set(chosen)) for i in chosen]
        phases.append(_phase(ctx, phase, items))
        excluded.extend(_excluded(ctx, phase))
    return t.Plan(allowed=True, referral=t.Referral(result.level, result.reasons, result.refer_to),
                  wells_score=result.wells_score, diagnosis=intake.diagnosis, grade=intake.grade,
                  current_phase=current, phases=phases, excluded=excluded,
                  education=_education(ctx, current), seek_help_if=_seek_help(ctx),
                  phase_reasons=reasons, library_version=library_version(library))


# ---------------------------------------------------------------- clinician changes

def _checked_dose(item: t.Item, change: dict) -> t.Dosage:
    values = {k: getattr(item.dosage, k) for k in t.Dosage.__dataclass_fields__}
    for key, value in change.items():
        if key == "effort":
            if not isinstance(value, str) or not value.strip() or len(value) > 120:
                raise AdjustmentError("Effort must be a short text (at most 120 characters).")
            values[key] = value.strip()
            continue
        if key not in DOSE_BOUNDS:
            raise AdjustmentError(f"Unknown dosage field: {key}.")
        if value is None:
            values[key] = None
            continue
        low, high = DOSE_BOUNDS[key]
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            raise AdjustmentError(f"{key.replace('_', ' ')} must be a whole number from {low} to {high}.")
        values[key] = value
    return t.Dosage(**values)


def apply_adjustments(intake: Intake, library: dict[str, Exercise], adjustments: list[dict]) -> t.Plan:
    """Rebuild the plan, then apply the clinician's changes in order; every change is
    checked by the same safety rules as assembly, so no path can add an excluded item."""
    adjustments = validated(adjustments)
    plan = make_plan(intake, library)
    if not adjustments:
        return plan
    if not plan.allowed:
        raise AdjustmentError("This plan is refused by the red-flag screen; it cannot be adjusted.")
    library = {k: v for k, v in library.items() if not v.retired}
    ctx = Context(intake, library)
    phases = {p.id: list(p.items) for p in plan.phases}
    for change in adjustments:
        op, phase, exercise_id = change.get("op"), change.get("phase"), change.get("exercise_id")
        if phase not in phases:
            raise AdjustmentError(f"Phase {phase!r} is not part of this plan.")
        items = phases[phase]
        index = next((n for n, i in enumerate(items) if i.exercise_id == exercise_id), None)
        if op in ("remove", "swap", "dose") and index is None:
            raise AdjustmentError(f"{exercise_id!r} is not in {phase}.")
        if op == "remove":
            items.pop(index)
        elif op in ("swap", "add"):
            target = change.get("to") if op == "swap" else exercise_id
            if target not in library:
                raise AdjustmentError(f"{target!r} is not an exercise in the library.")
            reason = ctx.reason(target, phase)
            if reason:
                raise AdjustmentError(f"{library[target].name} cannot be used in {CODE_BY_PHASE[phase]}: {reason}.")
            if any(i.exercise_id == target for i in items):
                raise AdjustmentError(f"{library[target].name} is already in {CODE_BY_PHASE[phase]}.")
            if op == "add" and len(items) >= MAX_ITEMS + 2:
                raise AdjustmentError("A phase holds at most 10 exercises; remove one first.")
            new = ctx.item(target, phase, chosen={i.exercise_id for i in items})
            if op == "swap":
                items[index] = new
            else:
                items.append(new)
        elif op == "dose":
            dosage = _checked_dose(items[index], change.get("dosage") or {})
            old = items[index]
            items[index] = t.Item(**{**old.__dict__, "dosage": dosage})
        else:
            raise AdjustmentError(f"Unknown change {op!r}.")
    new_phases = [t.Phase(**{**p.__dict__, "items": phases[p.id]}) for p in plan.phases]
    return t.Plan(**{**plan.__dict__, "phases": new_phases})
