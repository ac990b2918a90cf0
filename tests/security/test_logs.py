"""Logs without patient data (issue #11 finding 5): statement parameters hidden, error
logs with the request id, route and exception type only, and an access log format
without query strings."""

from __future__ import annotations

import datetime as dt
import logging
import runpy

import pytest
from sqlalchemy import text

from rehab import config


def test_sqlalchemy_hides_parameters(app, db):
    """The statement's parameter list is never part of an error. (PostgreSQL's own message may
    still quote a value, which is why error logs carry the exception's type only.)"""
    assert app.config["SQLALCHEMY_ENGINE_OPTIONS"]["hide_parameters"] is True
    with app.app_context():
        with pytest.raises(Exception) as caught:
            db.session.execute(text("INSERT INTO patient (id, clinic_id) VALUES (:id, :name)"),
                               {"id": 1, "name": "Secret Surname"})
        db.session.rollback()
    assert "'name': 'Secret Surname'" not in str(caught.value)
    assert "[SQL parameters hidden due to hide_parameters=True]" in str(caught.value)


def test_a_failed_insert_logs_no_patient_data(app, client, clinician, login, monkeypatch, caplog):
    """Finding 5: a failed insert logged its parameters (name, date of birth)."""
    from rehab.extensions import db
    from rehab.portal import operations

    def failing_insert(*args, **kwargs):
        db.session.execute(text("INSERT INTO patient (clinic_id, reference, first_name, last_name, sex, "
                                "created_at, date_of_birth) VALUES (NULL, 'R', :first, :last, 'x', :at, :born)"),
                           {"first": kwargs["first_name"], "last": kwargs["last_name"],
                            "at": dt.datetime(2026, 1, 1), "born": kwargs["date_of_birth"]})

    monkeypatch.setattr(operations, "create_patient", failing_insert)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    login(client, clinician)
    with caplog.at_level(logging.DEBUG):
        response = client.post("/patients/new", data={"first_name": "Zebedee", "last_name": "Quillfeather",
                                                      "reference": "LOG-1", "date_of_birth": "1961-07-14"})
    assert response.status_code == 500
    assert b"Nothing was saved" in response.data
    logged = caplog.text
    assert "IntegrityError" in logged and "/patients/new" in logged
    assert response.headers["X-Request-ID"] in logged
    for secret in ("Zebedee", "Quillfeather", "1961", "LOG-1"):
        assert secret not in logged and secret.encode() not in response.data


def test_an_unhandled_error_logs_type_and_place_not_the_message(app, client, caplog):
    @app.route("/_boom", methods=["POST"])
    def boom():
        from flask import request

        raise ValueError(f"bad value {request.form['name']}")

    app.config["PROPAGATE_EXCEPTIONS"] = False
    with caplog.at_level(logging.ERROR):
        response = client.post("/_boom", data={"name": "Patient Name Here"})
    assert response.status_code == 500
    assert "ValueError" in caplog.text and "POST /_boom" in caplog.text
    assert "test_logs.py" in caplog.text  # where it happened
    assert "Patient Name Here" not in caplog.text


def _access_line(query: str) -> str:
    """An access log line as gunicorn writes it with the repository's config."""
    from gunicorn.config import Config
    from gunicorn.glogging import Logger

    settings = runpy.run_path(str(config.ROOT / "gunicorn.conf.py"))
    cfg = Config()
    cfg.set("access_log_format", settings["access_log_format"])
    logger = Logger(cfg)

    class Response:
        status = "200 OK"
        response_length = 123
        headers = [("X-Request-ID", "abc123")]
        sent = 123

    class Request:
        headers = [("REFERER", "/patients?q=Smith")]

    environ = {"REQUEST_METHOD": "GET", "RAW_URI": f"/patients?{query}", "PATH_INFO": "/patients",
               "QUERY_STRING": query, "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "10.0.0.1",
               "HTTP_REFERER": "/patients?q=Smith", "HTTP_USER_AGENT": "test"}
    atoms = logger.atoms(Response(), Request(), environ, dt.timedelta(seconds=0.01))
    return settings["access_log_format"] % atoms


def test_gunicorn_access_log_has_no_query_string():
    """Finding 5: name and date-of-birth searches went into access logs as query strings."""
    line = _access_line("q=Quillfeather+1961-07-14")
    assert "GET /patients HTTP/1.1" in line and " 200 " in line and "abc123" in line
    assert "Quillfeather" not in line and "1961" not in line and "Smith" not in line
