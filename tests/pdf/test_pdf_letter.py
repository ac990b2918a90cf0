"""The one-page referral letter for a refused plan."""

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
    for needle in ("Referral letter", "EMERGENCY", "emergency department today", "call an ambulance",
                   "possible deep vein thrombosis", "Takes the combined oral contraceptive",
                   "same-day ultrasound", "Wells score for DVT: 3 (DVT likely", "Days since the pain started 4",
                   "Pain with daily activity (0-10) 3", "Walks normally no", "Signature",
                   "Alex Morgan, physiotherapist", "Jordan Smith", "RS-004217",
                   "take this letter with you to your GP or the emergency department"):
        assert needle in text, needle


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
