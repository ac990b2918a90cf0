"""The patient log's pure parts: the safety triggers, the days that may be written, and the
bounds of a posted day and PSFS (rehab.patient_log)."""

from __future__ import annotations

import datetime as dt

import pytest
from werkzeug.datastructures import MultiDict

from rehab import patient_log
from rehab.patient_log import Tracked, read_day, read_psfs, triggers

TODAY = dt.date(2026, 3, 10)
ITEMS = [Tracked("heel_dig", "Heel dig", 2), Tracked("walk", "Walk", 1)]


@pytest.mark.parametrize("pain, expected", [(7, []), (8, ["pain"]), (9, ["pain"]), (10, ["pain"]),
                                            (0, []), (None, [])])
def test_pain_triggers_from_eight(pain, expected):
    assert triggers(pain, []) == expected


@pytest.mark.parametrize("symptom, code, level", [
    ("saddle_numbness", "cauda_equina", "emergency"), ("bladder_bowel", "cauda_equina", "emergency"),
    ("chest_breathless", "chest", "emergency"), ("calf_swelling", "calf", "urgent")])
def test_each_new_symptom_triggers_its_advice(symptom, code, level):
    assert triggers(2, [symptom]) == [code]
    assert patient_log.ADVICE[code][0] == level


def test_advice_words():
    assert "now, or call an ambulance" in patient_log.ADVICE["cauda_equina"][2]
    assert "call an ambulance now" in patient_log.ADVICE["chest"][2]
    assert "same day" in patient_log.ADVICE["calf"][2]
    assert "contact your clinic" in patient_log.ADVICE["pain"][2]


def test_several_triggers_most_urgent_first():
    assert triggers(9, ["calf_swelling", "bladder_bowel", "saddle_numbness", "chest_breathless"]) == [
        "cauda_equina", "chest", "calf", "pain"]


def test_unknown_symptom_codes_trigger_nothing():
    assert triggers(3, ["headache"]) == []


def test_editable_days_are_the_last_seven():
    days = patient_log.editable_days(TODAY)
    assert days[0] == TODAY and days[-1] == TODAY - dt.timedelta(days=6) and len(days) == 7


def _form(**values) -> MultiDict:
    data = MultiDict({"day": TODAY.isoformat(), "pain": "3", "note": ""})
    for key, value in values.items():
        if isinstance(value, list):
            data.setlist(key, value)
        else:
            data[key] = value
    return data


def test_a_good_day_reads_clean():
    entry = read_day(_form(done=["heel_dig:1", "heel_dig:2", "walk:1"], note=" sore ",
                           **{"symptom-calf_swelling": "yes"}), ITEMS, TODAY)
    assert entry.errors == {}
    assert entry.ticks == {"heel_dig": 2, "walk": 1}
    assert entry.pain == 3 and entry.note == "sore" and entry.symptoms == ["calf_swelling"]


def test_a_box_ticked_twice_counts_once_and_untouched_exercises_are_zero():
    entry = read_day(_form(done=["heel_dig:1", "heel_dig:1"]), ITEMS, TODAY)
    assert entry.errors == {} and entry.ticks == {"heel_dig": 1, "walk": 0}


def test_blank_pain_is_not_recorded():
    entry = read_day(_form(pain=""), ITEMS, TODAY)
    assert entry.errors == {} and entry.pain is None


@pytest.mark.parametrize("changes, field, words", [
    ({"pain": "11"}, "pain", "Pain:"), ({"pain": "-1"}, "pain", "Pain:"), ({"pain": "lots"}, "pain", "Pain:"),
    ({"done": ["squat:1"]}, "done", "not in your plan"), ({"done": ["heel_dig:3"]}, "done", "Sessions done"),
    ({"done": ["heel_dig:0"]}, "done", "Sessions done"), ({"done": ["walk"]}, "done", "Sessions done"),
    ({"day": (TODAY + dt.timedelta(days=1)).isoformat()}, "day", "not happened yet"),
    ({"day": (TODAY - dt.timedelta(days=7)).isoformat()}, "day", "last seven days"),
    ({"day": "yesterday"}, "day", "Day:"),
    ({"note": "x" * 501}, "note", "at most 500"),
    ({"symptom-chest_breathless": "maybe"}, "symptom-chest_breathless", "yes or no"),
])
def test_bad_input_names_the_field(changes, field, words):
    entry = read_day(_form(**changes), ITEMS, TODAY)
    assert field in entry.errors and words in entry.errors[field]


