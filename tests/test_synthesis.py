"""Contributions for the synthesis: every kind gathered, attributed without naming anyone, filtered and
searched (accents and capitals aside), hidden content left out, and the same set in every download."""

from __future__ import annotations

import csv
import io
import json

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from consult.extensions import db
from consult.models import (
    ActorState,
    Comment,
    ConsultationSession,
    Participant,
    ProjectStatus,
    Strategy,
)
from consult.models.people import utcnow
from consult.participation import contributions
from tests.test_results_fixtures import create_consultation, import_ballots, set_state

#: One distinctive sentence per kind of contribution (actions are the plan's text: their code is checked).
IMPLEMENTATION = "Navetta a chiamata tra le frazioni di Pràli"
PROPOSAL = "Ciclovia della Val Chisone"
PROPOSAL_TEXT = "Un anello ciclabile tra Perosa e Fenestrelle"
ACTOR = "Consorzio Zebù"
ACTOR_ROLE = "Coordina le corse serali del venerdì"
CONDITION_NOTE = "Serve un cronoprogramma quadrimestrale condiviso"
COMMENT = "Attenzione ai pendolari di Villar Perosa"
REPLY = "Concordo sui pendolari, anche a Pomaretto"
PROPOSAL_COMMENT = "La ciclovia serve anche alle scuole"
SENTENCES = [IMPLEMENTATION, PROPOSAL, PROPOSAL_TEXT, ACTOR, ACTOR_ROLE, CONDITION_NOTE, COMMENT, REPLY,
             PROPOSAL_COMMENT]  # fmt: skip
HIDDEN = ["Progetto nascosto Ornitorinco", "Commento nascosto Ornitorinco", "Commento sul progetto Ornitorinco"]
#: Organisation of a participant who agreed to show it, and of one who did not; a name never shown.
SHOWN_ORGANISATION = "Comune di Pinerolo"
PRIVATE_ORGANISATION = "Studio Riservato Srl"
NAME = "Maria Rossi Segreta"


def build(app, runner, tmp_path, *, publish: bool = True) -> dict:
    """Zone 1 with every kind of contribution (and hidden ones), zone 2 with one comment."""
    consultation_id = create_consultation(runner)
    sessions = []
    for zone, ballots in ((1, [["1.2", "1.1"], ["1.2"], ["1.1", "1.3"]]), (2, [["1.3", "1.2"]])):
        session_id = int(runner.invoke(args=["sessions", "create", str(consultation_id), "--zone", str(zone)]).output)
        set_state(runner, session_id, "open")
        import_ballots(
            runner, tmp_path, session_id, ballots, categories=["comune", "impresa", "cittadino"][: len(ballots)]
        )
        sessions.append(session_id)
    with app.app_context():
        first, second = (db.session.get(ConsultationSession, sid) for sid in sessions)
        p = list(
            db.session.scalars(select(Participant).where(Participant.session_id == first.id).order_by(Participant.id))
        )
        other = db.session.scalar(select(Participant).where(Participant.session_id == second.id))
        for participant in p:
            participant.name = NAME
        p[0].organisation = SHOWN_ORGANISATION
        p[1].organisation = PRIVATE_ORGANISATION
        strategy = db.session.scalar(select(Strategy).where(Strategy.code == "1.2"))
        sheet = contributions.save_sheet(
            p[0],
            strategy,
            implementation=IMPLEMENTATION,
            priority_action_codes=[strategy.actions[1].code],
            actors=[contributions.ActorInput(ACTOR, "terzo_settore", ActorState.TO_ACTIVATE, ACTOR_ROLE)],
            conditions={"tempi": CONDITION_NOTE},
        )
        sheet.show_organisation = True
        proposal = contributions.propose_project(
            p[1],
            strategy,
            contributions.ProposalInput(
                title=PROPOSAL, description=PROPOSAL_TEXT, promoter="=Unione montana", status=ProjectStatus.IDEA
            ),
        )
        contributions.support(p[0], proposal)
        contributions.support(p[2], proposal)
        comment = contributions.add_comment(p[2], COMMENT, strategy=strategy)
        contributions.add_comment(p[0], REPLY, parent=comment)
        contributions.add_comment(p[0], PROPOSAL_COMMENT, proposal=proposal)
        hidden_proposal = contributions.propose_project(p[2], strategy, contributions.ProposalInput(title=HIDDEN[0]))
        contributions.add_comment(p[0], HIDDEN[2], proposal=hidden_proposal)
        hidden_comment = contributions.add_comment(p[1], HIDDEN[1], strategy=strategy)
        hidden_proposal.hidden_at = hidden_comment.hidden_at = utcnow()
        contributions.add_comment(other, "Nella zona 2 servono parcheggi di interscambio", strategy=strategy)
        db.session.commit()
        ids = {"proposal": proposal.id, "hidden_proposal": hidden_proposal.id}
    if publish:
        for session_id in sessions:
            set_state(runner, session_id, "closed", "published")
    return {"id": consultation_id, "sessions": sessions, **ids}


