"""Ranking in a real browser: join with a code, then rank by keyboard only and by drag and drop."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from playwright.sync_api import expect

from tests.e2e.conftest import SCREENSHOTS

pytestmark = pytest.mark.e2e

#: Axes 1 and 2 (11 strategies), the top 3 ranked: small enough to fill the ranking in a test.
CONSULTATION = ("--axes", "1,2", "--depth", "3")
BLOCKING_IMPACTS = ("serious", "critical")

TEXT = {
    "it": {
        "category": "Comune o unione di comuni",
        "add": "Aggiungi alla classifica",
        "remove": "Togli dalla classifica",
        "up": "Su",
        "down": "Giù",
        "save": "Salva la classifica",
        "ranked": "La tua classifica",
        "others": "Le altre strategie",
        "saved": "La tua classifica è stata salvata.",
        "strategy": "(strategia {code})",
        "added": "Strategia {code} aggiunta alla classifica in posizione {position}.",
        "moved": "Strategia {code} spostata in posizione {position} di {total}.",
        "removed": "Strategia {code} tolta dalla classifica.",
        "first": "La strategia {code} è già in prima posizione.",
        "full": "La classifica è piena: togli una strategia prima di aggiungerne un’altra.",
        "left_1": "Resta 1 posto in classifica.",
        "left_0": "Hai usato tutti i posti della classifica.",
        "position": "Posizione della strategia {code}",
    },
    "en": {
        "category": "Municipality or union of municipalities",
        "add": "Add to the ranking",
        "remove": "Remove from the ranking",
        "up": "Up",
        "down": "Down",
        "save": "Save the ranking",
        "ranked": "Your ranking",
        "others": "The other strategies",
        "saved": "Your ranking has been saved.",
        "strategy": "(strategy {code})",
        "added": "Strategy {code} added to the ranking in position {position}.",
        "moved": "Strategy {code} moved to position {position} of {total}.",
        "removed": "Strategy {code} removed from the ranking.",
        "first": "Strategy {code} is already in first position.",
        "full": "The ranking is full: remove a strategy before adding another one.",
        "left_1": "1 place left in the ranking.",
        "left_0": "You have used every place in the ranking.",
        "position": "Position of strategy {code}",
    },
}


@pytest.fixture(scope="module")
def cli(live):
    """The flask commands, run on the live server's database."""
    return live.cli


def join_and_rank(cli, visit, language, consultation_args):
    """Open a session in zone 1, join it with a fresh code in the browser; the page, on the ranking."""
    consultation = cli("consultations", "create", "--title", "Dalle strategie alle azioni", *consultation_args)
    session_id = cli("sessions", "create", consultation, "--zone", "1", "--title", f"Prova {language}")
    cli("sessions", "set-state", session_id, "open")
    code = cli("codes", "generate", session_id, "1")
    page = visit("/join")
    page.locator("#code").fill(code)
    page.locator("#category").select_option(label=TEXT[language]["category"])
    page.locator("#code").press("Enter")  # sends the code form
    page.wait_for_url(re.compile(rf"/zones/1/sessions/{session_id}/ranking$"))
    visit.settle()
    expect(page.locator("#ranking-form")).to_have_class(re.compile(r"\bis-enhanced\b"))
    return page


@pytest.fixture
def ranking_page(cli, visit, language):
    """An open session in zone 1; the browser joined it with a fresh code and is on the ranking page."""
    return join_and_rank(cli, visit, language, CONSULTATION)


def button(page, language: str, action: str, code: str):
    name = f"{TEXT[language][action]} {TEXT[language]['strategy'].format(code=code)}"
    return page.get_by_role("button", name=name, exact=True)


def tab_to(page, target, limit: int = 150) -> None:
    """Press Tab (only the keyboard) until ``target`` has the focus."""
    for _press in range(limit):
        if target.evaluate("element => element === document.activeElement"):
            return
        page.keyboard.press("Tab")
    pytest.fail(f"{target} never got the focus with Tab")


