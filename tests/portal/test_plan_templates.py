"""Clinic templates (issue #13): save a reviewed draft's changes under a name, apply them to
another patient's new plan (each change re-checked by the planner), edit, retire; audited and
scoped to the clinic."""

from __future__ import annotations

import re

import pytest

from rehab import config, create_app
from rehab.extensions import db as _db
from rehab.models import AuditEntry, PlanTemplate
from rehab.portal import plan_templates
from rehab.portal.wizard import Draft

from .conftest import HAMSTRING_2, Wizard, stored_draft

P1 = "P1_acute_protection"
# Allowed in the hamstring grade 2 plan of HAMSTRING_2, added to its phase 1:
LYING_ON_THE_BACK = "bridge_hold"  # excluded from week 13 of a pregnancy
LUNGE = "lunge_walk_rotation"  # excluded with frailty (65 or over, falls risk...)
CHANGES = [
    {"op": "add", "phase": P1, "exercise_id": LYING_ON_THE_BACK},
    {"op": "add", "phase": P1, "exercise_id": LUNGE},
    {"op": "remove", "phase": P1, "exercise_id": "ice_pack"},
]
PREGNANT = {**HAMSTRING_2, "modifiers": {**HAMSTRING_2["modifiers"], "pregnancy_pregnant": "y",
                                         "pregnancy_weeks": "20"}}
INTAKE = {"diagnosis": "hamstring_strain", "grade": 2, "age": 34, "sex": "female", "side": "left",
          "findings": {"days_since_onset": 3, "nprs_rest": 2, "nprs_activity": 4, "ake_deficit_deg": 25,
                       "walking": "antalgic"}}


def _items(plan, phase=P1) -> list[str]:
    return [i.exercise_id for p in plan.phases if p.id == phase for i in p.items]


# ------------------------------------------------------------------ the planner judges (no database)


@pytest.mark.parametrize("extra, refused, words", [
    ({"pregnancy": {"pregnant": True, "weeks": 20}}, LYING_ON_THE_BACK, "Pregnancy from week 13"),
    ({"age": 82, "comorbidities": ["falls_risk"]}, LUNGE, "Frailty"),
])
def test_a_contraindicated_add_is_refused_for_a_patient_it_does_not_suit(library, extra, refused, words):
    from rehab.planner import apply_adjustments, parse_intake

    template = PlanTemplate(changes=CHANGES)
    suits = Draft(patient_id=1, intake=INTAKE)
    outcome = plan_templates.apply_to_draft(template, suits, library)
    assert outcome.applied == CHANGES and outcome.refused == []

    draft = Draft(patient_id=2, intake={**INTAKE, **extra})
    outcome = plan_templates.apply_to_draft(template, draft, library)
    assert [c["exercise_id"] for c, _ in outcome.refused] == [refused]
    assert words in outcome.refused[0][1]
    assert outcome.applied == [c for c in CHANGES if c["exercise_id"] != refused] == draft.adjustments
    plan = apply_adjustments(parse_intake(draft.intake), library, draft.adjustments)
    assert refused not in _items(plan)


def test_changes_after_the_drafts_own_and_each_one_judged_with_those_before(library):
    """A change that depends on an earlier refused one is refused too (the planner sees the order)."""
    template = PlanTemplate(changes=[{"op": "add", "phase": P1, "exercise_id": LYING_ON_THE_BACK},
                                     {"op": "remove", "phase": P1, "exercise_id": LYING_ON_THE_BACK}])
    draft = Draft(patient_id=1, intake={**INTAKE, "pregnancy": {"pregnant": True, "weeks": 20}},
                  adjustments=[{"op": "remove", "phase": P1, "exercise_id": "ice_pack"}])
    outcome = plan_templates.apply_to_draft(template, draft, library)
    assert outcome.applied == [] and len(outcome.refused) == 2
    assert draft.adjustments == [{"op": "remove", "phase": P1, "exercise_id": "ice_pack"}]


def test_name_key_ignores_case_accents_and_spacing():
    assert plan_templates.name_key("  Désk   WORKER ") == plan_templates.name_key("desk worker") == "desk worker"


# ------------------------------------------------------------------ through the portal


@pytest.fixture
def reviewed(wizard):
    """Patient 1's hamstring draft with the three changes made on the review page."""
    wizard.run(HAMSTRING_2)
    for change in CHANGES:
        assert wizard.adjust(**change).status_code == 302
    return wizard


