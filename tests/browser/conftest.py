"""Browser fixtures: the portal served from a background thread, and headless Chromium.

Debian's /usr/bin/chromium is driven by Playwright (never `playwright install`).
Without it the tests are skipped, except under CI, where they must run.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from rehab import config, create_app

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def pytest_collection_modifyitems(config, items):
    if Path(CHROMIUM).exists() or os.environ.get("CI"):
        return
    skip = pytest.mark.skip(reason=f"{CHROMIUM} is missing (apt-get install -y chromium)")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def live_server(app, _migrated, _instance_path, monkeypatch):
    """The portal on 127.0.0.1:<free port> against the test database, with CSRF switched on."""
    monkeypatch.setenv("REHAB_INSTANCE_PATH", str(_instance_path))
    served = create_app({**config.TEST, "SQLALCHEMY_DATABASE_URI": _migrated, "WTF_CSRF_ENABLED": True})
    server = make_server("127.0.0.1", 0, served, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)
    with served.app_context():
        from rehab.extensions import db

        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server, accept_downloads=True,
                                  viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    # 422 answers are expected (refused input); a missing file (the favicon too) is not.
    page.on("response", lambda r: errors.append(f"{r.status} {r.url}")
            if r.status == 404 else None)
    page.js_errors = errors
    yield page
    context.close()


@pytest.fixture
def shots(tmp_path, request):
    """shots(page, name): a full-page screenshot into tmp_path (or $REHAB_SCREENSHOT_DIR/<test>)."""
    base = os.environ.get("REHAB_SCREENSHOT_DIR")
    directory = Path(base) / request.node.name if base else tmp_path / "screenshots"
    directory.mkdir(parents=True, exist_ok=True)
    counter = iter(range(1, 100))

    def shoot(page, name: str) -> Path:
        path = directory / f"{next(counter):02}-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    shoot.directory = directory
    return shoot
