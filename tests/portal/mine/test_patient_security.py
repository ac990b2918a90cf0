"""The patient link's security: guessed, malformed, expired, revoked and superseded tokens,
the link-bound form token, the per-link write limit, and logs without the token or
anything the patient typed."""

from __future__ import annotations

import datetime as dt
import logging
import runpy
import secrets

import pytest

from rehab import config, patient_link
from rehab.extensions import db
from rehab.models import Clinic, LogDay, PatientLink, utcnow

from .conftest import copy_plan, give_link, newer_version


def _rows(app) -> list[LogDay]:
    with app.app_context():
        return db.session.execute(db.select(LogDay)).scalars().all()


def _clinic_phone(app, phone="020 7946 0000"):
    with app.app_context():
        for clinic in db.session.execute(db.select(Clinic)).scalars():
            clinic.phone = phone
        db.session.commit()


@pytest.mark.parametrize("token", [
    secrets.token_urlsafe(32),  # well formed, never given
    "abc", "x" * 500, "..%2f..%2fetc", "' OR 1=1 --", ""])
def test_a_guessed_or_malformed_token_gets_a_kind_404(linked, patient_client, token):
    posted = f"/p/{token}/log" if token else "/p/"
    for response in (patient_client.get(f"/p/{token}"), patient_client.post(posted, data={})):
        html = response.get_data(as_text=True)
        assert response.status_code == 404
        assert "This link does not work" in html and "Traceback" not in html and "Alex" not in html
        assert "noindex" in response.headers["X-Robots-Tag"] and response.headers["Cache-Control"] == "no-store"


def test_an_expired_link_says_to_contact_the_clinic(app, linked, patient_client):
    _clinic_phone(app)
    with app.app_context():
        link = db.session.get(PatientLink, linked.link_id)
        link.expires_at = utcnow() - dt.timedelta(seconds=1)
        db.session.commit()
    for response in (patient_client.get(linked.path), patient_client.post(linked.path + "/log", data={})):
        html = response.get_data(as_text=True)
        assert response.status_code == 410
        assert "This link has expired" in html and "020 7946 0000" in html and "Alex" not in html
    assert _rows(app) == []


def test_a_revoked_link_is_switched_off(app, portal, linked, patient_client):
    _clinic_phone(app)
    portal.post(f"/plans/{linked.plan_id}/versions/{linked.number}/link/revoke")
    response = patient_client.get(linked.path)
    assert response.status_code == 410
    assert "switched this link off" in response.get_data(as_text=True)
    assert "020 7946 0000" in response.get_data(as_text=True)


def test_a_newer_version_ends_the_link_kindly(app, linked, patient_client, form_token, day_form):
    token = form_token(patient_client, linked.path)
    newer_version(app, linked.version_id)
    response = patient_client.get(linked.path)
    html = response.get_data(as_text=True)
    assert response.status_code == 410 and "There is a newer plan for you" in html and "new plan sheet" in html
    assert patient_client.post(linked.path + "/log", data=day_form(token)).status_code == 410
    assert _rows(app) == []


def test_a_new_secret_key_ends_every_link(app, linked, patient_client):
    """The token is derived from SECRET_KEY: the database alone gives no working link."""
    with app.app_context():
        link = db.session.get(PatientLink, linked.link_id)
        assert patient_link.token_for("another-secret-key-of-enough-length-xx", link.salt) != linked.token
        assert patient_link.token_hash(patient_link.token_for(app.config["SECRET_KEY"], link.salt)) == link.token_hash