def ranked_codes(page) -> list[str]:
    return page.locator(".consult-dnd-ranked .consult-dnd-item").evaluate_all(
        "items => items.map(item => item.dataset.code)"
    )


def select_values(page) -> dict[str, str]:
    return page.locator("#ranking-form select").evaluate_all(
        "selects => Object.fromEntries(selects.filter(s => s.value).map(s => [s.name, s.value]))"
    )


def shot(page, name: str, language: str, *, width: int | None = None, full_page: bool = True) -> None:
    if width:
        page.set_viewport_size({"width": width, "height": 844})
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"{name}-{language}.png", full_page=full_page)


def session_page_order(page) -> list[str]:
    return page.locator(".consult-ranking-summary .consult-code").all_inner_texts()


@pytest.mark.parametrize("language", ["it", "en"])
def test_rank_with_the_keyboard_only(ranking_page, visit, language):
    page, text = ranking_page, TEXT[language]
    announcer = page.locator("#ranking-announcer")
    expect(page.get_by_role("heading", name=text["ranked"])).to_be_visible()
    expect(page.get_by_role("heading", name=text["others"])).to_be_visible()
    # Each strategy's select stays, beside its buttons: it sends the strategy to a place directly.
    expect(page.get_by_label(text["position"].format(code="1.1"), exact=True)).to_be_visible()
    shot(page, "test_ranking_keyboard-empty-desktop", language)

    # Add 1.2, then 1.1 and 1.3: after each, focus is on the item's "remove" button in the ranking, and
    # the next Tab reaches the first "add" button of the other strategies.
    for position, code in enumerate(["1.2", "1.1", "1.3"], start=1):
        add = button(page, language, "add", code)
        tab_to(page, add)
        page.keyboard.press("Enter")
        expect(announcer).to_have_text(text["added"].format(code=code, position=position))
        expect(button(page, language, "remove", code)).to_be_focused()
    assert ranked_codes(page) == ["1.2", "1.1", "1.3"]
    expect(page.locator("#ranking-places")).to_have_text(text["left_0"])
    expect(page.locator(".consult-dnd-ranked .consult-dnd-position").nth(2)).to_contain_text("3")

    # The ranking is full: adding is refused, said aloud, and the focus stays put.
    add = button(page, language, "add", "1.4")
    tab_to(page, add)
    page.keyboard.press("Enter")
    expect(announcer).to_have_text(text["full"])
    # ... and said on screen, beside the strategy.
    expect(page.locator(".consult-dnd-item[data-code='1.4'] .consult-dnd-refused")).to_have_text(text["full"])
    expect(page.locator(".consult-dnd-item[data-code='1.4'] .consult-dnd-refused")).to_be_visible()
    expect(add).to_be_focused()
    assert ranked_codes(page) == ["1.2", "1.1", "1.3"]

    # Move 1.3 up twice; the focus stays on its "up" button; a third time it is already first.
    up = button(page, language, "up", "1.3")
    up.focus()  # back up the page: Shift+Tab would do the same, through more stops
    page.keyboard.press("Enter")
    expect(announcer).to_have_text(text["moved"].format(code="1.3", position=2, total=3))
    expect(up).to_be_focused()
    page.keyboard.press("Enter")
    expect(announcer).to_have_text(text["moved"].format(code="1.3", position=1, total=3))
    expect(up).to_be_focused()
    page.keyboard.press("Enter")
    expect(announcer).to_have_text(text["first"].format(code="1.3"))
    assert ranked_codes(page) == ["1.3", "1.2", "1.1"]

    # Down: 1.2 goes below 1.1.
    down = button(page, language, "down", "1.2")
    tab_to(page, down)
    page.keyboard.press("Enter")
    expect(announcer).to_have_text(text["moved"].format(code="1.2", position=3, total=3))
    expect(down).to_be_focused()

    # Remove 1.1; the focus moves to its "add" button, now among the others.
    remove = button(page, language, "remove", "1.1")
    remove.focus()
    page.keyboard.press("Enter")
    expect(announcer).to_have_text(text["removed"].format(code="1.1"))
    expect(button(page, language, "add", "1.1")).to_be_focused()
    expect(page.locator("#ranking-places")).to_have_text(text["left_1"])
    assert ranked_codes(page) == ["1.3", "1.2"]
    # The hidden selects, which the form sends, follow the lists.
    assert select_values(page) == {"position-1.3": "1", "position-1.2": "2"}
    shot(page, "test_ranking_keyboard-ranked-desktop", language)

    # Keyboard focus is visible on the buttons (WCAG 2.4.7).
    focused = button(page, language, "add", "1.1")
    assert focused.evaluate("el => getComputedStyle(el).boxShadow") != "none"

    tab_to(page, page.get_by_role("button", name=text["save"]))
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/sessions/\d+$"))
    visit.settle()
    expect(page.get_by_text(text["saved"])).to_be_visible()
    assert session_page_order(page) == ["1.3", "1.2"]


