"""The schema on load: every kind of broken file gives one line naming the file, line and field."""

from __future__ import annotations

import re

import pytest

from rehab.library import LibraryError, dump_exercise, load_library
from rehab.library.loader import parse_exercise


def problem_line(directory) -> str:
    """Load `directory`, expect exactly one problem and return its one line."""
    with pytest.raises(LibraryError) as caught:
        load_library(directory)
    message = str(caught.value)
    assert len(caught.value.problems) == 1, message
    assert "\n" not in message
    return message


def where(path, field: str) -> re.Pattern:
    """`<file>:<line>: <field>: ` at the start of a problem line."""
    return re.compile(rf"^{re.escape(str(path))}:\d+: {re.escape(field)}: ")


def test_valid_files_load(exercise_files):
    exercise_files.write("test_heel_dig", harder="test_bridge")
    exercise_files.write("test_bridge", easier="test_heel_dig", category="strengthening_concentric")
    library = load_library(exercise_files.dir)
    assert sorted(library) == ["test_bridge", "test_heel_dig"]
    assert library["test_bridge"].easier == "test_heel_dig"


def test_bad_category(exercise_files):
    path = exercise_files.write(category="stretching")
    line = problem_line(exercise_files.dir)
    assert where(path, "category").match(line)
    assert "'stretching'" in line


def test_unknown_tag(exercise_files):
    path = exercise_files.write(tags=["supine_position", "wobbly"])
    line = problem_line(exercise_files.dir)
    assert where(path, "tags.1").match(line)
    assert "'wobbly'" in line


def test_missing_steps(exercise_files):
    path = exercise_files.write(steps=exercise_files.MISSING)
    assert where(path, "steps").match(problem_line(exercise_files.dir))


def test_too_few_steps(exercise_files):
    path = exercise_files.write(steps=["Lie down.", "Press."])
    assert where(path, "steps").match(problem_line(exercise_files.dir))


def test_wrong_type(exercise_files):
    dosage = exercise_files.data()["dosage"] | {"sets": "three"}
    path = exercise_files.write(dosage=dosage)
    line = problem_line(exercise_files.dir)
    assert where(path, "dosage.sets").match(line)
    assert "integer" in line


def test_wrong_type_top_level(exercise_files):
    path = exercise_files.write(name=42)
    assert where(path, "name").match(problem_line(exercise_files.dir))


def test_unknown_field(exercise_files):
    path = exercise_files.write(colour="red")
    line = problem_line(exercise_files.dir)
    assert where(path, "colour").match(line)
    assert line.endswith("unknown field")


def test_bad_yaml(exercise_files):
    path = exercise_files.write_text("test_heel_dig.yaml", "id: test_heel_dig\nname: [unclosed\n")
    line = problem_line(exercise_files.dir)
    assert where(path, "(file)").match(line)
    assert "not valid YAML" in line


def test_not_a_mapping(exercise_files):
    path = exercise_files.write_text("test_heel_dig.yaml", "- just\n- a list\n")
    assert where(path, "(file)").match(problem_line(exercise_files.dir))


def test_id_must_match_file_name(exercise_files):
    path = exercise_files.write("test_heel_dig", filename="heel_dig.yaml")
    line = problem_line(exercise_files.dir)
    assert where(path, "id").match(line)
    assert "'heel_dig'" in line


@pytest.mark.parametrize("field", ["easier", "harder"])
def test_easier_harder_must_name_an_exercise(exercise_files, field):
    path = exercise_files.write(**{field: "no_such_exercise"})
    line = problem_line(exercise_files.dir)
    assert where(path, field).match(line)
    assert "'no_such_exercise'" in line


def test_easier_may_not_name_itself(exercise_files):
    path = exercise_files.write(easier="test_heel_dig")
    assert where(path, "easier").match(problem_line(exercise_files.dir))


def test_line_number_points_at_the_field(exercise_files):
    path = exercise_files.write(category="stretching")
    line_no = int(problem_line(exercise_files.dir).split(":")[1])
    assert path.read_text().splitlines()[line_no - 1].startswith("category:")


def test_every_problem_reported(exercise_files):
    exercise_files.write("test_one", category="stretching")
    exercise_files.write("test_two", colour="red")
    with pytest.raises(LibraryError) as caught:
        load_library(exercise_files.dir)
    assert [p.field for p in caught.value.problems] == ["category", "colour"]
    assert len(str(caught.value).splitlines()) == 2


def test_empty_directory(exercise_files):
    with pytest.raises(LibraryError, match="no exercise files"):
        load_library(exercise_files.dir)


def test_markup_refused(exercise_files):
    path = exercise_files.write(name="Heel <b>dig</b>")
    assert where(path, "name").match(problem_line(exercise_files.dir))


def test_dump_is_canonical(exercise_files):
    """Writing an exercise and reading it back gives the same exercise and the same text."""
    exercise = parse_exercise(exercise_files.write().read_text())
    text = dump_exercise(exercise)
    again = parse_exercise(text)
    assert again == exercise
    assert dump_exercise(again) == text


def test_supported_steps_need_a_supported_step(exercise_files):
    """The supported form's own steps follow the hand-hold step; without one they are an error
    naming the file and the line of `supported_steps`."""
    path = exercise_files.write(supported_steps=["Hold the counter.", "Step sideways along it."])
    line = problem_line(exercise_files.dir)
    assert where(path, "supported_steps").match(line) and "supported" in line
    line_no = int(line.split(":")[1])
    assert path.read_text().splitlines()[line_no - 1].startswith("supported_steps:")


@pytest.mark.parametrize("steps", [["Only one."], ["a", "b", "c", "d", "e"], ["Hold <b>on</b>.", "Step."]])
def test_supported_steps_are_two_to_four_plain_lines(exercise_files, steps):
    path = exercise_files.write(supported="Keep one hand on the counter all the time.", supported_steps=steps)
    assert where(path, "supported_steps").match(problem_line(exercise_files.dir))


def test_supported_steps_load(exercise_files):
    exercise_files.write(supported="Keep one hand on the counter all the time.",
                         supported_steps=["Stand side-on to the counter.", "Step sideways along it."])
    ex = load_library(exercise_files.dir)["test_heel_dig"]
    assert ex.supported_steps == ["Stand side-on to the counter.", "Step sideways along it."]
