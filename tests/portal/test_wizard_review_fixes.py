"""The physiotherapist's review of the wizard: the optional PSFS never blocks a reassessment,
its errors reach the top banner, "Back" and "Check the answers" keep it; one message per
number box."""

from __future__ import annotations

import datetime as dt
import re

from tests.portal.test_between_visits import TODAY, seeded  # noqa: F401 (a fixture)


def _to_findings(wizard, cases, reassess_plan=None, portal=None):
    if reassess_plan is None:
        wizard.start()
    else:
        assert portal.post(f"/plans/{reassess_plan}/reassess").status_code == 302
    for step in wizard.STEPS[:-1]:
        assert wizard.post(step, cases.hamstring_2.get(step, {})).status_code == 302


def test_prefilled_psfs_activities_without_scores_do_not_block_a_reassessment(portal, seeded, wizard, cases):
    version, _ = seeded
    _to_findings(wizard, cases, version.plan_id, portal)
    html = portal.get(wizard.url("findings")).get_data(as_text=True)
    assert re.search(r'name="psfs-activity_1"[^>]*value="Running"', html)  # prefilled, not scored
    response = wizard.post("findings", {**cases.hamstring_2["findings"], "psfs-activity_1": "Running",
                                        "psfs-score_1": "", "psfs-activity_2": "Sitting", "psfs-score_2": "5"})
    assert response.status_code == 302, re.findall(r"class=\"error\"[^>]*>(.*?)<", response.get_data(as_text=True))
    assert wizard.stored()["psfs"] == [{"activity": "Sitting", "score": 5}]  # Running: not rated this visit


