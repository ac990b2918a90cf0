"""`python -m rehab plan --input FILE|- --json|--pdf OUT`: the planner contract's CLI.

Kept free of Flask and the database so it starts fast and works on a fresh clone.
Exit codes: 0 a plan or a refusal, 2 invalid input (the field is named), 1 anything else.
The input may carry the clinician's changes as {"intake": ..., "adjustments": [...]}, as the API.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from rehab.config import EXERCISES_DIR, MAX_CONTENT_LENGTH
from rehab.jsonlimits import MAX_JSON_DEPTH, clip, too_deep


class InputRefused(ValueError):
    """The input is too large or too deep to be an intake (exit 2)."""


def _read_intake(source: str) -> object:
    """The intake JSON, read up to MAX_CONTENT_LENGTH bytes (the portal's limit too)."""
    if source == "-":
        data = sys.stdin.buffer.read(MAX_CONTENT_LENGTH + 1)
    else:
        with open(source, "rb") as handle:
            data = handle.read(MAX_CONTENT_LENGTH + 1)
    if len(data) > MAX_CONTENT_LENGTH:
        raise InputRefused(f"larger than {MAX_CONTENT_LENGTH // 1024} KB ({MAX_CONTENT_LENGTH} bytes); "
                           "an intake is a few KB")
    text = data.decode("utf-8")
    if too_deep(text):
        raise InputRefused(f"JSON nested deeper than {MAX_JSON_DEPTH} levels")
    return json.loads(text)


def plan_command(args: argparse.Namespace) -> int:
    from rehab.library.loader import LibraryError, load_library
    from rehab.planner import AdjustmentError, IntakeError, apply_adjustments, parse_intake

    try:
        raw = _read_intake(args.input)
    except FileNotFoundError:
        print(f"error: input: no such file: {clip(args.input)}", file=sys.stderr)
        return 2
    except InputRefused as exc:
        print(f"error: input: {exc}", file=sys.stderr)
        return 2
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        print(f"error: input: not valid JSON: {clip(str(exc))}", file=sys.stderr)
        return 2
    try:
        intake = parse_intake(raw)
    except IntakeError as exc:
        print(f"error: {clip(str(exc), 400)}", file=sys.stderr)
        return 2
    try:
        library = load_library(Path(args.library))
    except LibraryError as exc:
        print(f"error: exercise library is invalid:\n{exc}", file=sys.stderr)
        return 1
    # {"intake": ..., "adjustments": [...]} as the API takes it: the clinician's changes.
    adjustments = raw.get("adjustments", []) if isinstance(raw, dict) and "intake" in raw else []
    try:
        plan = apply_adjustments(intake, library, adjustments)
    except AdjustmentError as exc:
        print(f"error: {exc.field}: {exc.reason}", file=sys.stderr)
        return 2
    if args.pdf:
        Path(args.pdf).write_bytes(_pdf(plan, intake, raw, library, args))
    if args.json or not args.pdf:
        json.dump(plan.to_dict(), sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
    return 0


def _pdf(plan, intake, raw, library, args) -> bytes:
    """The printable plan, or the referral letter when the plan is refused."""
    import datetime as dt
    import hashlib

    from rehab.pdf import PrintDetails, render_plan, render_referral_letter

    from rehab.config import clinic_from_env
    from rehab.pdf.details import ClinicContact

    digest = hashlib.sha256(json.dumps(raw, sort_keys=True).encode()).hexdigest()[:8]
    clinic = ClinicContact(**clinic_from_env())
    details = PrintDetails(
        clinic_name=clinic.name, clinic=clinic, clinician_name=args.clinician, clinician_role=args.clinician_role,
        patient_name=args.patient, patient_reference="", plan_date=dt.date.today(), side=intake.side,
        plan_id=f"CLI-{digest}", plan_version=1, page_size=args.page_size, large_print=args.large_print,
        all_phases=args.all_phases, age=intake.age, sex=intake.sex if intake.sex != "unspecified" else "")
    if not plan.allowed:  # the letter reads the intake in any accepted form (the examples' too)
        return render_referral_letter(plan, details, raw if isinstance(raw, dict) else None)
    figures = {i.exercise_id: library[i.exercise_id].figure for p in plan.phases for i in p.items}
    return render_plan(plan, details, figures)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m rehab", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    plan = sub.add_parser("plan", help="build a plan from an intake JSON file")
    plan.add_argument("--input", required=True, help="intake JSON file, or - for standard input")
    plan.add_argument("--json", action="store_true", help="print the plan as JSON on stdout")
    plan.add_argument("--pdf", metavar="OUT", help="write the printable plan (or referral letter)")
    plan.add_argument("--patient", default="", help="patient name printed on the PDF")
    plan.add_argument("--clinician", default="", help="clinician name printed on the PDF")
    plan.add_argument("--page-size", choices=["A4", "Letter"], default="A4")
    plan.add_argument("--clinician-role", default="", help="the clinician's job title, printed after the name")
    plan.add_argument("--large-print", action="store_true", help="bigger type and figures")
    plan.add_argument("--all-phases", action="store_true", help="print every later phase in full, with doses")
    plan.add_argument("--library", default=str(EXERCISES_DIR), help=argparse.SUPPRESS)
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on bad usage, which matches the contract
        return int(exc.code or 0)
    try:
        return plan_command(args)
    except Exception as exc:  # noqa: BLE001 - the contract: exit 1, never a traceback
        print(f"error: {type(exc).__name__}: {clip(str(exc))}", file=sys.stderr)
        return 1




if __name__ == "__main__":
    sys.exit(main())
