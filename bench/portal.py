"""Portal benchmark: the saved plan-review page, the patient pages, the patient list and
the library list, served by gunicorn (sync workers) from a database holding 10,000
patients, against a bare Flask route in the same app and the same run.

    .venv/bin/python bench/portal.py [--patients 10000] [--plans 300] [--workers 3]
                                     [--duration 10] [--connections 8]
    DATABASE_URL=postgresql://user@127.0.0.1/rehab_bench .venv/bin/python bench/portal.py --patients 100000

On PostgreSQL (DATABASE_URL) the tables are vacuumed and ANALYZEd after loading, as autovacuum
does soon after a real import (fresh statistics, and the visibility map index-only scans need).

The plan-review and patient pages are asked for across many patients and saved versions
(--plans patients, each with 1-3 versions of different diagnoses), in a shuffled order, so
the figure is what clinicians opening different plans get: each version was opened once
before (saving a version leads to its page, which draws it and keeps it in the database for
every worker), each worker keeps only the last 64 versions it served (portal/rendering.py),
and the output says how many distinct versions the load walked through. (The first view
after a deploy that changes the page's code draws it again: that costs what a draft
review does.) One version asked again and again (the cache's best case) is
printed on its own line for comparison, labelled so. The draft review likewise: one draft
asked again and again (its body is kept per worker until the draft or the library changes),
and DRAFTS drafts with different answers in turn, each view drawing plan and page anew as
the first view after a change does.

DATABASE_URL is honoured (e.g. postgresql://user@127.0.0.1/rehab_bench); without it a
SQLite file in a temporary folder is used and removed afterwards. The database gets the
migrations, the library from exercises/, one clinic with a clinician, the patients, and
the saved plans. Load comes from wrk (Debian: apt-get install -y wrk) when it is on PATH,
otherwise from a bounded Python client. Prints requests/s, latency percentiles and the
ratio of each page to the bare route. The patient list's page 100 (the last page, with
fewer patients) is the one its pager's Next links lead to (keyset cursors); a bare
?page=100 (old links, read by offset) is measured too. Run it with --patients 100 and
with the default 10,000 to see that the pages stay flat as the clinic grows.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rehab.portal.rendering import VERSION_CACHE_SIZE  # noqa: E402

EMAIL, PASSWORD = "bench@example.org", "bench-clinician-login"
DRAFTS_EMAIL = "bench-drafts@example.org"  # a colleague with many unsaved plans (the bench user has one)
CLINIC = "Bench Clinic"
SECRET = "bench-secret-key-not-for-production"
FIRST = ["Alex", "Sam", "Maria", "John", "Aisha", "Chen", "Olga", "Ravi", "Emma", "Lars", "Noor", "Tom"]
LAST = ["Smith", "Jones", "Lopez", "Okafor", "Berg", "Dahl", "Khan", "Novak", "Rossi", "Silva", "Moreau", "Lee"]
INTAKE = {"diagnosis": "hamstring_strain", "grade": 2, "age": 34, "sex": "female", "side": "left",
          "findings": {"days_since_onset": 3, "nprs_rest": 2, "nprs_activity": 4, "ake_deficit_deg": 25}}
# Saved plans differ in diagnosis and findings, so their pages differ too.
INTAKES = [
    INTAKE,
    {"diagnosis": "proximal_hamstring_tendinopathy", "age": 45, "findings": {"nprs_rest": 2, "nprs_activity": 3,
                                                                             "sitting_tolerance_min": 40}},
    {"diagnosis": "sciatica_lumbar_radiculopathy", "age": 52, "findings": {"leg_nprs": 5, "slr_deg": 50,
                                                                           "neuro_exam": "normal"}},
    {"diagnosis": "ischial_bursitis", "age": 60, "findings": {"nprs_rest": 1, "nprs_activity": 2,
                                                              "sitting_tolerance_min": 35, "sitting_nprs": 2}},
    {"diagnosis": "muscle_cramps", "age": 38, "findings": {"nprs_rest": 0, "nprs_activity": 1,
                                                           "weeks_in_programme": 7, "response_24h": "stable"}},
    {"diagnosis": "lumbar_spinal_stenosis", "age": 71, "findings": {"nprs_rest": 2, "walking_tolerance_min": 10}},
]
DONE = ["diagnosis", "red_flags", "modifiers", "findings"]


# ---------------------------------------------------------------- the app gunicorn serves


def bench_app():
    """The portal with two extra routes: a bare one, the baseline for the same stack, and
    one that only makes a durable write (bench/patient.py's second baseline for the log post:
    one INSERT and a synchronous commit, through the same session and pool)."""
    from rehab import create_app
    from rehab.extensions import csrf, db

    app = create_app()

    @app.route("/bench/bare")
    def bare():
        return "ok"

    @app.route("/bench/write", methods=["POST"])
    @csrf.exempt
    def write():
        db.session.execute(db.text("INSERT INTO bench_write (at) VALUES (CURRENT_TIMESTAMP)"))
        db.session.commit()
        return "ok"

    return app


# ---------------------------------------------------------------- preparing the database


def prepare(n_patients: int, n_plans: int) -> tuple[list[tuple[int, int, int]], list]:
    """Schema, library, clinician, patients and saved plans; returns every saved version as
    (patient id, plan id, number)."""
    import flask_migrate

    from rehab import create_app
    from rehab.catalog import load_into_db
    from rehab.cli import create_user
    from rehab.config import EXERCISES_DIR
    from rehab.extensions import db
    from rehab.library.loader import load_library
    from rehab.models import Clinic, Patient, User, index_word_starts

    app = create_app()
    with app.app_context():
        flask_migrate.upgrade()
        load_into_db(load_library(EXERCISES_DIR))
        # a database kept from an earlier run (DATABASE_URL) keeps its clinician, patients and plans
        user = db.session.execute(db.select(User).filter_by(email=EMAIL)).scalar_one_or_none() or \
            create_user(EMAIL, PASSWORD, "clinician", "Bench Clinician", clinic_name=CLINIC)
        clinic_id = user.clinic_id
        have = db.session.execute(db.select(db.func.count()).select_from(Patient)
                                  .where(Patient.clinic_id == clinic_id)).scalar()
        rng = random.Random(7)
        rows = [{"clinic_id": clinic_id, "reference": f"B{i:06}", "first_name": rng.choice(FIRST),
                 "last_name": rng.choice(LAST) + ("" if i % 3 else f"-{rng.choice(LAST)}"),
                 "date_of_birth": dt.date(1940, 1, 1) + dt.timedelta(days=rng.randrange(80 * 365)),
                 "sex": rng.choice(["female", "male"])} for i in range(have, n_patients)]
        for start in range(0, len(rows), 2000):  # a bulk insert writes the word starts itself
            ids = db.session.execute(db.insert(Patient).returning(Patient.id), rows[start:start + 2000]).scalars()
            index_word_starts(db.session.connection(), ids)
        db.session.commit()
        versions = _saved_versions(clinic_id, user, n_plans, rng)
        _live_draft(versions[0][0], user)
        colleague = db.session.execute(db.select(User).filter_by(email=DRAFTS_EMAIL)).scalar_one_or_none() or \
            create_user(DRAFTS_EMAIL, PASSWORD, "clinician", "Bench Colleague", clinic_name=CLINIC)
        drafted = _many_drafts(clinic_id, colleague)
        db.session.commit()
        if db.engine.dialect.name == "postgresql":  # as autovacuum does soon after an import:
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.execute(db.text("VACUUM ANALYZE"))  # statistics and the visibility map
        total = db.session.execute(db.select(db.func.count()).select_from(Patient)).scalar()
        print(f"database: {app.config['SQLALCHEMY_DATABASE_URI'].split('@')[-1]} "
              f"({total:,} patients, clinic {db.session.get(Clinic, clinic_id).name!r}, "
              f"{len(versions)} saved versions of {len({p for p, _, _ in versions})} patients' plans)")
        db.engine.dispose()
    return versions, drafted


DRAFTS = 96  # more than each worker keeps drawn (rendering.REVIEW_CACHE_SIZE): every view draws anew


def _many_drafts(clinic_id: int, user) -> list[int]:
    """Unsaved plans for DRAFTS patients, each with other answers (diagnosis and days since
    onset), so the draft review is also measured as the first view after a change is."""
    from dataclasses import asdict

    from rehab.extensions import db
    from rehab.models import Draft as DraftRow, Patient
    from rehab.portal.wizard import Draft

    ids = db.session.execute(db.select(Patient.id).where(Patient.clinic_id == clinic_id)
                             .order_by(Patient.id.desc()).limit(DRAFTS)).scalars().all()
    have = set(db.session.execute(db.select(DraftRow.patient_id).where(
        DraftRow.user_id == user.id, DraftRow.patient_id.in_(ids))).scalars())
    for n, patient_id in enumerate(ids):
        if patient_id in have:
            continue
        intake = INTAKES[n % len(INTAKES)]
        intake = {**intake, "findings": {**intake["findings"], "days_since_onset": 2 + n}}
        db.session.add(DraftRow(patient_id=patient_id, user_id=user.id,
                                data=asdict(Draft(patient_id=patient_id, intake=intake, done=DONE))))
    db.session.commit()
    return list(ids)


def _live_draft(patient_id: int, user) -> None:
    """An unsaved plan for the first benchmark patient, so the draft review (the planner run
    live on every request) can be measured."""
    from dataclasses import asdict

    from rehab.extensions import db
    from rehab.models import Draft as DraftRow
    from rehab.portal.wizard import Draft

    if db.session.execute(db.select(DraftRow).filter_by(patient_id=patient_id, user_id=user.id)).first():
        return
    db.session.add(DraftRow(patient_id=patient_id, user_id=user.id,
                            data=asdict(Draft(patient_id=patient_id, intake=INTAKES[0], done=DONE))))
    db.session.commit()


def _saved_versions(clinic_id, user, n_plans: int, rng: random.Random) -> list[tuple[int, int, int]]:
    """(patient id, plan id, version number) of every saved version, making them the first time:
    `n_plans` patients spread over the list, each with a plan of 1-3 versions."""
    from rehab.extensions import db
    from rehab.models import Patient, Plan, PlanVersion
    from rehab.portal import operations
    from rehab.portal.wizard import Draft

    existing = db.session.execute(db.select(Plan.patient_id, PlanVersion.plan_id, PlanVersion.number)
                                  .join(Plan, PlanVersion.plan_id == Plan.id)).all()
    if existing:
        return [tuple(row) for row in existing]
    ids = db.session.execute(db.select(Patient.id).where(Patient.clinic_id == clinic_id)
                             .order_by(Patient.id)).scalars().all()
    for patient_id in rng.sample(ids, min(n_plans, len(ids))):
        patient = db.session.get(Patient, patient_id)
        intake = rng.choice(INTAKES)
        version = operations.save_draft(Draft(patient_id=patient_id, intake=intake, done=DONE), patient, user)
        for _ in range(rng.randrange(3)):  # reassessments: later versions with findings moved on
            findings = {k: (max(0, v - 1) if isinstance(v, int) and "nprs" in k else v)
                        for k, v in intake["findings"].items()}
            intake = {**intake, "findings": findings}
            version = operations.save_draft(Draft(patient_id=patient_id, plan_id=version.plan_id,
                                                  base_version=version.number, intake=intake, done=DONE),
                                            patient, user)
    return _saved_versions(clinic_id, user, n_plans, rng)


# ---------------------------------------------------------------- HTTP helpers


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/bench/bare")
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not start")


def _session_cookie(response) -> str | None:
    for header, value in response.getheaders():
        if header.lower() == "set-cookie" and value.startswith("session="):
            return value.split(";", 1)[0]
    return None


def log_in(port: int, email: str = EMAIL) -> str:
    """A logged-in session cookie, through the real login form (CSRF and all)."""
    conn = http.client.HTTPConnection("127.0.0.1", port)
    conn.request("GET", "/login")
    response = conn.getresponse()
    page = response.read().decode()
    cookie = _session_cookie(response)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    body = urlencode({"csrf_token": token, "email": email, "password": PASSWORD})
    conn.request("POST", "/login", body=body, headers={
        "Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"})
    response = conn.getresponse()
    response.read()
    if response.status != 302:
        raise SystemExit(f"login failed: {response.status}")
    return _session_cookie(response) or cookie


def follow_next(port: int, cookie: str, path: str, times: int) -> str:
    """The address the pager's "Next" link leads to after `times` clicks from `path` (the
    patient list's later pages are addressed by keyset cursors, as a clinician reaches them)."""
    conn = http.client.HTTPConnection("127.0.0.1", port)
    for _ in range(times):
        conn.request("GET", path, headers={"Cookie": cookie})
        body = conn.getresponse().read().decode()
        path = re.search(r'<a href="([^"]+)">Next', body).group(1).replace("&amp;", "&")
    return path