def test_a_psfs_error_is_in_the_top_banner_with_a_link(wizard, cases):
    _to_findings(wizard, cases)
    response = wizard.post("findings", {**cases.hamstring_2["findings"], "psfs-score_2": "4"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    banner = re.search(r'<div class="flash flash-error error-summary" role="alert">(.*?)</div>', html, re.S)
    assert banner, "no banner"
    assert re.search(r'<a href="#psfs-activity_2">Activity 2</a>: Name the activity this score is for.',
                     banner.group(1))
    assert 'id="psfs-activity_2"' in html


def test_back_keeps_the_psfs_typed(wizard, cases):
    _to_findings(wizard, cases)
    response = wizard.post("findings", {**cases.hamstring_2["findings"], "psfs-activity_1": "Kneeling",
                                        "psfs-score_1": "3", "back": "1"})
    assert response.status_code == 302
    html = wizard.client.get(wizard.url("findings")).get_data(as_text=True)
    assert re.search(r'name="psfs-activity_1"[^>]*value="Kneeling"', html)
    assert re.search(r'name="psfs-score_1"[^>]*value="3"', html)


def test_the_summary_lists_the_psfs_with_a_change_link(wizard, cases):
    _to_findings(wizard, cases)
    assert wizard.post("findings", {**cases.hamstring_2["findings"], "psfs-activity_1": "Kneeling",
                                    "psfs-score_1": "3"}).status_code == 302
    html = wizard.client.get(wizard.url("summary")).get_data(as_text=True)
    findings = re.search(r'<section class="answer-group" aria-labelledby="answers-findings">(.*?)</section>', html, re.S)
    assert "<dt>PSFS: Kneeling</dt><dd>3 of 10</dd>" in findings.group(1)
    assert f'href="{wizard.url("findings")}"' in findings.group(1)


def test_the_summary_says_when_no_psfs_was_scored(wizard, cases):
    wizard.run(cases.hamstring_2)
    html = wizard.client.get(wizard.url("summary")).get_data(as_text=True)
    assert "PSFS (no activity scored at this visit)" in html


def test_a_number_box_that_is_not_a_whole_number_says_only_that(wizard, cases):
    _to_findings(wizard, cases)
    response = wizard.post("findings", {**cases.hamstring_2["findings"], "single_leg_bridge_reps_injured": "5.5"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    errors = re.findall(r'id="single_leg_bridge_reps_injured-error"[^>]*>(.*?)</p>', html)
    assert errors == ["Enter a whole number, for example 12."]


def test_the_phase_at_the_last_visit_is_named_by_its_title(wizard, cases):
    wizard.start()
    wizard.post("diagnosis", cases.hamstring_2["diagnosis"])
    wizard.post("red_flags", {})
    html = wizard.client.get(wizard.url("modifiers")).get_data(as_text=True)
    assert '<option value="P1_acute_protection">Phase 1 · Protect and settle</option>' in html
    assert "P1 acute protection" not in html
    wizard.post("modifiers", {**cases.hamstring_2["modifiers"], "previous_phase": "P1_acute_protection"})
    wizard.post("findings", cases.hamstring_2["findings"])
    summary = wizard.client.get(wizard.url("summary")).get_data(as_text=True)
    assert "<dt>Phase at the last visit</dt><dd>Phase 1 · Protect and settle</dd>" in summary


def test_a_patient_state_reads_as_words():
    from rehab.portal.snapshot import STATE_WORDS, plain
    from rehab.vocab import STATES
    assert set(STATE_WORDS) <= set(STATES)
    assert plain("Lying heel dig: not with pregnant_after_12_weeks", {}) == \
        "Lying heel dig: not with pregnancy after week 12"


# ------------------------------------------------------------------ what the patient's log reported


def _log(app, patient_id, version, **fields):
    from rehab.extensions import db as _db
    from rehab.models import LogDay
    with app.app_context():
        _db.session.add(LogDay(patient_id=patient_id, version_id=version.id, ticks={}, **fields))
        _db.session.commit()


def test_the_patient_page_ranks_an_emergency_alert_first(app, portal, seeded, patient_id):
    version, _ = seeded  # pain 9 yesterday, calf swelling today (both unseen)
    _log(app, patient_id, version, day=TODAY - dt.timedelta(days=5), pain=2, symptoms=["saddle_numbness"], alert=True)
    html = portal.get(f"/patients/{patient_id}").get_data(as_text=True)
    box = re.search(r'<div class="log-alerts"(.*?)</div>', html, re.S).group(1)
    assert re.search(r'<h3><span class="badge badge-emergency">Emergency symptom reported</span> 3 alerts not yet seen', box)
    items = re.findall(r"<li>(.*?)</li>", box, re.S)
    assert "Emergency symptom reported" in items[0] and "saddle" in items[0]
    assert "Urgent symptom reported" in items[1] and "calf" in items[1]
    assert "pain 9/10" in items[2] and "badge" not in items[2]


def test_the_red_flag_step_and_the_review_show_what_the_log_reported(app, portal, seeded, wizard, cases, patient_id):
    version, _ = seeded
    _log(app, patient_id, version, day=TODAY - dt.timedelta(days=4), pain=3, symptoms=["chest_breathless"],
         alert=True)
    assert portal.post(f"/plans/{version.plan_id}/reassess").status_code == 302
    wizard.post("diagnosis", cases.hamstring_2["diagnosis"])
    html = portal.get(wizard.url("red_flags")).get_data(as_text=True)
    box = re.search(r'<section class="log-alerts log-reported"(.*?)</section>', html, re.S).group(1)
    assert "check these red flags" in box
    items = re.findall(r"<li>(.*?)</li>", box, re.S)
    assert items[0].startswith("<strong>Emergency symptom reported:</strong> the patient reported chest pain")
    assert "calf swelling" in items[1] and "pain 9/10" in items[2]
    for step in wizard.STEPS[1:]:
        assert wizard.post(step, cases.hamstring_2.get(step, {})).status_code == 302
    review = wizard.review().get_data(as_text=True)
    assert '<section class="log-alerts log-reported"' in review and "chest pain" in review


def test_no_box_without_a_reported_symptom(wizard, cases):
    wizard.start()
    wizard.post("diagnosis", cases.hamstring_2["diagnosis"])
    assert "log-reported" not in wizard.client.get(wizard.url("red_flags")).get_data(as_text=True)


def test_the_review_shows_no_risk_tags_and_the_phase_reasons_in_words(wizard, cases):
    wizard.run(cases.hamstring_2)
    html = wizard.review().get_data(as_text=True)
    assert re.findall(r'<p class="item-cat">(.*?)</p>', html)
    assert all(p.count('class="tag') == 1 for p in re.findall(r'<p class="item-cat">(.*?)</p>', html))
    why = re.search(r'<h2>Why this phase</h2>(.*?)</section>', html, re.S).group(1)
    assert not re.search(r"\bP[1-4]\b|_", why), why


def test_psfs_taken_twice_on_a_day_is_one_value_the_days_last(app, portal, seeded, patient_id):
    from rehab.extensions import db as _db
    from rehab.models import PsfsScore
    from rehab.portal import progress
    version, _ = seeded  # PSFS 10 days ago (mean 4) and 3 days ago (mean 5.5)
    with app.app_context():
        _db.session.add(PsfsScore(patient_id=patient_id, version_id=version.id, taken_on=TODAY - dt.timedelta(days=3),
                                  source="clinic", items=[{"activity": "Running", "score": 8},
                                                          {"activity": "Sitting", "score": 8}]))
        _db.session.commit()
        figures = progress.summary(patient_id, None, TODAY)
    assert [(p.taken_on, p.mean) for p in figures.psfs] == [(TODAY - dt.timedelta(days=10), 4.0),
                                                          (TODAY - dt.timedelta(days=3), 8.0)]
    assert figures.psfs_points == [(p.taken_on, p.mean) for p in figures.psfs]  # the chart: the same values
    assert [scores for _, scores in figures.psfs_table[1]] == [[2, 8], [6, 8]]
    assert "one value a day, the last taken that day" in portal.get(f"/patients/{patient_id}").get_data(as_text=True)


def test_the_save_box_puts_each_label_above_its_own_box(wizard, cases):
    wizard.run(cases.hamstring_2)
    html = wizard.review().get_data(as_text=True)
    box = re.search(r'<section class="card save-bar">(.*?)</form>', html, re.S).group(1)
    for name in ("note", "next_appointment"):
        assert re.search(rf'<div class="field"><label for="{name}">[^<]*</label>\s*<input type="text" name="{name}"', box)
