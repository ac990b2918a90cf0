"""`python -m rehab plan --pdf`: the clinic from REHAB_CLINIC_*, the clinician's role, all
phases, and a letter from the examples' {"intake": ...} form."""

from __future__ import annotations

import io
import json
import re

from pypdf import PdfReader

from rehab.__main__ import main

INTAKE = {"diagnosis": "hamstring_strain", "grade": 2, "age": 30, "sex": "female", "side": "right",
          "findings": {"days_since_onset": 4, "walking": "antalgic"}}
CLINIC = {"REHAB_CLINIC_NAME": "Hillside Physio", "REHAB_CLINIC_ADDRESS": "3 Hill Road",
          "REHAB_CLINIC_PHONE": "0100 555 222", "REHAB_CLINIC_EMAIL": "desk@hillside.example",
          "REHAB_CLINIC_HOURS": "Mon-Sat 9-17", "REHAB_CLINIC_OUT_OF_HOURS": "call 111"}


def _text(path) -> str:
    return re.sub(r"\s+", " ", " ".join(p.extract_text() for p in PdfReader(io.BytesIO(path.read_bytes())).pages))


def _run(tmp_path, monkeypatch, data, *args):
    for k, v in CLINIC.items():
        monkeypatch.setenv(k, v)
    src, out = tmp_path / "in.json", tmp_path / "out.pdf"
    src.write_text(json.dumps(data))
    assert main(["plan", "--input", str(src), "--pdf", str(out), "--patient", "Sam Lee", "--clinician", "Alex",
                 "--clinician-role", "physiotherapist", *args]) == 0
    return out


def test_cli_plan_prints_the_clinic_from_the_environment(tmp_path, monkeypatch, capsys):
    text = _text(_run(tmp_path, monkeypatch, INTAKE))
    for needle in ("Hillside Physio", "3 Hill Road", "Phone 0100 555 222 · desk@hillside.example",
                   "Open Mon-Sat 9-17", "When the clinic is closed: call 111", "Alex, physiotherapist",
                   "What comes next"):
        assert needle in text, needle
    full = _text(_run(tmp_path, monkeypatch, INTAKE, "--all-phases"))
    assert "What comes next" not in full and "Later: Phase" in full


def test_cli_letter_from_the_examples_form(tmp_path, monkeypatch, capsys):
    refused = {**INTAKE, "medications": ["anticoagulant"], "red_flags": {"bladder_bowel_change": True}}
    text = _text(_run(tmp_path, monkeypatch, {"intake": refused, "expected": {}}))
    for needle in ("Referral letter", "EMERGENCY: go now, or call an ambulance", "Hillside Physio",
                   "Age 30 years", "Sex Female", "Medicines: Anticoagulant", "Days since the pain started 4"):
        assert needle in text, needle