def test_a_long_note_is_kept_to_show_again():
    entry = read_day(_form(note="y" * 600), ITEMS, TODAY)
    assert entry.raw["note"] == "y" * 600 and "600" in entry.errors["note"]


def test_a_note_of_exactly_the_limit_is_fine():
    assert read_day(_form(note="z" * 500), ITEMS, TODAY).errors == {}


def test_psfs_with_named_activities_reads_their_scores():
    entry = read_psfs(MultiDict({"score-0": "4", "score-1": "7"}), ["Running", "Stairs"])
    assert entry.errors == {}
    assert entry.items == [{"activity": "Running", "score": 4}, {"activity": "Stairs", "score": 7}]


def test_psfs_activities_named_by_the_patient():
    entry = read_psfs(MultiDict({"activity-0": "Sitting at work", "score-0": "5", "activity-1": "",
                                 "score-1": ""}), [])
    assert entry.errors == {} and entry.items == [{"activity": "Sitting at work", "score": 5}]


@pytest.mark.parametrize("form, activities, field", [
    ({"score-0": "11"}, ["Running"], "score-0"),
    ({}, ["Running"], "score-0"),
    ({"activity-0": "a" * 81, "score-0": "3"}, [], "activity-0"),
    ({"score-1": "3"}, [], "activity-1"),
])
def test_psfs_bad_input(form, activities, field):
    assert field in read_psfs(MultiDict(form), activities).errors


def test_tracked_items_are_the_printed_tracking_sheets_rows():
    """What the patient ticks is what the printed sheet lists, boxes and all."""
    from rehab.pdf import sample
    from rehab.pdf.plan import split_phases, tracked

    plan = sample.sample_plan()
    current, _ = split_phases(plan)
    rows = patient_log.tracked_items(plan)
    assert [r.exercise_id for r in rows] == [i.exercise_id for i in tracked(current.items)]
    assert [r.per_day for r in rows] == [i.dosage.per_day or 1 for i in tracked(current.items)]


@pytest.mark.parametrize("typed", ["²", "٥", "1²", "¹0"])
def test_digits_other_than_0_to_9_are_refused_not_a_crash(typed):
    """str.isdigit passes superscripts (int() then raises) and other scripts' digits."""
    entry = read_day(_form(pain=typed, done=[f"heel_dig:{typed}"]), ITEMS, TODAY)
    assert "pain" in entry.errors and "done" in entry.errors and entry.pain is None


def test_reported_keeps_the_highest_pain_every_symptom_and_the_first_note():
    first = patient_log.reported(9, ["calf_swelling"], "Sharp")
    assert first == {"pain": 9, "symptoms": ["calf_swelling"], "note": "Sharp"}
    later = patient_log.reported(4, ["saddle_numbness"], "Better now", first)
    assert later == {"pain": 9, "symptoms": ["saddle_numbness", "calf_swelling"], "note": "Sharp"}
    assert patient_log.reported(None, [], "", later) == later


def test_control_characters_are_dropped_from_the_note_line_breaks_kept():
    entry = read_day(MultiDict({"day": TODAY.isoformat(), "note": "a\x00b\x07c\r\nd\te"}), ITEMS, TODAY)
    assert not entry.errors and entry.note == "abc\nd\te"


def test_a_note_counts_a_line_break_once_as_the_browser_does():
    entry = read_day(MultiDict({"day": TODAY.isoformat(), "note": "x\r\n" * (patient_log.NOTE_MAX // 2)}), ITEMS, TODAY)
    assert "note" not in entry.errors


def test_psfs_the_same_activity_twice_names_the_field():
    entry = read_psfs(MultiDict({"activity-0": "Stairs", "score-0": "3", "activity-2": "STAIRS", "score-2": "4"}), [])
    assert entry.errors == {"activity-2": "Activity 3: this is the same as activity 1; name a different activity, "
                                          "or clear this one."}