def _save(client, patient_id, **data):
    return client.post(f"/patients/{patient_id}/plans/draft/templates/new",
                       data={"name": "Early loading", "description": "Desk workers", "changes": ["0", "1", "2"],
                             **data})


def _audit(app, action) -> list[AuditEntry]:
    with app.app_context():
        return list(_db.session.execute(_db.select(AuditEntry).filter_by(action=action)
                                        .order_by(AuditEntry.id)).scalars())


def _template(app) -> PlanTemplate:
    with app.app_context():
        return _db.session.execute(_db.select(PlanTemplate)).scalar_one()


def test_save_a_drafts_changes_as_a_template(app, library, reviewed):
    page = reviewed.client.get(f"/patients/{reviewed.patient_id}/plans/draft/templates/new")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and f"Add {library[LYING_ON_THE_BACK].name} to phase 1" in html
    assert f"Remove {library['ice_pack'].name} from phase 1" in html
    assert "ice_pack" not in html and LYING_ON_THE_BACK not in html  # names, not ids
    response = _save(reviewed.client, reviewed.patient_id, changes=["0", "2"])
    assert response.status_code == 302 and response.headers["Location"].endswith("/plans/draft")
    template = _template(app)
    assert (template.name, template.description, template.diagnosis) == ("Early loading", "Desk workers",
                                                                         "hamstring_strain")
    assert template.changes == [CHANGES[0], CHANGES[2]]
    [entry] = _audit(app, "template_create")
    assert entry.object_id == str(template.id) and entry.detail == {"diagnosis": "hamstring_strain", "changes": 2}
    review = reviewed.review().get_data(as_text=True)
    assert "Early loading (2 changes)" in review


@pytest.mark.parametrize("data, field, message", [
    ({"name": ""}, "name", "Give the template a name."),
    ({"name": "x" * 81}, "name", "At most 80 characters."),
    ({"description": "y" * 501}, "description", "At most 500 characters."),
    ({"changes": []}, "changes", "Tick at least one change."),
])
def test_bad_input_names_the_field_and_keeps_what_was_typed(app, reviewed, data, field, message):
    response = _save(reviewed.client, reviewed.patient_id, **{"description": "Kept text", **data})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert re.search(rf'id="{field}-error"[^>]*>{re.escape(message)}<', html), html[:3000]
    if field != "description":
        assert "Kept text</textarea>" in html
    with app.app_context():
        assert _db.session.execute(_db.select(PlanTemplate)).first() is None


def test_names_are_unique_per_diagnosis_among_live_templates(app, reviewed):
    assert _save(reviewed.client, reviewed.patient_id).status_code == 302
    again = _save(reviewed.client, reviewed.patient_id, name="  EARLY   lóading")
    assert again.status_code == 422 and "already has a template with this name" in again.get_data(as_text=True)
    template = _template(app)
    assert reviewed.client.post(f"/templates/{template.id}/retire",
                                data={"version": template.version, "confirm": "yes"}).status_code == 302
    assert _save(reviewed.client, reviewed.patient_id).status_code == 302  # the name is free again


def test_the_database_refuses_a_second_live_name(app, clinician):
    """The partial unique index (SQLite and PostgreSQL): a race past the form's check fails."""
    with app.app_context():
        for retired in (True, False):
            _db.session.add(PlanTemplate(clinic_id=clinician.clinic_id, diagnosis="hamstring_strain", name="A",
                                         name_key="a", changes=CHANGES,
                                         retired_at=_db.func.now() if retired else None))
        _db.session.commit()
        user = _db.session.get(type(clinician), clinician.id)
        with pytest.raises(plan_templates.NameTaken):
            plan_templates.create_template(clinician.clinic_id, user, diagnosis="hamstring_strain", name="a",
                                           description="", changes=CHANGES)
        assert plan_templates.create_template(clinician.clinic_id, user, diagnosis="sciatica_lumbar_radiculopathy",
                                              name="a", description="", changes=CHANGES).id


def _two_templates(clinician):
    """Templates "A" and "B" of the clinician, loaded as a request would have them."""
    user = _db.session.get(type(clinician), clinician.id)
    made = [plan_templates.create_template(clinician.clinic_id, user, diagnosis="hamstring_strain", name=name,
                                           description="", changes=CHANGES) for name in ("A", "B")]
    template = made[1]
    _ = (user.id, template.id, template.name, template.description, template.changes, template.retired_at)
    return user, template, template.version


