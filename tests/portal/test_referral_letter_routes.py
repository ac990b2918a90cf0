"""The referral letter routes never 500: every referral level x allowed/refused gives a letter (with the
button shown) or a 404 (with the button hidden). A grade 3 strain is allowed with an urgent referral."""

from __future__ import annotations

import copy
import io
import re

import pytest
from pypdf import PdfReader

from rehab.extensions import db as _db
from rehab.models import PlanVersion

from .conftest import HAMSTRING_2

GRADE_3 = {**HAMSTRING_2, "diagnosis": {"diagnosis": "hamstring_strain", "grade": "3"}}
BUTTON = "Download the referral letter (PDF)"


def pdf_text_of(data: bytes) -> str:
    return re.sub(r"\s+", " ", " ".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages))


def test_grade_3_strain_gets_its_referral_letter(wizard):
    wizard.run(GRADE_3)
    review = wizard.review()
    assert review.status_code == 200 and BUTTON in review.get_data(as_text=True)
    draft_letter = wizard.client.get(f"/patients/{wizard.patient_id}/plans/draft/referral.pdf")
    assert draft_letter.status_code == 200 and draft_letter.data.startswith(b"%PDF")
    footer = pdf_text_of(draft_letter.data)
    assert "Not saved yet" in footer and "version draft" not in footer
    plan_id, number = wizard.save()
    page = wizard.client.get(f"/plans/{plan_id}/versions/{number}").get_data(as_text=True)
    assert BUTTON in page
    for query in ("", "?large_print=y&page_size=Letter"):
        letter = wizard.client.get(f"/plans/{plan_id}/versions/{number}/referral.pdf{query}")
        assert letter.status_code == 200, query
        text = pdf_text_of(letter.data)
        assert "Referral letter" in text and "URGENT referral" in text
        assert "No exercise plan has been given" not in text and "Do not start or continue" not in text
        assert "has started an exercise plan" in text


@pytest.mark.parametrize("allowed", [True, False])
@pytest.mark.parametrize("level", ["none", "routine", "urgent", "emergency"])
def test_every_level_gives_a_letter_or_a_404_with_the_button_hidden(app, wizard, level, allowed):
    wizard.run(GRADE_3)
    plan_id, number = wizard.save()
    with app.app_context():
        row = _db.session.execute(_db.select(PlanVersion).filter_by(plan_id=plan_id, number=number)).scalar_one()
        plan = copy.deepcopy(row.plan)
        plan["allowed"] = allowed
        plan["referral"] = {**plan["referral"], "level": level,
                            "reasons": ["A reason for the referral."], "refer_to": ["Orthopaedics"]}
        row.plan = plan
        _db.session.commit()
    page = wizard.client.get(f"/plans/{plan_id}/versions/{number}").get_data(as_text=True)
    letter = wizard.client.get(f"/plans/{plan_id}/versions/{number}/referral.pdf")
    if allowed and level == "none":
        assert letter.status_code == 404 and BUTTON not in page
    else:
        assert letter.status_code == 200 and letter.data.startswith(b"%PDF"), (level, allowed)
        assert BUTTON in page
