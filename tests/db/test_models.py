"""Constraints and behaviour of the tables that the code relies on."""

from __future__ import annotations

import os
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from rehab.catalog import load_into_db
from rehab.library import load_library
from rehab.models import Exercise, Patient, Plan, PlanVersion


def test_database_is_the_one_asked_for(app, db):
    """With TEST_DATABASE_URL set, these tests really run on that database."""
    with app.app_context():
        dialect = db.engine.dialect.name
    wanted = os.environ.get("TEST_DATABASE_URL", "sqlite")
    assert wanted.startswith("postgres" if dialect == "postgresql" else dialect)


def _plan(db, clinician) -> Plan:
    patient = Patient(clinic_id=clinician.clinic_id, reference="P-001", first_name="Ann",
                      last_name="Lee", created_by_id=clinician.id)
    plan = Plan(patient=patient, diagnosis="hamstring_strain", created_by_id=clinician.id)
    db.session.add(plan)
    db.session.flush()
    return plan


def _version(plan: Plan, number: int) -> PlanVersion:
    return PlanVersion(plan_obj=plan, number=number, intake={"diagnosis": "hamstring_strain"},
                       plan={"allowed": True}, figures={})


def test_plan_versions(app, db, clinician):
    with app.app_context():
        plan = _plan(db, clinician)
        db.session.add_all([_version(plan, 1), _version(plan, 2)])
        db.session.commit()
        assert [v.number for v in db.session.get(Plan, plan.id).versions] == [1, 2]
        assert plan.patient.plans == [plan]


def test_plan_version_number_unique_per_plan(app, db, clinician):
    with app.app_context():
        plan = _plan(db, clinician)
        db.session.add(_version(plan, 1))
        db.session.commit()
        db.session.add(_version(plan, 1))
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()


def test_patient_reference_unique_per_clinic(app, db, clinician):
    with app.app_context():
        for _ in range(2):
            db.session.add(Patient(clinic_id=clinician.clinic_id, reference="P-1",
                                   first_name="A", last_name="B"))
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()


def test_user_email_unique(app, db, clinician):
    from rehab.models import User

    with app.app_context():
        db.session.add(User(email=clinician.email, password_hash="x", clinic_id=clinician.clinic_id))
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()


def test_stale_exercise_update_raises(app, db, exercise_files):
    """Two editors load version 1; the second to save is refused (optimistic locking)."""
    exercise_files.write("test_heel_dig")
    with app.app_context():
        load_into_db(load_library(exercise_files.dir))
        mine = db.session.execute(db.select(Exercise).filter_by(slug="test_heel_dig")).scalar_one()
        assert mine.version == 1
        with Session(db.engine) as theirs:
            other = theirs.execute(db.select(Exercise).filter_by(slug="test_heel_dig")).scalar_one()
            other.name = "Saved first"
            theirs.commit()
            assert other.version == 2
        mine.name = "Saved second"
        with pytest.raises(StaleDataError):
            db.session.flush()
        db.session.rollback()
        assert db.session.get(Exercise, mine.id).name == "Saved first"


def test_timestamps_are_aware_utc(app, db, clinician):
    with app.app_context():
        plan = _plan(db, clinician)
        plan.created_at = datetime(2026, 3, 1, 12, 0, tzinfo=timezone(timedelta(hours=2)))
        db.session.commit()
        db.session.expire_all()
        stored = db.session.get(Plan, plan.id).created_at
        assert stored == datetime(2026, 3, 1, 10, 0, tzinfo=timezone.utc)
        assert stored.utcoffset() == timedelta(0)
