"""Assemble the plan: triage, then the current phase and every later one, each with a
short list of safe exercises that covers the categories the phase needs."""

from __future__ import annotations

import dataclasses
import hashlib
import re
from functools import lru_cache

from rehab.library.schema import Exercise
from rehab.planner import types as t
from rehab.planner.adjustments import AdjustmentError, validated
from rehab.planner.intake import Intake
from rehab.planner.phase import choose_phase
from rehab.planner.protocols import Protocol, for_goal, load_protocols
from rehab.planner.safety import activity_goal, exclusion_reason, patient_for, patient_states
from rehab.planner.triage import severe_strain, triage
from rehab.vocab import CODE_BY_PHASE, DIAGNOSES, PHASES

MIN_ITEMS, TARGET_ITEMS, MAX_ITEMS = 4, 6, 8
LOADING = {"strengthening_concentric", "eccentric", "core_stabilisation", "balance_proprioception"}
# Categories whose effort is a rating of exertion; balance work is about steadiness instead.
EFFORT_RATED = LOADING - {"balance_proprioception"}
OWN_EFFORT = re.compile(r"\b(gentle|easy|light|comfortable|\d+% effort|effort)\b", re.I)
RPE = re.compile(r"RPE (\d+)\s*[-\u2013]\s*(\d+)(/10)?")
EFFORT_BY_PHASE = {"P2": "RPE 4-6/10", "P3": "RPE 6-8/10", "P4": "RPE 7-9/10"}  # reference 0.3


def effort_words(rpe: str) -> str:
    """A patient's words for an RPE range (the number stays in Dosage.rpe for the clinician)."""
    low, high = (int(n) for n in RPE.search(rpe).group(1, 2))
    middle = (low + high) / 2
    if middle <= 3:
        return "easy effort: you can chat normally"
    if middle <= 5:
        return "moderate effort: you can talk but not sing"
    if middle <= 7:
        return "hard effort: you can say only a few words at a time"
    return "very hard effort: close to your limit, a word or two at most"


@lru_cache(maxsize=1024)
def _without_rpe(effort: str) -> str:
    """The effort text with any RPE figure taken out, tidy punctuation."""
    parts = []
    for part in effort.split(";"):
        part = RPE.sub("", part).strip(" ,")
        part = re.sub(r"\s*,\s*,\s*", ", ", part)
        if part:
            parts.append(part)
    return "; ".join(parts)
PAIN_RULE = {
    "acute_muscle": "pain at most 2/10, no worse next morning",
    "tendinopathy": "pain 0-3/10, settled within 24 h",
    "persistent": "pain 0-3/10, settled within 24 h",
    "radicular": "stop if symptoms spread down the leg",
    "no_tissue_injury": "comfortable effort, pain at most 3/10",
}

# "Get help now": the section 3 warning signs, each for the diagnoses where it is a real
# risk (no cauda equina or cancer screen on a sprinter's strained hamstring); each protocol
# and modifier adds only lines of its own (the bruise: hamstring strain and blood thinners).
NERVE_OR_SPINE = ("sciatica_lumbar_radiculopathy", "lumbar_spinal_stenosis", "referred_pain_lumbar_facet",
                  "piriformis_syndrome", "sacroiliac_joint_dysfunction")
NON_TRAUMATIC = tuple(dx for dx in DIAGNOSES if dx != "hamstring_strain")
WARNING_SIGNS = [
    ("Numbness between your legs or around your back passage or genitals, or new trouble passing "
     "or holding urine or stool: go to the emergency department now, or call an ambulance.", NERVE_OR_SPINE),
    ("New pain, numbness or weakness in both legs: go to the emergency department now.", NERVE_OR_SPINE),
    ("A calf or leg that becomes swollen, warm, red or tender: call your doctor today.", DIAGNOSES),
    ("Sudden shortness of breath, chest pain or coughing blood: call an ambulance now.", DIAGNOSES),
    ("Fever, chills or feeling generally unwell with your pain: see a doctor today.", DIAGNOSES),
    ("Your leg or foot is getting weaker, the numbness is spreading, or your foot catches or slaps "
     "when you walk: contact your physio or doctor today.", NERVE_OR_SPINE),
    ("Pain at night that no position eases, or weight loss without trying: see your doctor.", NON_TRAUMATIC),
]
# A refused plan's letter lists them all: the patient has not been examined further.
GENERAL_SEEK_HELP = [line for line, _ in WARNING_SIGNS]
CANCER_SEEK_HELP = ("Because you have had cancer: see your doctor soon if you get pain at night that no "
                    "position eases, lose weight without trying, or notice new weakness or numbness.")
