"""The clinician's patient page (GET /patients/<id>): the plans with their latest versions, the
unsaved-draft notice and the latest PSFS, read in a fixed number of queries whatever the number
of plans (rehab.portal.operations.patient_with_plans, rehab.portal.progress.panel)."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from rehab.extensions import db as _db
from rehab.models import Draft, LogDay, Plan, PlanVersion, PsfsScore

TODAY = dt.date.today()


def _version(app, plan_id: int, number: int = 1) -> PlanVersion:
    with app.app_context():
        version = _db.session.execute(_db.select(PlanVersion).filter_by(plan_id=plan_id, number=number)).scalar_one()
        _db.session.expunge(version)
        return version


def _add_version(app, plan_id: int, version: PlanVersion, number: int, **plan) -> None:
    """Save a copy of `version` as version `number` of plan `plan_id`, its plan JSON updated."""
    with app.app_context():
        _db.session.add(PlanVersion(plan_id=plan_id, number=number, intake=version.intake,
                                    plan={**version.plan, **plan}, figures=version.figures, adjustments=[], note=""))
        _db.session.commit()


def _add_plan(app, patient_id: int, version: PlanVersion, **plan) -> int:
    """A new plan of the patient with version 1 a copy of `version`; the plan id."""
    with app.app_context():
        row = Plan(patient_id=patient_id, diagnosis=version.plan["diagnosis"])
        _db.session.add(row)
        _db.session.commit()
        plan_id = row.id
    _add_version(app, plan_id, version, 1, **plan)
    return plan_id


def _rows(html: str) -> list[str]:
    return re.findall(r"<tr>\s*<td>.*?</tr>", html.split("<h2>Plans</h2>")[1], re.S)


def test_plans_newest_first_each_with_its_latest_version(app, portal, saved_plan, patient_id):
    plan_id, number = saved_plan
    version = _version(app, plan_id, number)
    _add_version(app, plan_id, version, 2, current_phase="P3_return_to_sport")
    refused = _add_plan(app, patient_id, version, allowed=False,
                        referral={"level": "urgent", "reasons": [], "refer_to": []})
    html = portal.get(f"/patients/{patient_id}").get_data(as_text=True)
    newer, older = _rows(html)
    assert f"/plans/{refused}/versions/1\">Version 1</a>" in newer
    assert '<span class="badge badge-urgent">urgent</span> referred' in newer
    assert f"href=\"/plans/{refused}\">History" in newer and "Reassess" in newer
    assert f"/plans/{plan_id}/versions/2\">Version 2</a>" in older and "Version 1" not in older
    assert "Phase 3" in older and "referred" not in older
    assert TODAY.strftime("%d %b %Y") in older


def test_a_plan_without_a_version_and_no_plans(app, portal, patient_id):
    assert "No plans yet." in portal.get(f"/patients/{patient_id}").get_data(as_text=True)
    with app.app_context():
        row = Plan(patient_id=patient_id, diagnosis="hamstring_strain")
        _db.session.add(row)
        _db.session.commit()
        plan_id = row.id
    (row,) = _rows(portal.get(f"/patients/{patient_id}").get_data(as_text=True))
    assert f"href=\"/plans/{plan_id}\">History" in row and "Version" not in row and "Reassess" not in row


def test_the_draft_notice_is_the_clinicians_own_unexpired_draft(app, portal, wizard, patient_id, clinician,
                                                               make_user, login):
    wizard.start()
    html = portal.get(f"/patients/{patient_id}").get_data(as_text=True)
    assert "There is an unsaved plan for this patient." in html
    assert f"href=\"/patients/{patient_id}/plans/new/diagnosis\">Continue it</a>" in html
    colleague = app.test_client()
    login(colleague, make_user("colleague@test.example", clinic=clinician.clinic.name))
    assert "unsaved" not in colleague.get(f"/patients/{patient_id}").get_data(as_text=True)
    with app.app_context():
        draft = _db.session.execute(_db.select(Draft).filter_by(patient_id=patient_id)).scalar_one()
        draft.updated_at -= dt.timedelta(days=app.config["DRAFT_EXPIRY_DAYS"] + 1)
        _db.session.commit()
    assert "unsaved" not in portal.get(f"/patients/{patient_id}").get_data(as_text=True)


def test_the_psfs_table_shows_the_latest_days_the_days_last_score(app, portal, saved_plan, patient_id):
    plan_id, number = saved_plan
    version = _version(app, plan_id, number)
    days = [TODAY - dt.timedelta(days=7 * n) for n in range(14)]  # 14 weekly PSFS, then today's second
    with app.app_context():
        for day, score in [*((day, 5) for day in days), (TODAY, 8)]:
            _db.session.add(PsfsScore(patient_id=patient_id, version_id=version.id, taken_on=day, source="patient",
                                      items=[{"activity": "Running", "score": score}]))
            _db.session.commit()
    html = portal.get(f"/patients/{patient_id}").get_data(as_text=True)
    table = html.split('<table class="list psfs">')[1].split("</table>")[0]
    shown = re.findall(r'<th scope="col">(\d+ \w+)<br>', table)
    assert shown == [f"{day.day} {day:%b}" for day in reversed(days[:4])]
    assert re.search(r"<th scope=\"row\">Running</th>(<td>5</td>){3}<td>8</td>", table)


def _statements(sql, client, path: str) -> int:
    """How many SQL statements one GET of `path` runs (the second GET: a repeated view is not
    audited again)."""
    client.get(path)
    with sql() as seen:
        assert client.get(path).status_code == 200
    return len(seen.statements)


@pytest.mark.parametrize("logged", [False, True])
def test_the_page_reads_the_same_few_queries_whatever_the_number_of_plans(app, portal, saved_plan, patient_id, sql,
                                                                         logged):
    plan_id, number = saved_plan
    version = _version(app, plan_id, number)
    if logged:
        with app.app_context():
            _db.session.add(LogDay(patient_id=patient_id, version_id=version.id, day=TODAY, ticks={}, pain=3))
            _db.session.commit()
    path = f"/patients/{patient_id}"
    one_plan = _statements(sql, portal, path)
    for n in range(2, 5):
        _add_version(app, plan_id, version, n)
        _add_plan(app, patient_id, version)
    assert len(_rows(portal.get(path).get_data(as_text=True))) == 4
    assert _statements(sql, portal, path) == one_plan
    # the logged-in user; the patient, draft and plans; the log and PSFS; the followed version's
    # plan when there is something to show; the audit's check for a repeated view
    assert one_plan <= (5 if logged else 4)
