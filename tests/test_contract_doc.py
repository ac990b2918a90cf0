"""docs/contract.md against the code it documents: the intake models, the plan dataclasses,
the vocabularies and the CLI's options. Edit one without the other and a test here fails.

The doc's format is part of the contract with this file: one `### Object `path`` table per
JSON object (a `field` column), and one `### Title (CONSTANT)` section per vocabulary with
a `Values: ` line of backticked words.
"""

from __future__ import annotations

import dataclasses
import json
import re
import subprocess
import sys
import types
import typing
from typing import Annotated, Literal, Union, get_args, get_origin

import pytest
from pydantic import BaseModel, StringConstraints
from pydantic.fields import FieldInfo

import rehab.vocab
from rehab import config
from rehab.planner import types as plan_types
from rehab.planner.intake import Intake, parse_intake

DOC = config.ROOT / "docs" / "contract.md"
TEXT = DOC.read_text(encoding="utf-8")


# ---------------------------------------------------------------- reading the doc

def _sections(text: str) -> dict[str, str]:
    """'### heading' -> the text up to the next heading."""
    out, current = {}, None
    for line in text.splitlines():
        if line.startswith("#"):
            current = line[4:].strip() if line.startswith("### ") else None
            if current is not None:
                assert current not in out, f"heading twice: {current}"
                out[current] = ""
        elif current is not None:
            out[current] += line + "\n"
    return out


def _cells(line: str) -> list[str]:
    inner = line.strip()[1:-1]
    return [c.replace("\\|", "|").strip() for c in re.split(r"(?<!\\)\|", inner)]


def _table(body: str) -> list[dict[str, str]]:
    lines = [line for line in body.splitlines() if line.startswith("|")]
    assert len(lines) >= 3, "expected a table with a header, a rule and rows"
    header = _cells(lines[0])
    rows = [dict(zip(header, _cells(line), strict=True)) for line in lines[2:]]
    names = [r["field"] for r in rows]
    assert len(names) == len(set(names)), f"a field is listed twice: {names}"
    return rows


def _anchor(heading: str) -> str:
    """GitHub's anchor for a heading."""
    return re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-")


SECTIONS = _sections(TEXT)
OBJECTS = {m.group(1): _table(body) for h, body in SECTIONS.items()
           if (m := re.fullmatch(r"Object `([^`]+)`", h))}
VOCAB_SECTIONS = {m.group(2): (h, body) for h, body in SECTIONS.items()
                  if (m := re.fullmatch(r"(.+) \(([A-Z_]+)\)", h))}


def _values_line(body: str) -> tuple[str, ...]:
    lines = [line for line in body.splitlines() if line.startswith("Values: ")]
    assert len(lines) == 1, "expected one 'Values: ' line"
    words = [w.strip() for w in lines[0].removeprefix("Values: ").split(",")]
    assert all(re.fullmatch(r"`[^`]+`", w) for w in words), f"not a backticked comma list: {lines[0]}"
    return tuple(w.strip("`") for w in words)


DOC_VOCAB = {name: _values_line(body) for name, (_, body) in VOCAB_SECTIONS.items()}
VOCAB_BY_ANCHOR = {_anchor(h): DOC_VOCAB[name] for name, (h, _) in VOCAB_SECTIONS.items()}


# ---------------------------------------------------------------- the code's side

def _code_vocabularies() -> dict[str, tuple[str, ...]]:
    return {name: value for name, value in vars(rehab.vocab).items()
            if name.isupper() and isinstance(value, tuple) and all(isinstance(v, str) for v in value)}


def _unwrap_optional(ann):
    if get_origin(ann) in (Union, types.UnionType):
        args = [a for a in get_args(ann) if a is not type(None)]
        if len(args) == 1:
            return args[0], True
    return ann, False


def _constraints(ann, metadata: list) -> tuple[object, list]:
    """Peel Annotated layers, collecting their constraints (FieldInfo ones included)."""
    metadata = list(metadata)
    while get_origin(ann) is Annotated:
        ann, *extra = get_args(ann)
        metadata += extra
    flat = []
    for m in metadata:
        flat.extend(m.metadata if isinstance(m, FieldInfo) else [m])
    return ann, flat