PREGNANCY_STOP = ("Pregnancy: stop exercising and contact your maternity team if you have vaginal "
                  "bleeding, fluid leaking, contractions, chest pain, dizziness, calf pain or "
                  "swelling, or your baby moves less.")


_VERSIONS: dict[tuple, tuple[list, str]] = {}


def library_version(library: dict[str, Exercise]) -> str:
    """A short fingerprint of the library content the plan was built from.

    Hashing 70 exercises costs more than planning, so the fingerprint is kept per set of
    exercise objects (the loaders hand out the same objects until the library changes;
    the cache entry holds them, so an id is never reused while it is cached)."""
    key = tuple(map(id, library.values()))  # a dict in another order only costs one more hash
    hit = _VERSIONS.get(key)
    if hit is None:
        digest = hashlib.sha256()
        for slug in sorted(library):
            digest.update(library[slug].model_dump_json().encode())
        if len(_VERSIONS) >= 16:
            _VERSIONS.clear()
        hit = _VERSIONS[key] = (list(library.values()), digest.hexdigest()[:12])
    return hit[1]


_SUITABLE: dict[tuple[str, str], dict[str, list[str]]] = {}


def _suitable(version: str, library: dict[str, Exercise], diagnosis: str) -> dict[str, list[str]]:
    """phase id -> slugs the library suits to `diagnosis` there ("any": in some phase)."""
    key = (version, diagnosis)
    hit = _SUITABLE.get(key)
    if hit is None:
        if len(_SUITABLE) >= 64:
            _SUITABLE.clear()
        slugs = sorted(i for i in library if diagnosis in library[i].suits)
        hit = _SUITABLE[key] = {"any": slugs, **{
            phase: [i for i in slugs if code in library[i].suits[diagnosis]] for phase, code in CODE_BY_PHASE.items()}}
    return hit


_REASONS: dict[tuple, dict] = {}
_DOSES: dict[tuple, t.Dosage] = {}


def clear_memo() -> None:
    """Forget every memoised profile (the benchmark's cold case; tests of the memo)."""
    _REASONS.clear()
    _DOSES.clear()
    _SUITABLE.clear()


