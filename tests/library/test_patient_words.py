"""The words a patient reads in exercises/: steps, precautions, the supported step, the
effort text and the name (issue 10, defect 10; reference 2.3 frailty).

The dose numbers (sets, reps, hold_s, duration_min, per_day, days_per_week) are the one
source of truth for a dose: a text may repeat a figure only if it agrees with them, so the
dose line and the words under it never disagree.
"""

from __future__ import annotations

import re

import pytest

from rehab.library.schema import Dosage, Exercise

NUMBER = r"(\d+)(?:\s*(?:-|\u2013|to)\s*(\d+))?"
# A figure starts at a number that is not the second half of a range ("5-10", "5 to 10").
START = r"(?<![\w.\-\u2013/])(?<!to )"
# Holds: "hold 5-10 s", "for 20 seconds"; not tempo ("2 s up", "3 s lowering", "over 3 s").
SECONDS = re.compile(START + r"(?<!over )(?<!over about )(?<!taking )" + NUMBER
                     + r"\s*(?:s|secs?|seconds?)\b(?!\s*(?:up|down|lowering))", re.I)
# Durations: "10-15 min"; not a frequency ("every 30 minutes").
MINUTES = re.compile(START + r"(?<!every )" + NUMBER + r"\s*(?:mins?|minutes?)\b", re.I)
EVERY_HOURS = re.compile(r"\bevery " + NUMBER + r"\s*(?:h|hrs?|hours?)\b", re.I)
HOURS_BETWEEN = re.compile(START + r"(\d+)\s*(?:h|hours?) between\b", re.I)
PER_DAY = re.compile(r"(?:\b(once|twice)|" + START + NUMBER
                     + r"\s*(?:x|times))\s*(?:a|per|each) day\b", re.I)
PER_WEEK = re.compile(r"(?:\b(once|twice)|" + START + NUMBER
                      + r"\s*(?:x|times|days))\s*(?:a|per|each) week\b", re.I)
EVERY_OTHER_DAY = re.compile(r"\bevery other day\b|\balternate days\b", re.I)
EVERY_THIRD_DAY = re.compile(r"\bevery third day\b", re.I)
WAKING_HOURS = 16  # "every 2-3 hours while awake" = 5 to 8 times a day
WORDS = {"once": 1, "twice": 2}


def _span(match: re.Match, first: int = 1) -> tuple[int, int]:
    low = int(match.group(first))
    high = match.group(first + 1)
    return low, int(high) if high else low


def _count(match: re.Match) -> tuple[int, int]:
    if match.group(1):
        return WORDS[match.group(1).lower()], WORDS[match.group(1).lower()]
    return _span(match, 2)