@pytest.fixture
def data(app, runner, personas, tmp_path):
    return build(app, runner, tmp_path)


def page_text(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def test_the_contributions_page_shows_every_kind_and_nothing_hidden(client, data):
    html = page_text(client.get(f"/zones/1/sessions/{data['sessions'][0]}/contributions"))
    for sentence in SENTENCES:
        assert sentence in html
    assert "1.2.2" in html  # the priority action chosen
    for sentence in HIDDEN:
        assert sentence not in html
    assert SHOWN_ORGANISATION in html and PRIVATE_ORGANISATION not in html and NAME not in html
    assert "2 sostegni" in html
    # Zone 2's comment belongs to the other session.
    assert "parcheggi di interscambio" not in html
    # "pendolari" comes back in two comments: a recurring theme of 1.2, linked to both.
    themes = html.split('id="themes-1.2"')[1].split('<details class="synthesis-kind')[0]
    assert "<strong>pendolari</strong>" in themes and "2 contributi" in themes and 'href="#comment-' in themes


def test_metropolitan_page_by_zone_and_in_the_order_of_the_ranking(client, data):
    html = page_text(client.get(f"/consultations/{data['id']}/contributions"))
    assert IMPLEMENTATION in html and "parcheggi di interscambio" in html
    html = page_text(client.get(f"/consultations/{data['id']}/contributions?zone=2"))
    assert "parcheggi di interscambio" in html and IMPLEMENTATION not in html
    assert "Contributi della zona" in html


@pytest.mark.parametrize("query", ["pràli", "PRALI", "prali navetta", "Zebu", "CICLOVIA val"])
def test_search_ignores_accents_and_capitals(client, data, query):
    html = page_text(client.get(f"/consultations/{data['id']}/contributions", query_string={"q": query}))
    found = [sentence for sentence in (IMPLEMENTATION, ACTOR, PROPOSAL) if sentence in html]
    assert len(found) == 1, (query, found)
    assert COMMENT not in html


def test_filters_by_kind_category_and_strategy(client, data):
    url = f"/consultations/{data['id']}/contributions"
    html = page_text(client.get(url, query_string={"kind": "comment"}))
    assert COMMENT in html and PROPOSAL_COMMENT in html and IMPLEMENTATION not in html
    html = page_text(client.get(url, query_string={"category": "impresa"}))
    assert PROPOSAL in html and COMMENT not in html and IMPLEMENTATION not in html
    html = page_text(client.get(url, query_string={"strategy": "1.1"}))
    assert "Nessun contributo corrisponde ai filtri." in html
    for bad in ({"kind": "poem"}, {"category": "x"}, {"strategy": "9.9"}, {"zone": "99"}, {"zone": "a"},
                {"q": "x" * 201}, {"method": "dice"}):  # fmt: skip
        assert client.get(url, query_string=bad).status_code == 400, bad


def test_unpublished_contributions_only_for_staff(app, runner, client_as, personas, tmp_path):
    data = build(app, runner, tmp_path, publish=False)
    url = f"/zones/1/sessions/{data['sessions'][0]}/contributions"
    statuses = {key: client_as(key).get(url).status_code for key in personas}
    assert statuses == {
        "anonymous": 404,
        "stakeholder": 404,
        "facilitator": 200,
        "other_facilitator": 404,
        "planner": 200,
        "admin": 200,
    }
    metro = f"/consultations/{data['id']}/contributions"
    assert IMPLEMENTATION not in page_text(client_as("anonymous").get(metro))
    assert IMPLEMENTATION in page_text(client_as("planner").get(metro))
    assert IMPLEMENTATION in page_text(client_as("facilitator").get(metro))
    html = page_text(client_as("other_facilitator").get(metro))
    assert IMPLEMENTATION not in html and "parcheggi di interscambio" in html


def test_staff_open_proposals_and_discussions_without_joining(app, runner, client_as, personas, tmp_path):
    data = build(app, runner, tmp_path, publish=False)
    base = f"/zones/1/sessions/{data['sessions'][0]}"
    for key in ("facilitator", "planner", "admin"):
        client = client_as(key)
        html = page_text(client.get(f"{base}/proposals"))
        assert PROPOSAL in html and HIDDEN[0] not in html
        html = page_text(client.get(f"{base}/proposals/{data['proposal']}"))
        assert PROPOSAL_TEXT in html and PROPOSAL_COMMENT in html
        assert "Sostieni" not in html  # reading, not taking part
        html = page_text(client.get(f"{base}/strategies/1.2/discussion"))
        assert COMMENT in html and REPLY in html
        # A hidden proposal's page shows the moderators' notice in its place, never its text.
        html = page_text(client.get(f"{base}/proposals/{data['hidden_proposal']}"))
        assert "nascosto dai moderatori" in html and HIDDEN[0] not in html
    # The contributions page links staff to the pages themselves.
    html = page_text(client_as("planner").get(f"{base}/contributions"))
    assert f"{base}/proposals/{data['proposal']}" in html
    for key in ("other_facilitator", "stakeholder", "anonymous"):
        assert client_as(key).get(f"{base}/proposals").status_code in (302, 404)


def test_results_pages_link_to_the_contributions(client, data):
    html = page_text(client.get(f"/consultations/{data['id']}/results"))
    assert f"/consultations/{data['id']}/contributions" in html
    assert f"/consultations/{data['id']}/contributions?zone=1" in html
    html = page_text(client.get(f"/zones/1/sessions/{data['sessions'][0]}/results"))
    assert f"/zones/1/sessions/{data['sessions'][0]}/contributions" in html


# --- downloads ------------------------------------------------------------------------------------------


def csv_table(response) -> list[list[str]]:
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:])))
    start = next(i for i, row in enumerate(rows) if row and row[0] == "Riferimento")
    return rows[start:]