def _model_field(info: FieldInfo) -> dict:
    ann, _ = _unwrap_optional(info.annotation)
    ann, meta = _constraints(ann, info.metadata)
    values = None
    if get_origin(ann) is list:
        kind = "list"
        item, meta_item = _constraints(get_args(ann)[0], [])
        meta += meta_item
        values = get_args(item) if get_origin(item) is Literal else None
    elif get_origin(ann) is Literal:
        kind, values = "string", get_args(ann)
    elif isinstance(ann, type) and issubclass(ann, BaseModel):
        kind = "object"
    else:
        kind = {int: "integer", float: "number", bool: "boolean", str: "string"}[ann]
    if info.is_required():
        default = "required"
    elif isinstance(info.default_factory, type) and issubclass(info.default_factory, BaseModel):
        default = "`{}`"
    elif info.default_factory is not None:
        default = f"`{json.dumps(info.default_factory())}`"
    elif info.default is None:
        default = "absent"
    else:
        default = f"`{json.dumps(info.default)}`"
    lo = next((m.ge for m in meta if getattr(m, "ge", None) is not None), None)
    hi = next((m.le for m in meta if getattr(m, "le", None) is not None), None)
    return {
        "type": kind, "default": default, "values": values,
        "range": None if lo is None and hi is None else (lo, hi),
        "max_items": next((m.max_length for m in meta if getattr(m, "max_length", None) is not None), None),
        "pattern": next((m.pattern for m in meta if isinstance(m, StringConstraints) and m.pattern), None),
    }


def _doc_field(row: dict[str, str]) -> dict:
    cell = row["range or values"]
    pattern = re.search(r"pattern `([^`]+)`", cell)
    rest = cell.replace(pattern.group(0), "") if pattern else cell
    links = re.findall(r"\]\(#([^)]+)\)", rest)
    assert len(links) <= 1, f"{row['field']}: one vocabulary link at most"
    values = tuple(re.findall(r"`([^`]+)`", rest)) or None
    if links:
        assert links[0] in VOCAB_BY_ANCHOR, f"{row['field']}: link #{links[0]} is not a vocabulary"
        values = VOCAB_BY_ANCHOR[links[0]]
    plain = re.sub(r"`[^`]*`|\[[^\]]*\]\([^)]*\)", "", rest)
    bounds = re.search(r"(\d+(?:\.\d+)?)-(\d+(?:\.\d+)?)", plain)
    at_most = re.search(r"at most (\d+)", plain)
    default = re.match(r"required|absent|`[^`]+`", row["default"])
    return {
        "type": row["type"], "default": default.group(0) if default else row["default"], "values": values,
        "range": tuple(float(b) for b in bounds.groups()) if bounds else None,
        "max_items": int(at_most.group(1)) if at_most else None,
        "pattern": pattern.group(1) if pattern else None,
    }


def _intake_objects() -> dict[str, type[BaseModel]]:
    """Doc path -> model, walking the intake from the top: pregnancy, red_flags.dvt, ..."""
    out, todo = {}, [("intake", Intake)]
    while todo:
        path, model = todo.pop()
        out[path] = model
        for name, info in model.model_fields.items():
            ann, _ = _unwrap_optional(info.annotation)
            if isinstance(ann, type) and issubclass(ann, BaseModel):
                todo.append((name if path == "intake" else f"{path}.{name}", ann))
    return out


def _json_type(tp) -> str:
    tp, nullable = _unwrap_optional(tp)
    if get_origin(tp) is list:
        name = "list of " + _json_type(get_args(tp)[0])
    elif dataclasses.is_dataclass(tp):
        name = "object"
    else:
        name = {int: "integer", float: "number", bool: "boolean", str: "string"}[tp]
    return name + (" or null" if nullable else "")


