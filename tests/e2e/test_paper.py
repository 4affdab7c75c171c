"""Paper ballots in a real browser: a facilitator types three forms with the keyboard only, uploads a CSV of
twenty with one bad row (the preview names it, nothing is written), fixes it and confirms."""

import re
import uuid

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect
from sqlalchemy import func, select

from consult.auth.services import create_user
from consult.extensions import db
from consult.models import Ballot, ConsultationSession, Participant, Role, Zone

pytestmark = pytest.mark.e2e

PASSWORD = "correct horse battery staple 42"
BLOCKING_IMPACTS = ("serious", "critical")
TEXT = {
    "it": {
        "login": "Accedi",
        "saved": "Scheda «{label}» salvata",
        "twice": "La strategia 1.1 compare più di una volta.",
        "line": "Riga {n}:",
        "unknown": "9.9 non fa parte di questa consultazione",
        "preview": "Mostra l'anteprima",
        "import": "Importa 20 schede",
        "imported": "importate 20 schede nuove e 0 sostituite",
        "count": "23 schede cartacee inserite",
        "title_1_1": "diffusa digitalizzazione",
    },
    "en": {
        "login": "Sign in",
        "saved": "Form “{label}” saved",
        "twice": "Strategy 1.1 appears more than once.",
        "line": "Line {n}:",
        "unknown": "9.9 is not part of this consultation",
        "preview": "Show the preview",
        "import": "Import 20 forms",
        "imported": "imported 20 new forms and replaced 0",
        "count": "23 paper forms entered",
        "title_1_1": "diffusa digitalizzazione",
    },
}


@pytest.fixture
def facilitator(live, language):
    """A facilitator of zone 1 and an open session of zone 1 (axes 1 and 2, top 3); (email, session url)."""
    email = f"facilitatore-{language}-{uuid.uuid4().hex[:8]}@example.org"
    consultation = live.cli("consultations", "create", "--title", "Schede cartacee", "--axes", "1,2", "--depth", "3")
    session_id = live.cli("sessions", "create", consultation, "--zone", "1", "--title", f"Laboratorio {language}")
    live.cli("sessions", "set-state", session_id, "open")
    with live.app.app_context():
        zone = db.session.scalar(select(Zone).where(Zone.code == 1))
        create_user(
            email,
            PASSWORD,
            display_name="Francesca Facilitatrice",
            role=Role.FACILITATOR,
            zone=zone,
            facilitated_zones=[zone],
            privacy_accepted=True,
            confirmed=True,
        )
        db.session.commit()
    return email, int(session_id), f"/facilitate/zones/1/sessions/{session_id}/paper"


