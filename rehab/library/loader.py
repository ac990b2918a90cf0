"""Read and write exercise files (YAML, one per exercise, named <id>.yaml).

Errors name the file, the line and the field, so whoever edits a file by hand
can find the mistake; `dump_exercise` writes the one canonical form, so loading
a file and writing it back gives the same bytes.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml
from pydantic import ValidationError

from .schema import Exercise


@dataclass(frozen=True)
class Problem:
    path: str
    line: int | None
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.field}: {self.message}"


class LibraryError(ValueError):
    """One or more problems in the library files; str() is one line per problem."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


def _line_of(node, loc: tuple) -> int | None:
    """Follow a pydantic error location through the YAML node tree to a line number."""
    line = node.start_mark.line + 1 if node is not None else None
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            match = next((v for k, v in node.value if k.value == str(part)), None)
            key = next((k for k, v in node.value if k.value == str(part)), None)
            if match is None:
                return line
            line = key.start_mark.line + 1
            node = match
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
            line = node.start_mark.line + 1
        else:
            return line
    return line


def _field_name(loc: tuple) -> str:
    parts = [str(p) for p in loc if not str(p).startswith(("literal[", "function-", "constrained-str"))]
    return ".".join(parts) or "(file)"


def parse_exercise(text: str, path: str = "<text>") -> Exercise:
    """Parse and validate one exercise file's text."""
    try:
        data = yaml.load(text, Loader=_FastLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise LibraryError([Problem(path, mark.line + 1 if mark else None, "(file)",
                                    f"not valid YAML: {getattr(exc, 'problem', exc)}")]) from None
    if not isinstance(data, dict):
        raise LibraryError([Problem(path, 1, "(file)", "must be a mapping of field: value")])
    try:
        return Exercise.model_validate(data)
    except ValidationError as exc:
        node = yaml.compose(text, Loader=yaml.SafeLoader)  # only now: for line numbers
        problems = []
        for err in exc.errors():
            loc = err["loc"]
            message = err["msg"]
            if err["type"] == "extra_forbidden":
                message = "unknown field"
            elif err["type"] == "literal_error":
                message = f"unknown value {err['input']!r}; {err['msg'].lower()}"
            problems.append(Problem(path, _line_of(node, loc), _field_name(loc), message))
        raise LibraryError(problems) from None


def load_exercise_file(path: Path) -> Exercise:
    exercise = parse_exercise(path.read_text(encoding="utf-8"), str(path))
    if path.stem != exercise.id:
        raise LibraryError([Problem(str(path), 1, "id", f"must match the file name ({path.stem!r})")])
    return exercise


def load_library(directory: Path) -> dict[str, Exercise]:
    """Load every <id>.yaml in `directory`; collect every problem before raising."""
    exercises: dict[str, Exercise] = {}
    problems: list[Problem] = []
    for path in sorted(Path(directory).glob("*.yaml")):
        try:
            exercises[path.stem] = load_exercise_file(path)
        except LibraryError as exc:
            problems.extend(exc.problems)
    problems.extend(cross_check(exercises, directory))
    if problems:
        raise LibraryError(problems)
    if not exercises:
        raise LibraryError([Problem(str(directory), None, "(library)", "no exercise files found")])
    return exercises


def cross_check(exercises: dict[str, Exercise], directory: Path | str = "") -> list[Problem]:
    """Checks that need the whole library: easier/harder must name real exercises."""
    problems = []
    for ex in exercises.values():
        for field in ("easier", "harder"):
            target = getattr(ex, field)
            if target is not None and (target not in exercises or target == ex.id):
                path = Path(directory) / f"{ex.id}.yaml"
                problems.append(Problem(str(path), _key_line(path, field), field,
                                        f"names no other exercise in the library: {target!r}"))
    return problems


def _key_line(path: Path, key: str) -> int | None:
    """The line of a top-level `key:` in a file, for problems found after parsing."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return None
    return next((n for n, line in enumerate(lines, 1) if line.startswith(f"{key}:")), None)


_FastLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when available


class _Dumper(yaml.SafeDumper):
    pass


def _represent_list(dumper, data):
    flow = all(isinstance(x, (str, int, float, bool)) for x in data) and len(repr(data)) < 70
    if any(isinstance(x, str) and len(x) > 40 for x in data):
        flow = False
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=flow)


def _represent_dict(dumper, data):
    flow = all(isinstance(v, (int, bool, str)) for v in data.values()) and "body" in data
    return dumper.represent_mapping("tag:yaml.org,2002:map", data.items(), flow_style=flow)


_Dumper.add_representer(list, _represent_list)
_Dumper.add_representer(dict, _represent_dict)


def exercise_to_data(exercise: Exercise) -> dict:
    """The exercise as plain data, leaving out fields at their default."""
    return exercise.model_dump(mode="json", exclude_defaults=True)


def dump_exercise(exercise: Exercise) -> str:
    """The canonical text of an exercise file."""
    return yaml.dump(exercise_to_data(exercise), Dumper=_Dumper, sort_keys=False,
                     allow_unicode=True, width=88, default_flow_style=False)
