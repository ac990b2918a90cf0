"""An independent check that a plan dict has the contract's shape and vocabularies."""

from __future__ import annotations

from rehab.vocab import CATEGORIES, DIAGNOSES, PHASES, REFERRAL_LEVELS, TAGS


def contract_problems(plan: dict) -> list[str]:
    p = []

    def need(cond, msg):
        if not cond:
            p.append(msg)

    for key in ("allowed", "referral", "wells_score", "diagnosis", "grade", "current_phase",
                "phases", "excluded", "education", "seek_help_if"):
        need(key in plan, f"missing {key}")
    if p:
        return p
    need(isinstance(plan["allowed"], bool), "allowed not bool")
    need(plan["referral"]["level"] in REFERRAL_LEVELS, "bad referral level")
    need(isinstance(plan["referral"]["reasons"], list), "reasons not list")
    need(plan["diagnosis"] in DIAGNOSES, "bad diagnosis")
    need(plan["wells_score"] is None or isinstance(plan["wells_score"], int), "bad wells")
    if not plan["allowed"]:
        need(plan["phases"] == [], "refused plan has phases")
        need(plan["referral"]["reasons"], "refusal without reasons")
        need(plan["current_phase"] is None, "refused plan has a current phase")
        return p
    ids = [ph["id"] for ph in plan["phases"]]
    need(ids and ids[0] == plan["current_phase"], "first phase is not the current phase")
    severe_uncleared = plan["referral"]["level"] == "urgent"  # 2.3: a grade 3 strain holds P1 only
    need(ids == ([PHASES[0]] if severe_uncleared else list(PHASES[PHASES.index(ids[0]):])),
         "phases not current-and-later in order")
    for phase in plan["phases"]:
        for key in ("name", "goals", "entry_criteria", "exit_criteria", "duration_days", "items", "precautions"):
            need(key in phase, f"phase missing {key}")
        if phase.get("duration_days"):
            need(phase["duration_days"]["min"] <= phase["duration_days"]["max"], "duration min>max")
        for item in phase["items"]:
            need(item["category"] in CATEGORIES, f"bad category {item['category']}")
            need(all(t in TAGS for t in item["tags"]), "bad tag")
            need(item["instructions"], "no instructions")
            d = item["dosage"]
            for key in ("sets", "reps", "hold_s", "per_day", "days_per_week", "effort"):
                need(key in d, f"dosage missing {key}")
            need(isinstance(d["effort"], str) and d["effort"], "no effort text")
    for ex in plan["excluded"]:
        need(ex["phase"] in PHASES and ex["reason"] and ex["exercise_id"], "bad excluded entry")
    need(plan["seek_help_if"], "no seek-help list")
    return p
