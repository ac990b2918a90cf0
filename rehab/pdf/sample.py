"""A typical plan with figures and print details, for tests, the benchmark and
layout previews (`python -m rehab.pdf.sample out.pdf`). Not used for patients."""

from __future__ import annotations

import datetime as dt
import sys

from rehab.library.schema import Figure
from rehab.planner.types import Dosage, Duration, Item, Phase, Plan, Referral

from .details import ClinicContact, PrintDetails

SAMPLE_CLINIC = ClinicContact(
    name="Riverside Physiotherapy", address="12 River Street, Northtown NT1 2AB", phone="01632 960 123",
    email="physio@riverside.example", hours="Monday to Friday 8:00 to 18:00",
    out_of_hours="call NHS 111, or 999 in an emergency")


def dose(sets=3, reps=10, hold_s=None, per_day=1, days_per_week=7, effort="easy, pain at most 2/10",
         duration_min=None, per_side=False) -> Dosage:
    return Dosage(sets=sets, reps=reps, hold_s=hold_s, per_day=per_day, days_per_week=days_per_week,
                  effort=effort, duration_min=duration_min, per_side=per_side)


def item(exercise_id: str, name: str, dosage: Dosage | None = None, steps: list[str] | None = None,
         precautions: list[str] | None = None, category: str = "strengthening_concentric") -> Item:
    return Item(
        exercise_id=exercise_id, name=name, category=category, tags=[], dosage=dosage or dose(),
        instructions=steps if steps is not None else [
            f"Get into the start position for the {name.lower()}.",
            "Move slowly and smoothly, breathing out as you work.",
            "Hold the end position for a moment, then return under control.",
        ],
        precautions=precautions if precautions is not None else [],
    )


def phase(phase_id: str, name: str, items: list[Item], goals=None, exit_criteria=None,
          patient_exit=None, duration=(7, 14), precautions=None) -> Phase:
    return Phase(
        id=phase_id, name=name, goals=goals or ["Build strength without flaring the pain."],
        entry_criteria=[], exit_criteria=exit_criteria or ["Clinician criteria met."],
        duration_days=Duration(*duration) if duration else None, items=items,
        precautions=precautions or [], patient_exit_criteria=patient_exit or [],
    )


def sample_plan() -> Plan:
    """Hamstring strain, current phase P1 with 6 items and three later phases."""
    p1 = [
        item("supine_heel_dig", "Lying heel dig", dose(1, 10, 10, 3, 7, "30% building to 70% effort, pain at most 2/10"),
             ["Lie on your back with the sore-side knee bent to about a right angle.",
              "Press the heel gently down into the floor, as if pulling it towards your bottom.",
              "Hold for 5 to 10 seconds; mild discomfort is fine, pain is not.",
              "Relax fully between presses and build up the effort over the days."],
             ["Stop and tell your physio if the pain goes above 2 out of 10."], "isometric"),
        item("glute_sets", "Buttock squeezes", dose(3, 10, 5, 3, 7, "gentle, pain-free"),
             ["Lie on your back or sit tall with your legs relaxed.",
              "Squeeze your buttocks together firmly without holding your breath.",
              "Hold for 5 seconds, then let go completely."], [], "isometric"),
        item("heel_slides", "Heel slides", dose(2, 10, None, 2, 7, "smooth, within comfort", per_side=True),
             ["Lie on your back with both legs straight.",
              "Slide the heel of the sore leg towards your bottom as far as is comfortable.",
              "Slide it back down slowly and repeat."], ["Do not push into pain."], "mobility"),
        item("bridge_hold", "Bridge hold", dose(3, 5, 10, 2, 7, "moderate, pain at most 2/10"),
             ["Lie on your back with both knees bent and feet flat on the floor.",
              "Lift your hips until your body is in a straight line from shoulders to knees.",
              "Hold, breathing normally, then lower slowly."], [], "isometric"),
        item("stationary_cycling", "Easy exercise bike", dose(None, None, None, 1, 5, "easy, you can still talk",
                                                              duration_min=10),
             ["Set the seat so your knee is only slightly bent at the bottom of the pedal stroke.",
              "Pedal at an easy pace with light resistance.",
              "Stop if the back of the thigh starts to pull or hurt."], [], "mobility"),
        item("ice_pack", "Ice pack", dose(None, None, None, 3, 7, "cold, not painful", duration_min=15),
             ["Wrap an ice pack or bag of frozen peas in a damp towel.",
              "Rest it on the sore area for 10 to 15 minutes.",
              "Check your skin every 5 minutes and stop if it becomes numb or very red."],
             ["Never put ice straight onto the skin."], "cryotherapy_rice"),
    ]
    p2 = [
        item("double_leg_bridge", "Two-leg bridge", dose(3, 12, None, 1, 5, "moderate (4-6 out of 10)")),
        item("standing_hamstring_curl", "Standing hamstring curl", dose(3, 10, None, 1, 5, "moderate", per_side=True)),
        item("sit_to_stand", "Sit to stand", dose(3, 10, None, 1, 5, "moderate")),
        item("bird_dog", "Bird-dog", dose(2, 8, 5, 1, 5, "steady, no arching", per_side=True)),
        item("side_plank", "Side plank", dose(3, None, 20, 1, 5, "moderate", per_side=True)),
        item("askling_extender", "Askling Extender", dose(1, 12, None, 2, 7, "slow and controlled", per_side=True)),
    ]
    p3 = [
        item("single_leg_bridge_long", "Single-leg bridge, heel on a box", dose(3, 10, None, 1, 4, "hard (6-8)")),
        item("romanian_deadlift", "Romanian deadlift", dose(3, 8, None, 1, 3, "hard (6-8)")),
        item("askling_diver", "Askling Diver", dose(2, 6, None, 1, 5, "controlled", per_side=True)),
        item("single_leg_rdl", "Single-leg Romanian deadlift", dose(3, 8, None, 1, 3, "hard (6-8)", per_side=True)),
        item("walk_jog_intervals", "Walk-jog intervals", dose(None, None, None, 1, 3, "comfortable", duration_min=20)),
    ]
    p4 = [
        item("nordic_hamstring_curl", "Nordic hamstring curl", dose(2, 5, None, 1, 2, "hard (7-9)")),
        item("running_buildups_submax", "Running build-ups to about 80%", dose(4, 3, None, 1, 3, "fast but relaxed")),
        item("max_speed_sprints", "Full-speed sprints", dose(3, 3, None, 1, 2, "maximal, fully rested")),
        item("agility_drills", "Agility drills", dose(3, 4, None, 1, 2, "quick feet")),
        item("hops_and_bounds", "Hops and bounds", dose(3, 8, None, 1, 2, "springy, soft landings")),
    ]
    phases = [
        phase("P1_acute_protection", "Protect and settle", p1,
              goals=["Let the injured muscle start to heal.", "Settle the pain and keep the muscle working."],
              patient_exit=["You can walk normally without pain.",
                            "A strong heel dig in the lying position hurts no more than 2 out of 10.",
                            "Bending and straightening the knee is comfortable."],
              duration=(5, 10),
              precautions=["No stretching of the back of the thigh yet.", "No running, no heat, no massage."]),
        phase("P2_progressive_strengthening", "Build strength", p2,
              goals=["Get your strength back, first in the middle of the range."],
              patient_exit=["Strength is about the same as the other side.", "You can jog without pain."]),
        phase("P3_stabilisation_functional", "Get ready for sport", p3,
              goals=["Control at long muscle length and at speed."],
              exit_criteria=["H-test without insecurity", "Sprint at 95% without pain"], patient_exit=[]),
        phase("P4_return_to_activity", "Back to full activity", p4, goals=["Full training and prevention."],
              patient_exit=["Two to four weeks of full training without symptoms."], duration=(14, 28)),
    ]
    return Plan(
        allowed=True, referral=Referral("none", []), wells_score=None, diagnosis="hamstring_strain", grade=2,
        current_phase="P1_acute_protection", phases=phases, excluded=[],
        education=["Healing takes time: most grade 2 strains take 3 to 6 weeks to get back to sport.",
                   "For the first 3 days avoid heat, alcohol, running and massage on the thigh.",
                   "Keep walking as normally as the pain allows; short steps are fine."],
        seek_help_if=["Your calf or whole leg becomes swollen, hot, red or painful to squeeze.",
                      "You suddenly feel short of breath or have chest pain.",
                      "The bruise keeps getting bigger, or the thigh becomes very tight and swollen.",
                      "You get numbness between the legs or trouble passing urine or controlling your bowels."],
    )


