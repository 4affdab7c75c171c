"""Results in a real browser: a planner reads the metropolitan view of a consultation held in all 11 zones
(the `flask demo` data), switches method and weighting, opens a zone's results; axe on each page."""

import re
import threading
from types import SimpleNamespace

import pytest
from axe_playwright_python.sync_playwright import Axe
from flask_migrate import upgrade
from playwright.sync_api import expect
from werkzeug.serving import make_server

from consult import create_app
from consult.extensions import db
from tests.e2e.conftest import SCREENSHOTS, _testing
from tests.e2e.test_public_pages import BLOCKING_IMPACTS, describe

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory):
    """A consult server of its own, loaded with `flask demo`: a published consultation in all 11 zones and
    an open one; the demo accounts' password comes from the command's output."""
    database = tmp_path_factory.mktemp("e2e-results-db") / "consult-e2e-results.sqlite3"
    app = create_app({**_testing(), "SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}"})
    runner = app.test_cli_runner()
    with app.app_context():
        upgrade()
        for command in (["seed"], ["demo"]):
            result = runner.invoke(args=command)
            assert result.exit_code == 0, result.output
        password = re.search(r"pianificazione@demo\.example\.org\s+(\S+)", result.output).group(1)
        db.session.remove()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="consult-e2e-results", daemon=True)
    thread.start()
    try:
        yield SimpleNamespace(url=f"http://127.0.0.1:{server.server_port}", password=password)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
        with app.app_context():
            db.engine.dispose()


@pytest.fixture(scope="module")
def live_server(demo_server):
    """The page fixture's server is this module's own."""
    return demo_server.url


def sign_in(page, visit, email: str, password: str) -> None:
    visit("/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(password)
    with page.expect_navigation(wait_until="load"):
        page.locator("main form button[type=submit]").click()
    visit.settle()


def shot(page, name: str) -> None:
    """A full-page screenshot under a name of its own (the visit fixture names them by path, not query)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"test_results-{name}.png", full_page=True)


def check_accessibility(page, what: str) -> None:
    violations = Axe().run(page).response["violations"]
    blocking = [v for v in violations if v["impact"] in BLOCKING_IMPACTS]
    minor = [v for v in violations if v["impact"] not in BLOCKING_IMPACTS]
    if minor:
        print(f"axe, minor or moderate, {what}:\n{describe(minor)}")
    if blocking:
        pytest.fail(f"axe: serious or critical violations on {what}:\n{describe(blocking)}", pytrace=False)


def chart_codes(page) -> list[str]:
    """The strategy codes of the bar chart, top to bottom (SVG text has no innerText)."""
    return page.locator(".results-chart-code").all_text_contents()


@pytest.mark.bypass_csp  # axe adds <style> elements of its own: see test_public_pages.py
def test_planner_reads_the_metropolitan_results(visit, page, demo_server):
    sign_in(page, visit, "pianificazione@demo.example.org", demo_server.password)
    visit("/results")
    expect(page.get_by_role("heading", level=1)).to_have_text("Risultati delle consultazioni")
    check_accessibility(page, "the results index")

    with page.expect_navigation(wait_until="load"):
        page.get_by_role("link", name=re.compile("Risultati metropolitani.*Dalle strategie alle azioni")).click()
    visit.settle()
    expect(page.get_by_role("heading", level=1)).to_have_text("Dalle strategie alle azioni — dicembre 2023")
    expect(page.get_by_role("heading", name="Come è stato contato")).to_be_visible()
    expect(page.locator(".results-heatmap thead th")).to_have_count(2 + 11)  # strategy, metro, the 11 zones
    expect(page.locator(".results-zone")).to_have_count(11)
    expect(
        page.get_by_role("img", name=re.compile("Classifica metropolitana, Conteggio di Borda, Zone alla pari"))
    ).to_be_visible()
    equal_borda = chart_codes(page)
    assert len(equal_borda) == 27
    check_accessibility(page, "the metropolitan results")

    # Schulze: the method switcher is a set of links; the current one is marked.
    with page.expect_navigation(wait_until="load"):
        page.get_by_role("link", name="Metodo Schulze").click()
    visit.settle()
    expect(page.get_by_role("link", name="Metodo Schulze")).to_have_attribute("aria-current", "page")
    expect(page.locator("table.results-table thead")).to_contain_text("Strategie battute")
    shot(page, "metro-schulze-equal")

    # Population: Torino weighs most, and the page says what the weighting means.
    with page.expect_navigation(wait_until="load"):
        page.get_by_role("link", name="Per popolazione").click()
    visit.settle()
    assert "weighting=population" in page.url and "method=schulze" in page.url
    expect(page.get_by_role("link", name="Per popolazione")).to_have_attribute("aria-current", "page")
    expect(page.locator(".results-how")).to_contain_text("La classifica di ogni zona pesa quanto i suoi abitanti")
    torino = page.locator("table caption", has_text="Per zona").locator("xpath=..").locator("tbody tr").first
    expect(torino).to_contain_text("Torino")
    expect(torino.locator("td").last).to_have_text("38,8%")  # 869,312 of 2,243,382 inhabitants
    shot(page, "metro-schulze-population")
    # Pooled, for comparison, with Borda again.
    with page.expect_navigation(wait_until="load"):
        page.get_by_role("link", name="Tutte le classifiche insieme").click()
    visit.settle()
    with page.expect_navigation(wait_until="load"):
        page.get_by_role("link", name="Conteggio di Borda").click()
    visit.settle()
    assert "weighting=pooled" in page.url and "method=borda" in page.url
    assert sorted(chart_codes(page)) == sorted(equal_borda)
    shot(page, "metro-borda-pooled")
    check_accessibility(page, "the metropolitan results, pooled")

    # A zone's results from the index, then the PDF link answers with a PDF.
    visit("/results")
    with page.expect_navigation(wait_until="load"):
        page.get_by_role("link", name="Dalle strategie alle azioni — dicembre 2023 — Pinerolese").click()
    visit.settle()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Pinerolese")
    check_accessibility(page, "a session's results")
    response = page.request.get(page.get_by_role("link", name="Documento di sintesi (PDF)").get_attribute("href"))
    assert response.ok and response.body().startswith(b"%PDF")


@pytest.mark.parametrize("language", ["en"])
def test_metropolitan_results_in_english(visit, page, language):
    visit("/results")
    with page.expect_navigation(wait_until="load"):
        page.get_by_role("link", name=re.compile("Metropolitan results")).first.click()
    visit.settle()
    expect(page.get_by_role("heading", name="How it was counted")).to_be_visible()
    expect(page.get_by_role("heading", name="Map of positions by zone")).to_be_visible()


def test_live_results_of_an_open_session_can_be_paused(visit, page, demo_server):
    sign_in(page, visit, "pianificazione@demo.example.org", demo_server.password)
    visit("/results")
    with page.expect_navigation(wait_until="load"):
        page.get_by_role("link", name=re.compile("Incontri periodici 2026.*Torino$")).click()
    visit.settle()
    pause = page.get_by_role("button", name="Sospendi l’aggiornamento automatico")
    expect(pause).to_be_visible()
    pause.click()
    resume = page.get_by_role("button", name="Riprendi l’aggiornamento automatico")
    expect(resume).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#results-live-status")).to_have_attribute("aria-live", "polite")