def _reasons_for(version: str, patient) -> dict[tuple, object]:
    """The memo of one patient profile, shared by every plan with the same library content,
    diagnosis, states and condition rows: exclusion reasons, doses and each phase's content
    are a pure function of exactly these (safety.Patient: age 65+, grade 3, the goal and
    every modifier are states or condition rows), so patients alike reuse them. Items and
    exclusions are frozen; a plan gets its own lists of them."""
    key = (version, patient.intake.diagnosis, patient.states, patient.condition_keys)
    memo = _REASONS.get(key)
    if memo is None:
        if len(_REASONS) >= 512:
            _REASONS.clear()
        memo = _REASONS[key] = {}
    return memo


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
        self.goal, self.goal_assumed = activity_goal(intake)
        self.grade = effective_grade(intake)
        bamic = intake.findings.bamic or ""
        self.intratendinous = intake.diagnosis == "hamstring_strain" and bamic.endswith("c")
        self.severe = self.grade == 3 or self.intratendinous
        self.patient = patient_for(intake, self.states, rules, self.severe, self.intratendinous)
        self.modifiers = [rules.modifiers[s] for s in sorted(self.states) if s in rules.modifiers]
        self.version = library_version(library)
        self._reasons = _reasons_for(self.version, self.patient)

    def reason(self, exercise_id: str, phase: str) -> str | None:
        key = (exercise_id, phase)
        if key not in self._reasons:
            self._reasons[key] = exclusion_reason(self.library[exercise_id], phase, self.patient)
        return self._reasons[key]

    def phase_content(self, phase: str, current: str) -> tuple[tuple[t.Item, ...], tuple[t.Exclusion, ...]]:
        """(items, exclusions) of a phase. Like the reasons, a pure function of the profile
        and of whether this is the current phase (pins), so patients alike share them."""
        key = ("(phase)", phase, phase == current)
        hit = self._reasons.get(key)
        if hit is None:
            chosen = _select(self, phase, current)
            hit = self._reasons[key] = (tuple(self.item(i, phase, chosen=set(chosen)) for i in chosen),
                                        tuple(_excluded(self, phase)))
        return hit

    def pinned(self, phase: str, current: str) -> list[str]:
        """Items the reference requires in this phase (2.3), that the safety rules allow."""
        code = CODE_BY_PHASE[phase]
        wanted: list[str | list[str]] = list(self.protocol.phases[code].pinned)
        for modifier in self.modifiers:
            wanted += modifier.pin.get(code, []) + (modifier.pin_current if phase == current else [])
        out: list[str] = []
        for entry in wanted:
            group = [entry] if isinstance(entry, str) else entry
            pick = next((i for i in group if i in self.library and self.reason(i, phase) is None), None)
            if pick and pick not in out:
                out.append(pick)
        return out

    def suits(self, exercise: Exercise, phase: str) -> bool:
        return CODE_BY_PHASE[phase] in exercise.suits.get(self.intake.diagnosis, [])

    def suitable(self, phase: str) -> list[str]:
        """The library's exercises for this diagnosis and phase, in slug order."""
        return _suitable(self.version, self.library, self.intake.diagnosis)[phase]

    def required_categories(self, phase: str) -> list[str]:
        wanted = list(self.protocol.phases[CODE_BY_PHASE[phase]].required_categories)
        for modifier in self.modifiers:
            wanted += [c for c in modifier.add_categories if c not in wanted]
        dropped = {c for modifier in self.modifiers for c in modifier.drop_categories}
        return [c for c in wanted if c not in dropped]

    @property
    def supported_form(self) -> bool:
        return any(m.supported_form for m in self.modifiers)

    # ---- dosage
    def dosage(self, exercise: Exercise, phase: str) -> t.Dosage:
        """The dose for this patient; frozen, so patients alike share one (see _DOSES)."""
        older = self.intake.age is not None and self.intake.age >= 65
        key = (self.version, exercise.id, self.intake.diagnosis, phase, older, self.severe,
               self.supported_form, self.patient.states)
        dose = _DOSES.get(key)
        if dose is None:
            if len(_DOSES) >= 4096:
                _DOSES.clear()
            dose = _DOSES[key] = self._dosage(exercise, phase, older)
        return dose

    def _dosage(self, exercise: Exercise, phase: str, older: bool) -> t.Dosage:
        code = CODE_BY_PHASE[phase]
        base = exercise.dosage
        for variant in exercise.dosage_variants:
            if (not variant.conditions or self.intake.diagnosis in variant.conditions) and \
                    (not variant.phases or code in variant.phases) and \
                    (not variant.when or self.states & set(variant.when)):
                base = variant.dosage
                break
        sets = base.sets
        early_severe = self.severe and code in ("P1", "P2")
        if exercise.category in LOADING and sets and sets >= 3 and (older or early_severe):
            sets -= 1  # start lower: older patients and grade 3 / intratendinous injuries
        own = RPE.search(base.effort)
        phase_rpe = self.protocol.phases[code].rpe or EFFORT_BY_PHASE.get(code)
        # The phase's effort guide applies to loading items; an item whose own text sets a
        # different effort (gentle, 30%, light band, easy and steady) keeps its own words.
        rated = exercise.category in EFFORT_RATED and not OWN_EFFORT.search(base.effort)
        rpe = phase_rpe if rated and phase_rpe else (
            f"RPE {own.group(1)}-{own.group(2)}/10" if own else "")
        effort = _without_rpe(base.effort)
        if rpe:
            effort = f"{effort_words(rpe)}; {effort}" if effort else effort_words(rpe)
        rule = PAIN_RULE[self.protocol.kind]
        if exercise.category not in ("ergonomics_education", "cryotherapy_rice") and \
                not any(word in effort.lower() for word in ("spread", "pain")):
            effort = f"{effort}; {rule}"
        if exercise.supported and self.supported_form:
            effort = f"holding a rail or counter; {effort}"
        return t.Dosage(sets=sets, reps=base.reps, hold_s=base.hold_s, per_day=base.per_day,
                        days_per_week=base.days_per_week, effort=effort,
                        duration_min=base.duration_min, per_side=base.per_side, rpe=rpe)

    def item(self, exercise_id: str, phase: str, dosage: t.Dosage | None = None,
             chosen: set[str] = frozenset()) -> t.Item:
        ex = self.library[exercise_id]
        steps = list(ex.steps)
        if ex.supported and self.supported_form:
            # One consistent set: the hand hold first, then the supported steps if the
            # exercise has its own (they replace steps that assume open floor or no hold).
            steps = [ex.supported, *(ex.supported_steps or ex.steps)]
        code = CODE_BY_PHASE[phase]
        allowances = [a.precaution for m in self.modifiers for a in m.allow
                      if a.when in self.states and code in a.phases and ex.id in a.ids]
        steps[:0] = allowances  # how it is done safely comes first, in the steps themselves
        precautions = list(ex.precautions) + allowances
        return t.Item(exercise_id=ex.id, name=ex.name, category=ex.category, tags=list(ex.tags),
                      dosage=dosage or self.dosage(ex, phase), instructions=steps,
                      precautions=precautions, alternatives=self.alternatives(ex, phase, chosen))

    def alternatives(self, ex: Exercise, phase: str, chosen: set[str]) -> list[t.Alternative]:
        """Safe swaps: the library's easier and harder versions, else one of the same category."""
        out = []
        for kind in ("easier", "harder"):
            other = getattr(ex, kind)
            if other in self.library and other not in chosen and self.suits(self.library[other], phase) \
                    and self.reason(other, phase) is None:
                out.append(t.Alternative(other, self.library[other].name, kind))
        if not out:
            for other in self.suitable(phase):
                cand = self.library[other]
                if other != ex.id and other not in chosen and cand.category == ex.category and \
                        self.reason(other, phase) is None:
                    out.append(t.Alternative(other, cand.name, "similar"))
                    break
        return out