def _saved_by_someone_else(template_id: int, version: int) -> None:
    with _db.engine.begin() as other:
        other.execute(_db.update(PlanTemplate).where(PlanTemplate.id == template_id).values(version=version + 1))


def test_a_rename_to_a_name_taken_meanwhile_is_name_taken_not_an_error(app, clinician):
    """The form checked the name; the database's own check answers the race, through the
    edit's commit (the audit entry written with it must not get there first)."""
    with app.app_context():
        user, template, version = _two_templates(clinician)
        with pytest.raises(plan_templates.NameTaken):
            plan_templates.update_template(template, user, version=version, name="a", description="", keep=[0])


@pytest.mark.parametrize("change", ["edit", "retire"])
def test_an_edit_or_retire_of_a_template_saved_meanwhile_is_a_conflict(app, clinician, change):
    with app.app_context():
        user, template, version = _two_templates(clinician)
        _saved_by_someone_else(template.id, version)
        with pytest.raises(plan_templates.TemplateConflict):
            if change == "edit":
                plan_templates.update_template(template, user, version=version, name="C", description="", keep=[0])
            else:
                plan_templates.retire_template(template, user, version=version)
        assert not _db.session.execute(_db.select(AuditEntry).filter_by(action=f"template_{change}")).first()


@pytest.fixture
def saved_template(app, reviewed):
    assert _save(reviewed.client, reviewed.patient_id).status_code == 302
    return _template(app)


@pytest.fixture
def pregnant_draft(portal, make_patient, clinician, saved_template):
    """Another patient's new plan: pregnant, week 20."""
    patient = make_patient(clinician.clinic_id, "P-2", first_name="Beth", last_name="Ames")
    wizard = Wizard(portal, patient)
    wizard.run(PREGNANT)
    return wizard


def _apply(wizard, template_id):
    return wizard.client.post(f"/patients/{wizard.patient_id}/plans/draft/templates/apply",
                              data={"template_id": str(template_id)})


def test_apply_to_another_patient_refuses_what_does_not_suit_with_the_reason(app, library, pregnant_draft,
                                                                            saved_template):
    response = _apply(pregnant_draft, saved_template.id)
    assert response.status_code == 302
    assert re.search(r"/plans/draft/templates/applied/\d+$", response.headers["Location"])
    page = pregnant_draft.client.get(response.headers["Location"])
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    made = re.search(r"Changes made \((\d+)\)", html).group(1)
    refused = html.split("Not made for this patient")[1]
    assert library[LYING_ON_THE_BACK].name in refused and "Pregnancy from week 13" in refused
    assert "ice_pack" not in html and LYING_ON_THE_BACK not in html and "P1_" not in html  # words, not ids
    stored = stored_draft(pregnant_draft.client, pregnant_draft.patient_id)["adjustments"]
    assert {"op": "add", "phase": P1, "exercise_id": LYING_ON_THE_BACK} not in stored
    assert len(stored) == int(made) and {"op": "add", "phase": P1, "exercise_id": LUNGE} in stored
    [entry] = _audit(app, "template_apply")
    assert entry.object_id == str(saved_template.id) and entry.patient_id == pregnant_draft.patient_id
    assert entry.detail["before"] == 0 and len(entry.detail["refused"]) == 3 - int(made)
    review = pregnant_draft.review().get_data(as_text=True)
    assert f'id="item-{P1}-{LUNGE}"' in review and f'id="item-{P1}-{LYING_ON_THE_BACK}"' not in review


def test_applying_can_be_taken_back(app, pregnant_draft, saved_template):
    pregnant_draft.adjust(op="remove", phase=P1, exercise_id="tandem_stance")
    own = stored_draft(pregnant_draft.client, pregnant_draft.patient_id)["adjustments"]
    location = _apply(pregnant_draft, saved_template.id).headers["Location"]
    assert len(stored_draft(pregnant_draft.client, pregnant_draft.patient_id)["adjustments"]) > len(own)
    assert "Take back the template" in pregnant_draft.client.get(location).get_data(as_text=True)
    response = pregnant_draft.client.post(location + "/undo")
    assert response.status_code == 302
    assert stored_draft(pregnant_draft.client, pregnant_draft.patient_id)["adjustments"] == own
    [undo] = _audit(app, "template_apply_undo")
    assert undo.patient_id == pregnant_draft.patient_id
    # a second undo changes nothing: the apply's changes are gone
    assert "Take back the template" not in pregnant_draft.client.get(location).get_data(as_text=True)
    pregnant_draft.client.post(location + "/undo")
    assert stored_draft(pregnant_draft.client, pregnant_draft.patient_id)["adjustments"] == own
    # and the review page's own undo takes back a template's changes one at a time, like any other
    _apply(pregnant_draft, saved_template.id)
    before = stored_draft(pregnant_draft.client, pregnant_draft.patient_id)["adjustments"]
    pregnant_draft.client.post(f"/patients/{pregnant_draft.patient_id}/plans/draft/undo")
    assert stored_draft(pregnant_draft.client, pregnant_draft.patient_id)["adjustments"] == before[:-1]


