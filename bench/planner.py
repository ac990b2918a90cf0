"""Planner benchmark: plans per second in-process over a mix of intakes, and the
CLI's cold start. Prints medians; run with `.venv/bin/python bench/planner.py`."""

from __future__ import annotations

import json
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rehab.config import EXERCISES_DIR  # noqa: E402
from rehab.library.loader import load_library  # noqa: E402
from rehab.planner import assemble, make_plan, parse_intake  # noqa: E402
from rehab.vocab import ACTIVITY_LEVELS, DIAGNOSES  # noqa: E402

MIX = [
    {"diagnosis": "hamstring_strain", "grade": 1, "findings": {"days_since_onset": 2, "walking": "painful"}},
    {"diagnosis": "hamstring_strain", "grade": 2, "age": 28, "findings": {
        "days_since_onset": 9, "walking": "pain_free", "slow_jog_pain_free": True,
        "isometric_50_70_pain_free": True, "nprs_rest": 0, "nprs_activity": 1, "ake_deficit_deg": 8}},
    {"diagnosis": "sciatica_lumbar_radiculopathy", "age": 45, "findings": {
        "leg_nprs": 7, "slr_deg": 35, "directional_preference": "extension"}},
    {"diagnosis": "lumbar_spinal_stenosis", "age": 72, "comorbidities": ["osteoporosis"],
     "findings": {"walking_tolerance_min": 8, "nprs_rest": 0}},
    {"diagnosis": "sacroiliac_joint_dysfunction", "pregnancy": {"pregnant": True, "weeks": 26},
     "findings": {"nprs_rest": 2, "nprs_activity": 5}},
    {"diagnosis": "proximal_hamstring_tendinopathy", "medications": ["anticoagulant"],
     "findings": {"nprs_rest": 1, "nprs_activity": 3, "sitting_tolerance_min": 40}},
    {"diagnosis": "sciatica_lumbar_radiculopathy", "red_flags": {"saddle_anaesthesia": True}},
]


def varied_mix(n: int = 200) -> list[dict]:
    """A seeded spread of intakes over every diagnosis, age, goal, modifier and finding, so
    the profile memo (reasons, doses, phase content) is measured at realistic hit rates."""
    rng = random.Random(1)
    out = []
    for i in range(n):
        dx = DIAGNOSES[i % len(DIAGNOSES)]
        raw = {"diagnosis": dx, "age": rng.choice([17, 25, 34, 48, 64, 65, 72, 85]),
               "activity_level": rng.choice([None, *ACTIVITY_LEVELS]),
               "comorbidities": rng.sample(["osteoporosis", "falls_risk", "diabetes", "cancer_history"], rng.randint(0, 2)),
               "medications": rng.sample(["anticoagulant", "corticosteroid"], rng.randint(0, 1)),
               "findings": {"days_since_onset": rng.randint(0, 60), "nprs_rest": rng.randint(0, 5),
                            "nprs_activity": rng.randint(0, 7), "leg_nprs": rng.randint(0, 8),
                            "walking": rng.choice(["pain_free", "painful", "antalgic"]),
                            "sitting_tolerance_min": rng.choice([10, 30, 60]),
                            "directional_preference": rng.choice(["extension", "flexion", "none"])}}
        if dx == "hamstring_strain":
            raw["grade"] = rng.randint(1, 3)
            raw["findings"]["orthopaedic_clearance"] = rng.random() < 0.5
        out.append({k: v for k, v in raw.items() if v is not None})
    return out


def rate(intakes, library, before=None) -> list[float]:
    rounds = []
    for _ in range(7):
        start = time.perf_counter()
        n = 0
        while time.perf_counter() - start < 0.5:
            for intake in intakes:
                if before:
                    before()
                make_plan(intake, library)
                n += 1
        rounds.append(n / (time.perf_counter() - start))
    return rounds


def main() -> None:
    library = load_library(EXERCISES_DIR)
    for label, raws, before in (
            (f"typical mix ({len(MIX)} intakes)", MIX, None),
            ("varied mix (200 seeded intakes, all diagnoses and modifiers)", varied_mix(), None),
            ("cold: profile memo cleared before every plan (a never-seen patient profile)", MIX,
             assemble.clear_memo)):
        intakes = [parse_intake(raw) for raw in raws]
        make_plan(intakes[0], library)  # load the protocols once, as any process does
        rounds = rate(intakes, library, before)
        print(f"in-process, {label}: median {statistics.median(rounds):,.0f} plans/s "
              f"(min {min(rounds):,.0f}, max {max(rounds):,.0f})")

    # Baseline in the same run: the interpreter alone starting and exiting.
    def timed(cmd, stdin=None):
        start = time.perf_counter()
        subprocess.run(cmd, input=stdin, capture_output=True, text=True, check=True, cwd=ROOT)
        return time.perf_counter() - start

    payload = json.dumps(MIX[1])
    cli = [timed([sys.executable, "-m", "rehab", "plan", "--input", "-", "--json"], payload) for _ in range(7)]
    bare = [timed([sys.executable, "-c", "pass"]) for _ in range(7)]
    print(f"CLI cold start: median {statistics.median(cli) * 1000:.0f} ms; bare python "
          f"{statistics.median(bare) * 1000:.0f} ms; ratio {statistics.median(cli) / statistics.median(bare):.1f}x")


if __name__ == "__main__":
    main()