def _select(ctx: Context, phase: str, current: str) -> list[str]:
    """Pick 4-8 safe exercises: the pinned items (2.3), one for each required category, then
    the protocol's preferences. Over the cap of 8, extra items of an already covered
    category go first; pinned items and each category's first item are never dropped."""
    code = CODE_BY_PHASE[phase]
    preferred = [i for i in ctx.protocol.phases[code].preferred if i in ctx.library]
    ranked = list(dict.fromkeys(preferred + ctx.suitable(phase)))
    safe = [i for i in ranked if ctx.reason(i, phase) is None]
    pinned = ctx.pinned(phase, current)
    chosen: list[str] = list(pinned)
    for category in ctx.required_categories(phase):
        if any(ctx.library[i].category == category for i in chosen):
            continue
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
    while len(chosen) > MAX_ITEMS:
        seen: set[str] = set()
        extra = None
        for i in chosen:
            category = ctx.library[i].category
            if category in seen and i not in pinned:
                extra = i
            seen.add(category)
        if extra is None:
            break  # every item is pinned or the only one of its category
        chosen.remove(extra)
    return chosen


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
    out = []
    for exercise_id in _suitable(ctx.version, ctx.library, ctx.intake.diagnosis)["any"]:
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
    exits = for_goal(proto.exit, ctx.goal)

    def lines(entries):
        return for_goal(entries, ctx.goal, ctx.states,
                        lambda slug: slug in ctx.library and ctx.reason(slug, phase) is None)

    return t.Phase(id=phase, name=proto.name, goals=lines(proto.goals),
                   entry_criteria=list(proto.entry), exit_criteria=[c.text for c in exits],
                   duration_days=_duration(ctx, phase), items=items,
                   precautions=_for_grade(lines(proto.precautions), ctx.grade),
                   patient_exit_criteria=[c.patient for c in exits])


