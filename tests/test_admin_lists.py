"""Admin pages for the managed lists: stakeholder categories and enabling conditions."""

import re

import pytest
from sqlalchemy import select

from consult.extensions import db
from consult.models import (
    ActorState,
    AuditEvent,
    ConditionTag,
    Participant,
    SheetActor,
    SheetCondition,
    StakeholderCategory,
    Strategy,
    StrategySheet,
    User,
)
from tests.conftest import csrf_token
from tests.participation_helpers import make_session

LISTS = "/admin/lists"


@pytest.fixture
def admin(client_as):
    return client_as("admin")


def post(client, path: str, data: dict | None = None, **kwargs):
    """POST a form as the browser would, with the CSRF token the session holds."""
    return client.post(path, data={"csrf_token": csrf_token(client, LISTS), **(data or {})}, **kwargs)


def entry_id(app, model, code: str) -> int:
    with app.app_context():
        return db.session.scalar(select(model.id).where(model.code == code))


def fetch(app, model, code: str) -> dict | None:
    """The entry as plain data, read in its own app context."""
    with app.app_context():
        entry = db.session.scalar(select(model).where(model.code == code))
        if entry is None:
            return None
        return {name: getattr(entry, name) for name in ("code", "name_it", "name_en", "position", "active")}


def events(app, action: str) -> list[dict]:
    with app.app_context():
        rows = db.session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id))
        return [
            {"actor": event.actor.email if event.actor else None, "target": (event.target_type, event.target_id)}
            | event.details
            for event in rows
        ]


def form_data(entry: dict, **changes) -> dict:
    """The entry's form as the browser sends it: an unticked checkbox is simply absent."""
    data = {**entry, **changes}
    data["position"] = str(data["position"])
    if data.pop("active"):
        data["active"] = "y"
    return data


def section(html: str, slug: str) -> str:
    match = re.search(rf'<section id="{slug}".*?</section>', html, re.S)
    assert match, f"no section {slug}"
    return match.group(0)


def table_rows(html: str) -> list[str]:
    body = re.search(r"<tbody>(.*?)</tbody>", html, re.S)
    return re.findall(r"<tr[^>]*>(.*?)</tr>", body.group(1), re.S) if body else []


def option_values(html: str, name: str) -> list[str]:
    select_html = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', html, re.S).group(1)
    return re.findall(r'value="([^"]*)"', select_html)


def use_in_a_sheet(app, runner, condition_code: str, actor_kind: str | None = None) -> None:
    """A participant's sheet that ticks the condition (and names an actor of ``actor_kind``)."""
    session_id = make_session(runner)
    with app.app_context():
        participant = Participant(session_id=session_id, label="P1")
        strategy = db.session.scalar(select(Strategy).order_by(Strategy.id))
        sheet = StrategySheet(participant=participant, strategy=strategy)
        condition = db.session.scalar(select(ConditionTag).where(ConditionTag.code == condition_code))
        sheet.conditions.append(SheetCondition(condition=condition))
        if actor_kind:
            sheet.actors.append(SheetActor(name="Pro Loco", kind=actor_kind, state=ActorState.ACTIVE))
        db.session.add(sheet)
        db.session.commit()


# --- the lists page ----------------------------------------------------------------------------


def test_the_page_shows_both_lists_with_their_use(app, admin, runner):
    use_in_a_sheet(app, runner, "tempi")
    response = admin.get(LISTS)
    assert response.status_code == 200
    html = response.get_data(as_text=True)

    categories = table_rows(section(html, "categories"))
    assert len(categories) == 9  # the seeded ones
    first = categories[0]
    assert "<td>1</td>" in first and "<code>comune</code>" in first
    assert "Comune o unione di comuni" in first and "Municipality or union of municipalities" in first
    assert "Sì" in first
    assert "5 account" in first  # the five personas
    comune = entry_id(app, StakeholderCategory, "comune")
    assert f'href="/admin/lists/categories/{comune}"' in first
    assert "—" in categories[1]  # nobody uses "ente_pubblico"

    conditions = table_rows(section(html, "conditions"))
    assert len(conditions) == 12
    tempi = next(row for row in conditions if "<code>tempi</code>" in row)
    assert "1 scheda" in tempi
    assert 'href="/admin/lists/categories/new"' in html and 'href="/admin/lists/conditions/new"' in html


