"""Downloads: CSV that a spreadsheet opens, XLSX with every view, JSON, the PDF synthesis report; user text
defused against formulas; no personal data; every download in the audit log."""

import csv
import io
import json

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import select

from consult.extensions import db
from consult.models import (
    ActorState,
    AuditEvent,
    ConsultationSession,
    Participant,
    ProjectStatus,
    Strategy,
)
from consult.participation import contributions
from tests.test_results_fixtures import create_consultation, import_ballots, order, session_url, set_state

PROMOTER = '=HYPERLINK("http://evil.example","clic")'
TITLE = "@SUM(1+1)*cmd|' /C calc'!A0"


@pytest.fixture
def consultation(app, runner, personas, tmp_path):
    """Zones 1 and 2, published, with a project whose promoter and title look like formulas, a sheet with
    actions, actors and conditions, and a comment; the participants have names and organisations."""
    consultation_id = create_consultation(runner)
    sessions = []
    for zone, ballots in ((1, [["1.2", "1.1"], ["1.2"], ["1.1", "1.3"]]), (2, [["1.3", "1.2"], ["1.1"]])):
        session_id = int(runner.invoke(args=["sessions", "create", str(consultation_id), "--zone", str(zone)]).output)
        set_state(runner, session_id, "open")
        import_ballots(
            runner, tmp_path, session_id, ballots, categories=["comune", "impresa", "cittadino"][: len(ballots)]
        )
        sessions.append(session_id)
    with app.app_context():
        first = db.session.get(ConsultationSession, sessions[0])
        participants = list(db.session.scalars(select(Participant).where(Participant.session_id == first.id)))
        for participant in participants:
            participant.name = "Maria Rossi Segreta"
            participant.organisation = "Org Privata di Maria"
        strategy = db.session.scalar(select(Strategy).where(Strategy.code == "1.2"))
        proposal = contributions.propose_project(
            participants[0],
            strategy,
            contributions.ProposalInput(title=TITLE, promoter=PROMOTER, status=ProjectStatus.IDEA),
        )
        contributions.support(participants[1], proposal)
        contributions.save_sheet(
            participants[1],
            strategy,
            implementation="",
            priority_action_codes=[strategy.actions[0].code],
            actors=[contributions.ActorInput("=Unione montana", "comune", ActorState.ACTIVE)],
            conditions={"tempi": ""},
        )
        contributions.add_comment(participants[2], "Bene.", strategy=strategy)
        db.session.commit()
    for session_id in sessions:
        set_state(runner, session_id, "closed", "published")
    return {"id": consultation_id, "sessions": sessions}


def csv_rows(response) -> list[list[str]]:
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    delimiter = ";" if "sep=semicolon" in response.request.url else ","
    return list(csv.reader(io.StringIO(text[1:]), delimiter=delimiter))


def test_csv_opens_with_its_header_block(client, consultation):
    response = client.get(f"/consultations/{consultation['id']}/results.csv?method=schulze&weighting=participants")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert 'attachment; filename="consult-risultati-consultazione' in response.headers["Content-Disposition"]
    rows = csv_rows(response)
    notes = {row[0]: row[1] for row in rows[: rows.index([])]}
    assert notes["Metodo"] == "Metodo Schulze (schulze)"
    assert notes["Ponderazione"] == "Per partecipanti (participants)"
    assert notes["Classifiche contate"] == "5"
    assert notes["Data"] and "Fonte" in notes and "http://localhost/consultations/" in notes["Fonte"]
    table = rows[rows.index([]) + 1 :]
    assert table[0] == ["Posizione", "Codice", "Strategia", "Strategie battute", "Punteggio grezzo"]
    # Zone 1 (3 ballots) ranks 1.2 > 1.1 > 1.3, zone 2 (2 ballots) 1.3 > (1.1 = 1.2). Weighted 3 and 2:
    # 1.2 is above 1.1 for weight 3 (level in zone 2), above 1.3 for 3 against 2; 1.1 above 1.3 for 3 against 2.
    assert [row[:2] for row in table[1:]] == [["1", "1.2"], ["2", "1.1"], ["3", "1.3"]]
    assert [row[3] for row in table[1:]] == ["2", "1", "0"]