@pytest.mark.parametrize("language", ["it", "en"])
def test_rank_with_the_mouse(ranking_page, visit, language):
    page, text = ranking_page, TEXT[language]
    announcer = page.locator("#ranking-announcer")
    ranked = page.locator(".consult-dnd-ranked")

    def item(code):
        return page.locator(f".consult-dnd-item[data-code='{code}']")

    def drag(code, target, into: str, order: list[str], *, above: bool = False) -> None:
        """Drag a strategy by its handle onto ``target`` (its upper part when ``above``), and let go once the
        list ``into`` shows ``order`` (the dragged item among them). On a busy machine the lists may still be
        animating, or scrolling as the pointer nears an edge, when the pointer arrives: it moves to the
        target's new place until the lists agree, instead of letting go at a place measured too early."""
        handle = item(code).locator(".consult-dnd-handle")
        # Scroll so that both ends of the drag are in view: halfway between them, in the middle.
        middle = (handle.bounding_box()["y"] + target.bounding_box()["y"]) / 2
        page.evaluate("middle => window.scrollBy(0, middle - window.innerHeight / 2)", middle)
        box = handle.bounding_box()
        assert box["y"] >= 0 and box["y"] + box["height"] <= page.viewport_size["height"], "handle out of view"
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        page.mouse.down()
        for attempt in range(4):
            goal = target.bounding_box()
            y = goal["y"] + (goal["height"] * (0.25 if above else 0.5))
            page.mouse.move(goal["x"] + 40, y, steps=15 if attempt == 0 else 3)
            page.mouse.move(goal["x"] + 42, y + 1, steps=3)
            try:
                page.wait_for_function(
                    "([list, order]) => JSON.stringify([...document.querySelectorAll(list + ' .consult-dnd-item')]"
                    ".map(item => item.dataset.code)) === JSON.stringify(order)",
                    arg=[into, order],
                    timeout=3_000,
                )
                break
            except PlaywrightTimeoutError:
                continue
        page.mouse.up()

    drag("1.2", ranked, ".consult-dnd-ranked", ["1.2"])
    expect(announcer).to_have_text(text["added"].format(code="1.2", position=1))
    drag("1.1", item("1.2"), ".consult-dnd-ranked", ["1.1", "1.2"], above=True)
    expect(announcer).to_have_text(text["added"].format(code="1.1", position=1))
    assert ranked_codes(page) == ["1.1", "1.2"]
    # Within the ranking: 1.2 back on top.
    drag("1.2", item("1.1"), ".consult-dnd-ranked", ["1.2", "1.1"], above=True)
    expect(announcer).to_have_text(text["moved"].format(code="1.2", position=1, total=2))
    assert ranked_codes(page) == ["1.2", "1.1"]
    # Out of the ranking: 1.1 back among the others, in the plan's order.
    drag("1.1", page.locator(".consult-dnd-others .consult-dnd-item[data-code='1.3']"), ".consult-dnd-ranked", ["1.2"])
    expect(announcer).to_have_text(text["removed"].format(code="1.1"))
    assert page.locator(".consult-dnd-others .consult-dnd-item").first.get_attribute("data-code") == "1.1"
    drag("1.3", item("1.2"), ".consult-dnd-ranked", ["1.2", "1.3"])
    expect(announcer).to_have_text(text["added"].format(code="1.3", position=2))
    assert ranked_codes(page) == ["1.2", "1.3"]
    # The buttons follow the lists: ranked items can move and leave, the others can join.
    expect(button(page, language, "up", "1.3")).to_be_visible()
    expect(button(page, language, "add", "1.3")).to_be_hidden()
    expect(button(page, language, "add", "1.1")).to_be_visible()
    assert select_values(page) == {"position-1.2": "1", "position-1.3": "2"}
    shot(page, "test_ranking_mouse-desktop", language)
    shot(page, "test_ranking_mouse-mobile", language, width=390)
    page.set_viewport_size({"width": 1280, "height": 900})

    page.get_by_role("button", name=text["save"]).click()
    page.wait_for_url(re.compile(r"/sessions/\d+$"))
    visit.settle()
    assert session_page_order(page) == ["1.2", "1.3"]

    # Back to the ranking: the saved order is where the lists start from.
    page.goto(page.url + "/ranking")
    visit.settle()
    assert ranked_codes(page) == ["1.2", "1.3"]


