"""Login timing: a wrong password for an existing account beside an unknown email, with
the production password hash (scrypt). The two medians should be within a few percent:
the unknown email costs a dummy hash check (issue #11 finding 7: 68 ms against 4 ms).
Run with `.venv/bin/python bench/login.py`; uses a SQLite file in a temporary folder."""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rehab import config, create_app  # noqa: E402

ROUNDS = 15


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["REHAB_INSTANCE_PATH"] = tmp
        app = create_app({**config.TEST, "PASSWORD_HASH_METHOD": "scrypt",
                          "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/bench.sqlite"})
        with app.app_context():
            import flask_migrate

            from rehab.cli import create_user

            import logging

            logging.getLogger("alembic").setLevel(logging.WARNING)
            flask_migrate.upgrade()
            create_user("known@example.org", "a long enough passphrase", "clinician")
        client = app.test_client()

        def timed(email: str) -> float:
            start = time.perf_counter()
            client.post("/login", data={"email": email, "password": "not the right passphrase"})
            return (time.perf_counter() - start) * 1000

        timed("warm@example.org")
        known, unknown = [], []
        for i in range(ROUNDS):  # interleaved, so a busy machine slows both alike
            known.append(timed("known@example.org"))
            unknown.append(timed(f"nobody{i}@example.org"))
        k, u = statistics.median(known), statistics.median(unknown)
        print(f"wrong password, existing account: median {k:.1f} ms over {ROUNDS}")
        print(f"unknown email:                    median {u:.1f} ms over {ROUNDS}")
        print(f"ratio unknown/existing: {u / k:.2f} (1.00 = indistinguishable)")


if __name__ == "__main__":
    main()