def test_csv_with_semicolons_and_decimal_commas_for_italian_spreadsheets(client, consultation):
    response = client.get(f"/consultations/{consultation['id']}/results.csv?sep=semicolon&weighting=population")
    rows = csv_rows(response)
    table = rows[rows.index([]) + 1 :]
    assert len(table[0]) == 5 and table[0][0] == "Posizione"
    # Average points with a decimal comma; nothing split on the comma.
    assert all("," in row[3] or row[3].isdigit() for row in table[1:])


def test_csv_tables_by_name(app, client, consultation):
    base = f"/consultations/{consultation['id']}/results.csv"
    heatmap = csv_rows(client.get(base + "?table=heatmap"))
    header = heatmap[heatmap.index([]) + 1]
    assert header[:3] == ["Codice", "Strategia", "Metropolitana"] and header[3].startswith("1. Torino")
    projects = csv_rows(client.get(base + "?table=projects"))
    row = projects[projects.index([]) + 2]
    # The promoter and title, which start like formulas, are defused with a leading apostrophe.
    assert row[1] == "'" + TITLE and row[2] == "'" + PROMOTER
    actors = csv_rows(client.get(session_url(app, consultation["sessions"][0], "/results.csv?table=actors")))
    assert actors[-1][2] == "'=Unione montana"


def test_xlsx_has_every_view_and_defuses_formulas(client, consultation):
    response = client.get(f"/consultations/{consultation['id']}/results.xlsx?method=mean")
    assert response.mimetype.endswith("spreadsheetml.sheet")
    workbook = load_workbook(io.BytesIO(response.data))
    assert workbook.sheetnames == [
        "Informazioni", "Posizione media", "Conteggio di Borda", "Metodo Schulze", "Quota tra le prime tre",
        "Zone", "Mappa delle posizioni", "Categorie", "Canali", "Azioni prioritarie", "Progetti",
        "Fattori abilitanti", "Reti di attori", "Commenti", "Partecipazione",
        # every contribution, a sheet per kind (consult.synthesis)
        "Contributi - attuazione", "Contributi - progetti", "Contributi - attori", "Contributi - fattori",
        "Contributi - azioni", "Contributi - commenti",
    ]  # fmt: skip
    info = {row[0]: row[1] for row in workbook["Informazioni"].iter_rows(min_row=2, values_only=True)}
    assert info["Metodo"] == "Posizione media (mean)" and info["Ponderazione"] == "Zone alla pari (equal)"
    assert info["Classifiche contate"] == "5" and info["Data"] and info["Fonte"]
    projects = list(workbook["Progetti"].iter_rows(values_only=True))
    assert projects[1][1] == "'" + TITLE and projects[1][2] == "'" + PROMOTER
    assert projects[1][7] == 1  # supports, a number
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
    ranking = list(workbook["Posizione media"].iter_rows(values_only=True))
    assert ranking[0][:3] == ("Posizione", "Codice", "Strategia") and isinstance(ranking[1][3], int | float)
    participation = list(workbook["Partecipazione"].iter_rows(values_only=True))
    assert [row[:4] for row in participation[1:]] == [
        (1, "Torino", 1, 3),
        (2, "AMT Ovest (Area metropolitana Torino Ovest)", 1, 2),
    ]


def test_session_xlsx(app, client, consultation):
    response = client.get(session_url(app, consultation["sessions"][0], "/results.xlsx"))
    names = load_workbook(io.BytesIO(response.data)).sheetnames
    assert names[0] == "Informazioni" and "Zone" not in names and "Progetti" in names and "Canali" in names


def test_json_download_and_api_schema(app, client, consultation):
    api = client.get(f"/api/v1/consultations/{consultation['id']}/results?weighting=pooled").get_json()
    assert set(api) >= {"method", "label", "description", "ballots", "weighting", "generated_at", "ranking", "zones"}
    assert api["method"] == "borda" and api["label"] == "Conteggio di Borda" and api["ballots"] == 5
    for row in api["ranking"]:
        assert set(row) == {"code", "title", "rank", "score"}
    assert set(api["zones"][0]) == {"code", "name", "ballots", "weight", "ranking"}
    download = client.get(f"/consultations/{consultation['id']}/results.json?weighting=pooled")
    data = json.loads(download.data)
    assert data["ranking"] == api["ranking"] and data["zones"] == api["zones"]
    assert data["metadata"]["url"].startswith("http://localhost/consultations/")
    assert data["metadata"]["how_counted"]
    session = client.get(f"/api/v1/sessions/{consultation['sessions'][0]}/results?method=mean").get_json()
    assert set(session) >= {"method", "label", "description", "ballots", "generated_at", "ranking", "session"}
    assert "weighting" not in session and session["ballots"] == 3
    # Ballots 1.2>1.1, 1.2, 1.1>1.3 (n=3; unranked at the mean unfilled place, (k+1+n)/2):
    #   1.2: 1, 1, 3 → 5/3;  1.1: 2, 2.5, 1 → 5.5/3;  1.3: 3, 2.5, 2 → 7.5/3
    assert order(session["ranking"]) == [("1.2", 1), ("1.1", 2), ("1.3", 3)]
    assert [row["score"] for row in session["ranking"]] == pytest.approx([5 / 3, 5.5 / 3, 2.5])