def test_csv_has_every_contribution_exactly_once(client, data):
    response = client.get(f"/consultations/{data['id']}/contributions.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = csv_table(response)
    header, body = rows[0], rows[1:]
    assert header[:9] == ["Riferimento", "Zona", "Sessione", "Strategia", "Tipo di contributo", "Categoria",
                          "Organizzazione", "Canale", "Testo"]  # fmt: skip
    keys = [row[0] for row in body]
    assert len(keys) == len(set(keys))
    # 1 answer, 1 proposal, 1 actor, 1 condition, 1 action, 3 comments in zone 1 and 1 comment in zone 2.
    assert len(body) == 9
    text = "\n".join(",".join(row) for row in body)
    for sentence in SENTENCES:
        assert sentence in text
    for sentence in HIDDEN:
        assert sentence not in text
    assert PRIVATE_ORGANISATION not in text and NAME not in text
    proposal = next(row for row in body if row[1] == "1. Torino" and row[4] == "Progetto proposto")
    assert proposal[10] == "2" and proposal[7] == "Scheda cartacea"
    assert proposal[5] == "Impresa o associazione di categoria"


def test_xlsx_has_a_contributi_sheet_per_kind_defused(client, data):
    response = client.get(f"/consultations/{data['id']}/contributions.xlsx")
    workbook = load_workbook(io.BytesIO(response.data))
    names = workbook.sheetnames
    assert [name for name in names if name.startswith("Contributi")] == [
        "Contributi - attuazione", "Contributi - progetti", "Contributi - attori", "Contributi - fattori",
        "Contributi - azioni", "Contributi - commenti"]  # fmt: skip
    cells = [str(c) for name in names for row in workbook[name].iter_rows(values_only=True) for c in row if c]
    for sentence in SENTENCES:
        assert any(sentence in cell for cell in cells), sentence
    assert not any(sentence in cell for cell in cells for sentence in HIDDEN)
    projects = workbook["Contributi - progetti"]
    header = [c.value for c in projects[1]]
    promoter = projects.cell(row=2, column=header.index("Promotore") + 1).value
    assert promoter == "'=Unione montana"


def test_downloads_load_only_the_authors_among_the_participants(app, runner, client, data, tmp_path):
    """A large room whose people only ranked costs nothing to the contributions: loading every participant
    of 400,000 ballots took 40 s and ran the XLSX download past the database's time limit."""
    from sqlalchemy import event

    from tests.test_results_fixtures import published_session

    published_session(runner, tmp_path, data["id"], 3, [["1.1", "1.2"]] * 40)  # 40 who only ranked
    loaded = []

    def count(target, _context):
        loaded.append(target)

    event.listen(Participant, "load", count)
    try:
        response = client.get(f"/consultations/{data['id']}/results.xlsx")
    finally:
        event.remove(Participant, "load", count)
    assert response.status_code == 200
    assert "Contributi" in str(load_workbook(io.BytesIO(response.data)).sheetnames)
    assert len(loaded) == 4  # the four who wrote something, not the 44 who ranked


def test_json_download_and_filters(client, data):
    response = client.get(f"/consultations/{data['id']}/contributions.json?kind=proposal")
    body = json.loads(response.data)
    assert [item["title"] for item in body["contributions"]] == [PROPOSAL]
    item = body["contributions"][0]
    assert item["strategy"] == "1.2" and item["kind"] == "proposal" and item["category"] == "impresa"
    assert item["zone"] == {"code": 1, "name": "Torino"} and item["supports"] == 2 and item["organisation"] is None


# --- privacy: the organisation only where its author agreed, when writing -------------------------------


def test_the_organisation_checkbox_is_off_by_default_and_reaches_the_synthesis(app, runner, client_as, personas):
    from sqlalchemy import update

    from consult.models import User
    from tests.conftest import csrf_token

    consultation_id = create_consultation(runner)
    session_id = int(runner.invoke(args=["sessions", "create", str(consultation_id), "--zone", "1"]).output)
    set_state(runner, session_id, "open")
    with app.app_context():
        db.session.execute(
            update(User).where(User.email == personas["stakeholder"].email).values(organisation="Pro Loco Prali")
        )
        db.session.commit()
    client = client_as("stakeholder")
    base = f"/zones/1/sessions/{session_id}"
    client.post(f"{base}/join", data={"csrf_token": csrf_token(client, base)})
    form_page = client.get(f"{base}/strategies/1.2/proposals/new").get_data(as_text=True)
    assert (
        'name="show_organisation"' in form_page and "checked" not in form_page.split('name="show_organisation"')[1][:40]
    )
    assert "Pro Loco Prali" in form_page and 'href="/privacy#organisation"' in form_page
    token = csrf_token(client, f"{base}/strategies/1.2/proposals/new")
    for title, consent in (("Rifugio con consenso", {"show_organisation": "y"}), ("Rifugio senza consenso", {})):
        response = client.post(
            f"{base}/strategies/1.2/proposals/new", data={"csrf_token": token, "title": title, **consent}
        )
        assert response.status_code == 303
    client.post(
        f"{base}/comments",
        data={"csrf_token": token, "strategy": "1.2", "body": "Commento firmato", "show_organisation": "y"},
    )
    sheet = client.post(
        f"{base}/strategies/1.2",
        data={"csrf_token": token, "implementation": "Scheda senza firma"},
    )
    assert sheet.status_code == 303
    body = json.loads(client_as("planner").get(f"/consultations/{consultation_id}/contributions.json").data)
    organisations = {(item["title"] or item["text"]): item["organisation"] for item in body["contributions"]}
    assert organisations == {
        "Rifugio con consenso": "Pro Loco Prali",
        "Rifugio senza consenso": None,
        "Commento firmato": "Pro Loco Prali",
        "Scheda senza firma": None,
    }
    # A deleted account's contributions stay, anonymous: no organisation even where it was agreed.
    with app.app_context():
        from consult.auth.services import delete_account

        user = db.session.scalar(select(User).where(User.email == personas["stakeholder"].email))
        delete_account(user)
        db.session.commit()
    text = client_as("planner").get(f"/consultations/{consultation_id}/contributions.json").get_data(as_text=True)
    assert "Rifugio con consenso" in text and "Pro Loco Prali" not in text


def test_the_privacy_notice_states_how_contributions_are_attributed(client, seeded):
    html = page_text(client.get("/privacy"))
    assert 'id="organisation"' in html and "Mostra la mia organizzazione accanto a questo contributo" in html


# --- one sentence per kind, followed to every place a planner reads it ------------------------------------


def _xlsx_text(data: bytes) -> str:
    workbook = load_workbook(io.BytesIO(data))
    return "\n".join(
        str(cell) for sheet in workbook for row in sheet.iter_rows(values_only=True) for cell in row if cell
    )


def pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    return " ".join(text.split())


def outputs(client, data) -> dict[str, str]:
    """Every place contributions reach, as text."""
    metro, session = f"/consultations/{data['id']}", f"/zones/1/sessions/{data['sessions'][0]}"
    found = {}
    for where, base in (("metro", metro), ("session", session)):
        found[f"{where} page"] = page_text(client.get(f"{base}/contributions"))
        found[f"{where} contributions csv"] = page_text(client.get(f"{base}/contributions.csv"))
        found[f"{where} contributions xlsx"] = _xlsx_text(client.get(f"{base}/contributions.xlsx").data)
        found[f"{where} contributions json"] = page_text(client.get(f"{base}/contributions.json"))
        found[f"{where} results csv"] = page_text(client.get(f"{base}/results.csv?table=contributions"))
        found[f"{where} results xlsx"] = _xlsx_text(client.get(f"{base}/results.xlsx").data)
        found[f"{where} results json"] = page_text(client.get(f"{base}/results.json"))
        found[f"{where} pdf"] = pdf_text(client.get(f"{base}/results.pdf").data)
    found["api consultation"] = page_text(client.get(f"/api/v1/consultations/{data['id']}/contributions"))
    found["api session"] = page_text(client.get(f"/api/v1/sessions/{data['sessions'][0]}/contributions"))
    return found


def test_every_kind_reaches_every_output_and_hidden_content_none(client, data):
    for where, text in outputs(client, data).items():
        if "json" in where or "api" in where:
            text = json.dumps(json.loads(text), ensure_ascii=False)
        for sentence in SENTENCES:
            assert sentence in text, (where, sentence)
        assert "1.2.2" in text, where
        for sentence in HIDDEN:
            assert sentence not in text, (where, sentence)
        assert PRIVATE_ORGANISATION not in text and NAME not in text, where


def test_api_items(client, data):
    body = json.loads(client.get(f"/api/v1/consultations/{data['id']}/contributions").data)
    assert body["count"] == len(body["contributions"]) == 9
    kinds = {item["kind"] for item in body["contributions"]}
    assert kinds == {"implementation", "proposal", "actor", "condition", "action", "comment"}
    for item in body["contributions"]:
        assert {"strategy", "kind", "text", "category", "zone"} <= set(item)
    answer = next(item for item in body["contributions"] if item["kind"] == "implementation")
    assert answer["text"] == IMPLEMENTATION and answer["category"] == "comune" and answer["zone"]["code"] == 1
    assert answer["organisation"] == SHOWN_ORGANISATION and answer["channel"] == "paper"
    session = json.loads(client.get(f"/api/v1/sessions/{data['sessions'][1]}/contributions").data)
    assert [item["text"] for item in session["contributions"]] == ["Nella zona 2 servono parcheggi di interscambio"]


def test_api_hides_unpublished_sessions_from_the_public(app, runner, client_as, personas, tmp_path):
    data = build(app, runner, tmp_path, publish=False)
    anonymous = client_as("anonymous")
    assert anonymous.get(f"/api/v1/sessions/{data['sessions'][0]}/contributions").status_code == 404
    body = json.loads(anonymous.get(f"/api/v1/consultations/{data['id']}/contributions").data)
    assert body["contributions"] == []
    response = client_as("planner").get(f"/api/v1/consultations/{data['id']}/contributions")
    assert json.loads(response.data)["count"] == 9 and response.headers["Cache-Control"] == "private, no-store"


# --- similar proposals across zones: candidates, the planner's decision, one project ---------------------

CYCLE = [
    (5, "Pista ciclabile del Chisone", "Completare il percorso ciclabile lungo il torrente fino a Pinerolo."),
    (6, "Ciclovia Val Chisone", "Un anello ciclabile per le bici tra Perosa e Pinerolo, lungo il Chisone."),
    (1, "Piste ciclabili verso Pinerolo", "Collegare la ciclabile del Chisone alla rete di Torino."),
    (9, "Trasporto a chiamata", "Minibus su prenotazione per le frazioni di montagna."),
]


def test_planner_confirms_a_group_read_as_one_project(app, runner, client_as, personas, tmp_path):
    from consult.models import AuditEvent

    consultation_id = create_consultation(runner)
    ids = []
    for zone, title, text in CYCLE:
        session_id = int(runner.invoke(args=["sessions", "create", str(consultation_id), "--zone", str(zone)]).output)
        set_state(runner, session_id, "open")
        import_ballots(runner, tmp_path, session_id, [["1.1"], ["1.2"]])
        with app.app_context():
            author, supporter = db.session.scalars(select(Participant).where(Participant.session_id == session_id))
            strategy = db.session.scalar(select(Strategy).where(Strategy.code == "1.1"))
            proposal = contributions.propose_project(author, strategy, contributions.ProposalInput(title, text))
            contributions.support(supporter, proposal)
            db.session.commit()
            ids.append(proposal.id)
        set_state(runner, session_id, "closed", "published")
    planner = client_as("planner")
    url = f"/consultations/{consultation_id}/similar-proposals"
    html = page_text(planner.get(url))
    candidates = html.split('id="open-title"')[1].split("</section>")[0]
    assert candidates.count("<article") == 1
    assert all(title in candidates for _zone, title, _text in CYCLE[:3]) and "Trasporto a chiamata" not in candidates
    members = ",".join(str(i) for i in sorted(ids[:3]))
    assert f'value="{members}"' in candidates
    token = csrf_token(planner, url)
    response = planner.post(
        f"{url}/decide", data={"csrf_token": token, "proposals": members, "decision": "confirmed", "score": "0.4"}
    )
    assert response.status_code == 303
    html = page_text(client_as("anonymous").get(f"/consultations/{consultation_id}/contributions"))
    groups = html.split('id="groups-title"')[1].split("</section>")[0]
    assert "3 proposte" in groups and "3 zone" in groups and "3 sostegni in tutto" in groups
    assert "Torino, Pinerolese, Valli di Susa e Sangone" in groups
    html = page_text(planner.get(url))
    assert html.split('id="open-title"')[1].split("</section>")[0].count("<article") == 0
    with app.app_context():
        assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "proposal_group.confirmed"))
        from consult.models import ProposalGroup

        group_id = db.session.scalar(select(ProposalGroup.id))
    # Taken back, then dismissed: no longer one project.
    assert planner.post(f"{url}/{group_id}/reopen", data={"csrf_token": token}).status_code == 303
    planner.post(f"{url}/decide", data={"csrf_token": token, "proposals": members, "decision": "dismissed"})
    html = page_text(planner.get(f"/consultations/{consultation_id}/contributions"))
    assert "Nessun raggruppamento confermato." in html
    # Bad requests are refused without a trace.
    for bad in ({"proposals": "1", "decision": "confirmed"}, {"proposals": members, "decision": "maybe"},
                {"proposals": "99998,99999", "decision": "confirmed"}):  # fmt: skip
        assert planner.post(f"{url}/decide", data={"csrf_token": token, **bad}).status_code in (400, 404), bad
    assert client_as("facilitator").get(url).status_code == 403


