"""Browser tests: a live consult server driven through Debian's Chromium with Playwright (sync API).

The server runs in a thread on its own SQLite file, migrated and seeded once per session; it never
touches the database of the other tests (tests/conftest.py empties its tables after every test).

Every page a test visits through ``visit`` is screenshotted (full page) to
test-artifacts/screenshots/<test>-<page>-<lang>.png, and any console error or uncaught page error
(a Content-Security-Policy violation is a console error) fails the test.
"""

import os
import re
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from flask import Flask
from flask_migrate import upgrade
from werkzeug.serving import make_server

from consult import create_app
from consult.config import TestingConfig
from consult.extensions import db

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
REPO_ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO_ROOT / "test-artifacts" / "screenshots"

#: language -> (browser locale, Accept-Language header)
LOCALES = {"it": ("it-IT", "it"), "en": ("en-US", "en")}
VIEWPORT = {"width": 1280, "height": 900}
TIMEOUT_MS = 10_000


def pytest_configure(config):
    config.addinivalue_line("markers", "bypass_csp: the test's browser context ignores the Content-Security-Policy")


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist reads the groups
def pytest_collection_modifyitems(items):
    """Everything under tests/e2e is a browser test. Under pytest-xdist (``--dist loadgroup``, as ``make test``
    runs) a module's tests stay together on one worker, in order, so its module-scoped server is built once."""
    here = Path(__file__).parent
    for item in items:
        if here in item.path.parents:
            item.add_marker(pytest.mark.e2e)
            item.add_marker(pytest.mark.xdist_group(f"e2e-{item.path.stem}"))


def _testing() -> dict:
    return {key: getattr(TestingConfig, key) for key in dir(TestingConfig) if key.isupper()}


@dataclass
class LiveServer:
    """A consult server running in a thread, with its app for running flask commands on its database."""

    url: str
    app: Flask

    def cli(self, *args: str) -> str:
        """Run a flask command (``seed``, ``sessions create``, ...) on the server's database; its output."""
        result = self.app.test_cli_runner().invoke(args=list(args))
        assert result.exit_code == 0, f"flask {' '.join(args)} failed: {result.exception!r}\n{result.output}"
        return result.output.strip()


@contextmanager
def serving(database: Path, **config):
    """Migrate and seed a fresh SQLite file, serve it on a random port, yield the LiveServer."""
    app = create_app({**_testing(), "SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}", **config})
    with app.app_context():
        upgrade()
        db.session.remove()
    server = LiveServer("", app)
    server.cli("seed")
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, name=f"consult-e2e-{database.stem}", daemon=True)
    thread.start()
    server.url = f"http://127.0.0.1:{httpd.server_port}"
    try:
        yield server
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=10)
        with app.app_context():
            db.engine.dispose()


@pytest.fixture(scope="session")
def live(tmp_path_factory):
    """The shared consult server, on its own migrated and seeded SQLite file."""
    with serving(tmp_path_factory.mktemp("e2e-db") / "consult-e2e.sqlite3") as server:
        yield server


@pytest.fixture(scope="session")
def live_server(live) -> str:
    """Base URL of the server the ``page`` fixture browses; a module may override it with its own."""
    return live.url


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium, headless; never a browser downloaded by Playwright."""
    if not CHROMIUM.exists():
        reason = f"browser tests need Debian's Chromium at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(f"{reason}; in CI they must run, not skip", pytrace=False)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True, timeout=30_000
        )
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def language() -> str:
    """The browser's language; parametrize ``language`` to change it."""
    return "it"


def new_context(browser, base_url: str, language: str, **options):
    locale, accept_language = LOCALES[language]
    context = browser.new_context(
        base_url=base_url,
        viewport=VIEWPORT,
        locale=locale,
        extra_http_headers={"Accept-Language": accept_language},
        **options,
    )
    context.set_default_timeout(TIMEOUT_MS)
    return context


@pytest.fixture
def page(browser, live_server, language, request):
    """A fresh page in a fresh context (no cookies), 1280x900, in ``language`` (Italian by default).

    ``@pytest.mark.bypass_csp`` is for the axe tests only: axe adds <style> elements of its own
    while it measures (colour contrast, stacking), which the strict CSP would block.
    """
    bypass_csp = request.node.get_closest_marker("bypass_csp") is not None
    context = new_context(browser, live_server, language, bypass_csp=bypass_csp)
    try:
        yield context.new_page()
    finally:
        context.close()


class Visitor:
    """Opens pages, screenshots each one and fails on console errors and uncaught page errors."""

    def __init__(self, page, test_name: str):
        self.page = page
        self.test_name = test_name
        self.errors: list[str] = []
        page.on("console", self._on_console)
        page.on("pageerror", self._on_page_error)

    def _on_page_error(self, error) -> None:
        self.errors.append(f"uncaught error on {self.page.url}: {error}")

    def _on_console(self, message) -> None:
        if message.type == "error":
            where = message.location.get("url") or self.page.url
            self.errors.append(f"console error on {self.page.url} (from {where}): {message.text}")

    def __call__(self, path: str):
        """Open ``path``, check the response, screenshot the page and check for errors."""
        response = self.page.goto(path, wait_until="load")
        if response is None or not response.ok:
            status = response.status if response else "nothing"
            pytest.fail(f"{path} answered {status} (see the server log below)", pytrace=False)
        self.settle()
        return self.page

    def settle(self) -> None:
        """Call after any navigation a test triggers itself (a click, a form)."""
        self.page.wait_for_load_state("load")
        path = urlsplit(self.page.url).path.strip("/")
        slug = re.sub(r"[^A-Za-z0-9.]+", "-", path) or "home"
        lang = self.page.evaluate("document.documentElement.lang") or "nolang"
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        # The screenshot waits for the web fonts, so a font that fails to load is reported below.
        screenshot = SCREENSHOTS / f"{self.test_name}-{slug}-{lang}.png"
        self.page.screenshot(path=screenshot, full_page=True)
        self.check_errors()

    def check_errors(self) -> None:
        errors, self.errors[:] = list(self.errors), []
        if errors:
            pytest.fail("the browser reported errors:\n  " + "\n  ".join(errors), pytrace=False)


@pytest.fixture
def visit(page, request):
    """``visit("/plan/")`` opens a page; ``visit.settle()`` after navigating in the test itself."""
    visitor = Visitor(page, re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.originalname))
    yield visitor
    # Errors that arrived after the last check (late scripts, late requests).
    visitor.check_errors()