def test_english_api_labels(client, consultation):
    data = client.get(
        f"/api/v1/consultations/{consultation['id']}/results?method=top3", headers={"Accept-Language": "en"}
    ).get_json()
    assert data["label"] == "Top-three share"


def test_no_personal_data_in_any_file(app, client, consultation):
    urls = [f"/consultations/{consultation['id']}/results.{fmt}" for fmt in ("csv", "json", "xlsx")]
    urls += [session_url(app, consultation["sessions"][0], f"/results.{fmt}") for fmt in ("csv", "json", "xlsx")]
    urls += [f"/consultations/{consultation['id']}/results.csv?table={t}" for t in ("projects", "actors", "categories")]
    for url in urls:
        body = client.get(url).data
        if url.endswith("xlsx"):
            workbook = load_workbook(io.BytesIO(body))
            body = repr([list(s.iter_rows(values_only=True)) for s in workbook.worksheets]).encode()
        for secret in (b"Maria", b"Privata", b"@example.org", b"P1"):
            assert secret not in body, (url, secret)


def test_pdf_report_embeds_titillium(app, client, consultation):
    response = client.get(f"/consultations/{consultation['id']}/results.pdf?weighting=population")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(response.data))
    fonts = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            fonts.add(str(font["/BaseFont"]))
            descriptor = font.get("/FontDescriptor")
            if descriptor is not None:
                assert "/FontFile2" in descriptor.get_object(), font["/BaseFont"]  # embedded TrueType
    assert any("TitilliumWeb" in name for name in fonts)
    assert all("TitilliumWeb" in name for name in fonts), fonts
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "Documento di sintesi" in text and "Per popolazione" in text and "Pagina 2 di" in text
    assert "Mappa delle posizioni per zona" in text
    assert "Maria" not in text


def test_pdf_in_english_and_provisional(app, client_as, consultation, runner, tmp_path):
    consultation_id = create_consultation(runner, title="Round two")
    session_id = int(runner.invoke(args=["sessions", "create", str(consultation_id), "--zone", "3"]).output)
    set_state(runner, session_id, "open")
    import_ballots(runner, tmp_path, session_id, [["1.1"]])
    planner = client_as("planner")
    response = planner.get(f"/consultations/{consultation_id}/results.pdf", headers={"Accept-Language": "en"})
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    assert "Synthesis report" in text and "PROVISIONAL DATA" in text
    assert response.headers["Cache-Control"] == "private, no-store"
    response = planner.get(session_url(app, session_id, "/results.pdf"))
    text = PdfReader(io.BytesIO(response.data)).pages[0].extract_text()
    assert "DATI PROVVISORI" in text


def test_every_download_is_in_the_audit_log(app, client_as, consultation):
    planner = client_as("planner")
    planner.get(f"/consultations/{consultation['id']}/results.xlsx?method=schulze&weighting=population")
    client_as("anonymous").get(
        session_url(app, consultation["sessions"][1], "/results.csv?sep=semicolon&table=channels")
    )
    with app.app_context():
        events = list(
            db.session.scalars(
                select(AuditEvent).where(AuditEvent.action == "results.downloaded").order_by(AuditEvent.id)
            )
        )
        assert [(e.target_type, e.details["format"], e.details["method"], e.details["weighting"]) for e in events] == [
            ("consultation", "xlsx", "schulze", "population"),
            ("consultation_session", "csv", "borda", None),
        ]
        assert events[0].actor.email == "planner@example.org" and events[1].actor is None
        assert events[1].details["table"] == "channels"
    # Pages and the API are not downloads.
    planner.get(f"/consultations/{consultation['id']}/results")
    planner.get(f"/api/v1/consultations/{consultation['id']}/results")
    with app.app_context():
        count = len(list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == "results.downloaded"))))
        assert count == 2