def test_the_page_is_accessible_and_in_the_admin_tabs(admin):
    html = admin.get(LISTS).get_data(as_text=True)
    assert html.count("<h1") == 1
    assert html.count("<caption") == 2
    assert html.count('scope="col"') == 14
    assert '<a class="nav-link active" href="/admin/lists" aria-current="page">Elenchi</a>' in html
    assert " style=" not in html and "<script>" not in html
    # The other admin pages have the tab too.
    assert 'href="/admin/lists"' in admin.get("/admin/users").get_data(as_text=True)


def test_the_pages_speak_english_too(app, admin):
    html = admin.get(LISTS, headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Participant categories" in html and "Enabling conditions" in html
    # A {% trans %} block over several lines is found in the catalogue too.
    assert "The entries participants choose from." in html
    comune = entry_id(app, StakeholderCategory, "comune")
    html = admin.get(f"/admin/lists/categories/{comune}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Unticking “Active” stops offering the entry" in html and "Italian name" in html


# --- adding and changing entries ---------------------------------------------------------------


def test_an_admin_adds_a_category(app, admin, client):
    page = admin.get("/admin/lists/categories/new").get_data(as_text=True)
    assert 'name="position"' in page and 'value="10"' in page  # after the nine seeded ones
    assert re.search(r'<input[^>]*checked[^>]*name="active"|<input[^>]*name="active"[^>]*checked', page)

    data = {
        "code": "pro_loco",
        "name_it": "Pro loco",
        "name_en": "Local tourist board",
        "position": "10",
        "active": "y",
    }
    response = post(admin, "/admin/lists/categories/new", data)
    assert response.status_code == 303
    assert response.headers["Location"] == "/admin/lists#categories"
    assert fetch(app, StakeholderCategory, "pro_loco") == {
        "code": "pro_loco",
        "name_it": "Pro loco",
        "name_en": "Local tourist board",
        "position": 10,
        "active": True,
    }
    assert "Voce «Pro loco» aggiunta." in admin.get(LISTS).get_data(as_text=True)
    new_id = entry_id(app, StakeholderCategory, "pro_loco")
    assert events(app, "list.entry_created") == [
        {
            "actor": "admin@example.org",
            "target": ("stakeholder_category", new_id),
            "code": "pro_loco",
            "name_it": "Pro loco",
            "name_en": "Local tourist board",
            "position": 10,
            "active": True,
        }
    ]
    # A choice at once, at the end.
    assert option_values(client.get("/register").get_data(as_text=True), "category")[-1] == "pro_loco"
    assert option_values(client.get("/join").get_data(as_text=True), "category")[-1] == "pro_loco"


def test_an_admin_adds_an_enabling_condition(app, admin):
    data = {"code": "spazi", "name_it": "  Spazi  disponibili ", "name_en": "Available spaces", "position": "3"}
    assert post(admin, "/admin/lists/conditions/new", data).status_code == 303
    # Names are tidied; an unticked box adds the entry retired.
    assert fetch(app, ConditionTag, "spazi") == {
        "code": "spazi",
        "name_it": "Spazi disponibili",
        "name_en": "Available spaces",
        "position": 3,
        "active": False,
    }
    assert fetch(app, StakeholderCategory, "spazi") is None


def test_an_admin_edits_an_entry_and_the_change_is_audited(app, admin):
    before = fetch(app, ConditionTag, "tempi")
    tempi = entry_id(app, ConditionTag, "tempi")
    page = admin.get(f"/admin/lists/conditions/{tempi}").get_data(as_text=True)
    assert 'value="tempi"' in page and 'value="Tempi"' in page and "readonly" not in page

    data = form_data(before, name_it="Tempi certi", name_en="Reliable timing", position=1)
    response = post(admin, f"/admin/lists/conditions/{tempi}", data)
    assert response.status_code == 303
    assert response.headers["Location"] == "/admin/lists#conditions"
    assert fetch(app, ConditionTag, "tempi") == {
        **before,
        "name_it": "Tempi certi",
        "name_en": "Reliable timing",
        "position": 1,
    }
    assert events(app, "list.entry_changed") == [
        {
            "actor": "admin@example.org",
            "target": ("condition_tag", tempi),
            "code": "tempi",
            "changed": ["name_it", "name_en", "position"],
            "before": {"name_it": "Tempi", "name_en": "Timing", "position": before["position"]},
            "after": {"name_it": "Tempi certi", "name_en": "Reliable timing", "position": 1},
        }
    ]
    assert "Voce «Tempi certi» salvata." in admin.get(LISTS).get_data(as_text=True)

    # Saving again as it is changes and records nothing.
    response = post(admin, f"/admin/lists/conditions/{tempi}", form_data(fetch(app, ConditionTag, "tempi")))
    assert response.status_code == 303
    assert "Nessuna modifica da salvare." in admin.get(LISTS).get_data(as_text=True)
    assert len(events(app, "list.entry_changed")) == 1


def test_an_unused_entry_can_change_its_code(app, admin):
    scuola = fetch(app, StakeholderCategory, "scuola")
    scuola_id = entry_id(app, StakeholderCategory, "scuola")
    response = post(admin, f"/admin/lists/categories/{scuola_id}", form_data(scuola, code="scuola_formazione"))
    assert response.status_code == 303
    assert fetch(app, StakeholderCategory, "scuola") is None
    assert fetch(app, StakeholderCategory, "scuola_formazione")["name_it"] == scuola["name_it"]
    [event] = events(app, "list.entry_changed")
    assert event["changed"] == ["code"] and event["before"] == {"code": "scuola"}


def test_the_audit_log_describes_and_links_list_changes(app, admin):
    scuola = fetch(app, StakeholderCategory, "scuola")
    scuola_id = entry_id(app, StakeholderCategory, "scuola")
    post(admin, f"/admin/lists/categories/{scuola_id}", form_data(scuola, active=False))
    html = admin.get("/admin/audit?action=list.entry_changed").get_data(as_text=True)
    assert '<option value="list.entry_changed" selected>Voce di un elenco modificata</option>' in html
    assert f'<a href="/admin/lists/categories/{scuola_id}">categoria #{scuola_id}</a>' in html
    # In words, not raw keys and values (issue 8).
    assert "campi cambiati: attiva; prima: attiva=sì; dopo: attiva=no" in html


# --- rules --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "status", "message"),
    [
        ({"code": "comune"}, 409, "è già usato da un&#39;altra voce"),
        ({"code": "Pro Loco"}, 400, "solo lettere minuscole"),
        ({"code": "pro-loco"}, 400, "solo lettere minuscole"),
        ({"code": "proloco_è"}, 400, "solo lettere minuscole"),
        ({"code": "x" * 41}, 400, "Al massimo 40 caratteri."),
        ({"code": "  "}, 400, "Questo campo è obbligatorio."),
        ({"name_it": ""}, 400, "Questo campo è obbligatorio."),
        ({"name_en": "   "}, 400, "Questo campo è obbligatorio."),
        ({"position": ""}, 400, "Questo campo è obbligatorio."),
        ({"position": "primo"}, 400, "Posizione</a>: Scrivi un numero intero, ad esempio 10.</li>"),
        ({"position": "99999999999999999999"}, 400, "Scrivi un numero intero da 0 a 9999."),
        ({"position": "-1"}, 400, "Scrivi un numero intero da 0 a 9999."),
    ],
)
def test_bad_entries_are_refused_and_shown_again(app, admin, changes, status, message):
    data = {"code": "pro_loco", "name_it": "Pro loco", "name_en": "Local tourist board", "position": "10", **changes}
    response = post(admin, "/admin/lists/categories/new", data)
    assert response.status_code == status
    html = response.get_data(as_text=True)
    assert message in html
    assert 'id="error-summary"' in html
    if "name_it" not in changes:
        assert 'value="Pro loco"' in html  # what was typed stays
    with app.app_context():
        assert db.session.scalar(select(StakeholderCategory).where(StakeholderCategory.name_it == "Pro loco")) is None
    assert events(app, "list.entry_created") == []


def test_every_mistake_is_pointed_out_at_once(admin):
    data = {"code": "Pro Loco", "name_it": "", "name_en": "Local tourist board", "position": "1.5"}
    html = post(admin, "/admin/lists/categories/new", data).get_data(as_text=True)
    summary = re.search(r'<div class="alert alert-danger" role="alert" id="error-summary">(.*?)</div>', html, re.S)
    assert re.findall(r'href="#(\w+)"', summary.group(1)) == ["code", "name_it", "position"]


def test_codes_are_unique_within_a_list_only(app, admin):
    # "altro" is not a condition code yet; it is a category code, which does not matter.
    data = {"code": "altro", "name_it": "Altro", "name_en": "Other", "position": "20", "active": "y"}
    assert post(admin, "/admin/lists/conditions/new", data).status_code == 303
    # Taking another entry's code when editing is refused too.
    tempi = entry_id(app, ConditionTag, "tempi")
    response = post(
        admin, f"/admin/lists/conditions/{tempi}", form_data(fetch(app, ConditionTag, "tempi"), code="altro")
    )
    assert response.status_code == 409
    assert "Il codice «altro» è già usato" in response.get_data(as_text=True)
    assert fetch(app, ConditionTag, "tempi") is not None


def test_a_code_taken_at_the_same_moment_is_a_conflict_not_a_crash(app, admin, monkeypatch):
    from consult.admin import services

    # Another admin saves the same code between our check and our write: the database refuses it.
    monkeypatch.setattr(services, "_check_code", lambda kind, entry, code: None)
    data = {"code": "comune", "name_it": "Doppione", "name_en": "Duplicate", "position": "1", "active": "y"}
    response = post(admin, "/admin/lists/categories/new", data)
    assert response.status_code == 409
    assert "appena stato usato da un&#39;altra voce" in response.get_data(as_text=True)
    assert fetch(app, StakeholderCategory, "comune")["name_it"] == "Comune o unione di comuni"
    assert events(app, "list.entry_created") == []


def test_the_code_is_locked_once_the_entry_is_used(app, admin, runner):
    comune = fetch(app, StakeholderCategory, "comune")
    comune_id = entry_id(app, StakeholderCategory, "comune")
    page = admin.get(f"/admin/lists/categories/{comune_id}").get_data(as_text=True)
    assert re.search(r'<input[^>]*name="code"[^>]*readonly|<input[^>]*readonly[^>]*name="code"', page)
    assert "5 account" in page

    # Sent anyway (a tampered form): refused, and nothing else in the same request is saved.
    response = post(admin, f"/admin/lists/categories/{comune_id}", form_data(comune, code="comuni", name_it="Comuni"))
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "Il codice non si può più cambiare: la voce è già usata (5 account)" in html
    assert fetch(app, StakeholderCategory, "comune") == comune
    assert events(app, "list.entry_changed") == []
    # The rest of the entry can still change.
    response = post(admin, f"/admin/lists/categories/{comune_id}", form_data(comune, name_it="Comuni e unioni"))
    assert response.status_code == 303
    assert fetch(app, StakeholderCategory, "comune")["name_it"] == "Comuni e unioni"

    # A condition ticked in a sheet, and a category named only as an actor's type in a sheet, are used too.
    use_in_a_sheet(app, runner, "tempi", actor_kind="sindacato")
    tempi_id = entry_id(app, ConditionTag, "tempi")
    response = post(
        admin, f"/admin/lists/conditions/{tempi_id}", form_data(fetch(app, ConditionTag, "tempi"), code="tempistica")
    )
    assert response.status_code == 409 and "(1 scheda)" in response.get_data(as_text=True)
    sindacato_id = entry_id(app, StakeholderCategory, "sindacato")
    sindacato = fetch(app, StakeholderCategory, "sindacato")
    response = post(admin, f"/admin/lists/categories/{sindacato_id}", form_data(sindacato, code="sindacati"))
    assert response.status_code == 409 and "1 soggetto nelle schede" in response.get_data(as_text=True)


def test_a_retired_entry_is_no_longer_offered_but_stays_on_existing_data(app, admin, client, client_as, personas):
    comune = fetch(app, StakeholderCategory, "comune")
    comune_id = entry_id(app, StakeholderCategory, "comune")
    assert "comune" in option_values(client.get("/join").get_data(as_text=True), "category")

    response = post(admin, f"/admin/lists/categories/{comune_id}", form_data(comune, active=False))
    assert response.status_code == 303
    assert fetch(app, StakeholderCategory, "comune")["active"] is False
    assert events(app, "list.entry_changed")[-1]["changed"] == ["active"]

    # No longer a choice for newcomers...
    for path in ("/join", "/register"):
        choices = option_values(client.get(path).get_data(as_text=True), "category")
        assert "comune" not in choices and "impresa" in choices, path
    # ...but the people who chose it keep it, on their account and in the admin's list.
    account = client_as("stakeholder").get("/account").get_data(as_text=True)
    assert re.search(r'<option[^>]*selected[^>]*value="comune"|<option[^>]*value="comune"[^>]*selected', account)
    with app.app_context():
        stakeholder = db.session.scalar(select(User).where(User.email == personas["stakeholder"].email))
        assert stakeholder.category.code == "comune"
    users = admin.get("/admin/users").get_data(as_text=True)
    assert users.count("<td>Comune o unione di comuni</td>") == 5
    [row] = [
        row for row in table_rows(section(admin.get(LISTS).get_data(as_text=True), "categories")) if "comune" in row
    ]
    assert "<td>No</td>" in row and "5 account" in row

    # Entries are never deleted; ticking the box brings it back.
    assert post(admin, f"/admin/lists/categories/{comune_id}", form_data(comune)).status_code == 303
    assert "comune" in option_values(client.get("/join").get_data(as_text=True), "category")


# --- who may --------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["stakeholder", "facilitator", "other_facilitator", "planner"])
def test_only_admins_manage_the_lists(app, client_as, persona):
    client = client_as(persona)
    comune = fetch(app, StakeholderCategory, "comune")
    comune_id = entry_id(app, StakeholderCategory, "comune")
    token = csrf_token(client)
    for path in (LISTS, "/admin/lists/categories/new", f"/admin/lists/categories/{comune_id}"):
        assert client.get(path).status_code == 403, path
    data = {"csrf_token": token, **form_data(comune, code="x", name_it="Preso")}
    assert client.post("/admin/lists/categories/new", data=data).status_code == 403
    assert client.post(f"/admin/lists/categories/{comune_id}", data=data).status_code == 403
    assert fetch(app, StakeholderCategory, "comune") == comune and fetch(app, StakeholderCategory, "x") is None


def test_anonymous_visitors_are_sent_to_sign_in(client_as):
    client = client_as("anonymous")
    response = client.get("/admin/lists/conditions/new")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=%2Fadmin%2Flists%2Fconditions%2Fnew"


def test_a_missing_csrf_token_is_refused(app, admin):
    comune = fetch(app, StakeholderCategory, "comune")
    comune_id = entry_id(app, StakeholderCategory, "comune")
    data = form_data(comune, name_it="Senza token")
    assert admin.post(f"/admin/lists/categories/{comune_id}", data=data).status_code == 400
    assert admin.post(f"/admin/lists/categories/{comune_id}", data={**data, "csrf_token": "forged"}).status_code == 400
    new = {"code": "nuova", "name_it": "Nuova", "name_en": "New", "position": "1"}
    assert admin.post("/admin/lists/categories/new", data=new).status_code == 400
    assert fetch(app, StakeholderCategory, "comune") == comune and fetch(app, StakeholderCategory, "nuova") is None
    assert events(app, "list.entry_changed") == [] and events(app, "list.entry_created") == []


def test_unknown_lists_and_entries_are_404(app, admin):
    comune_id = entry_id(app, StakeholderCategory, "comune")
    for path in ("/admin/lists/zones/new", f"/admin/lists/zones/{comune_id}", "/admin/lists/categories/999999"):
        assert admin.get(path).status_code == 404, path
        assert post(admin, path, {"code": "x", "name_it": "X", "name_en": "X", "position": "1"}).status_code == 404, (
            path
        )
    assert admin.get("/admin/lists/categories/abc").status_code == 404
