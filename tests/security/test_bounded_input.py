"""Bounded input (issue #11 findings 4 and 8): request size, JSON depth, the CLI's limits,
and error messages that quote at most about 200 characters of a bad value."""

from __future__ import annotations

import io
import json
import subprocess
import sys

import pytest

from rehab.config import MAX_CONTENT_LENGTH
from rehab.jsonlimits import MAX_JSON_DEPTH, clip, too_deep

INTAKE = {"diagnosis": "hamstring_strain", "grade": 2, "age": 30,
          "findings": {"days_since_onset": 4, "walking": "antalgic"}}


@pytest.fixture
def api(client, clinician, login, loaded_library):
    login(client, clinician)
    return client


def _nested(levels: int) -> str:
    return "[" * levels + "]" * levels


def test_the_stated_limit():
    assert MAX_CONTENT_LENGTH == 1024 * 1024


@pytest.mark.parametrize("levels, deep", [(MAX_JSON_DEPTH - 1, False), (MAX_JSON_DEPTH, False),
                                          (MAX_JSON_DEPTH + 1, True), (100_000, True)])
def test_depth_at_and_around_the_limit(levels, deep):
    assert too_deep(_nested(levels)) is deep


def test_brackets_inside_strings_do_not_count():
    assert not too_deep(json.dumps({"note": "[" * 1000, "q": "\\\"[[[["}))


def test_clip():
    assert clip("x" * 200) == "x" * 200
    assert clip("x" * 201) == "x" * 200 + "... (1 more characters)"


def test_api_body_over_the_limit_is_413(api):
    """Finding 4: a 10 MB body with 2.6 M list items took 23 s and 6 GB."""
    body = '{"diagnosis": "hamstring_strain", "comorbidities": [' + ",".join(['"x"'] * 400_000) + "]}"
    assert len(body) > MAX_CONTENT_LENGTH
    response = api.post("/api/plan", data=body, content_type="application/json")
    assert response.status_code == 413
    assert response.get_json()["error"] == "Too much data"


def test_api_body_just_under_the_limit_is_read(api):
    body = json.dumps({**INTAKE, "pad": " " * (MAX_CONTENT_LENGTH - len(json.dumps(INTAKE)) - 20)})
    assert len(body) <= MAX_CONTENT_LENGTH
    assert api.post("/api/plan", data=body, content_type="application/json").status_code in (200, 422)


@pytest.mark.parametrize("levels, status", [(MAX_JSON_DEPTH, 422), (MAX_JSON_DEPTH + 1, 422), (50_000, 422)])
def test_api_deep_json_is_422_naming_the_depth(api, levels, status):
    response = api.post("/api/plan", data=_nested(levels), content_type="application/json")
    assert response.status_code == status
    message = response.get_json()["message"]
    assert ("deeper than 32 levels" in message) is (levels > MAX_JSON_DEPTH)


@pytest.mark.parametrize("adjustment", [1, "remove", None, [], ["op"]])
def test_api_adjustment_that_is_not_an_object_is_422(api, adjustment):
    """Finding 8: adjustments that are not objects gave 500."""
    response = api.post("/api/plan", json={"intake": INTAKE, "adjustments": [adjustment]})
    assert response.status_code == 422
    assert response.get_json()["field"] == "adjustments[0]"


def test_api_body_not_utf8_is_422(api):
    response = api.post("/api/plan", data=b'{"diagnosis": "\xff"}', content_type="application/json")
    assert response.status_code == 422 and response.get_json()["message"] == "not UTF-8 text"


def test_form_post_over_the_limit_is_413_and_not_echoed(client, clinician, login):
    """Finding 4: a 20 MB form field was echoed back."""
    login(client, clinician)
    response = client.post("/patients/new", data={"first_name": "A" * (2 * MAX_CONTENT_LENGTH)})
    assert response.status_code == 413
    assert len(response.data) < 10_000 and b"AAAAAAAAAA" not in response.data
    assert b"at most 1024 KB" in response.data


def test_one_field_over_the_form_limit_is_413(client, clinician, login, app):
    login(client, clinician)
    limit = app.config["MAX_FORM_MEMORY_SIZE"]
    response = client.post("/patients/new", data={"first_name": "A" * (limit + 1)})
    assert response.status_code == 413
    response = client.post("/patients/new", data={"first_name": "A" * (limit - 100)})
    assert response.status_code == 422  # read, and refused by the field's own length


def test_multipart_upload_over_the_limit_is_413(client, clinician, login):
    """Finding 4: a 50 MB multipart upload was accepted."""
    login(client, clinician)
    response = client.post("/patients/new", content_type="multipart/form-data",
                           data={"file": (io.BytesIO(b"x" * (MAX_CONTENT_LENGTH + 1)), "big.bin")})
    assert response.status_code == 413


# ---------------------------------------------------------------- the contract CLI


def _cli(stdin: bytes, *args):
    return subprocess.run([sys.executable, "-m", "rehab", "plan", "--input", "-", "--json", *args],
                          input=stdin, capture_output=True, timeout=60)


def test_cli_refuses_input_over_the_limit():
    body = json.dumps({**INTAKE, "pad": "x" * MAX_CONTENT_LENGTH}).encode()
    proc = _cli(body)
    assert proc.returncode == 2
    assert b"error: input: larger than 1024 KB (1048576 bytes)" in proc.stderr
    assert len(proc.stderr) < 300


def test_cli_reads_input_at_the_limit():
    body = json.dumps(INTAKE).encode()
    body = body[:-1] + b" " * (MAX_CONTENT_LENGTH - len(body)) + b"}"
    assert len(body) == MAX_CONTENT_LENGTH
    assert _cli(body).returncode == 0


def test_cli_refuses_deep_json_with_exit_2():
    """Finding 8: deeply nested JSON made the CLI exit 1 (a RecursionError)."""
    proc = _cli(_nested(200_000).encode())
    assert proc.returncode == 2
    assert proc.stderr.decode().strip() == "error: input: JSON nested deeper than 32 levels"


def test_cli_error_quotes_little_of_a_huge_bad_value():
    """Finding 8: a 10 MB invalid code was echoed whole to stderr (here ~1 MB, the most accepted)."""
    proc = _cli(json.dumps({**INTAKE, "diagnosis": "x" * 900_000}).encode())
    assert proc.returncode == 2
    assert b"diagnosis" in proc.stderr and len(proc.stderr) < 1000
