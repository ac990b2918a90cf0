"""Concurrent saves (issue #11 finding 9): a save checks the version it was based on, and
a race on a unique constraint becomes a clear message, never a 500 or a silent overwrite.

The thread tests run on both databases: on PostgreSQL the second writer waits on the
first's row or index lock; on SQLite writes are serialised by the file lock (busy timeout).
"""

from __future__ import annotations

import re
import threading

import pytest

from rehab.extensions import db
from rehab.models import Patient, PlanVersion


def _versions(app, plan_id) -> list[int]:
    with app.app_context():
        return list(db.session.execute(db.select(PlanVersion.number).filter_by(plan_id=plan_id)
                                       .order_by(PlanVersion.number)).scalars())


@pytest.fixture
def colleague(app, make_user, login, saved_plan):
    """A second clinician of the same clinic, logged in on another browser."""
    client = app.test_client()
    login(client, make_user("colleague@test.example", name="Colleague Two"))
    return client


def _reassess(client, plan_id, patient_id, cases):
    assert client.post(f"/plans/{plan_id}/reassess").status_code == 302
    for step in ("diagnosis", "red_flags", "modifiers", "findings"):
        response = client.post(f"/patients/{patient_id}/plans/new/{step}", data=cases.hamstring_2[step])
        assert response.status_code == 302, (step, response.status_code)


def test_reassessment_of_an_old_version_is_refused_with_a_conflict_page(app, wizard, saved_plan, colleague, cases):
    """Finding 9: the second of two reassessments silently became the latest version."""
    plan_id, _ = saved_plan
    _reassess(wizard.client, plan_id, wizard.patient_id, cases)
    _reassess(colleague, plan_id, wizard.patient_id, cases)
    first = colleague.post(f"/patients/{wizard.patient_id}/plans/draft/save")
    assert first.status_code == 302 and first.headers["Location"].endswith(f"/plans/{plan_id}/versions/2")
    second = wizard.client.post(f"/patients/{wizard.patient_id}/plans/draft/save")
    assert second.status_code == 409
    html = second.get_data(as_text=True)
    assert "this plan has moved on" in html and "from version 1" in html
    assert "Colleague Two" in html and "saved\n    version 2" in html
    assert f'/plans/{plan_id}/versions/2"' in html
    assert _versions(app, plan_id) == [1, 2]
    assert wizard.stored() is not None  # nothing lost: the reassessment can be redone


def test_a_second_click_on_save_saves_once(app, wizard, cases):
    wizard.run(cases.hamstring_2)
    wizard.save()
    again = wizard.client.post(f"/patients/{wizard.patient_id}/plans/draft/save")
    assert again.status_code == 302 and "/versions/" not in again.headers["Location"]
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(PlanVersion)) == 1


def _race(targets, gate_module, gate_name, monkeypatch):
    """Run each target in its own thread; both stop at `gate_name` in `gate_module` until
    both got there, so neither has committed when the other writes."""
    barrier = threading.Barrier(len(targets), timeout=10)
    original = getattr(gate_module, gate_name)

    def gated(*args, **kwargs):
        barrier.wait()
        return original(*args, **kwargs)

    monkeypatch.setattr(gate_module, gate_name, gated)
    results = [None] * len(targets)

    def run(i, target):
        results[i] = target()

    threads = [threading.Thread(target=run, args=(i, t)) for i, t in enumerate(targets)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return results


def test_two_reassessments_saved_at_the_same_moment(app, wizard, saved_plan, colleague, cases, monkeypatch):
    """Both read 'latest is 1' before either writes: one gets version 2, the other a conflict page."""
    from rehab.portal import operations

    plan_id, _ = saved_plan
    _reassess(wizard.client, plan_id, wizard.patient_id, cases)
    _reassess(colleague, plan_id, wizard.patient_id, cases)
    url = f"/patients/{wizard.patient_id}/plans/draft/save"
    responses = _race([lambda: wizard.client.post(url), lambda: colleague.post(url)],
                      operations, "delete_draft", monkeypatch)
    codes = sorted(r.status_code for r in responses)
    assert codes == [302, 409], codes
    assert _versions(app, plan_id) == [1, 2]


def test_two_patients_with_one_reference_at_the_same_moment(app, portal, clinician, make_user, login, monkeypatch):
    """Finding 9: two patients created at once with the same reference gave a 500."""
    from rehab.portal import operations

    other = app.test_client()
    login(other, make_user("colleague@test.example"))
    data = {"first_name": "Sam", "last_name": "Race", "reference": "R-77", "sex": "male"}
    responses = _race([lambda: portal.post("/patients/new", data=data),
                       lambda: other.post("/patients/new", data=data)], operations, "create_patient", monkeypatch)
    codes = sorted(r.status_code for r in responses)
    assert codes == [302, 409], codes
    refused = next(r for r in responses if r.status_code == 409).get_data(as_text=True)
    assert "Another patient was given this reference number a moment ago" in refused
    assert re.search(r'name="first_name"[^>]*value="Sam"', refused)  # what was typed is kept
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Patient)) == 1