def test_undo_refused_once_the_plan_changed_after_the_apply(app, pregnant_draft, saved_template):
    location = _apply(pregnant_draft, saved_template.id).headers["Location"]
    pregnant_draft.adjust(op="remove", phase=P1, exercise_id="tandem_stance")
    after = stored_draft(pregnant_draft.client, pregnant_draft.patient_id)["adjustments"]
    response = pregnant_draft.client.post(location + "/undo", follow_redirects=True)
    assert "cannot be taken back together" in response.get_data(as_text=True)
    assert stored_draft(pregnant_draft.client, pregnant_draft.patient_id)["adjustments"] == after


def test_only_templates_for_the_drafts_diagnosis_and_live_ones_are_applied(app, portal, make_patient, clinician,
                                                                           saved_template):
    patient = make_patient(clinician.clinic_id, "S-1")
    wizard = Wizard(portal, patient)
    wizard.run({"diagnosis": {"diagnosis": "sciatica_lumbar_radiculopathy"}, "red_flags": {},
                "modifiers": {"age": "40", "sex": "male", "side": "left"},
                "findings": {"days_since_onset": "20", "leg_nprs": "4"}})
    assert "Early loading (" not in wizard.review().get_data(as_text=True)
    response = _apply(wizard, saved_template.id)
    assert response.status_code == 302 and response.headers["Location"].endswith("/plans/draft")
    assert stored_draft(portal, patient)["adjustments"] == []
    assert _audit(app, "template_apply") == []


def test_a_retired_template_is_not_offered_but_kept(app, pregnant_draft, saved_template):
    client = pregnant_draft.client
    assert "Early loading (" in pregnant_draft.review().get_data(as_text=True)
    unconfirmed = client.post(f"/templates/{saved_template.id}/retire", data={"version": saved_template.version},
                              follow_redirects=True)
    assert "Nothing was retired" in unconfirmed.get_data(as_text=True)
    assert "Early loading (" in pregnant_draft.review().get_data(as_text=True)  # still offered
    assert client.post(f"/templates/{saved_template.id}/retire",
                       data={"version": saved_template.version, "confirm": "yes"}).status_code == 302
    assert "Early loading (" not in pregnant_draft.review().get_data(as_text=True)
    assert _apply(pregnant_draft, saved_template.id).headers["Location"].endswith("/plans/draft")
    listing = client.get("/templates").get_data(as_text=True)
    assert "Retired templates" in listing and "Early loading" in listing
    view = client.get(f"/templates/{saved_template.id}").get_data(as_text=True)
    assert "retired" in view and "Retire the template" not in view
    assert client.get(f"/templates/{saved_template.id}/edit").status_code == 302
    assert len(_audit(app, "template_retire")) == 1


# ------------------------------------------------------------------ edit: the author or an admin


def test_the_author_edits_name_description_and_removes_changes(app, portal, saved_template):
    page = portal.get(f"/templates/{saved_template.id}/edit").get_data(as_text=True)
    assert 'value="Early loading"' in page and "Desk workers</textarea>" in page
    refused = portal.post(f"/templates/{saved_template.id}/edit", data={
        "name": " ", "description": "Still here", "changes": [], "version": saved_template.version})
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "Give the template a name." in html
    assert "Tick at least one change." in html and "Still here</textarea>" in html
    response = portal.post(f"/templates/{saved_template.id}/edit", data={
        "name": "Early loading, desk", "description": "", "changes": ["1"], "version": saved_template.version})
    assert response.status_code == 302
    template = _template(app)
    assert (template.name, template.description, template.changes) == ("Early loading, desk", "", [CHANGES[1]])
    [entry] = _audit(app, "template_edit")
    assert entry.detail == {"fields": ["name", "description", "changes"], "removed": 2}
    # a stale form (another editor saved meanwhile) saves nothing
    stale = portal.post(f"/templates/{saved_template.id}/edit", data={
        "name": "Old", "description": "", "changes": ["0"], "version": saved_template.version})
    assert stale.status_code == 409 and "Someone else changed" in stale.get_data(as_text=True)
    assert _template(app).name == "Early loading, desk"


