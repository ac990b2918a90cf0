"""The exercise picker for add and swap: allowed first, excluded with the planner's reason."""

from __future__ import annotations

import re

import pytest

P1 = "P1_acute_protection"


@pytest.fixture
def review(wizard, cases):
    wizard.run(cases.hamstring_2)
    return wizard


def _page(review, **args):
    return review.client.get(f"/patients/{review.patient_id}/plans/draft/pick", query_string=args)


def test_add_lists_allowed_first_then_excluded_with_reasons(review):
    html = _page(review, op="add", phase=P1).get_data(as_text=True)
    allowed, _, excluded = html.partition("Not allowed here")
    assert '<img src="/figures/' in allowed and 'name="op" value="add"' in allowed
    assert "Nordic hamstring curl" in excluded and "Nordic hamstring curl" not in allowed
    assert not re.search(r"\b[a-z]+_[a-z_]+\b", re.sub(r"<[^>]+>", "", excluded))  # reasons in words, no ids
    in_phase = re.findall(rf'id="item-{P1}-([a-z0-9_]+)"', review.review().get_data(as_text=True))
    assert in_phase and all(f'name="exercise_id" value="{slug}"' not in allowed for slug in in_phase)


def test_search_and_category_narrow_the_choices(review):
    html = _page(review, op="add", phase=P1, q="NORDIC").get_data(as_text=True)
    assert "Nordic hamstring curl" in html and "Ice pack" not in html
    html = _page(review, op="add", phase=P1, category="cryotherapy_rice").get_data(as_text=True)
    assert "Nordic hamstring curl" not in html


def test_swap_from_the_picker_is_applied(review):
    first = re.findall(rf'id="item-{P1}-([a-z0-9_]+)"', review.review().get_data(as_text=True))[0]
    html = _page(review, op="swap", phase=P1, exercise_id=first).get_data(as_text=True)
    target = re.search(r'name="to" value="([a-z0-9_]+)"', html).group(1)
    review.adjust(op="swap", phase=P1, exercise_id=first, to=target)
    assert f'id="item-{P1}-{target}"' in review.review().get_data(as_text=True)


@pytest.mark.parametrize("args", [{"op": "drop", "phase": P1}, {"op": "add", "phase": "P9_x"},
                                  {"op": "swap", "phase": P1, "exercise_id": "not_in_phase"},
                                  {"op": "add", "phase": P1, "category": "nope"}])
def test_bad_picker_input_is_404(review, args):
    assert _page(review, **args).status_code == 404


def test_picker_needs_login_and_the_clinics_patient(client, review, other_clinic_patient):
    assert _page(review, op="add", phase=P1).status_code == 200
    foreign = review.client.get(f"/patients/{other_clinic_patient}/plans/draft/pick?op=add&phase={P1}")
    assert foreign.status_code == 404
    review.client.post("/logout")
    answer = _page(review, op="add", phase=P1)
    assert answer.status_code == 302 and "/login" in answer.headers["Location"]
