"""The strategy sheet: the four questions of "Dalle strategie alle azioni" and up to three priority actions."""

import re

from sqlalchemy import func, select

from consult.extensions import db
from consult.models import ConditionTag, StrategySheet
from tests.conftest import csrf_token
from tests.participation_helpers import make_session

# --- helpers shared with test_proposals_comments.py (no test_ prefix, so they are not collected twice) ---


def base_url(session_id: int, zone: int = 1) -> str:
    return f"/zones/{zone}/sessions/{session_id}"


def join_and_rank(client, session_id: int, ranking=("1.1", "2.1"), zone: int = 1) -> str:
    """A signed-in persona joins the session and ranks; returns the CSRF token of its browser session."""
    base = base_url(session_id, zone)
    token = csrf_token(client, base)
    response = client.post(base + "/join", data={"csrf_token": token})
    assert response.status_code == 303, response.get_data(as_text=True)
    positions = {f"position-{code}": str(n) for n, code in enumerate(ranking, start=1)}
    response = client.post(base + "/ranking", data={"csrf_token": token, **positions})
    assert response.status_code == 303, response.get_data(as_text=True)
    return token


def participant_in(client_as, runner, persona="stakeholder", **session_args):
    """A new open session and ``persona`` taking part in it: (client, base URL, token, session id)."""
    session_id = make_session(runner, **session_args)
    client = client_as(persona)
    token = join_and_rank(client, session_id, zone=session_args.get("zone", 1))
    return client, base_url(session_id, session_args.get("zone", 1)), token, session_id


def sheet_form(token: str, **fields) -> dict:
    """A sheet as the browser sends it: the empty rows and the unticked conditions too."""
    data = {"csrf_token": token, "implementation": ""}
    for n in range(3):
        data.update({f"actors-{n}-name": "", f"actors-{n}-kind": "", f"actors-{n}-role": ""})
    for n, code in enumerate(["risorse_finanziarie", "competenze_formazione", "personale_dedicato"]):
        data[f"conditions-{n}-code"] = code
        data[f"conditions-{n}-note"] = ""
    data.update(fields)
    return data


def the_sheet(app, code="1.1") -> dict | None:
    """The saved sheet of the strategy as plain data, or None."""
    with app.app_context():
        sheet = db.session.scalar(select(StrategySheet).where(StrategySheet.strategy.has(code=code)))
        if sheet is None:
            return None
        # Read everything now: the test inspects it after the context is gone.
        return {
            "implementation": sheet.implementation,
            "actions": [p.action.code for p in sheet.priority_actions],
            "actors": [(a.name, a.kind, a.state.value, a.role) for a in sheet.actors],
            "conditions": sorted((c.condition.code, c.note) for c in sheet.conditions),
        }


def sheet_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(StrategySheet))


# --- tests -----------------------------------------------------------------------------------------


def test_the_sheet_shows_the_four_questions_and_the_official_text(client_as, runner):
    client, base, _token, _id = participant_in(client_as, runner)
    response = client.get(base + "/strategies/1.1")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    for question in (
        "Come attuarla sul territorio",
        "Progetti e programmi collegati",
        "Reti di soggetti",
        "Fattori abilitanti e precondizioni",
        "Azioni prioritarie",
    ):
        assert question in html
    assert html.count("<h1") == 1
    assert 'name="priority_actions" value="1.1.1"' in html
    assert "Risorse finanziarie" in html  # a seeded condition tag
    assert len(re.findall(r'name="actors-\d+-name"', html)) == 3  # three empty rows
    # The next strategy in the participant's ranking.
    assert f'href="{base}/strategies/2.1"' in html
    assert "Aggiungi altre righe" in html


