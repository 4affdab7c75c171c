"""Monitoring in a real browser: the public pages in both languages (axe), and a planner accepting suggested links."""

import re
from types import SimpleNamespace

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.e2e.conftest import SCREENSHOTS, serving
from tests.e2e.test_public_pages import BLOCKING_IMPACTS, describe

pytestmark = pytest.mark.e2e

PASSWORD = "monitoring e2e planner 2026"
PLANNER = "planner.monitoring@example.org"


def check_accessibility(page, what: str) -> None:
    violations = Axe().run(page).response["violations"]
    blocking = [v for v in violations if v["impact"] in BLOCKING_IMPACTS]
    if blocking:
        pytest.fail(f"axe: serious or critical violations on {what}:\n{describe(blocking)}", pytrace=False)


@pytest.fixture(scope="module")
def monitoring_server(tmp_path_factory):
    """A server of its own (seeded, so with Turin's report for Zona 1): a planner, and an open Zona 1 session."""
    with serving(tmp_path_factory.mktemp("e2e-monitoring-db") / "consult-e2e-monitoring.sqlite3") as server:
        result = server.app.test_cli_runner().invoke(
            args=["users", "create", PLANNER, "--role", "planner"], input=PASSWORD + "\n"
        )
        assert result.exit_code == 0, result.output
        consultation = server.cli("consultations", "create", "--title", "Dalle strategie alle azioni")
        session_id = server.cli("sessions", "create", consultation, "--zone", "1", "--title", "Torino")
        server.cli("sessions", "set-state", session_id, "open")
        codes = server.cli("codes", "generate", session_id, "4").split()
        yield SimpleNamespace(url=server.url, session=f"/zones/1/sessions/{session_id}", codes=codes)


@pytest.fixture(scope="module")
def live_server(monitoring_server):
    """The page fixture's server is this module's own."""
    return monitoring_server.url


@pytest.fixture(scope="module")
def planner(monitoring_server):
    return PLANNER


@pytest.mark.bypass_csp  # axe adds <style> elements of its own: see test_public_pages.py
@pytest.mark.parametrize("language", ["it", "en"])
def test_monitoring_pages_read_and_pass_axe(visit, page, language):
    page = visit("/monitoring/")
    heading = {"it": "Monitoraggio: cosa è già in corso", "en": "Monitoring: what is already under way"}
    expect(page.locator("main h1")).to_have_text(heading[language])
    expect(page.locator("main table caption")).to_have_count(2)  # the chart's data table and the programmes'
    expect(page.locator("main figure svg rect").first).to_be_visible()
    check_accessibility(page, f"/monitoring/ ({language})")
    page = visit("/monitoring/activities?q=Ferroviario+Metropolitano&mission=10")
    expect(page.locator("main article").first).to_contain_text("Sistema Ferroviario Metropolitano")
    check_accessibility(page, f"/monitoring/activities ({language})")
    page.locator("main article a").first.click()
    page.wait_for_load_state("load")
    expect(page.locator("main table")).to_be_visible()
    check_accessibility(page, f"activity page ({language})")


@pytest.mark.bypass_csp
def test_planner_accepts_suggestions_with_the_keyboard(visit, page, planner):
    visit("/login")
    page.locator("#email").fill(planner)
    page.locator("#password").fill(PASSWORD)
    with page.expect_navigation(wait_until="load"):
        page.locator("main form button[type=submit]").click()
    page = visit("/monitoring/suggestions/2")
    first = page.locator("main article").first
    strategy = first.locator("input[name=strategy]").get_attribute("value")
    activity_text = first.locator("h3").inner_text()
    check_accessibility(page, "suggestions for axis 2")
    # Keyboard: focus the first "Accetta" and press Enter.
    first.get_by_role("button", name="Accetta").focus()
    with page.expect_navigation(wait_until="load"):
        page.keyboard.press("Enter")
    expect(page.locator(".alert-success").first).to_contain_text(strategy)
    page.screenshot(path=str(SCREENSHOTS / "test_monitoring-accepted.png"), full_page=True)
    page = visit(f"/plan/strategies/{strategy}")
    expect(page.locator("#monitored-title ~ article").first).to_contain_text(activity_text[:40].rstrip("."))
    check_accessibility(page, f"strategy {strategy} with linked activities")
    # The next suggestion's "Accetta" has the focus: a second decision is one key press.
    page = visit("/monitoring/suggestions/2?decided=1")
    expect(page.locator("main article").first.get_by_role("button", name="Accetta")).to_be_focused()

    # Link Turin's Linea 2 activity by hand, then make the axis' first target measurable with its indicator.
    page = visit("/monitoring/activities?q=Sistema+Ferroviario+Metropolitano")
    page.locator("main article a").first.click()
    page.wait_for_load_state("load")
    page.locator("#strategy").select_option("2.3")
    with page.expect_navigation(wait_until="load"):
        page.get_by_role("button", name="Collega", exact=True).click()
    expect(page.locator(".alert-success")).to_contain_text("2.3")
    page = visit("/monitoring/targets/2")
    check_accessibility(page, "measurable targets of axis 2")
    section = page.locator("#target-0")
    section.locator("summary").click()
    section.locator("#t0-indicator").fill("Progetti approvati")
    section.locator("#t0-baseline_value").fill("0")
    section.locator("#t0-baseline_year").fill("2021")
    section.locator("#t0-target_value").fill("10")
    section.locator("#t0-target_year").fill("2030")
    section.locator("label", has_text="N° progetti approvati").click()  # Bootstrap Italia draws the box on the label
    with page.expect_navigation(wait_until="load"):
        section.get_by_role("button", name="Salva l’obiettivo misurabile").click()
    expect(page.locator(".alert-success")).to_be_visible()
    page = visit("/plan/strategies/2.3")
    expect(page.locator("#measured-title ~ article svg")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Percorso compiuto: 30%.")
    check_accessibility(page, "strategy 2.3 with a measurable target")


@pytest.mark.bypass_csp
@pytest.mark.parametrize("language", ["it", "en"])
def test_zone_1_participant_links_a_proposal_to_an_activity(visit, page, monitoring_server, language):
    visit("/join")
    page.locator("#code").fill(monitoring_server.codes.pop())
    page.locator("#category").select_option("cittadino")
    page.locator("#name").fill("Giulia")
    with page.expect_navigation(wait_until="load"):
        page.locator("#name").press("Enter")
    expect(page).to_have_url(re.compile(r"/ranking$"))
    page = visit(f"{monitoring_server.session}/strategies/2.3/proposals/new")
    page.locator("#title").fill("Metro 2: parcheggi di interscambio")
    # The filter narrows the long list; the choice is made in the select, by keyboard or mouse.
    page.locator("#monitored_activity_filter").fill("ferroviario metropolitano")
    expect(page.locator("#monitored_activity-count")).to_be_visible()
    option = page.locator("#monitored_activity option:not([hidden])", has_text="Completare il Sistema Ferroviario")
    page.locator("#monitored_activity").select_option(option.first.get_attribute("value"))
    check_accessibility(page, f"proposal form with the activity picker ({language})")
    page.screenshot(path=str(SCREENSHOTS / f"test_monitoring-proposal-form-{language}.png"), full_page=True)
    save = {"it": "Salva il progetto", "en": "Save the project"}[language]
    with page.expect_navigation(wait_until="load"):
        page.get_by_role("button", name=save).click()
    expect(page.locator("#projects")).to_contain_text("Metro 2: parcheggi di interscambio")
