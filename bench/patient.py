"""Patient page benchmark: the patient's own plan page (rehab.mine) and a daily-log post,
served by gunicorn (sync workers), against a bare Flask route in the same app and run.

    .venv/bin/python bench/patient.py [--patients 2000] [--links 100] [--workers 3]
                                      [--duration 8] [--connections 8] [--rounds 3]
    DATABASE_URL=postgresql://user@127.0.0.1/rehab_bench .venv/bin/python bench/patient.py

The database is prepared as bench/portal.py does (migrations, library, a clinic, patients,
saved plans of several diagnoses); each plan's latest version gets a private link. The
page is asked for across every link in a shuffled order; the log post writes (or corrects)
today's row of each link in turn, with ticks, pain and a note, through the real form token
and the per-link write limit (counted on the link's row, set high enough not to refuse).
The target is at least 0.3x the bare route's requests per second, for both. A second
baseline, a route that makes one durable write (an INSERT and a synchronous commit through
the same session and pool) and nothing else, shows what any write costs on this stack: the
log post is also given as a ratio to it.

Load comes from a bounded closed-loop Python client (keep-alive connections in threads),
the same for every row, so the ratios compare like with like. Without DATABASE_URL a
SQLite file in a temporary folder is used and removed afterwards; DATABASE_URL must name
an empty database (as for bench/portal.py, whose preparation this reuses).

Per request, the page makes one query (the link with its version head, patient and clinic;
the last seven days; the PSFS state; whether this view is already in the audit) and writes
its audit row only on a link's first view within audit.VIEW_WINDOW (committed asynchronously
on PostgreSQL, rehab.mine.views._commit): the links are few and asked for again and again,
so nearly every timed view is a repeat that writes nothing. The version's exercises are
drawn once per worker. A log post is one transaction of four statements and one commit: the
write limit's count on the link's row (one UPDATE, whose row lock lets one write of the link
run at a time), one read of the link, its state and the day's row, the day's row written,
and its audit entry. The posted days call for no advice (pain 0-6), so on PostgreSQL they
commit without waiting for the disk, as a patient's routine day does (a day that raises an
alert waits). Each round starts with ANALYZE (see analyze()).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from portal import (SECRET, free_port, load_requests as load, prepare, report,  # noqa: E402  (bench/portal.py)
                    wait_for)


def give_links(versions: list[tuple[int, int, int]], limit: int) -> list[tuple[str, str, list[str]]]:
    """(token, form token, tickable boxes) for the latest version of up to `limit` plans."""
    from rehab import create_app, patient_link, patient_log
    from rehab.extensions import db
    from rehab.models import PlanVersion
    from rehab.portal.snapshot import plan_from_dict

    latest: dict[int, tuple[int, int]] = {}
    for patient_id, plan_id, number in versions:
        if number >= latest.get(plan_id, (0, 0))[1]:
            latest[plan_id] = (patient_id, number)
    app = create_app()
    out = []
    with app.app_context():
        for plan_id, (patient_id, number) in list(latest.items())[:limit]:
            version = db.session.execute(db.select(PlanVersion).filter_by(plan_id=plan_id, number=number)).scalar_one()
            if not version.plan.get("allowed"):
                continue
            link, _ = patient_link.give(version, patient_id, None, 12, SECRET)
            db.session.commit()
            items = patient_log.tracked_items(plan_from_dict(version.plan))
            out.append((patient_link.token_for(SECRET, link.salt), patient_link.form_token(SECRET, link),
                        [f"{item.exercise_id}:1" for item in items]))
        db.engine.dispose()
    return out


def make_write_table() -> None:
    """The bare durable write's table (bench_app's /bench/write): one row per request."""
    from rehab import create_app
    from rehab.extensions import db

    table = db.Table("bench_write", db.MetaData(), db.Column("id", db.Integer, primary_key=True),
                     db.Column("at", db.DateTime))
    with create_app().app_context():
        table.create(db.engine, checkfirst=True)
        db.engine.dispose()


def analyze() -> None:
    """Refresh the planner's statistics, outside the timed loads. Each round's log posts add
    thousands of audit entries, a table that grows a hundredfold in a minute, as no clinic's
    does; until autovacuum caught up, the page's query was planned for the empty table (its
    audit check read every patient entry, not its index: 1.5 ms instead of 0.2), and the
    page's figures swung by half between rounds."""
    from sqlalchemy import create_engine, text

    from rehab.config import normalise_database_url

    engine = create_engine(normalise_database_url(os.environ["DATABASE_URL"]), isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text("ANALYZE"))
    engine.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--patients", type=int, default=2000)
    parser.add_argument("--links", type=int, default=100, help="plans whose latest version gets a link")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn sync workers")
    parser.add_argument("--duration", type=int, default=8, help="seconds of load per row per round")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3, help="rows are loaded in turn; the median round is shown")
    args = parser.parse_args(argv)

    workdir = Path(tempfile.mkdtemp(prefix="rehab-bench-patient-"))
    env = {**os.environ, "SECRET_KEY": SECRET, "REHAB_INSTANCE_PATH": str(workdir / "instance"),
           "REHAB_PATIENT_WRITE_LIMIT": "1000000 per hour", "REHAB_ACCESS_LOG": ""}
    env.setdefault("DATABASE_URL", f"sqlite:///{workdir / 'bench.sqlite'}")
    os.environ.update(env)
    server = None
    try:
        versions, _drafted = prepare(args.patients, args.links)
        links = give_links(versions, args.links)
        make_write_table()
        port = free_port()
        gunicorn = Path(sys.executable).with_name("gunicorn")
        server = subprocess.Popen(
            [str(gunicorn), "--workers", str(args.workers), "--worker-class", "sync", "--bind", f"127.0.0.1:{port}",
             "--pythonpath", f"{ROOT / 'bench'},{ROOT}", "--log-level", "warning", "portal:bench_app()"],
            cwd=ROOT, env=env)
        wait_for(port)
        rng = random.Random(5)
        shuffled = rng.sample(links, len(links))
        today = dt.date.today().isoformat()
        pages = [("GET", f"/p/{token}", None) for token, _, _ in shuffled]
        posts = [("POST", f"/p/{token}/log", urlencode(
            [("form_token", form_token), ("day", today), ("pain", str(rng.randrange(0, 7))),
             ("note", "Stiff after sitting, better after the walk.")] + [("done", box) for box in boxes]).encode())
            for token, form_token, boxes in shuffled]
        rows = [("bare Flask route", [("GET", "/bench/bare", None)]),
                ("bare durable write", [("POST", "/bench/write", b"")]),
                (f"patient page, {len(pages)} links", pages),
                (f"log post, {len(posts)} links", posts)]
        for name, requests in rows:  # every request works before anything is timed
            result = load(port, requests[:3], 1, 1)
            if result["errors"]:
                raise SystemExit(f"{name}: {result['errors']} failed requests")
        print(f"database: {os.environ['DATABASE_URL'].split('@')[-1]}; {len(links)} links; gunicorn "
              f"{args.workers} sync workers; {args.connections} connections, {args.duration} s per row per "
              f"round; {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} before the run")
        runs: dict[str, list[dict]] = {name: [] for name, _ in rows}
        for _ in range(args.rounds):  # interleaved, so background load spreads over every row
            analyze()
            for name, requests in rows:
                runs[name].append(load(port, requests, args.duration, args.connections))
        report("request", runs)
        write, post = (statistics.median(r["rps"] for r in runs[name]) for name in (rows[1][0], rows[3][0]))
        print(f"\ntarget: the patient page and the log post at >= 0.300 x the bare route; "
              f"the log post is {post / write:.3f} x the bare durable write (one INSERT and commit)")
        return 0
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=10)
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