def dose_conflicts(text: str, dose: Dosage) -> list[str]:
    """Figures in `text` that disagree with the numbers of `dose`.

    Minutes and seconds are checked against duration_min and hold_s when the dose has them
    (without them a figure is a rest, a tempo or a break, which no field holds); a frequency
    (a day, a week, every N hours) must always be one the numbers say.
    """
    found = []

    def check(what, value, low, high, phrase):
        if value is None or not low <= value <= high:
            found.append(f"{phrase!r} but {what} is {value}")

    if dose.hold_s is not None:
        for m in SECONDS.finditer(text):
            check("hold_s", dose.hold_s, *_span(m), m.group(0))
    if dose.duration_min is not None:
        for m in MINUTES.finditer(text):
            check("duration_min", dose.duration_min, *_span(m), m.group(0))
    for m in EVERY_HOURS.finditer(text):
        low, high = _span(m)
        check("per_day", dose.per_day, WAKING_HOURS // high, WAKING_HOURS // low, m.group(0))
    for m in PER_DAY.finditer(text):
        check("per_day", dose.per_day, *_count(m), m.group(0))
    for m in PER_WEEK.finditer(text):
        check("days_per_week", dose.days_per_week, *_count(m), m.group(0))
    for m in HOURS_BETWEEN.finditer(text):
        check("days_per_week", dose.days_per_week, 1, -(-7 * 24 // int(m.group(1))), m.group(0))
    for m in EVERY_OTHER_DAY.finditer(text):
        check("days_per_week", dose.days_per_week, 3, 4, m.group(0))
    for m in EVERY_THIRD_DAY.finditer(text):
        check("days_per_week", dose.days_per_week, 2, 2, m.group(0))
    return found


def _dose_for(ex: Exercise, diagnosis: str, phase: str) -> Dosage:
    """The planner's choice: the first variant matching the diagnosis and phase, else the default."""
    variant = next((v for v in ex.dosage_variants if (not v.conditions or diagnosis in v.conditions)
                    and (not v.phases or phase in v.phases)), None)
    return variant.dosage if variant else ex.dosage


def reached_doses(ex: Exercise) -> dict[int, tuple[Dosage, set[tuple[str, str]]]]:
    """Each dose the planner can hand out (the first matching variant, else the default), with
    the (diagnosis, phase) pairs that get it."""
    doses: dict[int, tuple[Dosage, set]] = {}
    for diagnosis, phases in ex.suits.items():
        for phase in phases:
            if phase in ex.avoid_in.get(diagnosis, []) or phase in ex.avoid_in.get("all", []):
                continue
            dose = _dose_for(ex, diagnosis, phase)
            doses.setdefault(id(dose), (dose, set()))[1].add((diagnosis, phase))
    return doses


def _shown_text(ex: Exercise) -> list[str]:
    """The texts printed with every dose of the exercise."""
    return [*ex.steps, *ex.precautions, *([ex.supported] if ex.supported else []),
            *(ex.supported_steps or [])]


# ---------------------------------------------------------------- the checker itself

def _dose(**numbers) -> Dosage:
    return Dosage(effort="x", **{"sets": 1, **numbers})


@pytest.mark.parametrize("text, numbers, ok", [
    # a range is fine only when the number is inside it: at, below and above both ends
    ("10-15 min", {"duration_min": 10}, True),
    ("10-15 min", {"duration_min": 15}, True),
    ("10-15 min", {"duration_min": 9}, False),
    ("10-15 min", {"duration_min": 16}, False),
    ("for 10 to 15 minutes", {"duration_min": 12}, True),
    ("hold 5-10 s", {"hold_s": 5}, True),
    ("hold 5-10 s", {"hold_s": 4}, False),
    ("hold 5-10 s", {"hold_s": 10}, True),
    ("hold 5-10 s", {"hold_s": 11}, False),
    ("hold 30 seconds", {"hold_s": 30}, True),
    ("hold 30 seconds", {"hold_s": 20}, False),
    ("every 2-3 hours while awake", {"per_day": 5}, True),
    ("every 2-3 hours while awake", {"per_day": 4}, False),
    ("every 2-3 hours while awake", {"per_day": 8}, True),
    ("every 2-3 hours while awake", {"per_day": 9}, False),
    ("every 2-3 hours while awake", {"sets": 1}, False),  # a frequency needs per_day
    ("3 times a day", {"per_day": 3}, True),
    ("3 times a day", {"per_day": 2}, False),
    ("3 times a day", {"per_day": 4}, False),
    ("3x a day", {"per_day": 3}, True),
    ("twice a day", {"per_day": 2}, True),
    ("twice a day", {"per_day": 1}, False),
    ("once a week", {"days_per_week": 1}, True),
    ("once a week", {"days_per_week": 2}, False),
    ("every other day", {"days_per_week": 3}, True),
    ("every other day", {"days_per_week": 4}, True),
    ("every other day", {"days_per_week": 2}, False),
    ("every other day", {"days_per_week": 5}, False),
    ("every third day", {"days_per_week": 2}, True),
    ("every third day", {"days_per_week": 3}, False),
    ("48 h between sessions", {"days_per_week": 4}, True),
    ("48 h between sessions", {"days_per_week": 5}, False),
    # not a dose figure: tempo, a frequency of breaks, a rest with no duration field
    ("2 s up, 2 s down; lower over 3 s; 3 s lowering", {"hold_s": 10}, True),
    ("stand for 1-2 minutes every 30 minutes of sitting", {"sets": 1}, True),
    ("every 30 minutes of sitting", {"duration_min": 2}, True),
    ("RPE 4-6, pain at most 2/10", {"hold_s": 5, "per_day": 1}, True),
])
def test_dose_conflicts(text, numbers, ok):
    assert (dose_conflicts(text, _dose(**numbers)) == []) is ok


def test_reached_doses_follow_the_first_matching_variant():
    ex = Exercise.model_validate({
        "id": "probe", "name": "Probe", "category": "mobility", "targets": ["x"],
        "suits": {"hamstring_strain": ["P1", "P2"], "ischial_bursitis": ["P1"]},
        "avoid_in": {"ischial_bursitis": ["P1"]},
        "dosage": {"sets": 1, "effort": "default"},
        "dosage_variants": [{"conditions": ["hamstring_strain"], "phases": ["P1"],
                             "dosage": {"sets": 2, "effort": "acute"}}],
        "steps": ["a", "b", "c"], "evidence": ["PH"],
        "figure": {"start": {"body": "standing"}, "end": {"body": "standing"}}})
    got = {dose.effort: pairs for dose, pairs in reached_doses(ex).values()}
    assert got == {"acute": {("hamstring_strain", "P1")}, "default": {("hamstring_strain", "P2")}}


# ---------------------------------------------------------------- the real library

def test_effort_agrees_with_its_dose(library):
    problems = []
    for ex in library.values():
        for dose in [ex.dosage, *(v.dosage for v in ex.dosage_variants)]:
            problems += [f"{ex.id}: effort {c}" for c in dose_conflicts(dose.effort, dose)]
    assert not problems, "\n".join(problems)


def restated(text: str, dose: Dosage) -> list[str]:
    """Figures a text states for a number the dose line already prints. Steps print beside
    every dose the item can get, and a clinician may re-dose it, so they say "for the time on
    your plan" instead of a number that could go stale."""
    kinds = [(dose.hold_s, [SECONDS]), (dose.duration_min, [MINUTES]),
             (dose.per_day, [EVERY_HOURS, PER_DAY]),
             (dose.days_per_week, [PER_WEEK, HOURS_BETWEEN, EVERY_OTHER_DAY, EVERY_THIRD_DAY])]
    return [m.group(0) for value, patterns in kinds if value is not None
            for pattern in patterns for m in pattern.finditer(text)]


@pytest.mark.parametrize("text, numbers, found", [
    ("Hold for 5 seconds.", {"hold_s": 5}, ["5 seconds"]),
    ("Hold for 5 seconds.", {"reps": 5}, []),  # no hold on the dose line: a tempo or a rest
    ("Hold for the time on your plan.", {"hold_s": 5}, []),
    ("Leave it for 10 to 15 minutes.", {"duration_min": 10}, ["10 to 15 minutes"]),
    ("Repeat it 3 times a day.", {"per_day": 3}, ["3 times a day"]),
    ("Do it every other day.", {"days_per_week": 3}, ["every other day"]),
])
def test_restated(text, numbers, found):
    assert restated(text, _dose(**numbers)) == found


def test_steps_leave_the_numbers_to_the_dose(library):
    """Steps, precautions and the supported step never repeat a number of any dose the item gets."""
    problems = []
    for ex in library.values():
        for dose, pairs in reached_doses(ex).values():
            for text in _shown_text(ex):
                problems += [f"{ex.id} {sorted(pairs)[0]}: {f!r} in {text!r}" for f in restated(text, dose)]
    assert not problems, "\n".join(problems)


# Timing that belongs to a fresh injury: only in a dose reached by hamstring strain P1 alone.
ACUTE_TIMING = re.compile(r"\bfirst (?:\d+\s*(?:-|to)\s*)?\d+ (?:hours|days)\b"
                          r"|\b(?:48|72)(?:\s*(?:-|to)\s*72)? hours\b|\bafter the injury\b", re.I)
# Words that name one condition (or its cause) speak to the wrong patient elsewhere.
CONDITION_WORDS = {
    r"\bstenosis\b": "lumbar_spinal_stenosis",
    r"\bsciatica\b|\bcomes from your back\b": "sciatica_lumbar_radiculopathy",
    r"\bbursitis\b": "ischial_bursitis",
    r"\btendinopathy\b": "proximal_hamstring_tendinopathy",
    r"\binjur": "hamstring_strain",
}


@pytest.mark.parametrize("text, acute", [
    ("skin cool; for the first 48-72 hours", True),
    ("for the first 2-3 days after the injury", True),
    ("read once, then follow for the first 72 hours", True),
    ("build over 60 m; 48 h between sessions", False),
    ("back to your usual level within 24 hours", False),
])
def test_acute_timing_finder(text, acute):
    assert bool(ACUTE_TIMING.search(text)) is acute


def test_acute_timing_only_where_it_belongs(library):
    problems = []
    for ex in library.values():
        for dose, pairs in reached_doses(ex).values():
            if ACUTE_TIMING.search(dose.effort) and pairs != {("hamstring_strain", "P1")}:
                problems.append(f"{ex.id}: {dose.effort!r} reaches {sorted(pairs)}")
        acute_only = dict(ex.suits) == {"hamstring_strain": ["P1"]}
        problems += [f"{ex.id}: {t!r}" for t in _shown_text(ex) if ACUTE_TIMING.search(t) and not acute_only]
    assert not problems, "\n".join(problems)


def test_condition_words_only_where_that_condition_is_the_only_one(library):
    problems = []
    for ex in library.values():
        texts = [(t, set(ex.suits)) for t in _shown_text(ex)]
        texts += [(dose.effort, {d for d, _ in pairs}) for dose, pairs in reached_doses(ex).values()]
        for text, diagnoses in texts:
            for pattern, diagnosis in CONDITION_WORDS.items():
                if re.search(pattern, text, re.I) and diagnoses != {diagnosis}:
                    problems.append(f"{ex.id}: {text!r} also reaches {sorted(diagnoses - {diagnosis})}")
    assert not problems, "\n".join(problems)


PREGNANCY_WORDS = re.compile(r"pregnan|\bbump\b|\bbab(?:y|ies)\b|\bbirth\b|midwife|maternity", re.I)
PREGNANCY_STATES = {"pregnant", "pregnant_after_12_weeks", "pregnancy_pgp"}


def test_pregnancy_words_only_for_pregnant_patients(library):
    """Non-pregnant patients get no pregnancy advice: such words need only_with a pregnancy state."""
    problems = []
    for ex in library.values():
        if PREGNANCY_STATES & set(ex.only_with):
            continue
        texts = [ex.name, *_shown_text(ex), ex.dosage.effort, *(v.dosage.effort for v in ex.dosage_variants)]
        problems += [f"{ex.id}: {t!r}" for t in texts if PREGNANCY_WORDS.search(t)]
    assert not problems, "\n".join(problems)


# Clinician words: never in steps, precautions, the supported step or effort (RPE a-b is
# turned into plain words by the planner); Askling names three exercises, so only there.
JARGON = ["H-test", "eccentric", "isometric", "propriocept", "plyometric", "RPE", "Askling",
          "concentric", "prone", "supine", "flexion", "extension", "abduction", "lumbar",
          "neural", "McKenzie", "NPRS", "glute", "tensioner", "activation", "passive", "rhythmic",
          # from the patient's review of printed plans
          "end range", "end-range", "exit test", "maximal", "T-drill", "nerve examination"]
RPE_TOKEN = re.compile(r"RPE \d+\s*[-\u2013]\s*\d+(/10)?")


def _jargon(text: str, allowed: tuple[str, ...] = ()) -> list[str]:
    return [w for w in JARGON if w not in allowed and re.search(rf"\b{re.escape(w)}", text, re.I)]


@pytest.mark.parametrize("text, found", [
    ("Lower slowly (eccentric).", ["eccentric"]),
    ("Hold at RPE 5", ["RPE"]),
    ("Lie prone", ["prone"]),
    ("Lie face down and press gently", []),
    ("an isometric hold", ["isometric"]),
    ("No movement to end range.", ["end range"]),
    ("until the exit tests are met", ["exit test"]),
    ("Maximal-speed sprints", ["maximal"]),
    ("shuffle, carioca, T-drill", ["T-drill"]),
])
def test_jargon_finder(text, found):
    assert _jargon(text) == found


def test_no_jargon_in_what_the_patient_reads(library):
    problems = []
    for ex in library.values():
        for text in _shown_text(ex):
            problems += [f"{ex.id}: {w} in {text!r}" for w in _jargon(text)]
        for dose in [ex.dosage, *(v.dosage for v in ex.dosage_variants)]:
            effort = RPE_TOKEN.sub("", dose.effort)
            problems += [f"{ex.id}: {w} in effort {dose.effort!r}" for w in _jargon(effort)]
        problems += [f"{ex.id}: {w} in the name" for w in _jargon(ex.name, allowed=("Askling",))]
    assert not problems, "\n".join(problems)


# Exercise nicknames a patient cannot guess from the word: the name says in brackets what
# the body does (as "Pallof press (band press without turning)" does), so the phone page and
# the printed plan explain it where it is read.
NICKNAMES = ["Bird-dog", "Dead bug", "Cat-camel", "Pallof", "airplane"]


def test_nicknames_are_explained_in_the_name(library):
    problems = [ex.id for ex in library.values() for nick in NICKNAMES
                if re.search(rf"\b{re.escape(nick)}\b", ex.name, re.I)
                and not re.search(r"\(\w[^)]{8,}\)", ex.name)]
    assert not problems, problems


# ---------------------------------------------------------------- frailty (reference 2.3)

# 2.3 excludes it for frail patients outright, so it has no supported form.
NO_SUPPORTED_FORM = {"lunge_walk_rotation"}


def test_standing_split_or_single_leg_items_have_a_supported_form(library):
    """Frail patients keep standing single-leg and split-stance items only with a hand hold."""
    missing = [ex.id for ex in library.values()
               if "asymmetric_pelvic_load" in ex.tags and ex.figure.start.body == "standing"
               and "single_leg_unsupported" not in ex.tags and ex.id not in NO_SUPPORTED_FORM
               and not ex.supported]
    assert not missing, missing


def test_supported_form_only_for_standing_items_with_a_hand_hold(library):
    wrong = [ex.id for ex in library.values() if ex.supported and (
        ex.figure.start.body != "standing" or "single_leg_unsupported" in ex.tags
        or ex.id in NO_SUPPORTED_FORM)]
    assert not wrong, wrong
    for ex in library.values():
        if ex.supported:
            assert re.search(r"\b(hands?|hold)\b", ex.supported, re.I), f"{ex.id}: name the hand hold"


def test_time_based_doses_never_drop_as_the_phases_go_on(library):
    """A walk or a ride does not get shorter in a later phase (issue 10: the sciatica walking
    dose fell from 20 minutes in P2 to 10 in P3). Ice and rest are meant to taper."""
    problems = []
    for ex in library.values():
        if ex.category == "cryotherapy_rice":
            continue
        for diagnosis, phases in ex.suits.items():
            minutes = [(p, _dose_for(ex, diagnosis, p).duration_min) for p in phases]
            for (p1, m1), (p2, m2) in zip(minutes, minutes[1:]):
                if m1 and m2 and m2 < m1:
                    problems.append(f"{ex.id} {diagnosis}: {m1} min in {p1}, {m2} min in {p2}")
    assert not problems, "\n".join(problems)


# In the supported form the hand stays on the counter or rail all the time, so no printed line
# may make the hold optional, send the patient across open floor, or add a harder balance
# challenge (crossing steps, eyes closed, a cushion) (patient review: the grapevine printed
# "one hand on the counter all the time" above "mark out 10 metres of clear floor").
NOT_WITH_A_HAND_HOLD = re.compile(
    r"\b(?:whenever|when|if) you need\b|\bif needed\b|\blet go\b|\bwithout (?:holding|support)\b"
    r"|\bclear floor\b|\bopen floor\b|\bmetres?\b|\bmark out\b"
    r"|\bcross(?:es|ing|over)?\b|\bgrapevine\b|\bcarioca\b"
    r"|\beyes closed\b|\bclose your eyes\b|\bcushion\b|\bfoam\b|\bwobble\b", re.I)
# A line that forbids the thing ("do not close your eyes or stand on a cushion", "leave out
# the crossing steps", "no crossing steps") agrees with the hold.
FORBIDS = re.compile(r"\b(?:do not|don't|leave out|no|never|keep your eyes open)\b", re.I)


def supported_form_lines(ex: Exercise) -> list[str]:
    """What a frail patient reads for the item (the planner's supported form): the hand-hold
    step, then the supported steps or else the steps, and the precautions."""
    return [ex.supported, *(ex.supported_steps or ex.steps), *ex.precautions]


@pytest.mark.parametrize("text, clash", [
    ("Mark out about 10 metres of clear floor.", True),
    ("For the grapevine, travel sideways while the trailing foot crosses in front.", True),
    ("Touch the support whenever you need to; that is part of the exercise.", True),
    ("Stand near a wall if you need it.", True),
    ("When it feels easy, try it with your eyes closed, then standing on a cushion.", True),
    ("Keep one hand on the counter all the time; do not close your eyes or stand on a cushion.", False),
    ("Side-step along a counter with one hand on it, and leave out the crossing steps.", False),
    ("Stand side-on to a kitchen counter with one hand resting on it.", False),
])
def test_hand_hold_clash_finder(text, clash):
    assert bool(NOT_WITH_A_HAND_HOLD.search(text) and not FORBIDS.search(text)) is clash


def test_supported_form_is_one_consistent_set(library):
    """Every item with a supported form prints, in that form, lines that all keep the hand on
    the support: steps that do not fit are replaced by `supported_steps`."""
    problems = []
    for ex in library.values():
        if not ex.supported:
            continue
        problems += [f"{ex.id}: {t!r}" for t in supported_form_lines(ex)
                     if NOT_WITH_A_HAND_HOLD.search(t) and not FORBIDS.search(t)]
    assert not problems, "\n".join(problems)