_BODIES = ["supine", "supine", "supine", "supine", "sitting", "supine", "standing", "standing", "sitting",
           "quadruped", "side_lying"]


def sample_figures(plan: Plan) -> dict[str, Figure]:
    """A different plausible figure for every item of the plan, as a real library gives."""
    out = {}
    for n, it in enumerate(i for p in plan.phases for i in p.items):
        body = _BODIES[n % len(_BODIES)]
        out[it.exercise_id] = Figure.model_validate({
            "start": {"body": body, "hip": 10 + (n * 7) % 40, "knee": (n * 11) % 60},
            "end": {"body": body, "hip": 45 + (n * 13) % 60, "knee": 30 + (n * 17) % 90, "arm": (n * 30) % 180},
            "move": ("foot", "knee", "hip", "hand")[n % 4], "props": [["mat"], ["chair"], ["band"], []][n % 4],
        })
    return out


def sample_details(**changes) -> PrintDetails:
    base = dict(
        clinic_name="Riverside Physiotherapy", clinician_name="Alex Morgan", clinician_role="physiotherapist",
        clinic=SAMPLE_CLINIC, patient_name="Jordan Smith", patient_reference="RS-004217",
        date_of_birth=dt.date(1990, 4, 12), sex="female", next_appointment="Tuesday 18 March, 10:30",
        plan_date=dt.date(2025, 3, 14), side="left", plan_id="PLN-2025-00042", plan_version=3,
        page_size="A4", large_print=False, created=dt.datetime(2025, 3, 14, 9, 30, tzinfo=dt.timezone.utc),
    )
    base.update(changes)
    return PrintDetails(**base)


def sample_refusal() -> Plan:
    return Plan(
        allowed=False,
        referral=Referral("emergency",
                          ["Swollen, pitting calf with deep vein tenderness after a long-haul flight: "
                           "possible deep vein thrombosis.",
                           "Takes the combined oral contraceptive."],
                          ["Emergency department: same-day ultrasound of the leg veins"]),
        wells_score=3, diagnosis="hamstring_strain", grade=1, current_phase=None, phases=[], excluded=[],
        education=[], seek_help_if=[],
    )


if __name__ == "__main__":  # python -m rehab.pdf.sample plan.pdf [letter.pdf]
    from . import render_plan, render_referral_letter

    plan = sample_plan()
    with open(sys.argv[1] if len(sys.argv) > 1 else "sample-plan.pdf", "wb") as f:
        f.write(render_plan(plan, sample_details(), sample_figures(plan)))
    if len(sys.argv) > 2:
        with open(sys.argv[2], "wb") as f:
            f.write(render_referral_letter(sample_refusal(), sample_details(),
                                           {"days_since_onset": 4, "nprs_activity": 3}))
