"""Between visits on the clinician's side: the patient page's panel, alerts marked seen, the
flag on the patient list, the figures kept with a reassessment, export and erasure."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import zipfile

import pytest

from rehab.extensions import db as _db
from rehab.models import AuditEntry, LogDay, PatientLink, PlanVersion, PsfsScore
from rehab.trends import current_items

TODAY = dt.date.today()


@pytest.fixture
def seeded(app, saved_plan, patient_id):
    """Version 1 of a hamstring plan saved 10 days ago, with 3 logged days (one alert), two PSFS
    and a link: (version, [current phase items])."""
    plan_id, number = saved_plan
    with app.app_context():
        version = _db.session.execute(_db.select(PlanVersion).filter_by(plan_id=plan_id, number=number)).scalar_one()
        version.created_at = version.created_at - dt.timedelta(days=10)
        items = current_items(version.plan)
        first, second = items[0]["exercise_id"], items[1]["exercise_id"]
        per_day = items[0]["dosage"]["per_day"] or 1
        _db.session.add_all([
            LogDay(patient_id=patient_id, version_id=version.id, day=TODAY - dt.timedelta(days=2),
                   ticks={first: per_day, second: 1}, pain=5, note="Stairs were easier"),
            LogDay(patient_id=patient_id, version_id=version.id, day=TODAY - dt.timedelta(days=1),
                   ticks={first: per_day}, pain=9, note="Sharp pain after football", alert=True),
            LogDay(patient_id=patient_id, version_id=version.id, day=TODAY, ticks={first: 1}, pain=3,
                   symptoms=["calf_swelling"], alert=True),
            PsfsScore(patient_id=patient_id, version_id=version.id, taken_on=TODAY - dt.timedelta(days=10),
                      source="clinic", items=[{"activity": "Running", "score": 2}, {"activity": "Sitting", "score": 6}]),
            PsfsScore(patient_id=patient_id, version_id=version.id, taken_on=TODAY - dt.timedelta(days=3),
                      source="patient", items=[{"activity": "Running", "score": 4}, {"activity": "Sitting", "score": 7}]),
            PatientLink(patient_id=patient_id, version_id=version.id, token_hash="a" * 64,
                        expires_at=dt.datetime.now(dt.timezone.utc) + dt.timedelta(weeks=12)),
        ])
        _db.session.commit()
        _db.session.refresh(version)
        _db.session.expunge(version)
        return version, items


def _alerts(app, patient_id):
    with app.app_context():
        return list(_db.session.execute(_db.select(LogDay).filter_by(patient_id=patient_id, alert=True)
                                        .order_by(LogDay.day)).scalars())


def test_patient_page_shows_adherence_pain_psfs_notes_and_alerts(portal, seeded, patient_id):
    version, items = seeded
    html = portal.get(f"/patients/{patient_id}").get_data(as_text=True)
    assert "Between visits" in html
    assert items[0]["name"] in html and items[1]["name"] in html  # plain names
    assert f">{items[0]['exercise_id']}<" not in html
    assert '<svg class="trend-chart"' in html and "<title" in html
    assert re.search(r'<div class="sr-only">.*?<table class="chart-table">\s*<caption>Pain and PSFS mean by day', html)
    assert "Stairs were easier" in html and "Sharp pain after football" in html
    assert "pain 9/10 (8 or more)" in html and "calf swelling or pain" in html
    assert html.count("Mark as seen") == 2
    assert "Running" in html and "5.5" in html  # the patient's PSFS mean (4 + 7) / 2


def test_adherence_figures_on_the_page(portal, seeded, patient_id):
    version, items = seeded
    per_day = [(i["dosage"]["per_day"] or 1, i["dosage"]["days_per_week"] or 7) for i in items]
    html = portal.get(f"/patients/{patient_id}").get_data(as_text=True)
    # the first exercise: per_day + per_day + 1 sessions ticked in 7 days of per_day x days_per_week
    done = min(2 * per_day[0][0] + 1, per_day[0][0] * per_day[0][1])
    expected = per_day[0][0] * per_day[0][1]
    row = re.search(rf"<th scope=\"row\">{re.escape(items[0]['name'])}</th><td>(\d+)% <span class=\"muted\">"
                    rf"(\d+) of (\d+)</span>", html)
    assert row and (int(row.group(2)), int(row.group(3))) == (done, expected)
    assert int(row.group(1)) == int(100 * done / expected + 0.5)


def _shown(portal, patient_id) -> dict:
    """log day id -> the "shown" stamp of its Mark-as-seen form, as the patient page draws it."""
    html = portal.get(f"/patients/{patient_id}").get_data(as_text=True)
    return {int(day): {"shown": stamp} for day, stamp in re.findall(
        r'/alerts/(\d+)/seen">\s*<input type="hidden" name="csrf_token" value="[^"]*">\s*'
        r'<input type="hidden" name="shown" value="([^"]+)">', html)}


def test_mark_seen_clears_the_alert_and_is_audited(app, portal, seeded, patient_id, clinician):
    first, second = _alerts(app, patient_id)
    response = portal.post(f"/patients/{patient_id}/alerts/{first.id}/seen", data=_shown(portal, patient_id)[first.id])
    assert response.status_code == 302
    with app.app_context():
        row = _db.session.get(LogDay, first.id)
        assert row.alert_seen_at is not None and row.alert_seen_by_id == clinician.id
        entry = _db.session.execute(_db.select(AuditEntry).filter_by(action="log_alert_seen")).scalar_one()
        assert entry.patient_id == patient_id and entry.user_id == clinician.id
    html = portal.get(f"/patients/{patient_id}").get_data(as_text=True)
    assert html.count("Mark as seen") == 1
    assert portal.post(f"/patients/{patient_id}/alerts/{first.id}/seen").status_code == 404  # already seen


def test_an_alert_changed_after_the_page_was_shown_is_not_marked_seen(app, portal, seeded, patient_id):
    """The patient adds a symptom to the day while the clinician reads the page: marking it
    seen then would hide the new symptom under a seen flag. The clinician is asked to read it
    again; a form without the stamp (a page drawn before it existed) is treated the same."""
    first = _alerts(app, patient_id)[0]
    shown = _shown(portal, patient_id)[first.id]
    with app.app_context():
        row = _db.session.get(LogDay, first.id)
        row.symptoms = ["chest_breathless"]
        _db.session.commit()  # (updated_at moves on)
    for data in (shown, {}, {"shown": "not a time"}, {"shown": "0001-01-01T00:00:00+01:00"}):
        response = portal.post(f"/patients/{patient_id}/alerts/{first.id}/seen", data=data, follow_redirects=True)
        html = response.get_data(as_text=True)
        assert response.status_code == 200 and "read the alert again" in html
        assert html.index('id="between-title"') < html.index("read the alert again")  # where the page opens
        assert _alerts(app, patient_id)[0].alert_seen_at is None
    assert portal.post(f"/patients/{patient_id}/alerts/{first.id}/seen",
                       data=_shown(portal, patient_id)[first.id]).status_code == 302
    assert _alerts(app, patient_id)[0].alert_seen_at is not None


def test_mark_seen_needs_csrf(app, portal, seeded, patient_id):
    app.config["WTF_CSRF_ENABLED"] = True
    alert = _alerts(app, patient_id)[0]
    assert portal.post(f"/patients/{patient_id}/alerts/{alert.id}/seen").status_code == 400
    assert _alerts(app, patient_id)[0].alert_seen_at is None


def test_mark_seen_of_another_patients_alert_is_404(app, portal, seeded, patient_id, make_patient, clinician):
    other = make_patient(clinician.clinic_id, "H-002")
    alert = _alerts(app, patient_id)[0]
    assert portal.post(f"/patients/{other}/alerts/{alert.id}/seen").status_code == 404
    assert _alerts(app, patient_id)[0].alert_seen_at is None


def test_other_clinic_cannot_see_or_mark(app, seeded, patient_id, make_user, login):
    client = app.test_client()  # `client` is the seeding clinician's
    intruder = make_user("intruder@example.org", clinic="Elsewhere")
    login(client, intruder)
    alert = _alerts(app, patient_id)[0]
    assert client.get(f"/patients/{patient_id}").status_code == 404
    assert client.post(f"/patients/{patient_id}/alerts/{alert.id}/seen").status_code == 404
    assert _alerts(app, patient_id)[0].alert_seen_at is None


def test_anonymous_cannot_mark_seen(app, seeded, patient_id):
    client = app.test_client()
    alert = _alerts(app, patient_id)[0]
    response = client.post(f"/patients/{patient_id}/alerts/{alert.id}/seen")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_viewing_the_panel_is_audited(app, portal, seeded, patient_id):
    portal.get(f"/patients/{patient_id}")
    with app.app_context():
        entry = _db.session.execute(_db.select(AuditEntry).filter_by(action="patient_view")).scalar_one()
        assert entry.detail == {"between_visits": True, "alerts": 2}


def test_no_log_says_so(portal, saved_plan, patient_id):
    html = portal.get(f"/patients/{patient_id}").get_data(as_text=True)
    assert "Nothing logged by the patient in the last 28 days." in html and "Mark as seen" not in html


def test_patient_list_flags_unseen_alerts_in_words(app, portal, seeded, patient_id, make_patient, clinician):
    make_patient(clinician.clinic_id, "H-003", first_name="Quiet", last_name="Aaron")
    html = portal.get("/patients").get_data(as_text=True)
    rows = re.findall(r"<tr>.*?</tr>", html, re.S)
    flagged = [r for r in rows if "badge-log" in r or "badge-alert" in r]
    assert len(flagged) == 1 and "Jones" in flagged[0] and "Urgent symptom reported" in flagged[0]  # the calf
    for alert_id, shown in _shown(portal, patient_id).items():
        assert portal.post(f"/patients/{patient_id}/alerts/{alert_id}/seen", data=shown).status_code == 302
    html = portal.get("/patients").get_data(as_text=True)
    assert "badge-alert" not in html and "badge-log" not in html


@pytest.mark.parametrize("pain, symptoms, badge", [
    (9, [], "Pain alert not seen"), (2, ["calf_swelling"], "Urgent symptom reported"),
    (9, ["calf_swelling", "saddle_numbness"], "Emergency symptom reported")])
def test_patient_list_badge_names_the_most_urgent_unseen_alert(app, portal, patient_id, saved_plan,
                                                              pain, symptoms, badge):
    with app.app_context():
        version_id = _db.session.execute(_db.select(PlanVersion.id).filter_by(plan_id=saved_plan[0])).scalar_one()
        _db.session.add(LogDay(patient_id=patient_id, version_id=version_id, day=dt.date.today(), ticks={},
                              pain=pain, symptoms=symptoms, alert=True))
        _db.session.commit()
    row = next(r for r in re.findall(r"<tr>.*?</tr>", portal.get("/patients").get_data(as_text=True), re.S)
               if f"/patients/{patient_id}\"" in r)
    assert badge in row and sum(word in row for word in ("Pain alert", "Urgent symptom", "Emergency symptom")) == 1


def test_export_holds_the_log_psfs_and_links_but_no_token(app, portal, seeded, patient_id):
    data = portal.get(f"/patients/{patient_id}/export.zip").data
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        log = json.loads(archive.read("between-visits.json"))
    assert [d["pain"] for d in log["log_days"]] == [5, 9, 3]
    assert log["log_days"][2]["symptoms"] == ["calf_swelling"]
    assert [p["source"] for p in log["psfs"]] == ["clinic", "patient"]
    assert len(log["links"]) == 1 and "token" not in json.dumps(log["links"]) and "a" * 64 not in data.decode("latin-1")


def test_erase_removes_the_log_psfs_and_links(app, seeded, patient_id, admin, login):
    admin_portal = app.test_client()
    login(admin_portal, admin)
    response = admin_portal.post(f"/patients/{patient_id}/erase", data={"confirm": "H-001"})
    assert response.status_code == 302
    with app.app_context():
        for model in (LogDay, PsfsScore, PatientLink):
            assert _db.session.execute(_db.select(model)).first() is None


# ------------------------------------------------------------------ reassessment


def _reassess(portal, plan_id, wizard, cases, psfs=None):
    assert portal.post(f"/plans/{plan_id}/reassess").status_code == 302
    findings = {**cases.hamstring_2["findings"], **(psfs or {})}
    for step in wizard.STEPS:
        data = findings if step == "findings" else cases.hamstring_2.get(step, {})
        response = wizard.post(step, data)
        assert response.status_code == 302, (step, response.status_code)


def test_reassessment_review_shows_the_figures_and_the_new_version_keeps_them(app, portal, seeded, wizard, cases,
                                                                             patient_id):
    version, items = seeded
    _reassess(portal, version.plan_id, wizard, cases,
              {"psfs-activity_1": "Running", "psfs-score_1": "6", "psfs-activity_2": "Sitting", "psfs-score_2": "9"})
    review = wizard.review().get_data(as_text=True)
    assert "Since version 1: the patient's own log" in review
    assert items[0]["name"] in review and '<svg class="trend-chart"' in review
    assert "PSFS taken now:</strong> Running 6/10; Sitting 9/10." in review
    plan_id, number = wizard.save()
    assert number == 2
    with app.app_context():
        kept = _db.session.execute(_db.select(PlanVersion.progress).filter_by(plan_id=plan_id, number=2)).scalar_one()
        clinic = _db.session.execute(_db.select(PsfsScore).filter_by(source="clinic", version_id=_db.select(
            PlanVersion.id).filter_by(plan_id=plan_id, number=2).scalar_subquery())).scalar_one()
    assert kept["version"] == 1 and kept["last_pain"] == 3 and kept["psfs_mean"] == 7.5
    assert isinstance(kept["adherence_7"], int) and isinstance(kept["adherence_28"], int)
    assert clinic.items == [{"activity": "Running", "score": 6}, {"activity": "Sitting", "score": 9}]
    history = portal.get(f"/plans/{plan_id}?a=1&b=2").get_data(as_text=True)
    assert f"<span>Log of version 1: {kept['adherence_7']}% done (7 days), {kept['adherence_28']}% (28 days)</span>" \
           "<span>Last pain 3/10</span><span>PSFS mean 7.5</span>" in history
    assert "Between visits, when each was saved" in history


def test_psfs_activities_are_prefilled_from_the_latest(portal, seeded, wizard, cases):
    version, _ = seeded
    assert portal.post(f"/plans/{version.plan_id}/reassess").status_code == 302
    for step in wizard.STEPS[:-1]:
        wizard.post(step, cases.hamstring_2.get(step, {}))
    html = portal.get(wizard.url("findings")).get_data(as_text=True)
    assert re.search(r'name="psfs-activity_1"[^>]*value="Running"', html)
    assert re.search(r'name="psfs-activity_2"[^>]*value="Sitting"', html)
    assert re.search(r'<input[^>]*name="psfs-score_1"[^>]*value=""', html)


@pytest.mark.parametrize("data, field, message", [
    ({"psfs-activity_1": "Running", "psfs-score_1": "11"}, "psfs-score_1", "Enter a score from 0"),
    ({"psfs-activity_1": "Running", "psfs-score_1": "six"}, "psfs-score_1", "Enter a whole number"),
    ({"psfs-score_2": "4"}, "psfs-activity_2", "Name the activity this score is for."),
    ({"psfs-activity_3": "x" * 81, "psfs-score_3": "4"}, "psfs-activity_3", "at most 80 characters"),
])
def test_psfs_bad_input_names_the_field_and_keeps_the_typing(wizard, cases, data, field, message):
    wizard.start()
    for step in wizard.STEPS[:-1]:
        wizard.post(step, cases.hamstring_2.get(step, {}))
    findings = {**cases.hamstring_2["findings"], "psfs-activity_2": "Kneeling" if field != "psfs-activity_2" else "",
                **data}
    response = wizard.post("findings", findings)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert re.search(rf'id="{field}-error"[^>]*>[^<]*{re.escape(message)}', html), html[:0]
    for name, value in data.items():
        if len(value) <= 80:
            assert f'value="{value}"' in html
    assert 'value="25"' in html  # the step's own answers are kept too
    assert "findings" not in (wizard.stored() or {}).get("done", [])


def test_first_visit_psfs_is_stored_with_the_version(app, wizard, cases, patient_id):
    wizard.start()
    for step in wizard.STEPS[:-1]:
        wizard.post(step, cases.hamstring_2.get(step, {}))
    response = wizard.post("findings", {**cases.hamstring_2["findings"], "psfs-activity_1": "  Running  fast ",
                                        "psfs-score_1": "0"})
    assert response.status_code == 302
    plan_id, number = wizard.save()
    with app.app_context():
        score = _db.session.execute(_db.select(PsfsScore)).scalar_one()
        kept = _db.session.execute(_db.select(PlanVersion.progress).filter_by(plan_id=plan_id)).scalar_one()
    assert score.source == "clinic" and score.items == [{"activity": "Running fast", "score": 0}]
    assert score.taken_on == dt.date.today()
    assert kept == {"on": dt.date.today().isoformat(), "version": None, "adherence_7": None, "adherence_28": None,
                    "last_pain": None, "last_pain_on": None, "psfs_mean": 0.0}


def test_a_plan_without_psfs_or_log_keeps_no_progress(app, saved_plan):
    with app.app_context():
        assert _db.session.execute(_db.select(PlanVersion.progress)).scalar_one() is None


def test_an_old_unseen_alert_is_listed_but_not_charted(app, portal, seeded, patient_id):
    version, _ = seeded
    with app.app_context():
        _db.session.add(LogDay(patient_id=patient_id, version_id=version.id, day=TODAY - dt.timedelta(days=40),
                               ticks={}, pain=8, symptoms=["bladder_bowel"], alert=True))
        _db.session.commit()
    html = portal.get(f"/patients/{patient_id}").get_data(as_text=True)
    old = TODAY - dt.timedelta(days=40)
    assert f"{old.day} {old.strftime('%b')} {old.year}:</strong> pain 8/10 (8 or more); a change in bladder or " \
           "bowel control." in html
    assert html.count("Mark as seen") == 3
    assert "Pain logged on 3 day(s)" in html  # the chart's 28 days leave the old day out
