"""A new facilitator runs a workshop from the browser: session, codes on paper, a participant ranks."""

import re
import shutil
import subprocess
from urllib.parse import urlsplit

import pytest
import zxingcpp
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.e2e.conftest import REPO_ROOT, SCREENSHOTS, new_context
from tests.e2e.test_public_pages import describe

pytestmark = pytest.mark.e2e

PASSWORD = "a long workshop passphrase 2026"
BLOCKING_IMPACTS = ("serious", "critical")
ARTIFACTS = REPO_ROOT / "test-artifacts"

TEXT = {
    "it": {
        "sign_in": "Accedi",
        "console": "Console dei laboratori",
        "new_session": "Nuova sessione",
        "create": "Crea la sessione",
        "created": "Sessione creata.",
        "open": "Apri la sessione",
        "opened": "La sessione ora è «Aperta».",
        "codes": "Codici per la sala: genera, stampa, annulla",
        "generate": "Genera i codici",
        "generated": "20 codici generati",
        "print": "Pagina da stampare",
        "category": "Comune o unione di comuni",
        "enter": "Entra nella sessione",
        "add": "Aggiungi alla classifica (strategia {code})",
        "save": "Salva la classifica",
        "saved": "La tua classifica è stata salvata.",
    },
    "en": {
        "sign_in": "Sign in",
        "console": "Workshop console",
        "new_session": "New session",
        "create": "Create the session",
        "created": "Session created.",
        "open": "Open the session",
        "opened": "The session is now “Open”.",
        "codes": "Room codes: generate, print, revoke",
        "generate": "Generate the codes",
        "generated": "20 codes generated",
        "print": "Page to print",
        "category": "Municipality or union of municipalities",
        "enter": "Enter the session",
        "add": "Add to the ranking (strategy {code})",
        "save": "Save the ranking",
        "saved": "Your ranking has been saved.",
    },
}


@pytest.fixture(scope="module")
def consultation(live) -> str:
    """A consultation on Axis 1, its top 3 ranked, made by a planner with the CLI."""
    return live.cli("consultations", "create", "--title", "Dalle strategie alle azioni", "--axes", "1", "--depth", "3")


def make_facilitator(live, email: str) -> None:
    make_user(live, email, "--role", "facilitator", "--zone", "1", "--name", "Chiara Facilitatrice")


def make_user(live, email: str, *options: str) -> None:
    result = live.app.test_cli_runner().invoke(args=["users", "create", email, *options], input=PASSWORD + "\n")
    assert result.exit_code == 0, result.output


