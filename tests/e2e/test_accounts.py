"""An account's whole life in a real browser: register, confirm by email, sign in and out, reset the
password through the emailed link, delete the account. Email goes to a real SMTP server (aiosmtpd).

This module runs its own live server (same shape as the one in conftest.py), configured to send
email; ``live_server`` is overridden here, so the ``page`` and ``visit`` fixtures use it.
"""

import pytest
from aiosmtpd.controller import Controller
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.e2e.conftest import SCREENSHOTS, serving
from tests.e2e.test_public_pages import BLOCKING_IMPACTS, describe
from tests.test_auth import Mailbox, free_port

pytestmark = pytest.mark.e2e

EMAIL = "lucia.ferrero@example.org"
PASSWORD = "pomodori verdi sul balcone 2026"
NEW_PASSWORD = "il tram delle sette passa tardi"


@pytest.fixture(scope="module")
def mailbox():
    box = Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=free_port())
    controller.start()
    box.port = controller.port
    yield box
    controller.stop()


@pytest.fixture(scope="module")
def live_server(tmp_path_factory, mailbox):
    """Base URL of a consult server that sends its email to ``mailbox``."""
    database = tmp_path_factory.mktemp("e2e-accounts-db") / "consult-e2e-accounts.sqlite3"
    mail = {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": mailbox.port, "MAIL_SUPPRESS_SEND": False}
    with serving(database, **mail) as server:
        yield server.url


class Steps:
    """Numbered screenshots of a story, so they read in order in test-artifacts/screenshots/."""

    def __init__(self, page, story: str = "accounts"):
        self.page = page
        self.story = story
        self.count = 0
        # Checkboxes animate for 0.2 s; without motion the screenshot shows the final state.
        page.emulate_media(reduced_motion="reduce")

    def __call__(self, name: str) -> None:
        self.count += 1
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=SCREENSHOTS / f"{self.story}-{self.count:02d}-{name}.png", full_page=True)


def settle_refused(visit) -> None:
    """After a form sent back with 400: Chromium logs the status as a console error, which is expected
    here (a refused form answers 400 on purpose); any other error still fails the test."""
    visit.page.wait_for_load_state("load")
    visit.errors[:] = [error for error in visit.errors if "status of 400" not in error]
    visit.settle()


def sign_out(page, visit) -> None:
    page.locator(".account-menu").get_by_role("button", name="Esci").click()
    visit.settle()
    expect(page.locator(".account-menu")).to_contain_text("Accedi")


def sign_in(page, visit, password: str, *, refused: bool = False) -> None:
    page = visit("/login")
    page.get_by_label("Email").fill(EMAIL)
    page.locator("#password").fill(password)
    page.locator("main form").get_by_role("button", name="Accedi").click()
    settle_refused(visit) if refused else visit.settle()


