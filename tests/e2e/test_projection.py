"""The room's projection and moderation in a real browser.

A facilitator of zone 1 makes the projection link; the projector (no account, 1920×1080) shows the counts;
"reveal" brings the ranking, new ballots change it within seconds without a reload, "hide" takes it away,
revoking the link stops the screen. Then a reported comment is hidden and restored, as the room and its
author see it. Screenshots at 1920×1080 and 1280×720 in Italian and English; axe on every page.
"""

import io
import re
from pathlib import Path

import pytest
import zxingcpp
from axe_playwright_python.sync_playwright import Axe
from PIL import Image
from playwright.sync_api import expect
from sqlalchemy import select

from consult.extensions import db
from consult.models import ConsultationSession, Participant
from consult.participation import contributions
from consult.projection import services
from tests.e2e.conftest import SCREENSHOTS, Visitor, new_context
from tests.e2e.test_public_pages import BLOCKING_IMPACTS, describe

pytestmark = pytest.mark.e2e

FACILITATOR = "facilitatrice.proiezione@example.org"
PASSWORD = "una password lunga per la prova 2026"
#: Polling runs every 3 s: a change must show well within this, and the wait ends as soon as it does.
LIVE_MS = 15_000


@pytest.fixture(scope="module")
def workshop(live, tmp_path_factory):
    """An open session of zone 1 (axes 1 and 2, top 3) with one paper ballot, and its facilitator."""
    consultation = live.cli(
        "consultations", "create", "--title", "Laboratorio di prova", "--axes", "1,2", "--depth", "3"
    )
    session_id = live.cli("sessions", "create", consultation, "--zone", "1", "--title", "Laboratorio del Pinerolese")
    live.cli("sessions", "set-state", session_id, "open")
    result = live.app.test_cli_runner().invoke(
        args=["users", "create", FACILITATOR, "--role", "facilitator", "--zone", "1", "--name", "Facilitatrice"],
        input=PASSWORD + "\n",
    )
    assert result.exit_code == 0, result.output
    folder = tmp_path_factory.mktemp("schede")
    return {"id": int(session_id), "folder": folder, "live": live}


def import_ballots(workshop, name: str, rows: list[str]) -> None:
    """Paper forms typed into a CSV and imported: new ballots arriving during the workshop."""
    path = Path(workshop["folder"]) / f"{name}.csv"
    path.write_text("participant;category;1;2;3\n" + "\n".join(rows) + "\n", encoding="utf-8")
    workshop["live"].cli("ballots", "import", str(workshop["id"]), str(path))


def sign_in(page, visit) -> None:
    visit("/login")
    page.locator("#email").fill(FACILITATOR)
    page.locator("#password").fill(PASSWORD)
    with page.expect_navigation(wait_until="load"):
        page.locator("main form button[type=submit]").click()
    visit.settle()


def click_and_settle(page, visit, locator) -> None:
    with page.expect_navigation(wait_until="load"):
        locator.click()
    visit.settle()


def check_accessibility(page, what: str) -> None:
    violations = Axe().run(page).response["violations"]
    blocking = [v for v in violations if v["impact"] in BLOCKING_IMPACTS]
    minor = [v for v in violations if v["impact"] not in BLOCKING_IMPACTS]
    if minor:
        print(f"axe, minor or moderate, {what}:\n{describe(minor)}")
    if blocking:
        pytest.fail(f"axe: serious or critical violations on {what}:\n{describe(blocking)}", pytrace=False)


def join_with_code(browser, live_server, workshop, name: str):
    """Someone in the room types a code from their slip; returns their page and its Visitor."""
    code = workshop["live"].cli("codes", "generate", str(workshop["id"]), "1")
    context = new_context(browser, live_server, "it")
    page = context.new_page()
    visitor = Visitor(page, f"test_projection-{name}")
    visitor("/join")
    page.locator("#code").fill(code)
    page.locator("#category").select_option(label="Cittadina/o")
    page.locator("#name").fill(name)
    with page.expect_navigation(wait_until="load"):
        page.locator("#code").press("Enter")
    visitor.settle()
    return page, visitor