def _education(ctx: Context, current: str, referral: str) -> list[str]:
    out = [line for line in for_goal(ctx.protocol.education, ctx.goal, ctx.states)
           # "scans are rarely needed" is wrong once the plan refers the patient on (2.3)
           if not (referral != "none" and "scan" in line.lower())]
    for modifier in ctx.modifiers:  # the modifiers' notes (reference 2.1, 2.3), each line once
        out.extend(line for line in modifier.education if line not in out)
    if ctx.intake.red_flags.dvt.wells_items and not ctx.intake.red_flags.dvt.symptoms_present:
        out.append("You have a risk factor for blood clots: learn the warning signs of a clot in "
                   "the leg (swollen, warm, red or tender calf) and act on them the same day.")
    if "neuro_deficit" in ctx.states and ctx.intake.diagnosis in ("piriformis_syndrome",
                                                         "sitting_related_posterior_thigh_soreness"):
        out.append("A nerve sign was found: your physio will also check your lower back as the "
                   "source and manage it as sciatica, or refer you.")
    days = ctx.intake.findings.days_since_onset
    if ctx.intake.diagnosis == "hamstring_strain" and current == PHASES[0] and (days is None or days < 3):
        out.append("First 72 hours: avoid HARM - Heat, Alcohol, Running and Massage.")
    return out


def _assumptions(ctx: Context) -> list[str]:
    """What the planner assumed for input that was not given, for the clinician to check."""
    out = [ctx.goal_assumed] if ctx.goal_assumed else []
    if "pregnant" in ctx.states and ctx.intake.pregnancy.weeks is None:
        out.append("Weeks of pregnancy not recorded: planned as past the first trimester (no lying "
                   "flat on the back).")
    return out


def _seek_help(ctx: Context) -> list[str]:
    dx = ctx.intake.diagnosis
    neuro = "neuro_deficit" in ctx.states  # a nerve sign found: the nerve warnings apply too
    out = [line for line, where in WARNING_SIGNS if dx in where or (neuro and where is NERVE_OR_SPINE)]
    if "pregnant" in ctx.states:
        out.insert(0, PREGNANCY_STOP)
    if "cancer_history" in ctx.states:
        out.append(CANCER_SEEK_HELP)
    for line in ctx.protocol.seek_help_if + [x for m in ctx.modifiers for x in m.seek_help]:
        if line not in out:
            out.append(line)
    return out


def _refusal(intake: Intake, result, library) -> t.Plan:
    return t.Plan(allowed=False,
                  referral=t.Referral(result.level, result.reasons, result.refer_to),
                  wells_score=result.wells_score, diagnosis=intake.diagnosis, grade=intake.grade,
                  current_phase=None, phases=[], excluded=[], education=[],
                  seek_help_if=list(GENERAL_SEEK_HELP), library_version=library_version(library))


def _phases_to_print(ctx: Context) -> tuple[str, list[str], list[str]]:
    """(current phase, the phases to list, why), with the 2.3 override for a grade 3 strain
    (or BAMIC 3-4) without orthopaedic clearance: P1 only, whatever `previous_phase` says."""
    intake = ctx.intake
    if severe_strain(intake) and not intake.findings.orthopaedic_clearance:
        why = "Grade 3 (or MRI grade 3-4) without orthopaedic clearance: phase 1 only until the " \
              "surgeon has ruled out a repair (reference 2.3)"
        if intake.previous_phase and intake.previous_phase != PHASES[0]:
            why += f"; the previous phase {CODE_BY_PHASE[intake.previous_phase]} is not continued"
        return PHASES[0], [PHASES[0]], [why + "."]
    current, reasons = choose_phase(intake, ctx.protocol, ctx.goal)
    return current, list(PHASES[PHASES.index(current):]), reasons


