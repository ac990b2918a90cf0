"""The patient's page opened by the private link: what it shows, the daily log, the safety
advice and the weekly PSFS (rehab.mine)."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile

import pytest

from rehab import patient_log
from rehab.extensions import db
from rehab.models import AuditEntry, Clinic, LogDay, PsfsScore

from .conftest import current_items

TODAY = dt.date.today()


def _rows(app) -> list[LogDay]:
    with app.app_context():
        return db.session.execute(db.select(LogDay).order_by(LogDay.day)).scalars().all()


def _set_clinic_phone(app, phone="01234 567890"):
    with app.app_context():
        for clinic in db.session.execute(db.select(Clinic)).scalars():
            clinic.phone, clinic.out_of_hours = phone, "NHS 111"
        db.session.commit()


def test_the_page_shows_the_plan_to_the_patient(linked, patient_client):
    response = patient_client.get(linked.path)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Hello Alex" in html
    for item in current_items(linked.plan):
        assert item["name"] in html
        for step in item["instructions"][:1]:
            assert step.replace("'", "&#39;").replace('"', "&#34;") in html
    for line in linked.plan["seek_help_if"]:
        assert line.replace("'", "&#39;").replace('"', "&#34;") in html
    assert "Get help now" in html and "How to use this plan" in html and "Pain rules" in html
    assert '<img src="/figures/' in html  # the figures (rehab.figure_images)
    assert "Your privacy" in html
    for item in current_items(linked.plan):  # the clinician's effort number is never shown
        assert not item["dosage"].get("rpe") or item["dosage"]["rpe"] not in html


def test_first_name_only(linked, patient_client):
    html = patient_client.get(linked.path).get_data(as_text=True)
    for private in ("Jones", "H-001", "1990", "17 May", "female"):
        assert private not in html


def test_private_page_headers(linked, patient_client):
    response = patient_client.get(linked.path)
    assert response.headers["Cache-Control"] == "no-store"
    assert "noindex" in response.headers["X-Robots-Tag"]
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert '<meta name="robots" content="noindex, nofollow">' in response.get_data(as_text=True)
    assert "Set-Cookie" not in response.headers  # no session for the patient


def test_a_view_is_audited_without_a_user_once_per_window(app, linked, patient_client):
    """Each page view is audited, but a link reloaded again and again (or by anyone holding it)
    writes one entry per audit.VIEW_WINDOW, not one per request."""
    for _ in range(3):
        patient_client.get(linked.path)
    with app.app_context():
        (entry,) = db.session.execute(db.select(AuditEntry).filter_by(action="patient_page_view")).scalars()
        assert entry.user_id is None and entry.patient_id == linked.patient_id
        assert entry.detail == {"version": 1, "link": linked.link_id}


def test_log_a_day_and_see_it_again(app, linked, patient_client, form_token, day_form):
    items = current_items(linked.plan)
    first = items[0]["exercise_id"]
    data = day_form(form_token(patient_client, linked.path), pain="4", note="Stiff in the morning")
    data["done"] = [f"{first}:1"]
    response = patient_client.post(linked.path + "/log", data=data)
    assert response.status_code == 303
    (row,) = _rows(app)
    assert row.day == TODAY and row.pain == 4 and row.note == "Stiff in the morning" and not row.alert
    assert row.ticks[first] == 1 and set(row.ticks) == {i["exercise_id"] for i in items
                                                        if i["category"] != "ergonomics_education"
                                                        or (i["dosage"].get("duration_min"))}
    html = patient_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Saved. Thank you." in html and "Stiff in the morning" in html
    assert f'value="{first}:1" checked' in html and 'value="4" checked' in html
    with app.app_context():
        (entry,) = db.session.execute(db.select(AuditEntry).filter_by(action="patient_log_write")).scalars()
        assert entry.detail["day"] == TODAY.isoformat() and "Stiff" not in str(entry.detail)


def test_a_correction_keeps_one_row_per_day(app, linked, patient_client, form_token, day_form):
    token = form_token(patient_client, linked.path)
    yesterday = (TODAY - dt.timedelta(days=1)).isoformat()
    patient_client.post(linked.path + "/log", data=day_form(token, day=yesterday, pain="5"))
    patient_client.post(linked.path + "/log", data=day_form(token, day=yesterday, pain="2"))
    (row,) = _rows(app)
    assert row.pain == 2 and row.day.isoformat() == yesterday


def test_the_last_seven_days_can_be_chosen(linked, patient_client):
    six_ago = (TODAY - dt.timedelta(days=6)).isoformat()
    html = patient_client.get(f"{linked.path}?day={six_ago}").get_data(as_text=True)
    assert f'name="day" value="{six_ago}"' in html
    too_old = (TODAY - dt.timedelta(days=7)).isoformat()
    html = patient_client.get(f"{linked.path}?day={too_old}").get_data(as_text=True)
    assert f'name="day" value="{TODAY.isoformat()}"' in html  # falls back to today


@pytest.mark.parametrize("changes, words", [
    ({"pain": "11"}, "Pain: give a whole number from 0"),
    ({"done": ["no_such_exercise:1"]}, "Sessions done: a tick was for an exercise that is not in your plan"),
    ({"day": (TODAY + dt.timedelta(days=1)).isoformat()}, "Day: you cannot fill in a day that has not happened yet"),
    ({"day": (TODAY - dt.timedelta(days=8)).isoformat()}, "Day: you can fill in or correct only the last seven days"),
    ({"note": "n" * 501}, "Note: at most 500 characters"),
])
def test_bad_input_is_named_and_nothing_typed_is_lost(app, linked, patient_client, form_token, day_form,
                                                      changes, words):
    data = day_form(form_token(patient_client, linked.path), note="My knee clicked", pain="6",
                    **{"symptom-calf_swelling": "yes"})
    data.update(changes)
    response = patient_client.post(linked.path + "/log", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert words in html and "Not saved yet" in html
    assert (data["note"] if "note" in changes else "My knee clicked") in html
    if "pain" not in changes:
        assert 'value="6" checked' in html
    assert 'name="symptom-calf_swelling" value="yes" checked' in html
    assert _rows(app) == []


def test_too_many_ticks_for_one_exercise_are_refused(app, linked, patient_client, form_token, day_form):
    item = current_items(linked.plan)[0]
    per_day = item["dosage"]["per_day"] or 1
    data = day_form(form_token(patient_client, linked.path))
    data["done"] = [f"{item['exercise_id']}:{n}" for n in range(1, per_day + 2)]
    response = patient_client.post(linked.path + "/log", data=data)
    assert response.status_code == 422 and _rows(app) == []


@pytest.mark.parametrize("pain, alert", [(7, False), (8, True), (9, True)])
def test_pain_of_eight_or_more_shows_advice_and_flags_the_day(app, linked, patient_client, form_token,
                                                                day_form, pain, alert):
    _set_clinic_phone(app)
    response = patient_client.post(linked.path + "/log",
                                   data=day_form(form_token(patient_client, linked.path), pain=str(pain)))
    html = patient_client.get(response.headers["Location"]).get_data(as_text=True)
    assert ("Pain of 8 out of 10 or more" in html) is alert
    assert ('role="alert"' in html) is alert
    if alert:
        assert "01234 567890" in html.split('id="help"')[0]  # the clinic's phone, in the advice
    assert _rows(app)[0].alert is alert


@pytest.mark.parametrize("symptom, words", [
    ("saddle_numbness", "Go to the emergency department now, or call an ambulance"),
    ("bladder_bowel", "Go to the emergency department now, or call an ambulance"),
    ("calf_swelling", "needs a doctor the same day"),
    ("chest_breathless", "call an ambulance now"),
])
def test_a_new_symptom_shows_its_advice_at_once(app, linked, patient_client, form_token, day_form,
                                                symptom, words):
    data = day_form(form_token(patient_client, linked.path), pain="2", **{f"symptom-{symptom}": "yes"})
    response = patient_client.post(linked.path + "/log", data=data)
    html = patient_client.get(response.headers["Location"]).get_data(as_text=True)
    advice = html.split('id="help"')[0]
    assert words in advice and 'role="alert"' in advice
    (row,) = _rows(app)
    assert row.alert and row.symptoms == [symptom]


def test_a_correction_does_not_hide_an_unseen_alert_and_a_new_trigger_flags_again(
        app, linked, patient_client, form_token, day_form):
    token = form_token(patient_client, linked.path)
    patient_client.post(linked.path + "/log", data=day_form(token, pain="9"))
    patient_client.post(linked.path + "/log", data=day_form(token, pain="3"))
    (row,) = _rows(app)
    assert row.alert and row.pain == 3
    with app.app_context():
        stored = db.session.get(LogDay, row.id)
        stored.alert_seen_at = dt.datetime.now(dt.timezone.utc)
        db.session.commit()
    patient_client.post(linked.path + "/log", data=day_form(token, pain="8", note="only the note changed"))
    (row,) = _rows(app)
    assert row.alert and row.alert_seen_at is not None  # nothing the clinician has not seen
    patient_client.post(linked.path + "/log", data=day_form(token, pain="8", **{"symptom-calf_swelling": "yes"}))
    (row,) = _rows(app)
    assert row.alert and row.alert_seen_at is None  # a new symptom raises it again


# ------------------------------------------------------------------ PSFS


def _psfs(app) -> list[PsfsScore]:
    with app.app_context():
        return db.session.execute(db.select(PsfsScore).order_by(PsfsScore.id)).scalars().all()


def test_psfs_the_patient_names_activities_then_waits_a_week(app, linked, patient_client, form_token):
    html = patient_client.get(linked.path).get_data(as_text=True)
    assert 'name="activity-0"' in html and 'name="activity-2"' in html
    token = form_token(patient_client, linked.path)
    response = patient_client.post(linked.path + "/psfs", data={
        "form_token": token, "activity-0": "Running for the bus", "score-0": "3", "activity-1": "Sitting",
        "score-1": "6"})
    assert response.status_code == 303
    (score,) = _psfs(app)
    assert score.source == "patient" and score.taken_on == TODAY and score.version_id == linked.version_id
    assert score.items == [{"activity": "Running for the bus", "score": 3}, {"activity": "Sitting", "score": 6}]
    html = patient_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "The next check is on" in html and 'name="score-0"' not in html
    again = patient_client.post(linked.path + "/psfs", data={"form_token": token, "score-0": "5",
                                                             "activity-0": "Running"})
    assert again.status_code == 409 and "already sent your scores this week" in again.get_data(as_text=True)
    assert len(_psfs(app)) == 1


def test_psfs_rates_the_activities_last_named_in_the_clinic(app, linked, patient_client, form_token):
    with app.app_context():
        db.session.add(PsfsScore(patient_id=linked.patient_id, version_id=linked.version_id,
                                 taken_on=TODAY - dt.timedelta(days=2), source="clinic",
                                 items=[{"activity": "Climbing stairs", "score": 2},
                                        {"activity": "Squatting", "score": 4}]))
        db.session.commit()
    html = patient_client.get(linked.path).get_data(as_text=True)
    assert "Climbing stairs" in html and "Squatting" in html and 'name="activity-0"' not in html
    response = patient_client.post(linked.path + "/psfs", data={
        "form_token": form_token(patient_client, linked.path), "score-0": "5", "score-1": "7",
        "activity-0": "Something else"})
    assert response.status_code == 303
    assert _psfs(app)[-1].items == [{"activity": "Climbing stairs", "score": 5}, {"activity": "Squatting", "score": 7}]


def test_psfs_due_again_after_seven_days(app, linked, patient_client):
    with app.app_context():
        db.session.add(PsfsScore(patient_id=linked.patient_id, version_id=linked.version_id,
                                 taken_on=TODAY - dt.timedelta(days=7), source="patient",
                                 items=[{"activity": "Running", "score": 2}]))
        db.session.commit()
    html = patient_client.get(linked.path).get_data(as_text=True)
    assert 'name="score-0"' in html and "Running" in html


def test_psfs_bad_score_keeps_what_was_typed(app, linked, patient_client, form_token):
    response = patient_client.post(linked.path + "/psfs", data={
        "form_token": form_token(patient_client, linked.path), "activity-0": "Gardening", "score-0": "12"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "Activity 1: choose a score from 0" in html
    assert 'value="Gardening"' in html and _psfs(app) == []


# ------------------------------------------------------------------ after the review at 390x844


def test_a_saved_day_lands_on_saved_or_on_the_advice_it_raised(app, linked, patient_client, form_token, day_form):
    token = form_token(patient_client, linked.path)
    calm = patient_client.post(linked.path + "/log", data=day_form(token, pain="3"))
    assert calm.status_code == 303 and calm.headers["Location"].endswith("#saved")
    html = patient_client.get(calm.headers["Location"]).get_data(as_text=True)
    assert 'id="saved">Saved. Thank you.' in html and 'id="advice"' not in html
    yesterday = (TODAY - dt.timedelta(days=1)).isoformat()
    for changes in ({"pain": "8"}, {"pain": "2", "symptom-chest_breathless": "yes"}):
        alarm = patient_client.post(linked.path + "/log", data=day_form(token, day=yesterday, **changes))
        assert alarm.headers["Location"].endswith("#advice"), changes
        html = patient_client.get(alarm.headers["Location"]).get_data(as_text=True)
        advice = html.split('id="advice"', 1)[1].split('id="help"')[0]
        assert "Saved. Thank you." in advice and 'role="alert"' in advice  # "Saved" and the advice together
        assert 'id="saved"' not in html


def test_a_refused_save_comes_back_at_its_error_summary(app, linked, patient_client, form_token, day_form):
    from rehab.patient_log import NOTE_MAX

    page = patient_client.get(linked.path).get_data(as_text=True)
    assert f'action="{linked.path}/log#log-errors"' in page and f'action="{linked.path}/psfs#psfs-errors"' in page
    assert f'maxlength="{NOTE_MAX}"' in page and f"Up to {NOTE_MAX} characters." in page
    token = form_token(patient_client, linked.path)
    refused = patient_client.post(linked.path + "/log", data=day_form(token, note="x" * (NOTE_MAX + 100)))
    assert refused.status_code == 422 and 'id="log-errors"' in refused.get_data(as_text=True)
    psfs = patient_client.post(linked.path + "/psfs", data={"form_token": token, "activity-0": "Gardening",
                                                            "score-0": "12"})
    assert psfs.status_code == 422 and 'id="psfs-errors"' in psfs.get_data(as_text=True)
    bad_token = patient_client.post(linked.path + "/log", data=day_form("0" * 64))
    assert bad_token.status_code == 400 and 'id="log-errors"' in bad_token.get_data(as_text=True)


def _refer(app, version_id: int, level: str, refer_to: list[str], next_appointment: str) -> None:
    """Give the saved version a referral and a next appointment (before the page draws it)."""
    from rehab.models import PlanVersion

    with app.app_context():
        version = db.session.get(PlanVersion, version_id)
        version.plan = {**version.plan, "referral": {"level": level, "reasons": ["Grade 3 strain"],
                                                     "refer_to": refer_to}}
        version.next_appointment = next_appointment
        db.session.commit()


def test_the_page_gives_the_plans_referral_and_next_appointment_in_the_printed_words(app, linked, patient_client):
    from rehab.pdf import words
    from rehab.planner.types import Referral

    _refer(app, linked.version_id, "urgent", ["Orthopaedic surgeon (urgent opinion)"], "Tuesday 18 March, 10:30")
    html = patient_client.get(linked.path).get_data(as_text=True)
    top = html.split('id="log"')[0]
    lead, text = words.plan_referral(Referral("urgent", [], ["Orthopaedic surgeon (urgent opinion)"]))
    assert lead in top and text in top and "if you have not heard by then, call the clinic" in top
    assert "Next appointment:</strong> Tuesday 18 March, 10:30" in top


def test_no_referral_no_appointment_no_box(app, linked, patient_client):
    html = patient_client.get(linked.path).get_data(as_text=True)
    assert 'id="next"' not in html and "also referring you" not in html


@pytest.mark.parametrize("changes", [{"pain": "9"}, {"pain": "1", "symptom-calf_swelling": "yes"}])
def test_clinic_and_urgent_advice_give_the_out_of_hours_line(app, linked, patient_client, form_token, day_form,
                                                             changes):
    _set_clinic_phone(app)
    response = patient_client.post(linked.path + "/log", data=day_form(form_token(patient_client, linked.path),
                                                                       **changes))
    html = patient_client.get(response.headers["Location"]).get_data(as_text=True)
    advice = html.split('id="advice"', 1)[1].split('id="help"')[0]
    assert "01234 567890" in advice and "When the clinic is closed:</strong> NHS 111" in advice


def test_a_correction_keeps_what_raised_an_unseen_alert(app, portal, linked, patient_client, form_token, day_form):
    token = form_token(patient_client, linked.path)
    patient_client.post(linked.path + "/log", data=day_form(token, pain="9", note="Sharp pain on the stairs"))
    patient_client.post(linked.path + "/log", data=day_form(token, pain="5", **{"symptom-calf_swelling": "yes"}))
    (row,) = _rows(app)
    assert row.pain == 5 and row.symptoms == ["calf_swelling"]  # the day as corrected
    assert row.alert_reported == {"pain": 9, "symptoms": ["calf_swelling"], "note": "Sharp pain on the stairs"}
    patient_client.post(linked.path + "/log", data=day_form(token, pain="2"))  # no trigger: nothing lost
    (row,) = _rows(app)
    assert row.alert and row.alert_seen_at is None
    assert row.alert_reported == {"pain": 9, "symptoms": ["calf_swelling"], "note": "Sharp pain on the stairs"}
    html = portal.get(f"/patients/{linked.patient_id}").get_data(as_text=True)
    assert ("pain 9/10 reported (8 or more), corrected to 2/10; calf swelling or pain; "
            "the note then: \u201cSharp pain on the stairs\u201d") in html
    with zipfile.ZipFile(io.BytesIO(portal.get(f"/patients/{linked.patient_id}/export.zip").data)) as archive:
        exported = json.loads(archive.read("between-visits.json"))["log_days"]
    assert exported[0]["alert_reported"]["pain"] == 9  # the record's export keeps it
    with app.app_context():  # seen: a new trigger starts afresh
        stored = db.session.get(LogDay, row.id)
        stored.alert_seen_at = dt.datetime.now(dt.timezone.utc)
        db.session.commit()
    patient_client.post(linked.path + "/log", data=day_form(token, pain="8"))
    (row,) = _rows(app)
    assert row.alert_seen_at is not None  # pain 8 after 9 was seen: nothing new
    patient_client.post(linked.path + "/log", data=day_form(token, pain="10"))
    (row,) = _rows(app)
    assert row.alert_seen_at is None and row.alert_reported == {"pain": 10, "symptoms": [], "note": ""}


def test_a_nul_in_the_note_or_an_activity_is_dropped_not_refused(app, linked, patient_client, form_token, day_form):
    token = form_token(patient_client, linked.path)
    response = patient_client.post(linked.path + "/log", data=day_form(token, note="Sore\x00 after\r\nthe walk"))
    assert response.status_code == 303
    assert _rows(app)[0].note == "Sore after\nthe walk"
    psfs = patient_client.post(linked.path + "/psfs", data={"form_token": token, "activity-0": "Run\x00ning",
                                                            "score-0": "4"})
    assert psfs.status_code == 303 and _psfs(app)[-1].items == [{"activity": "Running", "score": 4}]
    # the query string is still checked, and the clinician's forms still refuse a NUL
    assert patient_client.get(linked.path + "?day=2026\x00").status_code == 400


def test_psfs_refuses_the_same_activity_twice(app, linked, patient_client, form_token):
    response = patient_client.post(linked.path + "/psfs", data={
        "form_token": form_token(patient_client, linked.path), "activity-0": "Running", "score-0": "3",
        "activity-1": "  running ", "score-1": "5"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "Activity 2: this is the same as activity 1" in html
    assert _psfs(app) == []


@pytest.mark.parametrize("symptom, heading", [("saddle_numbness", "Emergency"), ("calf_swelling", "")])
def test_a_refused_save_still_gives_the_advice_for_what_was_typed(linked, patient_client, form_token, day_form,
                                                                  symptom, heading):
    """A typo (or the limit) must not hide what a danger sign calls for: the advice is shown
    at the top and in the error box the refused save lands on."""
    data = day_form(form_token(patient_client, linked.path), note="n" * 501, **{f"symptom-{symptom}": "yes"})
    response = patient_client.post(linked.path + "/log", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    code, level, title, text = next((c, *patient_log.ADVICE[c]) for c in patient_log.triggers(None, [symptom]))
    assert 'id="advice"' in html and html.count(text) == 2  # at the top, and in the error box
    assert heading in title


def test_no_day_before_the_plan_was_saved_can_be_logged(app, portal, saved_plan, patient_client, form_token,
                                                        day_form):
    from .conftest import give_link, saved_days_ago

    link = give_link(portal, *saved_plan)
    saved_days_ago(app, link.version_id, 2)
    html = patient_client.get(link.path).get_data(as_text=True)
    for back, offered in ((0, True), (2, True), (3, False)):
        day = (TODAY - dt.timedelta(days=back)).isoformat()
        assert (f"day={day}" in html) is offered, day
    token = form_token(patient_client, link.path)
    three_ago = (TODAY - dt.timedelta(days=3)).isoformat()
    response = patient_client.post(link.path + "/log", data=day_form(token, day=three_ago, pain="2"))
    assert response.status_code == 422 and "this plan starts on the day" in response.get_data(as_text=True)
    assert _rows(app) == []