def test_another_clinician_applies_but_may_not_edit_or_retire(app, client, login, make_user, saved_template):
    client.post("/logout")
    colleague = make_user("colleague@test.example", name="Colleague")
    login(client, colleague)
    assert client.get(f"/templates/{saved_template.id}").status_code == 200
    assert "Edit the template" not in client.get(f"/templates/{saved_template.id}").get_data(as_text=True)
    assert client.get(f"/templates/{saved_template.id}/edit").status_code == 403
    assert client.post(f"/templates/{saved_template.id}/edit", data={"name": "Mine"}).status_code == 403
    assert client.post(f"/templates/{saved_template.id}/retire", data={"version": 1}).status_code == 403
    client.post("/logout")
    boss = make_user("boss@test.example", "admin")
    login(client, boss)
    assert client.get(f"/templates/{saved_template.id}/edit").status_code == 200
    assert client.post(f"/templates/{saved_template.id}/retire",
                       data={"version": saved_template.version, "confirm": "yes"}).status_code == 302
    assert _template(app).retired_at is not None


# ------------------------------------------------------------------ access


def _routes(template_id: int, patient_id: int, entry_id: int = 1) -> list[tuple[str, str]]:
    draft = f"/patients/{patient_id}/plans/draft/templates"
    return [("GET", "/templates"), ("GET", f"/templates/{template_id}"), ("GET", f"/templates/{template_id}/edit"),
            ("POST", f"/templates/{template_id}/edit"), ("POST", f"/templates/{template_id}/retire"),
            ("GET", f"{draft}/new"), ("POST", f"{draft}/new"), ("POST", f"{draft}/apply"),
            ("GET", f"{draft}/applied/{entry_id}"), ("POST", f"{draft}/applied/{entry_id}/undo")]


def test_anonymous_goes_to_the_login(client, saved_template, patient_id):
    client.post("/logout")
    for method, url in _routes(saved_template.id, patient_id):
        response = client.open(url, method=method)
        assert response.status_code == 302 and "/login" in response.headers["Location"], (method, url)


def test_another_clinic_gets_404(app, client, login, make_user, pregnant_draft, saved_template):
    location = _apply(pregnant_draft, saved_template.id).headers["Location"]
    entry_id = int(location.rsplit("/", 1)[1])
    client.post("/logout")
    stranger = make_user("stranger@other.example", "admin", clinic="Other clinic")
    login(client, stranger)
    for method, url in _routes(saved_template.id, pregnant_draft.patient_id, entry_id):
        if url == "/templates":
            assert "Early loading" not in client.get(url).get_data(as_text=True)
            continue
        assert client.open(url, method=method).status_code == 404, (method, url)


def test_someone_elses_apply_is_404(app, client, login, make_user, pregnant_draft, saved_template):
    """The result page and its undo belong to the clinician who applied (same clinic or not)."""
    location = _apply(pregnant_draft, saved_template.id).headers["Location"]
    client.post("/logout")
    login(client, make_user("colleague@test.example"))
    assert client.get(location).status_code == 404


@pytest.fixture
def csrf_client(_migrated, _instance_path, monkeypatch, app, clinician, loaded_library):
    monkeypatch.setenv("REHAB_INSTANCE_PATH", str(_instance_path))
    csrf_app = create_app({**config.TEST, "WTF_CSRF_ENABLED": True, "SQLALCHEMY_DATABASE_URI": _migrated})
    client = csrf_app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    assert client.post("/login", data={"email": clinician.email, "password": "correct-horse-battery",
                                       "csrf_token": token}).status_code == 302
    return client


def test_every_form_needs_a_csrf_token(csrf_client, saved_template, patient_id):
    for method, url in _routes(saved_template.id, patient_id):
        if method == "POST":
            assert csrf_client.post(url, data={"name": "X", "version": "1", "template_id": "1"}
                                    ).status_code == 400, url
    assert _template(csrf_client.application).retired_at is None