def test_account_life(page, visit, mailbox):
    steps = Steps(page)

    # Register.
    page = visit("/register")
    steps("register-empty")
    page.get_by_label("Email").fill(EMAIL)
    page.locator("#password").fill(PASSWORD)
    page.get_by_label("Ripeti la password").fill(PASSWORD)
    page.get_by_label("Nome e cognome o nome visualizzato").fill("Lucia Ferrero")
    page.get_by_label("Organizzazione o ente").fill("Comune di Pinerolo")
    page.get_by_label("Categoria di portatore di interesse").select_option("comune")
    page.get_by_label("Zona omogenea di riferimento").select_option("5")
    page.locator("details.consult-notice-details summary").click()
    expect(page.get_by_text("Garante per la protezione dei dati personali", exact=False).first).to_be_visible()
    page.locator("label[for=privacy]").click()
    steps("register-filled")
    page.get_by_role("button", name="Crea l'account").click()
    visit.settle()
    expect(page).to_have_url(f"{page.url.split('/account')[0]}/account")
    expect(page.locator("#confirm-banner")).to_be_visible()
    expect(page.locator(".account-menu")).to_contain_text("Lucia Ferrero")
    steps("registered-unconfirmed")

    # Confirm the address through the emailed link.
    confirm_link = mailbox.last_link(EMAIL, "/confirm/")
    page = visit(confirm_link)
    expect(page.locator("#confirm-banner")).to_have_count(0)
    expect(page.locator("main")).to_contain_text("confermata")
    steps("confirmed")

    # Sign out, and back in.
    sign_out(page, visit)
    steps("signed-out")
    sign_in(page, visit, PASSWORD)
    expect(page.locator(".account-menu")).to_contain_text("Lucia Ferrero")
    steps("signed-in")
    sign_out(page, visit)

    # Forgot the password: the emailed link sets a new one, once.
    page = visit("/login")
    page.get_by_role("link", name="Hai dimenticato la password?").click()
    visit.settle()
    page.get_by_label("Email del tuo account").fill(EMAIL)
    steps("forgot-password")
    page.get_by_role("button", name="Inviami il link").click()
    visit.settle()
    expect(page.locator(".alert-info")).to_contain_text(EMAIL)
    steps("reset-link-sent")
    reset_link = mailbox.last_link(EMAIL, "/password/reset/")
    page = visit(reset_link)
    page.get_by_label("Nuova password").fill(NEW_PASSWORD)
    page.get_by_label("Ripeti la password").fill(NEW_PASSWORD)
    steps("reset-password")
    page.get_by_role("button", name="Salva la nuova password").click()
    visit.settle()
    expect(page.locator(".alert-success")).to_contain_text("password")
    steps("password-reset")
    sign_out(page, visit)

    # The old password no longer works; the new one does.
    sign_in(page, visit, PASSWORD, refused=True)
    expect(page.locator("#login-failed")).to_be_visible()
    steps("old-password-refused")
    sign_in(page, visit, NEW_PASSWORD)
    expect(page.locator(".account-menu")).to_contain_text("Lucia Ferrero")

    # Delete the account.
    page = visit("/account")
    page.get_by_role("link", name="Cancella il mio account").click()
    visit.settle()
    page.get_by_label("La tua password").fill(NEW_PASSWORD)
    page.locator("label[for=confirm]").click()
    steps("delete-account")
    page.get_by_role("button", name="Cancella definitivamente il mio account").click()
    visit.settle()
    expect(page.locator(".alert-success")).to_contain_text("cancellato")
    expect(page.locator(".account-menu")).to_contain_text("Accedi")
    steps("deleted")
    sign_in(page, visit, NEW_PASSWORD, refused=True)
    expect(page.locator("#login-failed")).to_be_visible()


def test_invalid_registration_is_explained_in_the_browser(page, visit):
    page = visit("/register")
    page.get_by_label("Email").fill("not an address")
    page.get_by_label("Nome e cognome o nome visualizzato").fill("Piero")
    page.get_by_role("button", name="Crea l'account").click()
    settle_refused(visit)
    Steps(page, "accounts-invalid")("register-errors")
    expect(page.locator("#error-summary")).to_be_visible()
    expect(page.locator("#email-error")).to_be_visible()
    expect(page.get_by_label("Nome e cognome o nome visualizzato")).to_have_value("Piero")
    expect(page.get_by_label("Email")).to_have_attribute("aria-invalid", "true")


@pytest.mark.bypass_csp  # axe adds styles of its own; see tests/e2e/test_public_pages.py
@pytest.mark.parametrize("language", ["it", "en"])
@pytest.mark.parametrize("path", ["/register", "/login", "/password/forgot", "/privacy"])
def test_account_pages_accessibility(visit, language, path):
    page = visit(path)
    if path == "/register":
        page.locator("details.consult-notice-details summary").click()  # check the notice too
    violations = Axe().run(page).response["violations"]
    blocking = [v for v in violations if v["impact"] in BLOCKING_IMPACTS]
    minor = [v for v in violations if v["impact"] not in BLOCKING_IMPACTS]
    if minor:
        print(f"axe, minor or moderate, {path} ({language}):\n{describe(minor)}")
    if blocking:
        pytest.fail(f"axe: serious or critical violations on {path} ({language}):\n{describe(blocking)}", pytrace=False)
