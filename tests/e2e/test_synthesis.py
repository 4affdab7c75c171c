"""Contributions in a real browser, as a planner on the `flask demo` data: the metropolitan synthesis, the
Pinerolese zone's, the search, the similar proposals and the PDF; axe on each page, in Italian and English."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import SCREENSHOTS
from tests.e2e.test_results import check_accessibility, demo_server, live_server, sign_in  # noqa: F401

pytestmark = pytest.mark.e2e

TEXTS = {
    "it": {
        "results": "Risultati metropolitani.*Dalle strategie alle azioni",
        "all": "Leggi i contributi di tutte le zone",
        "all_heading": "Contributi di tutte le zone",
        "zone": "Zona",
        "filter": "Filtra",
        "zone_heading": "Contributi della zona Pinerolese",
        "themes": "Temi ricorrenti",
        "search": "Cerca nel testo",
        "similar": "Valuta i progetti simili tra zone",
        "similar_heading": "Progetti simili tra zone",
        "confirm": "Conferma: è lo stesso progetto",
        "groups": "Progetti comuni a più zone",
        "pdf": "Documento di sintesi (PDF)",
    },
    "en": {
        "results": "Metropolitan results.*Dalle strategie alle azioni",
        "all": "Read the contributions from every zone",
        "all_heading": "Contributions from every zone",
        "zone": "Zone",
        "filter": "Filter",
        "zone_heading": "Contributions from the Pinerolese zone",
        "themes": "Recurring themes",
        "search": "Search the text",
        "similar": "Review similar projects across zones",
        "similar_heading": "Similar projects across zones",
        "confirm": "Confirm: it is the same project",
        "groups": "Projects shared by several zones",
        "pdf": "Synthesis report (PDF)",
    },
}


def shot(page, name: str, language: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"test_synthesis-{name}-{language}.png", full_page=True)


@pytest.mark.bypass_csp  # axe adds <style> elements of its own: see test_public_pages.py
@pytest.mark.parametrize("language", ["it", "en"])
def test_planner_reads_the_zone_and_metropolitan_synthesis(visit, page, demo_server, language):  # noqa: F811
    t = TEXTS[language]
    sign_in(page, visit, "pianificazione@demo.example.org", demo_server.password)
    visit("/results")
    with page.expect_navigation(wait_until="load"):
        page.get_by_role("link", name=re.compile(t["results"])).first.click()
    visit.settle()
    pdf_href = page.get_by_role("link", name=t["pdf"]).get_attribute("href")
    with page.expect_navigation(wait_until="load"):
        page.get_by_role("link", name=t["all"]).click()
    visit.settle()
    expect(page.get_by_role("heading", level=1)).to_have_text(t["all_heading"])
    expect(page.locator(".synthesis-strategy").first).to_be_visible()
    expect(page.get_by_role("heading", name=t["themes"]).first).to_be_visible()
    # Every kind of contribution is there, from several zones.
    for prefix in ("sheet", "proposal", "actor", "condition", "action", "comment"):
        expect(page.locator(f"article[id^='{prefix}-']").first).to_be_attached()
    contributions_url = page.url
    # Kinds open on demand on this long page; a theme's link opens the group that holds the contribution.
    theme = page.locator(".synthesis-themes details").first
    theme.locator("summary").click()
    link = theme.locator("a").first
    target = link.get_attribute("href").lstrip("#")
    expect(page.locator(f"[id='{target}']")).to_be_hidden()
    link.click()
    expect(page.locator(f"[id='{target}']")).to_be_visible()
    shot(page, "metro", language)
    check_accessibility(page, f"the metropolitan contributions ({language})")

    # The Pinerolese zone's synthesis, through the filter form.
    page.get_by_label(t["zone"], exact=True).select_option(label="5. Pinerolese")
    with page.expect_navigation(wait_until="load"):
        page.get_by_role("button", name=t["filter"], exact=True).click()
    visit.settle()
    expect(page.get_by_role("heading", level=1)).to_have_text(t["zone_heading"])
    zones = page.locator(".synthesis-meta span[lang=it]").all_text_contents()
    assert zones and set(zones) == {"Pinerolese"}
    # A theme opens onto the contributions that use it.
    theme = page.locator(".synthesis-themes details").first
    theme.locator("summary").click()
    expect(theme.locator("a").first).to_be_visible()
    shot(page, "pinerolese", language)
    check_accessibility(page, f"the Pinerolese contributions ({language})")

    # Search, accents and capitals aside.
    page.get_by_label(t["search"]).fill("UNIONE MONTANA")
    with page.expect_navigation(wait_until="load"):
        page.get_by_role("button", name=t["filter"], exact=True).click()
    visit.settle()
    assert "q=UNIONE+MONTANA" in page.url and "zone=5" in page.url
    expect(page.locator("article.synthesis-item").first).to_contain_text(re.compile("unione montana", re.I))

    # Similar proposals across zones: confirm the first candidate; it reads as one project.
    visit(contributions_url.removeprefix(demo_server.url))
    with page.expect_navigation(wait_until="load"):
        page.get_by_role("link", name=t["similar"]).click()
    visit.settle()
    expect(page.get_by_role("heading", level=1)).to_have_text(t["similar_heading"])
    check_accessibility(page, f"the similar proposals ({language})")
    shot(page, "similar", language)
    first = page.locator("article.synthesis-group").first
    title = first.locator("h3").inner_text()
    with page.expect_navigation(wait_until="load"):
        first.get_by_role("button", name=re.compile(t["confirm"])).click()
    visit.settle()
    visit(contributions_url.removeprefix(demo_server.url))
    groups = page.locator("section", has=page.get_by_role("heading", name=t["groups"]))
    expect(groups).to_contain_text(title)

    # The synthesis document answers with a PDF.
    response = page.request.get(pdf_href)
    assert response.ok and response.body().startswith(b"%PDF")