@pytest.mark.bypass_csp  # axe adds <style> elements of its own: see test_public_pages.py
@pytest.mark.parametrize("language", ["it", "en"])
def test_ranking_page_accessibility(ranking_page, language):
    page = ranking_page
    button(page, language, "add", "1.2").click()
    button(page, language, "add", "2.3").click()
    violations = Axe().run(page).response["violations"]
    blocking = [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes'][:5]]}"
        for v in violations
        if v["impact"] in BLOCKING_IMPACTS
    ]
    assert not blocking, "\n".join(blocking)
    minor = [f"{v['id']} ({v['impact']})" for v in violations if v["impact"] not in BLOCKING_IMPACTS]
    print("axe, minor or moderate:", minor)


def test_no_animation_for_people_who_ask_for_reduced_motion(ranking_page, visit):
    page = ranking_page

    def animation() -> int:
        return page.evaluate("Sortable.get(document.querySelector('.consult-dnd-ranked')).option('animation')")

    assert animation() > 0
    page.emulate_media(reduced_motion="reduce")
    page.reload()
    visit.settle()
    assert animation() == 0


def drag_by_handle(page, code: str, target) -> None:
    """Drag a strategy by its handle onto ``target``, waiting for each state of the drag rather than for time,
    so that a slow machine only makes it slower, not wrong."""
    item = page.locator(f".consult-dnd-item[data-code='{code}']")
    handle = item.locator(".consult-dnd-handle")
    box = handle.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    expect(item).to_have_class(re.compile(r"\bconsult-dnd-chosen\b"))  # Sortable has it
    page.mouse.move(x + 4, y + 4)
    expect(page.locator(".sortable-fallback")).to_have_count(1)  # the drag has started
    goal = target.bounding_box()
    page.mouse.move(goal["x"] + goal["width"] / 2, goal["y"] + min(goal["height"] / 2, 20), steps=8)
    # Sortable checks the element under the pointer on a timer as well: the strategy joins the list.
    expect(page.locator(f".consult-dnd-ranked .consult-dnd-item[data-code='{code}']")).to_have_count(1)
    page.mouse.up()
    expect(page.locator(".sortable-fallback")).to_have_count(0)


