"""The participant's path in a real browser, in Italian and English: the home page leads to the person's
zone, the session page offers "Partecipa" (asking for the zone once) and links to proposals and discussions,
a second zone of the same consultation is refused, dates read as people write them."""

import re
from datetime import UTC, datetime

import pytest
from playwright.sync_api import expect

from consult.auth.services import create_user
from consult.extensions import db
from consult.models import ConsultationSession
from tests.e2e.conftest import SCREENSHOTS

pytestmark = pytest.mark.e2e

PASSWORD = "le colline del pinerolese 2026"
#: 17:00 UTC on 1 December is 18:00 in Turin.
STARTS_AT = datetime(2026, 12, 1, 17, 0, tzinfo=UTC)

TEXT = {
    "it": {
        "sign_in": "Accedi",
        "no_zone": "Indica la tua zona",
        "join": "Partecipa",
        "your_zone": "La tua Zona omogenea",
        "starts": "1 dicembre 2026, 18:00",
        "proposals": "I progetti proposti nella sessione",
        "discussion": "discussione",
        "elsewhere": "In questa consultazione partecipi già nella zona 1",
        "open_here": "Le sessioni aperte nella tua zona",
        "done": "Quello che hai già fatto",
        "ranked": "classifica inviata (1 strategia)",
        "save": "Salva la classifica",
        "add": "Aggiungi alla classifica (strategia 1.2)",
    },
    "en": {
        "sign_in": "Sign in",
        "no_zone": "Tell us your zone",
        "join": "Take part",
        "your_zone": "Your Zona omogenea",
        "starts": "1 December 2026, 18:00",
        "proposals": "Projects proposed in the session",
        "discussion": "discussion",
        "elsewhere": "In this consultation you already take part in zone 1",
        "open_here": "Open sessions in your zone",
        "done": "What you have done so far",
        "ranked": "ranking sent (1 strategy)",
        "save": "Save the ranking",
        "add": "Add to the ranking (strategy 1.2)",
    },
}


def shot(page, name: str, language: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"participant_path-{name}-{language}.png", full_page=True)


def open_session(live, consultation: str, zone: int, title: str) -> int:
    session_id = int(live.cli("sessions", "create", consultation, "--zone", str(zone), "--title", title))
    live.cli("sessions", "set-state", str(session_id), "open")
    with live.app.app_context():
        session = db.session.get(ConsultationSession, session_id)
        session.starts_at, session.place = STARTS_AT, "Pinerolo, Sala consiliare"
        db.session.commit()
    return session_id


def new_person(live, email: str) -> None:
    """An account made the way an administrator's command makes it: confirmed, with no zone yet."""
    with live.app.app_context():
        create_user(email, PASSWORD, display_name="Marta Rostagno", privacy_accepted=True, confirmed=True)
        db.session.commit()


def sign_in(page, visit, email: str, language: str) -> None:
    page = visit("/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(PASSWORD)
    page.locator("main form").get_by_role("button", name=TEXT[language]["sign_in"]).click()
    visit.settle()


@pytest.mark.parametrize("language", ["it", "en"])
def test_from_the_home_page_to_a_session_of_ones_zone(live, page, visit, language):
    text = TEXT[language]
    consultation = live.cli("consultations", "create", "--title", f"Percorso {language}", "--axes", "1", "--depth", "3")
    here = open_session(live, consultation, 1, f"Torino, incontro di zona ({language})")
    there = open_session(live, consultation, 5, f"Pinerolese, incontro di zona ({language})")
    email = f"marta.{language}@example.org"
    new_person(live, email)
    sign_in(page, visit, email, language)

    # No zone in the profile yet: the home page asks for it.
    page = visit("/")
    mine = page.locator(".consult-mine")
    expect(mine.get_by_role("link", name=text["no_zone"])).to_be_visible()
    shot(page, "01-home-no-zone", language)

    # The session page: a signed-in person is offered "Partecipa", with the zone asked once; dates in words.
    page = visit(f"/zones/1/sessions/{here}")
    expect(page.get_by_text(text["starts"])).to_be_visible()
    zone = page.get_by_label(text["your_zone"])
    expect(zone).to_have_value("1")
    shot(page, "02-session-not-joined", language)
    page.get_by_role("button", name=text["join"], exact=True).click()
    page.wait_for_url(re.compile(rf"/sessions/{here}/ranking$"))
    visit.settle()
    page.get_by_role("button", name=text["add"], exact=True).click()
    page.get_by_role("button", name=text["save"]).click()
    page.wait_for_url(re.compile(rf"/sessions/{here}$"))
    visit.settle()

    # Joined: the links to the proposals and to each strategy's discussion.
    expect(page.get_by_role("link", name=text["proposals"])).to_be_visible()
    discussions = page.locator(".consult-session-strategies").get_by_role("link", name=text["discussion"])
    expect(discussions).to_have_count(5)  # axis 1 has five strategies
    shot(page, "03-session-joined", language)
    discussions.first.click()
    page.wait_for_url(re.compile(rf"/sessions/{here}/strategies/1.1/discussion$"))
    visit.settle()
    page.go_back()
    page.get_by_role("link", name=text["proposals"]).click()
    page.wait_for_url(re.compile(rf"/sessions/{here}/proposals$"))
    visit.settle()

    # Another zone of the same consultation: refused before anyone clicks, with the way back.
    page = visit(f"/zones/5/sessions/{there}")
    expect(page.get_by_text(text["elsewhere"])).to_be_visible()
    expect(page.get_by_role("button", name=text["join"], exact=True)).to_have_count(0)
    shot(page, "04-second-zone", language)

    # The home page now leads to the zone's open sessions and to what the person did.
    page = visit("/")
    mine = page.locator(".consult-mine")
    expect(mine.get_by_role("heading", name=text["open_here"])).to_be_visible()
    expect(mine.get_by_role("heading", name=text["done"])).to_be_visible()
    expect(mine.get_by_text(text["ranked"]).first).to_be_visible()
    expect(mine.get_by_text(text["starts"]).first).to_be_visible()
    shot(page, "05-home", language)


@pytest.mark.bypass_csp  # axe adds <style> elements of its own: see test_public_pages.py
@pytest.mark.parametrize("language", ["it", "en"])
def test_the_participants_pages_pass_axe(live, page, visit, language):
    from axe_playwright_python.sync_playwright import Axe

    from tests.e2e.test_public_pages import BLOCKING_IMPACTS, describe

    consultation = live.cli("consultations", "create", "--title", f"Axe {language}", "--axes", "2")
    here = open_session(live, consultation, 1, f"Axe, zona 1 ({language})")
    there = open_session(live, consultation, 5, f"Axe, zona 5 ({language})")
    email = f"axe.participant.{language}@example.org"
    new_person(live, email)
    sign_in(page, visit, email, language)
    paths = [f"/zones/1/sessions/{here}", "/"]  # not joined (with the zone question), then the home page
    for path in paths:
        visit(path)
        blocking = [v for v in Axe().run(page).response["violations"] if v["impact"] in BLOCKING_IMPACTS]
        assert not blocking, f"{path}\n{describe(blocking)}"
    visit(f"/zones/1/sessions/{here}")
    page.get_by_role("button", name=TEXT[language]["join"], exact=True).click()
    visit.settle()
    for path in (f"/zones/1/sessions/{here}", f"/zones/5/sessions/{there}", "/"):
        visit(path)
        blocking = [v for v in Axe().run(page).response["violations"] if v["impact"] in BLOCKING_IMPACTS]
        assert not blocking, f"{path}\n{describe(blocking)}"
