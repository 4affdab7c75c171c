"""The strategy sheet in a real browser: join with a room code, rank, fill a sheet with a project, two actors
and two conditions, comment; keyboard only where practical; Italian and English; axe on every page."""

import re
from types import SimpleNamespace

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.e2e.conftest import serving
from tests.e2e.test_public_pages import BLOCKING_IMPACTS, describe

pytestmark = pytest.mark.e2e

#: UI strings the test looks for, by language.
UI = {
    "it": {
        "sheet_title": "Scheda della strategia 1.1",
        "add_project": "Aggiungi un progetto",
        "save_sheet": "Salva la scheda",
        "save_project": "Salva il progetto",
        "publish": "Pubblica il commento",
        "saved": "La scheda della strategia 1.1 è stata salvata.",
        "next": "Prossima strategia nella tua classifica: 2.1",
    },
    "en": {
        "sheet_title": "Sheet for strategy 1.1",
        "add_project": "Add a project",
        "save_sheet": "Save the sheet",
        "save_project": "Save the project",
        "publish": "Post the comment",
        "saved": "The sheet for strategy 1.1 has been saved.",
        "next": "Next strategy in your ranking: 2.1",
    },
}


@pytest.fixture(scope="module")
def sheet_server(tmp_path_factory):
    """A consult server of its own, with an open session in zone 1 and room codes to join it with."""
    with serving(tmp_path_factory.mktemp("e2e-sheet-db") / "consult-e2e-sheet.sqlite3") as server:
        consultation = server.cli("consultations", "create", "--title", "Dalle strategie alle azioni", "--depth", "3")
        session_id = server.cli(
            "sessions", "create", consultation, "--zone", "1", "--title", "Pinerolese — dicembre 2023"
        )
        server.cli("sessions", "set-state", session_id, "open")
        codes = server.cli("codes", "generate", session_id, "8").split()
        yield SimpleNamespace(url=server.url, session=f"/zones/1/sessions/{session_id}", codes=codes)


@pytest.fixture(scope="module")
def live_server(sheet_server):
    """The page fixture's server is this module's own."""
    return sheet_server.url


def type_into(page, selector: str, text: str) -> None:
    """Focus a field and type, as a person at the keyboard would."""
    page.locator(selector).focus()
    page.keyboard.type(text)


def press(page, selector: str, key: str = "Enter") -> None:
    page.locator(selector).focus()
    page.keyboard.press(key)


def activate(visit, page, target) -> None:
    """Focus a link or button (a selector or a locator), press Enter, wait for the next page and screenshot it."""
    locator = page.locator(target) if isinstance(target, str) else target
    locator.focus()
    with page.expect_navigation(wait_until="load"):
        page.keyboard.press("Enter")
    visit.settle()


def join_with_code(visit, page, server, language: str) -> None:
    visit("/join")
    expect(page.locator("#code")).to_be_visible()
    type_into(page, "#code", server.codes.pop())
    page.locator("#category").select_option("cittadino")
    type_into(page, "#name", "Giulia")
    with page.expect_navigation(wait_until="load"):
        page.keyboard.press("Enter")
    visit.settle()
    expect(page).to_have_url(re.compile(r"/ranking$"))


def rank(visit, page, codes=("1.1", "2.1")) -> None:
    for code in codes:
        add = page.locator(f'[data-code="{code}"] button[data-action="add"]')
        if add.count() and add.is_visible():
            add.focus()
            page.keyboard.press("Enter")
        else:  # the page without its script: numbered selects
            page.locator(f"#position-{code}").select_option(str(codes.index(code) + 1))
    activate(visit, page, "#ranking-form button[type=submit]")


def check_accessibility(page, what: str) -> None:
    violations = Axe().run(page).response["violations"]
    blocking = [v for v in violations if v["impact"] in BLOCKING_IMPACTS]
    minor = [v for v in violations if v["impact"] not in BLOCKING_IMPACTS]
    if minor:
        print(f"axe, minor or moderate, {what}:\n{describe(minor)}")
    if blocking:
        pytest.fail(f"axe: serious or critical violations on {what}:\n{describe(blocking)}", pytrace=False)