def check(port: int, cookie: str, path: str, expect: str) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port)
    conn.request("GET", path, headers={"Cookie": cookie})
    response = conn.getresponse()
    body = response.read().decode()
    if response.status != 200 or expect not in body:
        raise SystemExit(f"{path}: status {response.status}, {expect!r} {'found' if expect in body else 'missing'}")


def report(label: str, runs: dict[str, list[dict]]) -> None:
    """A row per name: its median round (by requests/s), that round's latencies, its ratio to
    the first row's median (the bare route), the median of its ratios to the bare route
    within each round (rounds interleave the rows, so a round's ratio compares requests
    measured minutes apart at most: steadier on a machine whose speed drifts), the errors of
    every round and the spread."""
    print(f"\n{label:30} {'req/s':>8} {'p50 ms':>7} {'p90 ms':>7} {'p99 ms':>7} {'vs bare':>7} {'per rnd':>7} "
          f"{'errors':>6}  req/s over {len(next(iter(runs.values())))} rounds")
    bare_rounds = next(iter(runs.values()))
    bare = statistics.median(r["rps"] for r in bare_rounds)
    for name, rounds in runs.items():
        per_round = statistics.median(r["rps"] / b["rps"] for r, b in zip(rounds, bare_rounds))
        rounds = sorted(rounds, key=lambda r: r["rps"])
        median = rounds[len(rounds) // 2]
        print(f"{name:30} {median['rps']:8.1f} {median['p50']:7.2f} {median['p90']:7.2f} {median['p99']:7.2f} "
              f"{median['rps'] / bare:7.3f} {per_round:7.3f} {sum(r['errors'] for r in rounds):6d}  "
              f"{rounds[0]['rps']:.0f}-{rounds[-1]['rps']:.0f}")


# ---------------------------------------------------------------- load generators


def _ms(text: str) -> float:
    value, unit = re.match(r"([\d.]+)(us|ms|s)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


WRK_SCRIPT = """
local paths = {%s}
local threads = 0
function setup(thread) thread:set("start", threads * 7919); threads = threads + 1 end
function init(args) i = start end
function request() i = i %% #paths + 1; return wrk.format("GET", paths[i]) end
"""


def load_wrk(port: int, cookie: str, paths: list[str], duration: int, connections: int) -> dict:
    """wrk, walking through `paths` in turn (a Lua script; each thread starts elsewhere)."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT % ", ".join(f'"{p}"' for p in paths))
    try:
        out = subprocess.run(["wrk", f"-t{min(connections, 2)}", f"-c{connections}", f"-d{duration}s", "--latency",
                              "-s", script.name, "-H", f"Cookie: {cookie}", f"http://127.0.0.1:{port}{paths[0]}"],
                             capture_output=True, text=True, check=True).stdout
    finally:
        os.unlink(script.name)
    result = {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))}
    for pct in ("50", "90", "99"):
        result[f"p{pct}"] = _ms(re.search(rf"^\s+{pct}%\s+(\S+)", out, re.M).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    result["errors"] = int(errors.group(1)) if errors else 0
    return result


def load_python(port: int, cookie: str, paths: list[str], duration: int, connections: int) -> dict:
    """A bounded closed-loop client: `connections` threads, keep-alive, for `duration` seconds,
    each walking through `paths` (GET, with the session cookie) in turn from its own starting point."""
    return load_requests(port, [("GET", path, None) for path in paths], duration, connections,
                         headers={"Cookie": cookie})


def load_requests(port: int, requests: list[tuple[str, str, bytes | None]], duration: int, connections: int,
                  headers: dict | None = None) -> dict:
    """`connections` threads with keep-alive, each walking `requests` (method, path, form body)
    in turn from its own starting point, for `duration` seconds, with `headers` on each (a
    session cookie). 200 and 303 count as done and are timed; anything else is an error."""
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop = time.perf_counter() + duration
    form = {"Content-Type": "application/x-www-form-urlencoded"}

    def worker(offset: int):
        conn = http.client.HTTPConnection("127.0.0.1", port)
        mine, bad = [], 0
        while time.perf_counter() < stop:
            method, path, body = requests[(offset + len(mine) + bad) % len(requests)]
            start = time.perf_counter()
            try:
                conn.request(method, path, body=body, headers={**(headers or {}), **(form if body is not None else {})})
                response = conn.getresponse()
                response.read()
            except OSError:
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port)
                bad += 1
                continue
            if response.status not in (200, 303):
                bad += 1
                continue
            mine.append((time.perf_counter() - start) * 1000)
        with lock:
            latencies.extend(mine)
            errors[0] += bad

    began = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(n * 7919,)) for n in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - began
    q = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0.0] * 99
    return {"rps": len(latencies) / elapsed, "p50": q[49], "p90": q[89], "p99": q[98], "errors": errors[0]}


# ---------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--patients", type=int, default=10_000)
    parser.add_argument("--plans", type=int, default=300, help="patients with saved plans (1-3 versions each)")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn sync workers (2-4)")
    parser.add_argument("--duration", type=int, default=10, help="seconds of load per page")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3,
                        help="pages are loaded in turn this many times; the median round is reported")
    parser.add_argument("--python-client", action="store_true", help="use the Python client even if wrk exists")
    args = parser.parse_args(argv)

    workdir = Path(tempfile.mkdtemp(prefix="rehab-bench-"))
    env = {**os.environ, "SECRET_KEY": SECRET, "REHAB_INSTANCE_PATH": str(workdir / "instance"),
           "REHAB_LOGIN_RATE_LIMIT": "1000 per minute",
           "REHAB_ACCESS_LOG": ""}  # gunicorn.conf.py: no access log, whose lines would cost time
    env.setdefault("DATABASE_URL", f"sqlite:///{workdir / 'bench.sqlite'}")
    os.environ.update(env)
    server = None
    try:
        began = time.perf_counter()
        versions, drafted = prepare(args.patients, args.plans)
        print(f"prepared in {time.perf_counter() - began:.0f} s")
        port = free_port()
        gunicorn = Path(sys.executable).with_name("gunicorn")
        server = subprocess.Popen(
            [str(gunicorn), "--workers", str(args.workers), "--worker-class", "sync", "--bind", f"127.0.0.1:{port}",
             "--pythonpath", f"{ROOT / 'bench'},{ROOT}", "--log-level", "warning", "portal:bench_app()"],
            cwd=ROOT, env=env)
        wait_for(port)
        cookie = log_in(port)
        colleague = log_in(port, DRAFTS_EMAIL)
        deep = max(1, min(100, -(-args.patients // 50)))  # page 100, or the last (50 patients a page)
        shuffled = random.Random(11).sample(versions, len(versions))
        reviews = [f"/plans/{plan}/versions/{number}" for _, plan, number in shuffled]
        patients = list(dict.fromkeys(f"/patients/{patient}" for patient, _, _ in shuffled))
        # (name, paths walked in turn, text every page shows[, whose session: the bench user's if left out])
        pages = [
            ("bare Flask route", ["/bench/bare"], "ok"),
            (f"plan review, {len(reviews)} versions", reviews, "Download the"),
            ("plan review, 1 version (cached)", reviews[:1], "Download the"),
            ("draft review, 1 draft (kept)", [f"/patients/{versions[0][0]}/plans/draft"], "Save"),
            (f"draft review, {len(drafted)} drafts",
             [f"/patients/{p}/plans/draft" for p in random.Random(5).sample(drafted, len(drafted))], "Save",
             colleague),
            (f"patient page, {len(patients)} patients", patients, "New plan"),
            ("patient list, page 1", ["/patients"], "<span>Page 1"),
            (f"patient list, page {deep}", [follow_next(port, cookie, "/patients", deep - 1)],
             f"<span>Page {deep}"),
            (f"page {deep} by ?page={deep} (offset)", [f"/patients?page={deep}"], f"<span>Page {deep}"),
            ("patient search 'smith'", ["/patients?q=smith"], "Smith"),
            ("library list", ["/library"], "Exercise library"),
        ]
        pages = [(name, paths, expect, *(who or [cookie])) for name, paths, expect, *who in pages]
        for path in reviews:  # each version opened once, as saving it does (the save leads to its page)
            check(port, cookie, path, "Download the")
        for _, paths, expect, who in pages:
            for path in paths[:3] + paths[-2:]:
                check(port, who, path, expect)
        use_wrk = shutil.which("wrk") and not args.python_client
        load = load_wrk if use_wrk else load_python
        print(f"load: {'wrk' if use_wrk else 'Python client'}, {args.connections} connections, "
              f"{args.duration} s per page per round; gunicorn {args.workers} sync workers; "
              f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} before the run")
        print(f"plan review walks {len(reviews)} saved versions (each opened once before, as saving does) in a "
              f"shuffled order; each of the {args.workers} workers keeps the last {VERSION_CACHE_SIZE} it served")
        for _, paths, _, who in pages:
            load(port, who, paths, 2, args.connections)  # warm-up
        runs: dict[str, list[dict]] = {name: [] for name, *_ in pages}
        for _ in range(args.rounds):  # interleaved, so background load spreads over every page
            for name, paths, _, who in pages:
                runs[name].append(load(port, who, paths, args.duration, args.connections))
        report("page", runs)
        return 0
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=10)
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