def make_plan(intake: Intake, library: dict[str, Exercise]) -> t.Plan:
    """The one entry point: the same intake and library give the same plan."""
    result = triage(intake)
    if not result.allowed:
        return _refusal(intake, result, library)
    library = {k: v for k, v in library.items() if not v.retired}
    ctx = Context(intake, library)
    current, listed, reasons = _phases_to_print(ctx)
    phases, excluded = [], []
    for phase in listed:
        items, removed = ctx.phase_content(phase, current)
        phases.append(_phase(ctx, phase, list(items)))
        excluded.extend(removed)
    return t.Plan(allowed=True, referral=t.Referral(result.level, result.reasons, result.refer_to),
                  wells_score=result.wells_score, diagnosis=intake.diagnosis, grade=intake.grade,
                  current_phase=current, phases=phases, excluded=excluded,
                  education=_education(ctx, current, result.level), seek_help_if=_seek_help(ctx),
                  phase_reasons=reasons, library_version=ctx.version,
                  assumptions=_assumptions(ctx), activity_level=ctx.goal)


# ---------------------------------------------------------------- clinician changes

def _checked_dose(item: t.Item, change: dict) -> t.Dosage:
    """The item's dose with the clinician's fields; `validated` already checked their bounds."""
    return dataclasses.replace(item.dosage, **change)


def apply_adjustments(intake: Intake, library: dict[str, Exercise], adjustments: list[dict]) -> t.Plan:
    """Rebuild the plan, then apply the clinician's changes in order; every change is
    checked by the same safety rules as assembly, so no path can add an excluded item.
    A refused change names its place in the list (adjustments[2])."""
    adjustments = validated(adjustments)
    position = [None]
    try:
        return _apply(intake, library, adjustments, position)
    except AdjustmentError as exc:
        if exc.field == "adjustments" and position[0] is not None:
            exc.field = f"adjustments[{position[0]}]"
        raise


def _apply(intake: Intake, library: dict[str, Exercise], adjustments: list[dict], position: list) -> t.Plan:
    plan = make_plan(intake, library)
    if not adjustments:
        return plan
    if not plan.allowed:
        raise AdjustmentError("This plan is refused by the red-flag screen; it cannot be adjusted.")
    library = {k: v for k, v in library.items() if not v.retired}
    ctx = Context(intake, library)
    phases = {p.id: list(p.items) for p in plan.phases}
    dosed: dict[tuple, dict] = {}  # (phase, exercise) -> the fields the clinician's dose changes set
    for position[0], change in enumerate(adjustments):
        op, phase, exercise_id = change.get("op"), change.get("phase"), change.get("exercise_id")
        if phase not in phases:
            raise AdjustmentError(f"Phase {phase!r} is not part of this plan.")
        items = phases[phase]
        index = next((n for n, i in enumerate(items) if i.exercise_id == exercise_id), None)
        if op in ("remove", "swap", "dose") and index is None:
            # say why when the safety rules left it out for this patient, not only that it is missing
            reason = ctx.reason(exercise_id, phase) if exercise_id in library else None
            if reason:
                raise AdjustmentError(f"{library[exercise_id].name} is not in {CODE_BY_PHASE[phase]} "
                                      f"for this patient: {reason}.")
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
            if op == "swap":  # the clinician's dose carries over in the measures the new exercise uses
                kept = {k: v for k, v in dosed.pop((phase, exercise_id), {}).items()
                        if k == "effort" or (v is not None and getattr(new.dosage, k) is not None)}
                if kept:
                    new = t.Item(**{**new.__dict__, "dosage": _checked_dose(new, kept)})
                    dosed[(phase, target)] = kept
                items[index] = new
            else:
                items.append(new)
        elif op == "dose":
            dosage = _checked_dose(items[index], change.get("dosage") or {})
            dosed[(phase, exercise_id)] = dosed.get((phase, exercise_id), {}) | (change.get("dosage") or {})
            old = items[index]
            items[index] = t.Item(**{**old.__dict__, "dosage": dosage})
        else:
            raise AdjustmentError(f"Unknown change {op!r}.")
    new_phases = [t.Phase(**{**p.__dict__, "items": phases[p.id]}) for p in plan.phases]
    return t.Plan(**{**plan.__dict__, "phases": new_phases})