def test_a_workshop_projects_its_ranking_and_moderates_a_comment(browser, live_server, page, visit, workshop):
    sid = workshop["id"]
    import_ballots(workshop, "prima", ["P001;comune;1.1;2.1;1.2"])

    # The facilitator makes the projection link on the staff page.
    sign_in(page, visit)
    visit(f"/zones/1/sessions/{sid}")
    click_and_settle(page, visit, page.get_by_role("link", name="Proiezione in sala"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Proiezione in sala")
    click_and_settle(page, visit, page.get_by_role("button", name="Crea il link della proiezione"))
    url = page.locator("#projection-url").input_value()
    assert re.fullmatch(rf"{re.escape(live_server)}/projection/{sid}/[\w-]{{43}}", url)

    # The projector: no account, full HD.
    projector_context = browser.new_context(
        base_url=live_server,
        viewport={"width": 1920, "height": 1080},
        locale="it-IT",
        extra_http_headers={"Accept-Language": "it"},
    )
    projector = projector_context.new_page()
    screen = Visitor(projector, "test_projection-screen")
    try:
        screen(url)
        expect(projector.locator(".projection-title")).to_have_text("Laboratorio del Pinerolese")
        expect(projector.locator("#projection-participation .projection-total")).to_have_text("1 classifica raccolta")
        expect(projector.locator(".projection-categories")).to_contain_text("Comune o unione di comuni")
        expect(projector.locator(".projection-chart")).to_have_count(0)
        expect(projector.locator(".projection-address strong")).to_have_text(
            re.sub(r"^https?://", "", live_server) + "/join"
        )
        # The QR code on the wall, as a phone's camera sees it, opens the join page.
        qr = Image.open(io.BytesIO(projector.locator(".projection-qr").screenshot()))
        assert [found.text for found in zxingcpp.read_barcodes(qr)] == [live_server + "/join"]
        projector.evaluate("window.consultMarker = 'same page'")  # gone if the page ever reloads

        # Reveal: the ranking comes up on the screen without a reload.
        click_and_settle(page, visit, page.get_by_role("button", name="Mostra la classifica"))
        expect(projector.locator(".projection-chart")).to_be_visible(timeout=LIVE_MS)
        expect(projector.locator(".projection-row .projection-code").first).to_have_text("1.1")

        # New ballots change it within seconds.
        import_ballots(workshop, "seconda", ["P002;impresa;2.1;1.1;1.3", "P003;cittadino;2.1;1.2;1.1"])
        expect(projector.locator("#projection-participation .projection-total")).to_have_text(
            "3 classifiche raccolte", timeout=LIVE_MS
        )
        expect(projector.locator(".projection-row .projection-code").first).to_have_text("2.1", timeout=LIVE_MS)
        assert projector.evaluate("window.consultMarker") == "same page"
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        projector.screenshot(path=SCREENSHOTS / "test_projection-revealed-1920-it.png")
        screen.check_errors()

        # Hide: the ranking leaves the screen; the counters stay.
        click_and_settle(page, visit, page.get_by_role("button", name="Nascondi la classifica"))
        expect(projector.locator(".projection-chart")).to_have_count(0, timeout=LIVE_MS)
        expect(projector.locator("#projection-ranking")).to_contain_text("La classifica sarà mostrata più avanti")
        assert projector.evaluate("window.consultMarker") == "same page"

        # Revoked: the screen says so and stops asking.
        click_and_settle(page, visit, page.get_by_role("button", name="Revoca il link"))
        expect(projector.locator("#projection-revoked")).to_be_visible(timeout=LIVE_MS)
        # Chromium logs the refused request (404) as a console error: expected here, and only here.
        screen.errors[:] = [error for error in screen.errors if "status of 404" not in error]
        screen.check_errors()
    finally:
        projector_context.close()

    # Moderation: Anna comments, Bruno reports it, the facilitator hides it, then restores it.
    anna, anna_visit = join_with_code(browser, live_server, workshop, "Anna")
    bruno, bruno_visit = join_with_code(browser, live_server, workshop, "Bruno")
    discussion = f"/zones/1/sessions/{sid}/strategies/1.1/discussion"
    try:
        anna_visit(discussion)
        anna.locator("#comment-body").fill("Questo commento offende qualcuno")
        click_and_settle(anna, anna_visit, anna.get_by_role("button", name="Pubblica il commento"))
        bruno_visit(discussion)
        comment = bruno.locator("article.consult-comment", has_text="Questo commento offende qualcuno")
        comment.locator("summary", has_text="Segnala ai moderatori").click()
        comment.get_by_label("Motivo (facoltativo)").fill("Linguaggio offensivo")
        click_and_settle(bruno, bruno_visit, comment.get_by_role("button", name="Invia la segnalazione"))
        expect(
            bruno.locator("article.consult-comment", has_text="Questo commento offende").locator(".consult-reported")
        ).to_have_text(re.compile("Segnalato"))

        visit(f"/zones/1/sessions/{sid}")
        click_and_settle(page, visit, page.get_by_role("link", name="Moderazione", exact=True))
        item = page.locator("article.moderation-item", has_text="Questo commento offende qualcuno")
        expect(item).to_contain_text("Linguaggio offensivo")
        expect(item).to_contain_text("Bruno")
        check_accessibility_later = page.url
        item.get_by_label(re.compile("^Motivo")).fill("Offende un altro partecipante")
        click_and_settle(page, visit, item.get_by_role("button", name="Nascondi"))
        expect(page.locator(".alert-success")).to_contain_text("Il contenuto è stato nascosto")

        bruno_visit(discussion)
        expect(bruno.locator(".consult-hidden-notice")).to_have_text("Commento nascosto dai moderatori")
        expect(bruno.locator("main")).not_to_contain_text("Questo commento offende qualcuno")
        anna_visit(discussion)
        expect(anna.locator(".consult-hidden-own")).to_contain_text("Offende un altro partecipante")

        visit(check_accessibility_later.split("?")[0] + "?show=hidden")
        item = page.locator("article.moderation-item", has_text="Questo commento offende qualcuno")
        item.get_by_label(re.compile("^Motivo")).fill("Era una citazione, non un insulto")
        click_and_settle(page, visit, item.get_by_role("button", name="Ripristina"))
        bruno_visit(discussion)
        expect(bruno.locator("main")).to_contain_text("Questo commento offende qualcuno")
        expect(bruno.locator(".consult-hidden-notice")).to_have_count(0)
    finally:
        anna.context.close()
        bruno.context.close()


@pytest.mark.bypass_csp  # axe adds <style> elements of its own: see test_public_pages.py
@pytest.mark.parametrize("language", ["it", "en"])
def test_the_screen_reads_at_both_sizes_and_passes_axe(browser, live_server, page, visit, workshop, language):
    sid = workshop["id"]
    import_ballots(
        workshop, f"axe-{language}", [f"A{language}1;comune;1.2;2.3;1.1", f"A{language}2;impresa;2.3;1.2;2.1"]
    )
    with workshop["live"].app.test_request_context():
        session = db.session.get(ConsultationSession, sid)
        session.reveal_ranking()
        key = services.new_link(session)
        # A comment by one paper participant, reported by the other: the queue has something to show.
        author, reporter = (
            db.session.scalar(select(Participant).where(Participant.session_id == sid, Participant.label == label))
            for label in (f"A{language}1", f"A{language}2")
        )
        strategy = contributions.strategy_in_session(session, "1.1")
        comment = contributions.add_comment(author, f"Un commento da esaminare ({language})", strategy=strategy)
        contributions.report_comment(reporter, comment, "Fuori tema")
        db.session.commit()
    total = {"it": "classifiche raccolte", "en": "rankings received"}[language]
    for width, height in ((1920, 1080), (1280, 720)):
        context = browser.new_context(
            base_url=live_server,
            viewport={"width": width, "height": height},
            bypass_csp=True,
            locale={"it": "it-IT", "en": "en-US"}[language],
            extra_http_headers={"Accept-Language": language},
        )
        try:
            projector = context.new_page()
            screen = Visitor(projector, f"test_projection-{width}x{height}")
            screen(f"/projection/{sid}/{key}")
            expect(projector.locator(".projection-total").first).to_contain_text(total)
            expect(projector.locator(".projection-chart")).to_be_visible()
            # One screen, no scrolling: the ten rows of the chart fit, large type.
            assert projector.evaluate("document.documentElement.scrollHeight") <= height
            assert projector.locator(".projection-row:not(.visually-hidden)").count() == 10
            size = projector.evaluate(
                "parseFloat(getComputedStyle(document.querySelector('.projection-chart')).fontSize)"
            )
            assert size >= 0.029 * height  # about 31 px at 1080, 21 px at 720
            projector.screenshot(path=SCREENSHOTS / f"test_projection-screen-{width}x{height}-{language}.png")
            check_accessibility(projector, f"the projection at {width}x{height} ({language})")
        finally:
            context.close()

    # The staff pages, signed in.
    sign_in(page, visit)
    visit(f"/zones/1/sessions/{sid}/projection")
    check_accessibility(page, f"the projection's staff page ({language})")
    visit("/zones/1/moderation")
    expect(page.locator("article.moderation-item", has_text=f"Un commento da esaminare ({language})")).to_be_visible()
    check_accessibility(page, f"the moderation queue ({language})")