def csrf_token(client, path):
    from tests.conftest import csrf_token as token

    return token(client, path)


def test_the_pdf_reads_as_a_synthesis_and_quotes_what_the_planner_chose(app, client_as, data):
    planner = client_as("planner")
    session = f"/zones/1/sessions/{data['sessions'][0]}"
    text = pdf_text(planner.get(f"{session}/results.pdf").data)
    assert "Dalle strategie alle azioni: i contributi" in text
    assert "1ª · 1.2" in text and "1ª su 3 strategie" in text
    assert "Come attuarla sul territorio" in text and "Progetti e programmi collegati" in text
    assert "Reti di attori" in text and "Fattori abilitanti e precondizioni" in text
    assert "Temi ricorrenti:" in text, text.split("1ª · 1.2")[1][:600]
    assert "2 sostegni" in text and SHOWN_ORGANISATION in text
    metro = pdf_text(planner.get(f"/consultations/{data['id']}/results.pdf").data)
    assert "Sintesi per l’area metropolitana" in metro and "Zona 1. Torino" in metro and "Zona 2. AMT Ovest" in metro
    # Quoting is the planner's choice: the shortest comment is left out of the metropolitan section's three
    # quotes until a planner picks it.
    area = metro.split("Sintesi per l’area metropolitana")[1].split("Zona 1. Torino")[0]
    assert PROPOSAL_COMMENT not in area
    with app.app_context():
        key = "comment-" + str(db.session.scalar(select(Comment.id).where(Comment.body == PROPOSAL_COMMENT)))
    page = f"/consultations/{data['id']}/contributions"
    html = page_text(planner.get(page))
    assert f"/contributions/{key}/quote" in html
    response = planner.post(f"/contributions/{key}/quote", data={"csrf_token": csrf_token(planner, page), "back": page})
    assert response.status_code == 303 and response.headers["Location"] == f"{page}#{key}"
    assert "Citato nella sintesi" in page_text(planner.get(page))
    metro = pdf_text(planner.get(f"/consultations/{data['id']}/results.pdf").data)
    area = metro.split("Sintesi per l’area metropolitana")[1].split("Zona 1. Torino")[0]
    assert PROPOSAL_COMMENT in area
    # Another host is never a destination; a hidden or unknown contribution cannot be quoted.
    token = csrf_token(planner, page)
    response = planner.post(f"/contributions/{key}/quote", data={"csrf_token": token, "back": "//evil.example/"})
    assert response.headers["Location"].startswith("/results#")
    with app.app_context():
        hidden = db.session.scalar(select(Comment.id).where(Comment.body == HIDDEN[1]))
    assert planner.post(f"/contributions/comment-{hidden}/quote", data={"csrf_token": token}).status_code == 404
    assert planner.post("/contributions/proposal-1/quote", data={"csrf_token": token}).status_code == 404
    facilitator = client_as("facilitator")
    token = csrf_token(facilitator, page)
    assert facilitator.post(f"/contributions/{key}/quote", data={"csrf_token": token}).status_code == 403