def test_the_sheet_marks_the_plan_text_as_italian_on_english_pages(client_as, runner):
    client, base, _token, _id = participant_in(client_as, runner)
    html = client.get(base + "/strategies/1.1", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<html lang="en">' in html
    assert "<h1>Sheet for strategy 1.1</h1>" in html
    assert "How to implement it locally" in html and "Networks of actors" in html
    # The plan's official text (the strategy, its actions) stays Italian, marked as such.
    assert '<span lang="it">Garantire una diffusa digitalizzazione' in html
    assert re.search(
        r'<label for="priority-1\.1\.1"[^>]*><span class="consult-code">1\.1\.1</span>\s*<span lang="it">', html
    )


def test_saving_and_saving_again_replaces_the_sheet(app, client_as, runner):
    client, base, token, _id = participant_in(client_as, runner)
    data = sheet_form(
        token,
        implementation="Un tavolo con i comuni della zona.\n\nPoi un bando.",
        priority_actions=["1.1.1", "1.1.3"],
        **{
            "actors-0-name": "Comune di Pinerolo",
            "actors-0-kind": "comune",
            "actors-0-state": "active",
            "actors-0-role": "Capofila",
            "actors-1-name": "Cooperativa Sociale",
            "actors-1-kind": "terzo_settore",
            "actors-1-state": "to_activate",
            "conditions-0-chosen": "y",
            "conditions-0-note": "Fondi PNRR",
            "conditions-2-chosen": "y",
        },
    )
    response = client.post(base + "/strategies/1.1", data=data)
    assert response.status_code == 303
    assert response.headers["Location"] == base + "/strategies/1.1"
    assert the_sheet(app) == {
        "implementation": "Un tavolo con i comuni della zona.\n\nPoi un bando.",
        "actions": ["1.1.1", "1.1.3"],
        "actors": [
            ("Comune di Pinerolo", "comune", "active", "Capofila"),
            ("Cooperativa Sociale", "terzo_settore", "to_activate", ""),
        ],
        "conditions": [("personale_dedicato", ""), ("risorse_finanziarie", "Fondi PNRR")],
    }
    page = client.get(base + "/strategies/1.1").get_data(as_text=True)
    assert "La scheda della strategia 1.1 è stata salvata." in page
    assert 'value="Comune di Pinerolo"' in page
    assert "Fondi PNRR" in page
    # Two saved actors, then three empty rows.
    assert len(re.findall(r'name="actors-\d+-name"', page)) == 5

    data = sheet_form(
        token,
        implementation="Diverso",
        priority_actions=["1.1.2"],
        **{"actors-0-name": "Unione montana", "actors-0-kind": "comune", "actors-0-state": "active"},
    )
    assert client.post(base + "/strategies/1.1", data=data).status_code == 303
    assert the_sheet(app) == {
        "implementation": "Diverso",
        "actions": ["1.1.2"],
        "actors": [("Unione montana", "comune", "active", "")],
        "conditions": [],
    }
    assert sheet_count(app) == 1
    # The session page now says the sheet is filled in.
    assert "scheda compilata" in client.get(base).get_data(as_text=True)


def test_more_than_three_priority_actions_are_refused_and_nothing_is_saved(app, client_as, runner):
    client, base, token, _id = participant_in(client_as, runner)
    data = sheet_form(
        token, implementation="Testo da non perdere", priority_actions=["1.2.1", "1.2.2", "1.2.3", "1.2.4"]
    )
    response = client.post(base + "/strategies/1.2", data=data)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Scegli al massimo tre azioni prioritarie." in html
    assert "Testo da non perdere" in html  # what was typed is kept
    assert html.count("checked") >= 4
    assert sheet_count(app) == 0


def test_an_action_of_another_strategy_is_refused(app, client_as, runner):
    client, base, token, _id = participant_in(client_as, runner)
    response = client.post(base + "/strategies/1.1", data=sheet_form(token, priority_actions=["1.1.1", "2.1.1"]))
    assert response.status_code == 422
    assert "Le azioni 2.1.1 non appartengono alla strategia 1.1." in response.get_data(as_text=True)
    assert sheet_count(app) == 0


def test_an_unknown_condition_or_actor_type_is_refused(app, client_as, runner):
    client, base, token, _id = participant_in(client_as, runner)
    data = sheet_form(token, **{"conditions-0-code": "magia", "conditions-0-chosen": "y"})
    response = client.post(base + "/strategies/1.1", data=data)
    assert response.status_code == 422
    assert "magia" in response.get_data(as_text=True)
    data = sheet_form(token, **{"actors-0-name": "X", "actors-0-kind": "marziani", "actors-0-state": "active"})
    assert client.post(base + "/strategies/1.1", data=data).status_code == 422
    assert sheet_count(app) == 0


def test_an_actor_row_needs_a_type_and_a_state(app, client_as, runner):
    client, base, token, _id = participant_in(client_as, runner)
    response = client.post(base + "/strategies/1.1", data=sheet_form(token, **{"actors-1-name": "Pro Loco"}))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Scegli il tipo di soggetto." in html
    assert "Indica se il soggetto è già attivo o da attivare." in html
    assert 'aria-describedby="actors-1-kind-error"' in html
    assert 'href="#actors-1-kind"' in html  # the summary links to the field
    response = client.post(base + "/strategies/1.1", data=sheet_form(token, **{"actors-0-role": "Coordina"}))
    assert response.status_code == 422
    assert "Scrivi il nome del soggetto" in response.get_data(as_text=True)
    assert sheet_count(app) == 0


def test_more_rows_saves_and_shows_three_more(app, client_as, runner):
    client, base, token, _id = participant_in(client_as, runner)
    data = sheet_form(
        token,
        more_rows="1",
        **{"actors-0-name": "ATL Turismo Torino", "actors-0-kind": "impresa", "actors-0-state": "active"},
    )
    response = client.post(base + "/strategies/1.1", data=data)
    assert response.status_code == 303
    assert response.headers["Location"] == base + "/strategies/1.1?rows=5#actors"
    assert the_sheet(app)["actors"] == [("ATL Turismo Torino", "impresa", "active", "")]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert len(re.findall(r'name="actors-\d+-name"', page)) == 6  # one saved, five empty
    # Asking for absurdly many rows is capped.
    page = client.get(base + "/strategies/1.1?rows=500").get_data(as_text=True)
    assert len(re.findall(r'name="actors-\d+-name"', page)) == 20
    assert "Aggiungi altre righe" not in page


def test_add_project_saves_the_sheet_and_opens_the_proposal_form(app, client_as, runner):
    client, base, token, _id = participant_in(client_as, runner)
    response = client.post(base + "/strategies/1.1", data=sheet_form(token, implementation="Prima", add_project="1"))
    assert response.status_code == 303
    assert response.headers["Location"] == base + "/strategies/1.1/proposals/new"
    assert the_sheet(app)["implementation"] == "Prima"


def test_an_out_of_scope_strategy_is_404(client_as, runner):
    client, base, token, _id = participant_in(client_as, runner, consultation_args=("--axes", "1"))
    assert client.get(base + "/strategies/2.1").status_code == 404
    assert client.get(base + "/strategies/9.9").status_code == 404
    assert client.post(base + "/strategies/2.1", data=sheet_form(token)).status_code == 404
    assert client.get(base + "/strategies/1.1").status_code == 200


def test_a_closed_session_shows_the_sheet_read_only_and_refuses_changes(app, client_as, runner):
    client, base, token, session_id = participant_in(client_as, runner)
    data = sheet_form(token, implementation="Salvato prima", priority_actions=["1.1.2"])
    assert client.post(base + "/strategies/1.1", data=data).status_code == 303
    assert runner.invoke(args=["sessions", "set-state", str(session_id), "closed"]).exit_code == 0

    response = client.get(base + "/strategies/1.1")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Salvato prima" in html
    assert "si può solo leggere" in html
    assert 'name="implementation"' not in html and "Salva la scheda" not in html

    response = client.post(base + "/strategies/1.1", data=sheet_form(token, implementation="Dopo"))
    assert response.status_code == 409
    assert the_sheet(app)["implementation"] == "Salvato prima"


def test_people_who_do_not_take_part_are_sent_to_the_session_page(client_as, runner):
    session_id = make_session(runner)
    base = base_url(session_id)
    for persona in ("anonymous", "planner"):
        client = client_as(persona)
        response = client.get(base + "/strategies/1.1")
        assert response.status_code == 302 and response.headers["Location"] == base
        response = client.post(base + "/strategies/1.1", data=sheet_form(csrf_token(client, base)))
        assert response.status_code == 303 and response.headers["Location"] == base


def test_a_draft_session_or_another_zone_is_404(client_as, runner):
    draft = make_session(runner, state=None)
    client = client_as("stakeholder")
    assert client.get(base_url(draft) + "/strategies/1.1").status_code == 404
    open_id = make_session(runner)
    assert client.get(base_url(open_id, zone=2) + "/strategies/1.1").status_code == 404


def test_a_sheet_without_the_csrf_token_is_refused(app, client_as, runner):
    client, base, token, _id = participant_in(client_as, runner)
    data = sheet_form(token, implementation="Senza token")
    del data["csrf_token"]
    assert client.post(base + "/strategies/1.1", data=data).status_code == 400
    assert sheet_count(app) == 0


def test_a_code_holder_fills_a_sheet(app, client, runner, personas):
    session_id = make_session(runner)
    result = runner.invoke(args=["codes", "generate", str(session_id), "1"])
    code = result.output.strip()
    base = base_url(session_id)
    token = csrf_token(client, base)
    response = client.post("/join", data={"csrf_token": token, "code": code, "category": "cittadino", "name": "Anna"})
    assert response.status_code == 303
    data = sheet_form(token, implementation="Dal codice", **{"conditions-1-chosen": "y"})
    assert client.post(base + "/strategies/1.1", data=data).status_code == 303
    assert the_sheet(app)["conditions"] == [("competenze_formazione", "")]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ConditionTag)) >= 12
