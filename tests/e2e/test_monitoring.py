"""Monitoring in a real browser: the public pages in both languages (axe), and a planner accepting suggested links."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.e2e.conftest import SCREENSHOTS
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
def planner(live):
    result = live.app.test_cli_runner().invoke(
        args=["users", "create", PLANNER, "--role", "planner"], input=PASSWORD + "\n"
    )
    assert result.exit_code == 0 or "already" in result.output, result.output
    return PLANNER


@pytest.mark.bypass_csp  # axe adds <style> elements of its own: see test_public_pages.py
@pytest.mark.parametrize("language", ["it", "en"])
def test_monitoring_pages_read_and_pass_axe(visit, page, language):
    page = visit("/monitoring/")
    heading = {"it": "Monitoraggio: cosa è già in corso", "en": "Monitoring: what is already under way"}
    expect(page.locator("main h1")).to_have_text(heading[language])
    expect(page.locator("main table caption")).to_be_visible()
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