def sign_in(page, visit, email: str) -> None:
    visit("/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(PASSWORD)
    with page.expect_navigation(wait_until="load"):
        page.locator("#password").press("Enter")
    visit.settle()


def paper_ballots(live, session_id: int) -> int:
    with live.app.app_context():
        return db.session.scalar(
            select(func.count())
            .select_from(Ballot)
            .join(Participant)
            .where(Participant.session_id == session_id, Participant.label.is_not(None))
        )


def twenty(bad_line: int | None = None) -> bytes:
    lines = ["participant;category;organisation;1;2;3"]
    for n in range(1, 21):
        lines.append(f"C{n:03};cittadino;;2,1;1.2;1.3")
    if bad_line:
        lines[bad_line - 1] = f"C{bad_line - 1:03};cittadino;;2.1;9.9;1.3"
    return ("\ufeff" + "\r\n".join(lines) + "\r\n").encode()


def type_form(page, label: str | None, codes: list[str], *, category_keys: int = 0, organisation: str = ""):
    """Type one form with the keyboard from the label field; Enter saves it."""
    keyboard = page.keyboard
    expect(page.locator("#paper-label")).to_be_focused()
    if label:
        keyboard.type(label)  # replaces the suggested label, which is selected
    keyboard.press("Tab")
    expect(page.locator("#paper-category")).to_be_focused()
    for _ in range(category_keys):
        keyboard.press("ArrowDown")
    keyboard.press("Tab")
    keyboard.type(organisation)
    for n, code in enumerate(codes, start=1):
        keyboard.press("Tab")
        expect(page.locator(f"#place-{n}")).to_be_focused()
        keyboard.type(code)
    with page.expect_navigation(wait_until="load"):
        keyboard.press("Enter")


@pytest.mark.parametrize("language", ["it", "en"])
def test_paper_story(live, page, visit, facilitator, language, tmp_path):
    text = TEXT[language]
    email, session_id, base = facilitator
    sign_in(page, visit, email)
    visit(base)

    # First form: typing 1.1 shows the strategy's title at once.
    keyboard = page.keyboard
    keyboard.type("P001")
    keyboard.press("Tab")
    keyboard.press("ArrowDown")
    keyboard.press("Tab")
    keyboard.type("Comune di Susa")
    keyboard.press("Tab")
    keyboard.type("1.1")
    expect(page.locator("#place-1-title")).to_contain_text(text["title_1_1"])
    keyboard.press("Tab")
    keyboard.type("2,1")  # a decimal comma reads as 2.1
    with page.expect_navigation(wait_until="load"):
        keyboard.press("Enter")
    visit.settle()
    expect(page.locator("main")).to_contain_text(text["saved"].format(label="P001"))
    # The next empty form, its label suggested and focused.
    expect(page.locator("#paper-label")).to_have_value("P002")
    expect(page.locator("#place-1")).to_have_value("")

    # Second form: the suggested label is kept; a repeated code is flagged before saving, then fixed.
    keyboard.press("Tab")
    keyboard.press("Tab")
    keyboard.press("Tab")
    keyboard.type("1.1")
    keyboard.press("Tab")
    keyboard.type("1.1")
    expect(page.locator("#paper-ranking-error")).to_contain_text(text["twice"])
    keyboard.press("Backspace")
    keyboard.type("2")
    expect(page.locator("#paper-ranking-error")).to_have_text("")
    keyboard.press("Tab")
    keyboard.type("2.2")
    with page.expect_navigation(wait_until="load"):
        keyboard.press("Enter")
    visit.settle()
    expect(page.locator("main")).to_contain_text(text["saved"].format(label="P002"))

    # Third form, Enter from the last place typed.
    type_form(page, None, ["2.3"])
    visit.settle()
    expect(page.locator("main")).to_contain_text(text["saved"].format(label="P003"))
    assert paper_ballots(live, session_id) == 3
    rows = page.locator("#recent-title + .table-responsive tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.first).to_contain_text("Francesca Facilitatrice")

    # A file of twenty with one bad row: the preview names it and nothing is written.
    bad = tmp_path / "schede.csv"
    bad.write_bytes(twenty(bad_line=9))
    visit(base + "/upload")
    page.locator("#file").set_input_files(str(bad))
    with page.expect_navigation(wait_until="load"):
        page.get_by_role("button", name=text["preview"]).click()
    visit.settle()
    problems = page.locator("#preview-problems")
    expect(problems).to_contain_text(text["line"].format(n=9))
    expect(problems).to_contain_text(text["unknown"])
    expect(page.get_by_role("button", name=text["import"])).to_have_count(0)
    assert paper_ballots(live, session_id) == 3

    # Fixed, uploaded again, confirmed: all twenty are written.
    good = tmp_path / "schede-corrette.csv"
    good.write_bytes(twenty())
    visit(base + "/upload")
    page.locator("#file").set_input_files(str(good))
    with page.expect_navigation(wait_until="load"):
        page.get_by_role("button", name=text["preview"]).click()
    visit.settle()
    expect(page.locator(".consult-paper-preview tbody tr")).to_have_count(20)
    with page.expect_navigation(wait_until="load"):
        page.get_by_role("button", name=text["import"]).click()
    visit.settle()
    expect(page.locator("main")).to_contain_text(text["imported"])
    expect(page.locator("h1")).to_have_text(text["count"])
    assert paper_ballots(live, session_id) == 23
    with live.app.app_context():
        assert db.session.get(ConsultationSession, session_id).ballots_version == 4  # 3 forms, 1 import


@pytest.mark.bypass_csp  # axe adds <style> elements of its own: see test_public_pages.py
@pytest.mark.parametrize("language", ["it", "en"])
def test_paper_pages_accessibility(live, page, visit, facilitator, language, tmp_path):
    email, _session_id, base = facilitator
    sign_in(page, visit, email)
    visit(base)
    page.keyboard.type("P001")
    for _ in range(3):
        page.keyboard.press("Tab")
    page.keyboard.type("1.1")
    page.keyboard.press("Tab")
    page.keyboard.type("1.1")
    expect(page.locator("#paper-ranking-error")).not_to_have_text("")
    check_accessibility(page, "the entry form with a problem")
    with page.expect_navigation(wait_until="load"):
        page.keyboard.press("Enter")  # refused by the server: the page says why
    # The browser logs the refusal's 422 status as a console error; that status is the point here.
    visit.errors[:] = [error for error in visit.errors if "status of 422" not in error]
    expect(page.locator("#form-errors")).to_be_visible()
    check_accessibility(page, "the entry form refused")
    bad = tmp_path / "schede.csv"
    bad.write_bytes(twenty(bad_line=5))
    visit(base + "/upload")
    check_accessibility(page, "the upload form")
    page.locator("#file").set_input_files(str(bad))
    with page.expect_navigation(wait_until="load"):
        page.get_by_role("button", name=TEXT[language]["preview"]).click()
    check_accessibility(page, "a preview with a bad row")
    visit(base + "/forms")
    check_accessibility(page, "the list of forms")
    assert re.search(r"/paper/forms$", page.url)


def check_accessibility(page, what: str) -> None:
    violations = Axe().run(page).response["violations"]
    blocking = [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes'][:5]]}"
        for v in violations
        if v["impact"] in BLOCKING_IMPACTS
    ]
    assert not blocking, f"{what}:\n" + "\n".join(blocking)
    minor = [f"{v['id']} ({v['impact']})" for v in violations if v["impact"] not in BLOCKING_IMPACTS]
    print(f"axe, minor or moderate, {what}:", minor)