def test_the_form_token_is_missing(app, linked, patient_client, day_form):
    data = day_form("", note="keep me")
    del data["form_token"]
    response = patient_client.post(linked.path + "/log", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "This form has expired" in html and "keep me" in html
    assert _rows(app) == []


def test_the_form_token_of_another_link_fails(app, portal, linked, make_patient, clinician,
                                              patient_client, form_token, day_form):
    other_plan = copy_plan(app, linked.version_id, make_patient(clinician.clinic_id, "H-002", first_name="Sam"))
    other = give_link(portal, other_plan, 1)
    token_b = form_token(patient_client, other.path)
    assert token_b != form_token(patient_client, linked.path)
    response = patient_client.post(linked.path + "/log", data=day_form(token_b))
    assert response.status_code == 400 and _rows(app) == []
    assert patient_client.post(other.path + "/log", data=day_form(token_b)).status_code == 303
    response = patient_client.post(linked.path + "/psfs", data={"form_token": token_b, "activity-0": "Run",
                                                                "score-0": "3"})
    assert response.status_code == 400


def test_writes_are_rate_limited_per_link(app, portal, linked, make_patient, clinician, patient_client,
                                          form_token, day_form):
    app.config.update(RATELIMIT_ENABLED=True, PATIENT_WRITE_LIMIT="3 per hour")
    token = form_token(patient_client, linked.path)
    for pain in ("1", "2", "3"):
        assert patient_client.post(linked.path + "/log", data=day_form(token, pain=pain)).status_code == 303
    response = patient_client.post(linked.path + "/log", data=day_form(token, pain="4", note="fourth"))
    html = response.get_data(as_text=True)
    assert response.status_code == 429 and "Too many changes" in html and "fourth" in html
    assert [row.pain for row in _rows(app)] == [3]
    # another link has its own count
    other = give_link(portal, copy_plan(app, linked.version_id,
                                        make_patient(clinician.clinic_id, "H-003", first_name="Kim")), 1)
    assert patient_client.post(other.path + "/log",
                               data=day_form(form_token(patient_client, other.path))).status_code == 303


def test_no_token_or_patient_data_in_the_app_log(app, linked, patient_client, form_token, day_form, caplog):
    app.config["PROPAGATE_EXCEPTIONS"] = False
    with caplog.at_level(logging.DEBUG):
        patient_client.get(linked.path)
        token = form_token(patient_client, linked.path)
        patient_client.post(linked.path + "/log", data=day_form(token, pain="9", note="Zanzibar ache"))
        patient_client.post(linked.path + "/log", data=day_form(token, pain="15", note="Zanzibar ache"))
        patient_client.post(linked.path + "/log", data=day_form("bad", pain="15", note="Zanzibar ache"))
    for secret in (linked.token, token, "Zanzibar", "Alex"):
        assert secret not in caplog.text


def test_an_error_on_the_patient_page_logs_the_route_not_the_token(app, linked, patient_client, monkeypatch,
                                                                    caplog):
    from rehab.mine import views

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(views.patient_log, "psfs_from", broken)  # the page reads the PSFS state with its link
    app.config["PROPAGATE_EXCEPTIONS"] = False
    with caplog.at_level(logging.ERROR):
        response = patient_client.get(linked.path)
    assert response.status_code == 500 and "Traceback" not in response.get_data(as_text=True)
    assert "/p/<token>" in caplog.text and "RuntimeError" in caplog.text and linked.token not in caplog.text


def test_gunicorn_access_log_hides_the_token():
    from gunicorn.config import Config

    settings = runpy.run_path(str(config.ROOT / "gunicorn.conf.py"))
    cfg = Config()
    cfg.set("access_log_format", settings["access_log_format"])
    cfg.set("logger_class", settings["logger_class"])
    logger = cfg.logger_class(cfg)
    token = secrets.token_urlsafe(32)

    class Response:
        status = "303 SEE OTHER"
        headers = [("X-Request-ID", "r1")]
        sent = 10

    environ = {"REQUEST_METHOD": "POST", "RAW_URI": f"/p/{token}/log?day=2026-01-01", "PATH_INFO": f"/p/{token}/log",
               "QUERY_STRING": "day=2026-01-01", "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "10.0.0.1",
               "HTTP_REFERER": f"https://clinic.example/p/{token}", "HTTP_USER_AGENT": "phone"}
    atoms = logger.atoms(Response(), [("REFERER", f"/p/{token}")], environ, dt.timedelta(seconds=0.01))
    line = settings["access_log_format"] % atoms
    assert "POST /p/<token>/log HTTP/1.1" in line and " 303 " in line
    assert token not in line and all(token not in str(value) for value in atoms.values())
