"""Saving, reassessment, history, PDFs, and snapshots that later library edits never change."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader
from sqlalchemy.exc import OperationalError

from rehab.extensions import db
from rehab.models import AuditEntry, Clinic, Exercise, Plan, PlanVersion
from rehab.portal.rendering import clear_version_bodies

P1 = "P1_acute_protection"


def _strip_tokens(html: str) -> str:
    return re.sub(r'name="csrf_token" value="[^"]*"', "", html)


def _pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_save_creates_version_1_with_a_full_snapshot(app, wizard, cases):
    wizard.run(cases.hamstring_2)
    first = re.findall(rf'id="item-{P1}-([a-z0-9_]+)"', wizard.review().get_data(as_text=True))[0]
    wizard.adjust(op="remove", phase=P1, exercise_id=first)
    plan_id, number = wizard.save(note="first visit")
    assert number == 1
    with app.app_context():
        version = db.session.execute(db.select(PlanVersion).filter_by(plan_id=plan_id)).scalar_one()
        assert version.intake["diagnosis"] == "hamstring_strain" and version.intake["grade"] == 2
        assert version.adjustments == [{"op": "remove", "phase": P1, "exercise_id": first}]
        assert version.note == "first visit"
        printed = {i["exercise_id"] for p in version.plan["phases"] for i in p["items"]}
        assert first not in {i["exercise_id"] for p in version.plan["phases"] if p["id"] == P1 for i in p["items"]}
        assert set(version.figures) == printed and all("start" in f for f in version.figures.values())
        assert db.session.execute(db.select(AuditEntry).filter_by(action="plan_version_save")).scalar_one()
    assert wizard.stored() is None  # the draft is gone once saved
    page = wizard.client.get(f"/plans/{plan_id}/versions/1").get_data(as_text=True)
    assert "Version 1" in page and "first visit" in page


def test_reassessment_creates_version_2_prefilled(app, wizard, saved_plan):
    plan_id, _ = saved_plan
    response = wizard.client.post(f"/plans/{plan_id}/reassess")
    assert response.headers["Location"].endswith("/plans/new/diagnosis")
    step1 = wizard.client.get(wizard.url("diagnosis")).get_data(as_text=True)
    assert 'checked id="diagnosis-0"' in step1 and "Reassessment for version 2" in step1
    for step in ("diagnosis", "red_flags", "modifiers"):  # keep what was prefilled
        form = wizard.client.get(wizard.url(step)).get_data(as_text=True)
        assert wizard.post(step, _form_values(form)).status_code == 302
    findings = _form_values(wizard.client.get(wizard.url("findings")).get_data(as_text=True))
    assert findings["ake_deficit_deg"] == "25"
    findings.update(days_since_onset="14", nprs_rest="0", nprs_activity="1", ake_deficit_deg="8",
                    walking="pain_free", slow_jog_pain_free="yes", isometric_50_70_pain_free="yes")
    assert wizard.post("findings", findings).status_code == 302
    new_plan_id, number = wizard.save()
    assert (new_plan_id, number) == (plan_id, 2)
    with app.app_context():
        assert db.session.execute(db.select(db.func.count()).select_from(Plan)).scalar() == 1
        v2 = db.session.execute(db.select(PlanVersion).filter_by(plan_id=plan_id, number=2)).scalar_one()
        assert v2.intake["findings"]["ake_deficit_deg"] == 8


def _form_values(html: str) -> dict:
    """The values a browser would submit for the wizard form on a page."""
    values: dict = {}
    for tag in re.findall(r"<input[^>]*>", html):
        name = re.search(r'name="([^"]+)"', tag)
        if not name or name.group(1) == "csrf_token":
            continue
        kind = (re.search(r'type="([^"]+)"', tag) or [None, "text"])[1]
        value = (re.search(r'value="([^"]*)"', tag) or [None, ""])[1]
        if kind in ("checkbox", "radio"):
            if " checked" in tag:
                values.setdefault(name.group(1), []).append(value)
        else:
            values[name.group(1)] = value
    for name, body in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', html, re.S):
        chosen = re.search(r'<option selected value="([^"]*)"', body)
        if chosen:
            values[name] = chosen.group(1)
    return values


def test_history_shows_what_changed(app, wizard, saved_plan):
    plan_id, _ = saved_plan
    wizard.client.post(f"/plans/{plan_id}/reassess")
    for step in ("diagnosis", "red_flags", "modifiers"):
        wizard.post(step, _form_values(wizard.client.get(wizard.url(step)).get_data(as_text=True)))
    findings = _form_values(wizard.client.get(wizard.url("findings")).get_data(as_text=True))
    wizard.post("findings", findings)
    html = wizard.review().get_data(as_text=True)
    ids = re.findall(rf'id="item-{P1}-([a-z0-9_]+)"', html)
    wizard.adjust(op="remove", phase=P1, exercise_id=ids[0])
    wizard.adjust(op="dose", phase=P1, exercise_id=ids[1], sets="4", reps="9", hold_s="", per_day="2",
                  days_per_week="6")
    wizard.save()
    page = wizard.client.get(f"/plans/{plan_id}").get_data(as_text=True)
    assert "Version 1" in page and "Version 2" in page
    assert re.search(r'class="removed">Removed: ', page)
    line = re.search(r'class="dose-change">(Dose of .*?)</li>', page, re.S).group(1)
    assert "sets" in line and "→ <strong>4</strong>" in line and "→ <strong>9</strong>" in line
    assert "4 sets x 9 reps" not in line  # only what changed, not the whole dose again
    same = wizard.client.get(f"/plans/{plan_id}?a=1&b=1").get_data(as_text=True)
    assert "Choose two different versions" in same


def test_saved_version_is_immune_to_library_edits(app, portal, saved_plan):
    plan_id, number = saved_plan
    url = f"/plans/{plan_id}/versions/{number}"
    portal.get(url)  # shows (and so clears) the "Saved" message
    before_page = _strip_tokens(portal.get(url).get_data(as_text=True))
    before_pdf = _pdf_text(portal.get(url + "/plan.pdf").data)
    with app.app_context():
        version = db.session.execute(db.select(PlanVersion).filter_by(plan_id=plan_id)).scalar_one()
        slugs = list(version.figures)
        for row in db.session.execute(db.select(Exercise).where(Exercise.slug.in_(slugs))).scalars():
            data = dict(row.data)
            data["name"] = "RENAMED " + data["name"]
            data["steps"] = ["Changed step one.", "Changed step two.", "Changed step three."]
            data["figure"] = {"start": {"body": "standing"}, "end": {"body": "standing"}}
            row.data = data
            row.name = data["name"]
        db.session.commit()
    with app.app_context():
        clear_version_bodies()  # render again from the snapshot, not from what was kept
    after_page = _strip_tokens(portal.get(url).get_data(as_text=True))
    after_pdf = _pdf_text(portal.get(url + "/plan.pdf").data)
    assert after_page == before_page
    assert "RENAMED" not in after_page and "Changed step" not in after_pdf
    assert re.sub(r"\d{1,2} \w+ \d{4}", "", after_pdf) == re.sub(r"\d{1,2} \w+ \d{4}", "", before_pdf)


def test_version_page_reads_only_the_snapshot(app, portal, saved_plan, sql):
    plan_id, number = saved_plan
    portal.get(f"/plans/{plan_id}/versions/{number}")  # warm up the figure cache
    with sql() as seen:
        assert portal.get(f"/plans/{plan_id}/versions/{number}").status_code == 200
    statements = seen.statements
    assert not [s for s in statements if re.search(r"\bexercise\b", s, re.I)], statements
    assert len(statements) <= 2, statements  # the user; the version with its link, parts and audit check


def _forget_in_process():
    from rehab.portal import rendering
    with rendering._LOCK:
        rendering._VERSIONS.clear()


def test_a_version_is_drawn_once_for_every_worker(app, portal, saved_plan, monkeypatch, sql):
    """A worker that has not served the version reads the parts another drew from the
    database, not the snapshot; code that draws differently draws it anew, in place."""
    from rehab.models import VersionPage
    from rehab.portal import rendering

    plan_id, number = saved_plan
    url = f"/plans/{plan_id}/versions/{number}"
    portal.get(url)  # shows (and so clears) the "Saved" message
    first = _strip_tokens(portal.get(url).get_data(as_text=True))
    with app.app_context():
        kept = db.session.execute(db.select(VersionPage)).scalar_one()
        assert "Download the plan (PDF)" in kept.downloads and kept.allowed
    _forget_in_process()  # as another worker would be
    with sql() as seen:
        assert portal.get(url).status_code == 200
    statements = seen.statements
    assert any("version_page" in s for s in statements)
    assert not [s for s in statements if re.search(r"plan_version\.figures", s)], statements
    assert _strip_tokens(portal.get(url).get_data(as_text=True)) == first

    _forget_in_process()
    monkeypatch.setattr(rendering, "code_stamp", lambda *folders: "a later deploy")
    with sql() as seen:
        assert portal.get(url).status_code == 200
    statements = seen.statements
    assert any(re.search(r"plan_version\.figures", s) for s in statements)  # drawn again
    with app.app_context():
        rows = db.session.execute(db.select(VersionPage)).scalars().all()
        assert len(rows) == 1 and rows[0].stamp != kept.stamp


def test_a_kept_page_is_drawn_for_where_the_app_is_mounted(app, portal, saved_plan):
    plan_id, number = saved_plan
    url = f"/plans/{plan_id}/versions/{number}"
    assert 'action="/plans/' in portal.get(url).get_data(as_text=True)
    _forget_in_process()
    mounted = portal.get(url, base_url="http://localhost/clinic").get_data(as_text=True)
    assert f'action="/clinic/plans/{plan_id}/versions/{number}/plan.pdf"' in mounted
    assert 'action="/plans/' not in mounted


def test_pdf_download(portal, saved_plan):
    plan_id, number = saved_plan
    response = portal.get(f"/plans/{plan_id}/versions/{number}/plan.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf" and response.data.startswith(b"%PDF")
    assert "attachment" in response.headers["Content-Disposition"]
    assert "H-001" in response.headers["Content-Disposition"]
    a4 = PdfReader(io.BytesIO(response.data)).pages[0].mediabox
    letter = portal.get(f"/plans/{plan_id}/versions/{number}/plan.pdf?page_size=Letter&large_print=y")
    assert letter.status_code == 200
    size = PdfReader(io.BytesIO(letter.data)).pages[0].mediabox
    assert round(float(a4.width)) == 595 and round(float(size.width)) == 612
    assert portal.get(f"/plans/{plan_id}/versions/{number}/plan.pdf?page_size=A3").status_code == 400
    # no referral letter for a plan that needs none
    assert portal.get(f"/plans/{plan_id}/versions/{number}/referral.pdf").status_code == 404


def test_refused_plan_is_saved_with_its_referral_letter(app, wizard, cases):
    wizard.run(cases.cauda_equina)
    plan_id, number = wizard.save()
    page = wizard.client.get(f"/plans/{plan_id}/versions/{number}").get_data(as_text=True)
    assert "badge-emergency" in page and "Download the referral letter" in page
    assert "Download the plan (PDF)" not in page
    letter = wizard.client.get(f"/plans/{plan_id}/versions/{number}/referral.pdf")
    assert letter.mimetype == "application/pdf" and letter.data.startswith(b"%PDF")
    assert "referral" in letter.headers["Content-Disposition"]
    # the plan PDF of a refused version is the letter too
    assert wizard.client.get(f"/plans/{plan_id}/versions/{number}/plan.pdf").data.startswith(b"%PDF")


def test_database_error_rolls_back_and_says_so(app, wizard, monkeypatch, cases):
    wizard.run(cases.hamstring_2)

    def broken_commit():
        raise OperationalError("INSERT", {}, Exception("disk full"))

    monkeypatch.setattr(db.session, "commit", broken_commit)
    response = wizard.client.post(f"/patients/{wizard.patient_id}/plans/draft/save")
    monkeypatch.undo()
    assert response.status_code == 500
    assert "Nothing was saved" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.execute(db.select(db.func.count()).select_from(PlanVersion)).scalar() == 0
    assert wizard.stored() is not None  # the clinician can try again


@pytest.mark.parametrize("path", ["/patients/{pid}", "/plans/{plan}"])
def test_patient_page_lists_plans(portal, saved_plan, patient_id, path):
    plan_id, _ = saved_plan
    html = portal.get(path.format(pid=patient_id, plan=plan_id)).get_data(as_text=True)
    assert "Version 1" in html and "Reassess" in html


def test_review_shows_assumptions_and_the_clinicians_effort_number(wizard, cases):
    """Second edition: what was assumed (no activity goal recorded) and the RPE range, which
    the patient's PDF leaves out, are on the clinician's review page."""
    wizard.run(cases.hamstring_2)
    html = wizard.review().get_data(as_text=True)
    assert "Assumed, because it was not recorded" in html and "recreational sport" in html
    assert "(RPE 4-6/10)" in html  # P2 loading items


def _first_edition(plan: dict) -> dict:
    """A saved plan as the first edition wrote it: no assumptions or activity goal, the
    RPE inside the effort text and no `rpe` field."""
    old = {k: v for k, v in plan.items() if k not in ("assumptions", "activity_level")}
    old["phases"] = [{**p, "items": [{**i, "dosage": {**{k: v for k, v in i["dosage"].items() if k != "rpe"},
                                                       "effort": "RPE 4-6/10; " + i["dosage"]["effort"]}}
                                     for i in p["items"]]} for p in plan["phases"]]
    return old


def test_versions_saved_before_the_second_edition_still_open_compare_and_print(app, portal, wizard, saved_plan):
    plan_id, number = saved_plan
    with app.app_context():
        version = db.session.execute(db.select(PlanVersion).filter_by(plan_id=plan_id)).scalar_one()
        version.plan = _first_edition(version.plan)
        db.session.commit()
        clear_version_bodies()
    url = f"/plans/{plan_id}/versions/{number}"
    page = portal.get(url)
    assert page.status_code == 200 and "Assumed, because" not in page.get_data(as_text=True)
    pdf = portal.get(url + "/plan.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    # a second-edition reassessment compares against the old version
    portal.post(f"/plans/{plan_id}/reassess")
    for step in ("diagnosis", "red_flags", "modifiers", "findings"):
        wizard.post(step, _form_values(portal.get(wizard.url(step)).get_data(as_text=True)))
    wizard.save()
    history = portal.get(f"/plans/{plan_id}?a=1&b=2")
    assert history.status_code == 200 and "Version 2" in history.get_data(as_text=True)


@pytest.mark.parametrize("phone, warned", [("", True), ("01632 960123", False)])
def test_version_page_warns_when_the_clinic_has_no_phone(app, portal, saved_plan, phone, warned):
    """The printed plan and the patient's page tell the patient to call the clinic: without a
    number that advice has nothing to dial, so the clinician is told before printing."""
    plan_id, number = saved_plan
    with app.app_context():
        for clinic in db.session.execute(db.select(Clinic)).scalars():
            clinic.phone = phone
        db.session.commit()
    html = portal.get(f"/plans/{plan_id}/versions/{number}").get_data(as_text=True)
    assert ("The clinic has no phone number yet" in html) is warned