def _plan_objects() -> dict[str, tuple[type, dict[str, str]]]:
    """Doc path -> (dataclass, {field: JSON type}), walking the plan from the top."""
    out, todo = {}, [("plan", plan_types.Plan)]
    while todo:
        path, cls = todo.pop()
        hints = typing.get_type_hints(cls)
        out[path] = (cls, {f.name: _json_type(hints[f.name]) for f in dataclasses.fields(cls)})
        for f in dataclasses.fields(cls):
            tp, _ = _unwrap_optional(hints[f.name])
            suffix = ""
            if get_origin(tp) is list:
                tp, suffix = get_args(tp)[0], "[]"
            if dataclasses.is_dataclass(tp):
                todo.append(((f.name if path == "plan" else f"{path}.{f.name}") + suffix, tp))
    return out


INTAKE_OBJECTS = _intake_objects()
PLAN_OBJECTS = _plan_objects()


# ---------------------------------------------------------------- the tests

def test_every_object_is_documented_and_nothing_else():
    assert sorted(OBJECTS) == sorted([*INTAKE_OBJECTS, *PLAN_OBJECTS])


@pytest.mark.parametrize("path", sorted(INTAKE_OBJECTS))
def test_intake_object_matches_its_model(path):
    model = INTAKE_OBJECTS[path]
    rows = {r["field"]: r for r in OBJECTS.get(path, [])}
    assert sorted(rows) == sorted(model.model_fields), f"{path}: fields differ"
    for name, info in model.model_fields.items():
        assert _doc_field(rows[name]) == _model_field(info), f"{path}.{name}"


@pytest.mark.parametrize("path", sorted(PLAN_OBJECTS))
def test_plan_object_matches_its_dataclass(path):
    _, expected = PLAN_OBJECTS[path]
    documented = {r["field"]: r["type"] for r in OBJECTS.get(path, [])}
    assert documented == expected, f"{path}: fields or types differ"


def test_every_vocabulary_is_documented_exactly():
    assert DOC_VOCAB == _code_vocabularies()


def test_red_flag_fields_are_the_red_flag_vocabulary():
    assert [r["field"] for r in OBJECTS["red_flags"] if r["type"] == "boolean"] == \
        list(DOC_VOCAB["RED_FLAGS"])


def test_every_link_in_the_doc_resolves():
    anchors = {_anchor(line.lstrip("#").strip()) for line in TEXT.splitlines() if line.startswith("#")}
    links = set(re.findall(r"\]\(#([^)]+)\)", TEXT))
    assert links and links <= anchors


def _examples() -> list[object]:
    return [json.loads(block) for block in re.findall(r"```json\n(.*?)```", TEXT, re.S)]


def test_the_intake_example_is_valid():
    intake = parse_intake(_examples()[0])
    assert intake.activity_level and intake.previous_phase and intake.findings.medical_clearance


def _keys_match(data: dict, path: str) -> list[str]:
    cls, _ = PLAN_OBJECTS[path]
    problems = [] if set(data) == {f.name for f in dataclasses.fields(cls)} else [f"{path}: {sorted(data)}"]
    for child in PLAN_OBJECTS:
        prefix = "" if path == "plan" else path + "."
        name = child.removeprefix(prefix).removesuffix("[]")
        if child.startswith(prefix) and "." not in name and child != path and name in data:
            value = data[name]
            for entry in (value if isinstance(value, list) else [value]):
                problems += _keys_match(entry, child)
    return problems


def test_the_plan_example_has_every_field():
    assert _keys_match(_examples()[1], "plan") == []


def test_cli_options_are_the_documented_ones():
    help_text = subprocess.run([sys.executable, "-m", "rehab", "plan", "--help"], capture_output=True,
                               text=True, timeout=60, check=True).stdout
    in_code = set(re.findall(r"(--[a-z][a-z-]*)", help_text)) - {"--help"}
    command_line = TEXT.split("## Command line", 1)[1].split("\n## ", 1)[0]
    options = [_cells(line)[0] for line in command_line.splitlines() if line.startswith("| `--")]
    in_doc = {re.match(r"`(--[a-z-]+)", cell).group(1) for cell in options}
    assert in_doc == in_code


def test_exit_codes_are_documented():
    command_line = TEXT.split("## Command line", 1)[1].split("\n## ", 1)[0]
    codes = [int(_cells(line)[0]) for line in command_line.splitlines() if re.match(r"\| \d \|", line)]
    assert codes == [0, 1, 2]
