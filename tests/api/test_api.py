"""The JSON API: every status it answers, with the field named on 422 (never a 5xx)."""

from __future__ import annotations

import json

import pytest

from rehab.vocab import PHASES

P1 = PHASES[0]
CRAMPS = {"diagnosis": "muscle_cramps", "age": 40, "findings": {"nprs_rest": 2, "nprs_activity": 3}}
STRAIN = {"diagnosis": "hamstring_strain", "grade": 2, "age": 30, "findings": {"days_since_onset": 1}}


def post(client, body, **kwargs):
    return client.post("/api/plan", data=json.dumps(body), content_type="application/json", **kwargs)


# ------------------------------------------------------------------ 200


def test_plan_200_answers_the_contract_plan(api):
    response = post(api, CRAMPS)
    assert response.status_code == 200
    plan = response.get_json()
    assert plan["allowed"] is True and plan["diagnosis"] == "muscle_cramps"
    assert plan["current_phase"] in PHASES and plan["phases"]


def test_plan_200_with_adjustments_applies_them(api):
    plain = post(api, STRAIN).get_json()
    first = plain["phases"][0]["items"][0]["exercise_id"]
    response = post(api, {"intake": STRAIN, "adjustments": [
        {"op": "remove", "phase": P1, "exercise_id": first}]})
    assert response.status_code == 200
    assert first not in [i["exercise_id"] for i in response.get_json()["phases"][0]["items"]]


def test_a_red_flag_is_a_200_refusal_not_an_error(api):
    response = post(api, {**STRAIN, "red_flags": {"saddle_anaesthesia": True}})
    assert response.status_code == 200
    assert response.get_json()["allowed"] is False


def test_exercises_200_lists_the_library(api):
    response = api.get("/api/exercises")
    assert response.status_code == 200
    assert "ice_pack" in response.get_json()


def test_admins_may_use_the_api_too(client, admin, login, loaded_library):
    """No role restriction applies to the API (so it has no 403): any signed-in user plans."""
    login(client, admin)
    assert post(client, CRAMPS).status_code == 200
    assert client.get("/api/exercises").status_code == 200


# ------------------------------------------------------------------ 401, 415, 405


@pytest.mark.parametrize("method, url", [("post", "/api/plan"), ("get", "/api/exercises")])
def test_401_without_login(client, loaded_library, method, url):
    response = getattr(client, method)(url, data=json.dumps(CRAMPS), content_type="application/json")
    assert response.status_code == 401
    assert response.get_json() == {"error": "login required"}


def test_401_after_logout(api):
    api.post("/logout")
    assert post(api, CRAMPS).status_code == 401


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data",
                                          None])
def test_415_unless_json(api, content_type):
    response = api.post("/api/plan", data=json.dumps(CRAMPS), content_type=content_type)
    assert response.status_code == 415
    assert "application/json" in response.get_json()["error"]


def test_get_on_plan_is_405(api):
    assert api.get("/api/plan").status_code == 405


# ------------------------------------------------------------------ 422 with the field


@pytest.mark.parametrize("body, field", [
    ("{not json", "(body)"),
    ("[1, 2]", "(intake)"),
    ('"cramps"', "(intake)"),
    (json.dumps({"age": 40}), "diagnosis"),
    (json.dumps({"diagnosis": "flu"}), "diagnosis"),
    (json.dumps({"diagnosis": "hamstring_strain"}), "grade"),
    (json.dumps({**CRAMPS, "findings": {"nprs_rest": 11}}), "findings.nprs_rest"),
    (json.dumps({**CRAMPS, "findings": {"nprs_rest": "3"}}), "findings.nprs_rest"),
    (json.dumps({**CRAMPS, "findings": {"single_leg_bridge_reps": {"injured": 3}}}),
     "findings.single_leg_bridge_reps.uninjured"),
    (json.dumps({**CRAMPS, "red_flags": {"dvt": {"wells_items": ["x"]}}}), "red_flags.dvt.wells_items[0]"),
    (json.dumps({**CRAMPS, "comorbidities": "diabetes"}), "comorbidities"),
])
def test_422_names_the_intake_field(api, body, field):
    response = api.post("/api/plan", data=body, content_type="application/json")
    assert response.status_code == 422
    answer = response.get_json()
    assert answer["field"] == field and answer["message"] and answer["error"] == "invalid input"


@pytest.mark.parametrize("adjustments, field", [
    ("remove", "adjustments"),
    ({"op": "remove"}, "adjustments"),
    ([1], "adjustments[0]"),
    ([{"op": "remove", "phase": P1, "exercise_id": "ice_pack"}, None], "adjustments[1]"),
    ([{"op": "remove", "phase": P1, "exercise_id": ["ice_pack"]}], "adjustments[0].exercise_id"),
    ([{"op": "zap", "phase": P1, "exercise_id": "ice_pack"}], "adjustments[0].op"),
    ([{"op": "swap", "phase": P1, "exercise_id": "ice_pack"}], "adjustments[0].to"),
    ([{"op": "dose", "phase": P1, "exercise_id": "ice_pack", "dosage": {"sets": 11}}],
     "adjustments[0].dosage.sets"),
    ([{"op": "add", "phase": "P7", "exercise_id": "ice_pack"}], "adjustments[0].phase"),
])
def test_422_names_the_adjustment_index_and_field(api, adjustments, field):
    response = post(api, {"intake": STRAIN, "adjustments": adjustments})
    assert response.status_code == 422
    assert response.get_json()["field"] == field


def test_422_for_an_unsafe_change_gives_the_reason(api):
    response = post(api, {"intake": STRAIN, "adjustments": [
        {"op": "add", "phase": P1, "exercise_id": "nordic_hamstring_curl"}]})
    assert response.status_code == 422
    answer = response.get_json()
    assert answer["field"] == "adjustments[0]" and "Nordic" in answer["message"]
