"""The contract's command line: exit codes, stdin, determinism."""

from __future__ import annotations

import json
import subprocess
import sys

INTAKE = {"diagnosis": "hamstring_strain", "grade": 2, "age": 30,
          "findings": {"days_since_onset": 4, "walking": "antalgic"}}


def run(*args, stdin: str | None = None):
    return subprocess.run([sys.executable, "-m", "rehab", "plan", *args], input=stdin,
                          capture_output=True, text=True, timeout=60)


def test_file_and_stdin_give_identical_bytes(tmp_path):
    path = tmp_path / "intake.json"
    path.write_text(json.dumps(INTAKE))
    a = run("--input", str(path), "--json")
    b = run("--input", "-", "--json", stdin=json.dumps(INTAKE))
    assert a.returncode == b.returncode == 0
    assert a.stdout == b.stdout
    assert json.loads(a.stdout)["current_phase"] == "P1_acute_protection"


def test_bad_field_exits_2_naming_it():
    proc = run("--input", "-", "--json", stdin=json.dumps({**INTAKE, "age": 200}))
    assert proc.returncode == 2 and "age" in proc.stderr and "Traceback" not in proc.stderr


def test_bad_json_exits_2():
    proc = run("--input", "-", "--json", stdin="{not json")
    assert proc.returncode == 2 and "input" in proc.stderr


def test_missing_file_exits_2(tmp_path):
    proc = run("--input", str(tmp_path / "nope.json"), "--json")
    assert proc.returncode == 2


def test_bad_library_exits_1(tmp_path):
    (tmp_path / "broken.yaml").write_text("id: broken\n")
    proc = run("--input", "-", "--json", "--library", str(tmp_path), stdin=json.dumps(INTAKE))
    assert proc.returncode == 1 and "broken.yaml" in proc.stderr and "Traceback" not in proc.stderr


def test_refusal_is_exit_0():
    proc = run("--input", "-", "--json", stdin=json.dumps(
        {**INTAKE, "red_flags": {"saddle_anaesthesia": True}}))
    plan = json.loads(proc.stdout)
    assert proc.returncode == 0 and plan["allowed"] is False and plan["phases"] == []
    assert plan["referral"]["level"] == "emergency"


def test_pdf_written(tmp_path):
    out = tmp_path / "plan.pdf"
    proc = run("--input", "-", "--pdf", str(out), stdin=json.dumps(INTAKE))
    assert proc.returncode == 0, proc.stderr
    assert out.read_bytes().startswith(b"%PDF")
    refused = tmp_path / "letter.pdf"
    proc = run("--input", "-", "--pdf", str(refused), stdin=json.dumps(
        {**INTAKE, "red_flags": {"bladder_bowel_change": True}}))
    assert proc.returncode == 0 and refused.read_bytes().startswith(b"%PDF")


def test_same_input_gives_byte_identical_json_every_time():
    intakes = [INTAKE,
               {"diagnosis": "sciatica_lumbar_radiculopathy", "age": 70, "comorbidities": ["osteoporosis"],
                "findings": {"leg_nprs": 7, "directional_preference": "flexion"}},
               {"diagnosis": "sacroiliac_joint_dysfunction", "pregnancy": {"pregnant": True, "weeks": 20},
                "findings": {"nprs_rest": 2}},
               {"diagnosis": "hamstring_strain", "grade": 1, "red_flags": {"dvt": {"symptoms_present": True}}}]
    for intake in intakes:
        text = json.dumps(intake)
        first, second = run("--input", "-", "--json", stdin=text), run("--input", "-", "--json", stdin=text)
        assert first.returncode == second.returncode == 0
        assert first.stdout == second.stdout and first.stdout.strip()
        # key order in the input does not matter either
        reordered = json.dumps(dict(reversed(list(intake.items()))))
        assert run("--input", "-", "--json", stdin=reordered).stdout == first.stdout


def test_adjustments_are_applied():
    plain = json.loads(run("--input", "-", "--json", stdin=json.dumps(INTAKE)).stdout)
    phase = plain["phases"][0]
    first = phase["items"][0]["exercise_id"]
    body = {"intake": INTAKE, "adjustments": [{"op": "remove", "phase": phase["id"], "exercise_id": first}]}
    proc = run("--input", "-", "--json", stdin=json.dumps(body))
    assert proc.returncode == 0, proc.stderr
    assert first not in [i["exercise_id"] for i in json.loads(proc.stdout)["phases"][0]["items"]]


def test_bad_adjustment_exits_2_naming_its_index_and_field():
    body = {"intake": INTAKE, "adjustments": [{"op": "remove", "phase": "P1_acute_protection",
                                               "exercise_id": ["ice_pack"]}]}
    proc = run("--input", "-", "--json", stdin=json.dumps(body))
    assert proc.returncode == 2 and "adjustments[0].exercise_id" in proc.stderr
    assert "Traceback" not in proc.stderr and proc.stdout == ""
    unsafe = {"intake": INTAKE, "adjustments": [{"op": "add", "phase": "P1_acute_protection",
                                                 "exercise_id": "nordic_hamstring_curl"}]}
    proc = run("--input", "-", "--json", stdin=json.dumps(unsafe))
    assert proc.returncode == 2 and "Nordic" in proc.stderr