def sign_in(page, visit, email: str, language: str) -> None:
    page = visit("/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(PASSWORD)
    page.locator("main form").get_by_role("button", name=TEXT[language]["sign_in"]).click()
    visit.settle()


def render_pdf(pdf: bytes, name: str) -> None:
    """Keep the PDF, and a PNG of its first page when poppler's pdftoppm is installed, to look at."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.pdf"
    path.write_bytes(pdf)
    if shutil.which("pdftoppm"):
        subprocess.run(  # noqa: S603 - fixed arguments, our own file
            ["pdftoppm", "-r", "80", "-png", "-f", "1", "-l", "1", str(path), str(SCREENSHOTS / name)],  # noqa: S607
            check=True,
        )


@pytest.mark.parametrize("language", ["it", "en"])
def test_a_facilitator_runs_a_workshop_from_the_browser(live, consultation, browser, page, visit, language):
    text = TEXT[language]
    email = f"chiara.{language}@example.org"
    make_facilitator(live, email)
    sign_in(page, visit, email, language)

    # The console, from the header.
    page.locator(".account-menu").get_by_role("link", name=text["console"]).click()
    visit.settle()
    expect(page.get_by_role("heading", level=1, name=text["console"])).to_be_visible()

    # A new session for their zone (the only one offered), with date, time and venue.
    page.get_by_role("link", name=text["new_session"]).first.click()
    visit.settle()
    assert page.locator("#zone option").all_inner_texts() == ["1. Torino"]
    title = f"Laboratorio di Torino ({language})"
    page.locator("#title").fill(title)
    page.locator("#mode").select_option("in_presenza")
    page.locator("#starts_at").fill("2026-12-03T17:30")
    page.locator("#place").fill("Sala Marmi, corso Inghilterra 7")
    page.get_by_role("button", name=text["create"]).click()
    visit.settle()
    expect(page.get_by_text(text["created"])).to_be_visible()
    expect(page.get_by_role("heading", level=1, name=title)).to_be_visible()
    session_url = page.url

    # Open it.
    page.get_by_role("button", name=text["open"]).click()
    visit.settle()
    expect(page.get_by_text(text["opened"])).to_be_visible()

    # Twenty codes, printed.
    page.get_by_role("link", name=text["codes"]).click()
    visit.settle()
    page.locator("#count").fill("20")
    page.get_by_role("button", name=text["generate"]).click()
    visit.settle()
    expect(page.get_by_role("alert")).to_contain_text(text["generated"])
    page.get_by_role("link", name=text["print"]).click()
    visit.settle()
    expect(page.locator(".slip")).to_have_count(20)
    expect(page.locator(".sheet")).to_have_count(2)
    pdf_link = page.locator("a[href*='print.pdf']")
    pdf = page.request.get(pdf_link.get_attribute("href"))
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf"
    render_pdf(pdf.body(), f"test_console-codes-{language}")

    # The first slip's QR code, decoded from the printable page's image, opens the join page with the code.
    first_code = page.locator(".slip-code").first.inner_text()
    qr = page.locator(".slip-qr").first.screenshot()
    [decoded] = [result.text for result in zxingcpp.read_barcodes(_image(qr))]
    assert decoded == f"{live.url}/join?code={first_code}"
    assert page.locator(".slip-address").first.inner_text() == f"{urlsplit(live.url).netloc}/join"

    # A participant scans it with their phone: the code is filled in; they say who they are and rank.
    phone = new_context(browser, live.url, language).new_page()
    try:
        phone.goto(decoded)
        expect(phone.locator("#code")).to_have_value(first_code)
        phone.locator("#category").select_option(label=text["category"])
        phone.get_by_role("button", name=text["enter"]).click()
        phone.wait_for_url(re.compile(r"/ranking$"))
        expect(phone.locator("#ranking-form")).to_have_class(re.compile(r"\bis-enhanced\b"))
        for code in ("1.2", "1.1", "1.3"):
            phone.get_by_role("button", name=text["add"].format(code=code), exact=True).click()
        phone.get_by_role("button", name=text["save"]).click()
        expect(phone.get_by_text(text["saved"])).to_be_visible()
        phone.screenshot(path=SCREENSHOTS / f"test_console-participant-{language}.png", full_page=True)
    finally:
        phone.context.close()

    # Back on the console, the counters catch up by themselves (no reload).
    visit(urlsplit(session_url).path)
    expect(page.locator("[data-counter='ballots']")).to_have_text("1", timeout=20_000)
    expect(page.locator("[data-counter='by_channel.code.ballots']")).to_have_text("1")
    expect(page.locator("p[data-counter='codes.used']")).to_have_text("1")
    expect(page.locator("p[data-counter='codes.unused']")).to_have_text("19")
    page.screenshot(path=SCREENSHOTS / f"test_console-counters-{language}.png", full_page=True)
    visit.check_errors()


def _image(png: bytes):
    import io

    from PIL import Image

    return Image.open(io.BytesIO(png))


@pytest.mark.bypass_csp  # axe adds styles of its own; see tests/e2e/test_public_pages.py
@pytest.mark.parametrize("language", ["it", "en"])
def test_console_pages_accessibility(live, consultation, page, visit, language):
    email = f"axe.{language}@example.org"
    make_facilitator(live, email)
    session_id = live.cli("sessions", "create", consultation, "--zone", "1", "--title", f"Accessibilità {language}")
    live.cli("codes", "generate", session_id, "3")
    live.cli("sessions", "set-state", session_id, "open")
    live.cli("sessions", "set-state", session_id, "closed")
    sign_in(page, visit, email, language)
    base = f"/facilitate/zones/1/sessions/{session_id}"
    for path in ("/facilitate", "/facilitate/sessions/new", base, base + "/edit", base + "/codes",
                 base + "/codes/print", base + "/publish"):  # fmt: skip
        visit(path)
        violations = Axe().run(page).response["violations"]
        blocking = [v for v in violations if v["impact"] in BLOCKING_IMPACTS]
        minor = [v for v in violations if v["impact"] not in BLOCKING_IMPACTS]
        if minor:
            print(f"axe, minor or moderate, {path} ({language}):\n{describe(minor)}")
        if blocking:
            pytest.fail(f"axe: serious or critical on {path} ({language}):\n{describe(blocking)}", pytrace=False)


@pytest.mark.bypass_csp
@pytest.mark.parametrize("language", ["it", "en"])
def test_a_planner_creates_a_consultation_accessibly(live, page, visit, language):
    email = f"planner.{language}@example.org"
    make_user(live, email, "--role", "planner", "--name", "Paolo Pianificatore")
    sign_in(page, visit, email, language)
    page = visit("/facilitate/consultations/new")
    blocking = [v for v in Axe().run(page).response["violations"] if v["impact"] in BLOCKING_IMPACTS]
    if blocking:
        pytest.fail(f"axe: serious or critical ({language}):\n{describe(blocking)}", pytrace=False)
    page.locator("#title").fill(f"Verso il PSM 2027 ({language})")
    page.locator("label[for=scope-2]").click()  # some Axes
    page.locator("details").first.locator("summary").click()
    page.locator("label[for=axes-1]").click()
    page.locator("#depth").fill("4")
    page.locator("#starts_on").fill("2027-01-10")
    page.locator("#ends_on").fill("2027-01-31")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/facilitate/sessions/new\?consultation=\d+$"))
    visit.settle()
    expect(page.locator("#consultation option:checked")).to_have_text(f"Verso il PSM 2027 ({language})")
    # Planners run every zone.
    expect(page.locator("#zone option")).to_have_count(11)
