"""The one-page referral letter: for a refused plan, or an allowed plan that also refers."""

from __future__ import annotations

import dataclasses

import pytest

from rehab.pdf import render_referral_letter
from rehab.pdf.sample import sample_refusal
from rehab.planner.types import Referral


def test_emergency_letter(print_details, pdf_pages, pdf_text):
    pdf = render_referral_letter(sample_refusal(), print_details(), {"days_since_onset": 4, "nprs_activity": 3,
                                                                     "walks_normally": False})
    assert len(pdf_pages(pdf)) == 1
    text = pdf_text(pdf)
    for needle in ("Referral letter", "EMERGENCY: go now, or call an ambulance",
                   "Go to the emergency department now, or call an ambulance",
                   "possible deep vein thrombosis", "Takes the combined oral contraceptive",
                   "same-day ultrasound", "Wells score for DVT: 3 (DVT likely", "Days since the pain started 4",
                   "Pain with daily activity (0-10) 3", "Walks normally no", "Signature",
                   "Alex Morgan, physiotherapist", "Jordan Smith", "RS-004217",
                   "Date of birth 12 April 1990", "Age 34 years", "Sex Female",
                   "Riverside Physiotherapy 12 River Street, Northtown NT1 2AB · Phone 01632 960 123",
                   "take this letter with you to your GP or the emergency department"):
        assert needle in text, needle
    assert "today" not in text.split("Referral letter", 1)[1].split("To the GP")[0]


INTAKE = {
    "diagnosis": "hamstring_strain", "grade": 1, "age": 41, "sex": "male", "side": "left",
    "medications": ["oral_contraceptive", "anticoagulant"],
    "red_flags": {"dvt": {"symptoms_present": True,
                          "wells_items": ["calf_swelling_3cm", "pitting_oedema", "previous_dvt"]}},
    "findings": {"days_since_onset": 2, "nprs_rest": 5, "walking": "antalgic"},
}


@pytest.mark.parametrize("form", ["intake", "examples", "findings"])
def test_letter_reads_every_input_form(print_details, pdf_text, form):
    data = {"intake": INTAKE, "expected": {"allowed": False}} if form == "examples" else \
        INTAKE if form == "intake" else INTAKE["findings"]
    details = print_details(date_of_birth=None, sex="")
    text = pdf_text(render_referral_letter(sample_refusal(), details, data))
    for needle in ("Findings", "Days since the pain started 2", "Pain at rest (0-10) 5", "Walking antalgic"):
        assert needle in text, (form, needle)
    if form == "findings":
        assert "Age not recorded" in text and "Sex Not recorded" in text and "Medicines: none recorded" in text
        return
    for needle in ("Age 41 years", "Sex Male", "Medicines: Combined oral contraceptive, Anticoagulant",
                   "Wells items present", "Calf swelling 3 cm or more than the other side",
                   "Pitting oedema in the symptomatic leg", "Previous DVT"):
        assert needle in text, (form, needle)
    assert "calf_swelling" not in text and "Date of birth" not in text


def test_age_is_counted_from_the_date_of_birth(print_details, pdf_text):
    import datetime as dt

    for dob, age in ((dt.date(1990, 3, 14), 35), (dt.date(1990, 3, 15), 34), (dt.date(1990, 3, 13), 35)):
        text = pdf_text(render_referral_letter(sample_refusal(), print_details(date_of_birth=dob), INTAKE))
        assert f"Age {age} years" in text  # the plan date is 14 March 2025; the intake's 41 is older news


def test_urgent_letter_without_wells_or_findings(print_details, pdf_pages, pdf_text):
    plan = dataclasses.replace(sample_refusal(), wells_score=None,
                               referral=Referral("urgent", ["Foot getting weaker over two weeks."], []))
    pdf = render_referral_letter(plan, print_details())
    assert len(pdf_pages(pdf)) == 1
    text = pdf_text(pdf)
    assert "URGENT" in text and "within 24 to 48 hours" in text
    assert "Foot getting weaker over two weeks." in text
    assert "Wells" not in text and "Findings" not in text


def test_letter_stays_on_one_page_with_much_to_say(print_details, pdf_pages, pdf_text):
    reasons = [f"Reason {n}: " + "numbness spreading down the leg with new weakness " * 3 for n in range(12)]
    plan = dataclasses.replace(sample_refusal(), referral=Referral("emergency", reasons, ["ED", "Neurosurgery"]))
    findings = {f"finding_{n}": n for n in range(15)}
    pdf = render_referral_letter(plan, print_details(large_print=True, page_size="Letter"), findings)
    assert len(pdf_pages(pdf)) == 1
    assert "Reason 11" in pdf_text(pdf)


def test_letter_escapes_and_prints_accents(print_details, pdf_text):
    plan = dataclasses.replace(sample_refusal(),
                               referral=Referral("urgent", ["<b>Pain</b> & swelling near the łydka, ñ é ü"], []))
    text = pdf_text(render_referral_letter(plan, print_details(patient_name="José <Ñ> Łoś")))
    assert "<b>Pain</b> & swelling near the łydka, ñ é ü" in text
    assert "José <Ñ> Łoś" in text


def test_letter_is_deterministic(print_details):
    findings = {"nprs_rest": 5}
    assert render_referral_letter(sample_refusal(), print_details(), findings) == \
        render_referral_letter(sample_refusal(), print_details(), findings)


def test_letter_only_for_a_refused_plan(typical_plan, print_details):
    with pytest.raises(ValueError, match="refused"):
        render_referral_letter(typical_plan, print_details())


@pytest.mark.parametrize("level", ["routine", "urgent"])
def test_allowed_plan_with_a_referral_gets_a_referral_letter(typical_plan, print_details, pdf_pages, pdf_text, level):
    """A grade 3 strain is allowed with an urgent orthopaedic referral: its letter names the urgency and
    the reason, and is not a refusal (the exercise plan goes on)."""
    plan = dataclasses.replace(typical_plan, referral=Referral(level, ["Grade 3 strain: possible tendon "
                                                                       "avulsion."], ["Orthopaedics"]))
    for details in (print_details(), print_details(large_print=True, page_size="Letter")):
        pdf = render_referral_letter(plan, details, INTAKE)
        assert len(pdf_pages(pdf)) == 1
        text = pdf_text(pdf)
        for needle in (f"{level.upper()} referral", "Grade 3 strain: possible tendon avulsion.", "Orthopaedics",
                       "has started an exercise plan (Phase 1)", "Keep to the exercises in your plan"):
            assert needle in text, needle
        for refusal in ("No exercise plan has been given", "Do not start or continue", "EMERGENCY",
                        "emergency department doctor"):
            assert refusal not in text, refusal


@pytest.mark.parametrize("level", ["none", "routine", "urgent", "emergency"])
@pytest.mark.parametrize("allowed", [True, False])
def test_every_level_allowed_or_refused_gives_a_letter_or_says_there_is_none(
        typical_plan, print_details, pdf_pages, level, allowed):
    plan = dataclasses.replace(typical_plan if allowed else sample_refusal(),
                               referral=Referral(level, ["A reason."], []))
    if allowed and level == "none":
        with pytest.raises(ValueError, match="refers nobody"):
            render_referral_letter(plan, print_details())
    else:
        assert len(pdf_pages(render_referral_letter(plan, print_details()))) == 1