@pytest.mark.parametrize("language", ["it", "en"])
def test_join_rank_fill_a_sheet_and_comment(visit, page, sheet_server, language):
    ui = UI[language]
    join_with_code(visit, page, sheet_server, language)
    rank(visit, page)

    # The session page offers the sheet of the top-ranked strategy first.
    expect(page).to_have_url(re.compile(re.escape(sheet_server.session) + "$"))
    first = page.locator("ol.consult-ranking-summary li").first
    expect(first).to_contain_text("1.1")
    activate(visit, page, first.locator("a[href$='/strategies/1.1']"))
    expect(page.locator("main h1")).to_have_text(ui["sheet_title"])
    if language != "it":
        expect(page.locator("main .lead span[lang=it]")).to_be_visible()  # the official text stays Italian

    type_into(page, "#implementation", "Un tavolo permanente con i comuni del Pinerolese.")
    type_into(page, "#actors-0-name", "Comune di Pinerolo")
    page.locator("#actors-0-kind").select_option("comune")
    press(page, "#actors-0-state-0", "Space")  # already active
    type_into(page, "#actors-0-role", "Capofila")
    type_into(page, "#actors-1-name", "Consorzio Pinerolo Energia")
    page.locator("#actors-1-kind").select_option("impresa")
    press(page, "#actors-1-state-1", "Space")  # to be activated
    press(page, "#conditions-0-chosen", "Space")
    expect(page.locator("#conditions-0-note")).to_be_hidden()  # a note opens when asked for
    press(page, "#conditions-0-note-details > summary", "Enter")
    type_into(page, "#conditions-0-note", "Fondi per la banda ultralarga")
    press(page, "#conditions-6-chosen", "Space")
    press(page, "#priority-1\\.1\\.1", "Space")
    press(page, "#priority-1\\.1\\.2", "Space")

    # "Add a project" saves the sheet first, then opens the proposal form.
    activate(visit, page, page.get_by_role("button", name=ui["add_project"]))
    expect(page).to_have_url(re.compile(r"/strategies/1\.1/proposals/new$"))
    type_into(page, "#title", "Banda ultralarga nelle valli")
    type_into(page, "#description", "Collegare le frazioni montane. Dettagli su https://example.org/bul")
    type_into(page, "#promoter", "Unione montana Valli Chisone e Germanasca")
    page.locator("#funding").select_option("pnrr")
    page.locator("#status").select_option("in_progettazione")
    press(page, "#competence-1", "Space")
    press(page, "#actions-0", "Space")
    press(page, "#related_plans-0", "Space")
    type_into(page, "#link", "https://example.org/bul")
    activate(visit, page, page.get_by_role("button", name=ui["save_project"]))

    # Back on the sheet: everything typed before the project is there, and the project too.
    expect(page).to_have_url(re.compile(r"/strategies/1\.1#projects$"))
    expect(page.locator("#projects")).to_contain_text("Banda ultralarga nelle valli")
    expect(page.locator("#implementation")).to_have_value("Un tavolo permanente con i comuni del Pinerolese.")
    expect(page.locator("#actors-1-name")).to_have_value("Consorzio Pinerolo Energia")
    expect(page.locator("#actors-1-state-1")).to_be_checked()
    expect(page.locator("#conditions-0-chosen")).to_be_checked()
    expect(page.locator("#conditions-6-chosen")).to_be_checked()
    expect(page.locator("#priority-1\\.1\\.2")).to_be_checked()
    activate(visit, page, page.get_by_role("button", name=ui["save_sheet"]))
    expect(page.locator(".alert-success")).to_have_text(ui["saved"])
    expect(page.get_by_role("link", name=re.compile(re.escape(ui["next"])))).to_be_visible()

    # Comment on the strategy: the count on the sheet leads to the discussion.
    activate(visit, page, page.locator("main a[href$='/strategies/1.1/discussion']").first)
    type_into(page, "#comment-body", "Serve anche la <b>fibra</b> nelle scuole: https://example.org/scuole")
    activate(visit, page, page.get_by_role("button", name=ui["publish"]))
    comment = page.locator("article.consult-comment").last
    expect(comment).to_contain_text("Serve anche la <b>fibra</b>")  # shown as typed, not as HTML
    expect(comment.locator("a[href='https://example.org/scuole']")).to_have_attribute("rel", re.compile("nofollow"))
    expect(comment).to_contain_text("Giulia")

    # One level of replies: open "Reply" under the comment, write, post.
    thread = page.locator("#comments > ol > li").last
    thread.locator("details:has(input[name=parent]) summary").focus()
    page.keyboard.press("Enter")
    reply = thread.locator("textarea[name=body]")
    reply.focus()
    page.keyboard.type("E anche nelle biblioteche.")
    activate(visit, page, thread.locator("details button[type=submit]"))
    expect(page.locator("#comments > ol > li").last.locator("ol article")).to_contain_text("E anche nelle biblioteche.")

    visit(sheet_server.session + "/proposals")
    activate(visit, page, page.get_by_role("link", name="Banda ultralarga nelle valli").last)
    expect(page.locator("main h1")).to_have_text("Banda ultralarga nelle valli")
    expect(page.locator("main")).to_contain_text("PNRR")


@pytest.mark.bypass_csp  # axe adds <style> elements while it measures; see test_public_pages.py
@pytest.mark.parametrize("language", ["it", "en"])
def test_sheet_pages_accessibility(visit, page, sheet_server, language):
    join_with_code(visit, page, sheet_server, language)
    rank(visit, page)
    base = sheet_server.session
    visit(base + "/strategies/1.1")
    check_accessibility(page, f"the sheet ({language})")

    # A sheet sent back with errors: the summary, the marked fields.
    type_into(page, "#actors-0-role", "Un ruolo senza nome")
    page.locator("#priority-actions input[type=checkbox]").first.focus()
    page.keyboard.press("Space")
    page.locator("button.btn-primary.btn-lg").focus()
    with page.expect_navigation(wait_until="load") as navigation:
        page.keyboard.press("Enter")
    assert navigation.value.status == 422
    # The browser logs the 422 as a failed resource: expected here, so not an error of the page.
    visit.errors[:] = [error for error in visit.errors if "status of 422" not in error]
    visit.settle()
    expect(page.locator("#error-summary")).to_be_visible()
    check_accessibility(page, f"the sheet with errors ({language})")

    visit(base + "/strategies/1.1/proposals/new")
    check_accessibility(page, f"the proposal form ({language})")
    visit(base + "/strategies/1.1/discussion")
    check_accessibility(page, f"the discussion ({language})")
    visit(base + "/proposals")
    check_accessibility(page, f"the proposals ({language})")
    proposal = page.locator("main h3 a").first
    if proposal.count():  # the other test, when it ran first, left a proposal to look at
        activate(visit, page, proposal)
        check_accessibility(page, f"a proposal ({language})")
