"""Fixtures for the patient's private link (rehab.patient_link, rehab.mine, rehab.portal.links).

  linked          a saved hamstring plan (version 1) with a link given by the clinician:
                  SimpleNamespace(token, path, plan_id, number, version_id, patient_id)
  patient_client  a test client with no login (the patient's phone)
  form_token      form_token(client, path) -> the link-bound form token on the patient's page
  day_form        day_form(token_value, **changes) -> a valid log post for today
"""

from __future__ import annotations

import datetime as dt
import re
from types import SimpleNamespace

import pytest

from rehab import patient_link
from rehab.extensions import db as _db
from rehab.models import PatientLink, Plan, PlanVersion


def newer_version(app, version_id: int) -> int:
    """Save a copy of the version as the plan's next version (as a reassessment would); its id."""
    with app.app_context():
        old = _db.session.get(PlanVersion, version_id)
        new = PlanVersion(plan_id=old.plan_id, number=old.number + 1, intake=old.intake, plan=old.plan,
                          figures=old.figures, adjustments=[], note="")
        _db.session.add(new)
        _db.session.commit()
        return new.id


def copy_plan(app, version_id: int, patient_id: int) -> int:
    """Save the version's plan as a new plan (version 1) of another patient; the plan id."""
    with app.app_context():
        old = _db.session.get(PlanVersion, version_id)
        plan = Plan(patient_id=patient_id, diagnosis=old.plan["diagnosis"])
        _db.session.add(plan)
        _db.session.flush()
        _db.session.add(PlanVersion(plan_id=plan.id, number=1, intake=old.intake, plan=old.plan,
                                    figures=old.figures, adjustments=[], note=""))
        _db.session.commit()
        return plan.id


def give_link(client, plan_id: int, number: int) -> SimpleNamespace:
    response = client.post(f"/plans/{plan_id}/versions/{number}/link")
    assert response.status_code == 303, response.status_code
    with client.application.app_context():
        version = _db.session.execute(_db.select(PlanVersion).filter_by(plan_id=plan_id, number=number)).scalar_one()
        link = _db.session.execute(_db.select(PatientLink).filter_by(version_id=version.id)
                                   .order_by(PatientLink.id.desc())).scalars().first()
        token = patient_link.token_for(client.application.config["SECRET_KEY"], link.salt)
        return SimpleNamespace(token=token, path=f"/p/{token}", plan_id=plan_id, number=number,
                               version_id=version.id, patient_id=link.patient_id, link_id=link.id,
                               plan=version.plan)


def saved_days_ago(app, version_id: int, days: int) -> None:
    """Move a version's save date back: the log offers no day before it."""
    with app.app_context():
        version = _db.session.get(PlanVersion, version_id)
        version.created_at = version.created_at - dt.timedelta(days=days)
        _db.session.commit()


@pytest.fixture
def linked(app, portal, saved_plan):
    """A link to a plan saved two weeks ago (so every day of the last seven may be logged)."""
    plan_id, number = saved_plan
    link = give_link(portal, plan_id, number)
    saved_days_ago(app, link.version_id, 14)
    return link


@pytest.fixture
def patient_client(app):
    return app.test_client()


@pytest.fixture
def form_token():
    def read(client, path: str) -> str:
        html = client.get(path).get_data(as_text=True)
        match = re.search(r'name="form_token" value="([0-9a-f]+)"', html)
        assert match, "no form token on the page"
        return match.group(1)

    return read


def current_items(plan: dict) -> list[dict]:
    phase = next(p for p in plan["phases"] if p["id"] == plan["current_phase"])
    return phase["items"]


@pytest.fixture
def day_form():
    def make(token_value: str, **changes) -> dict:
        data = {"form_token": token_value, "day": dt.date.today().isoformat(), "pain": "3", "note": "",
                **{f"symptom-{code}": "no" for code in
                   ("saddle_numbness", "bladder_bowel", "calf_swelling", "chest_breathless")}}
        data.update(changes)
        return data

    return make