@pytest.mark.parametrize("language", ["it", "en"])
def test_the_last_of_27_strategies_reaches_the_top_at_once(cli, visit, language):
    """The whole plan, top 5: the ranking stays in view beside the list, and every strategy has a select
    that sends it to a place directly."""
    page, text = join_and_rank(cli, visit, language, ("--depth", "5")), TEXT[language]
    page.emulate_media(reduced_motion="reduce")  # no animation to wait for: the states are final at once
    announcer = page.locator("#ranking-announcer")
    ranked_section = page.locator(".consult-dnd-ranked-section")
    expect(page.locator(".consult-dnd-item")).to_have_count(27)

    # The last strategy of the list in view: the ranking is in view too, beside it.
    last = page.locator(".consult-dnd-item[data-code='6.4']")
    last.scroll_into_view_if_needed()
    viewport = page.viewport_size["height"]
    box, ranking = last.bounding_box(), ranked_section.bounding_box()
    assert box["y"] >= 0 and box["y"] + box["height"] <= viewport, "the last strategy is out of view"
    assert 0 <= ranking["y"] < viewport, "the ranking scrolled out of view"
    shot(page, "test_ranking_27-bottom", language, full_page=False)  # what the person sees

    # Dragged straight to the top: no scrolling on the way.
    drag_by_handle(page, "6.4", page.locator(".consult-dnd-ranked"))
    expect(announcer).to_have_text(text["added"].format(code="6.4", position=1))

    # Sent to a place with its select: 1.1 to the first place, above 6.4.
    page.get_by_label(text["position"].format(code="1.1"), exact=True).select_option("1")
    expect(announcer).to_have_text(text["added"].format(code="1.1", position=1))
    assert ranked_codes(page) == ["1.1", "6.4"]
    expect(page.get_by_label(text["position"].format(code="1.1"), exact=True)).to_be_focused()
    # Within the ranking: 6.4 back to the top.
    page.get_by_label(text["position"].format(code="6.4"), exact=True).select_option("1")
    expect(announcer).to_have_text(text["moved"].format(code="6.4", position=1, total=2))
    assert ranked_codes(page) == ["6.4", "1.1"]
    # A place beyond the end of the ranking is the next free one.
    for code in ("3.2", "5.5", "2.6"):
        page.get_by_label(text["position"].format(code=code), exact=True).select_option("5")
    assert ranked_codes(page) == ["6.4", "1.1", "3.2", "5.5", "2.6"]
    expect(page.locator("#ranking-places")).to_have_text(text["left_0"])

    # Full: a sixth is refused on screen, beside it, and aloud; its select goes back to "not ranked".
    page.get_by_label(text["position"].format(code="4.1"), exact=True).select_option("2")
    refused = page.locator(".consult-dnd-item[data-code='4.1'] .consult-dnd-refused")
    expect(refused).to_have_text(text["full"])
    expect(refused).to_be_visible()
    expect(announcer).to_have_text(text["full"])
    expect(page.get_by_label(text["position"].format(code="4.1"), exact=True)).to_have_value("")
    assert ranked_codes(page) == ["6.4", "1.1", "3.2", "5.5", "2.6"]
    shot(page, "test_ranking_27-full", language, full_page=False)
    # "Not ranked" takes one out, and the notice goes once something changes.
    page.get_by_label(text["position"].format(code="1.1"), exact=True).select_option("")
    expect(announcer).to_have_text(text["removed"].format(code="1.1"))
    expect(refused).to_have_count(0)
    assert ranked_codes(page) == ["6.4", "3.2", "5.5", "2.6"]
    shot(page, "test_ranking_27-mobile", language, width=390)
    page.set_viewport_size({"width": 1280, "height": 900})

    page.get_by_role("button", name=text["save"]).click()
    page.wait_for_url(re.compile(r"/sessions/\d+$"))
    visit.settle()
    assert session_page_order(page) == ["6.4", "3.2", "5.5", "2.6"]
