"""Loading the library into the database: upsert by slug, tags, revisions with diffs."""

from __future__ import annotations

from rehab.catalog import library_from_db, load_into_db
from rehab.library import load_library
from rehab.models import Exercise, ExerciseRevision, ExerciseTag


def _exercise(db, slug):
    return db.session.execute(db.select(Exercise).filter_by(slug=slug)).scalar_one()


def test_upsert_by_slug(app, db, exercise_files):
    exercise_files.write("test_heel_dig")
    exercise_files.write("test_bridge", name="Test bridge")
    with app.app_context():
        assert load_into_db(load_library(exercise_files.dir)) == {"created": 2, "updated": 0, "unchanged": 0, "kept": []}
        assert load_into_db(load_library(exercise_files.dir)) == {"created": 0, "updated": 0, "unchanged": 2, "kept": []}

    exercise_files.write("test_bridge", name="Test bridge, two legs")
    exercise_files.write("test_curl", name="Test curl")
    with app.app_context():
        assert load_into_db(load_library(exercise_files.dir)) == {"created": 1, "updated": 1, "unchanged": 1, "kept": []}
        assert db.session.scalar(db.select(db.func.count()).select_from(Exercise)) == 3
        bridge = _exercise(db, "test_bridge")
        assert (bridge.name, bridge.version) == ("Test bridge, two legs", 2)


def test_revisions_record_diffs(app, db, exercise_files):
    exercise_files.write("test_heel_dig")
    with app.app_context():
        load_into_db(load_library(exercise_files.dir))
    exercise_files.write("test_heel_dig", name="Heel dig, renamed", tags=["supine_position", "neural_slider"])
    with app.app_context():
        load_into_db(load_library(exercise_files.dir))
        load_into_db(load_library(exercise_files.dir))  # unchanged: no third revision
        revisions = db.session.execute(
            db.select(ExerciseRevision).order_by(ExerciseRevision.version)).scalars().all()
        assert [(r.version, r.action) for r in revisions] == [(1, "create"), (2, "load")]
        assert revisions[0].diff["name"] == [None, "Test heel dig"]
        assert revisions[1].diff == {
            "name": ["Test heel dig", "Heel dig, renamed"],
            "tags": [["supine_position"], ["supine_position", "neural_slider"]],
        }
        assert revisions[1].data["name"] == "Heel dig, renamed"
        assert revisions[1].at.tzinfo is not None


def test_tags_stored(app, db, exercise_files):
    exercise_files.write("test_heel_dig", tags=["supine_position", "neural_slider"])
    with app.app_context():
        load_into_db(load_library(exercise_files.dir))
        assert {t.tag for t in _exercise(db, "test_heel_dig").tags} == {"supine_position", "neural_slider"}
    exercise_files.write("test_heel_dig", tags=["neural_slider", "impact"])
    with app.app_context():
        load_into_db(load_library(exercise_files.dir))
        rows = db.session.execute(db.select(ExerciseTag.tag).order_by(ExerciseTag.tag)).scalars().all()
        assert rows == ["impact", "neural_slider"]
        tagged = db.session.execute(
            db.select(Exercise.slug).join(ExerciseTag).filter(ExerciseTag.tag == "impact")).scalars().all()
        assert tagged == ["test_heel_dig"]


def test_library_reads_back_unchanged(app, exercise_files):
    exercise_files.write("test_heel_dig", harder="test_bridge")
    exercise_files.write("test_bridge", easier="test_heel_dig", retired=True)
    files = load_library(exercise_files.dir)
    with app.app_context():
        load_into_db(files)
        assert library_from_db(include_retired=True) == files
        assert list(library_from_db()) == ["test_heel_dig"]


def test_real_library_loads(app, db, loaded_library):
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Exercise)) == len(loaded_library)
        assert library_from_db(include_retired=True) == loaded_library
        assert load_into_db(loaded_library)["unchanged"] == len(loaded_library)
