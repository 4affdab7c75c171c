"""Paper ballots from the browser: typing forms, correcting one, uploading a file with a preview."""

import io
import re

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from consult.extensions import db
from consult.models import AuditEvent, Ballot, PaperUpload, Participant
from tests.conftest import csrf_token
from tests.participation_helpers import make_session


@pytest.fixture
def open_session(app, runner, personas):
    return make_session(runner, zone=1)


def base(session_id, zone=1):
    return f"/facilitate/zones/{zone}/sessions/{session_id}/paper"


def ballots(app, session_id):
    with app.app_context():
        rows = db.session.scalars(
            select(Participant).where(Participant.session_id == session_id).order_by(Participant.label)
        )
        return {p.label: [r.strategy.code for r in p.ballot.ranks] for p in rows if p.ballot}


def type_form(client, session_id, label, places, **extra):
    data = {"csrf_token": csrf_token(client, base(session_id)), "label": label, **extra}
    data.update({f"place-{n}": code for n, code in enumerate(places, start=1)})
    return client.post(base(session_id), data=data)


def test_typing_a_form_saves_it_and_opens_the_next_one(app, client_as, open_session):
    client = client_as("facilitator")
    page = client.get(base(open_session)).get_data(as_text=True)
    assert 'id="paper-label"' in page and "autofocus" in page
    response = type_form(client, open_session, "P007", ["3.1", "1,1"], category="comune", organisation="Comune di Susa")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("?after=P007")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'value="P008"' in page  # the next label, suggested
    assert "P007" in page and "3.1, 1.1" in page and "Facilitator" in page
    assert ballots(app, open_session) == {"P007": ["3.1", "1.1"]}
    with app.app_context():
        participant = db.session.scalar(select(Participant).where(Participant.label == "P007"))
        assert participant.category.code == "comune" and participant.organisation == "Comune di Susa"
        assert participant.ballot.entered_by.email == "facilitator@example.org"
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "ballot.paper_entered"))
        assert event.details["label"] == "P007" and event.actor.email == "facilitator@example.org"


def test_a_bad_form_is_refused_with_the_import_rules(app, client_as, open_session):
    client = client_as("facilitator")
    response = type_form(client, open_session, "P001", ["1.1", "", "2.1"], category="marziani")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "la posizione 3 è compilata dopo una casella vuota" in page
    assert "categoria sconosciuta «marziani»" in page
    response = type_form(client, open_session, "P001", ["1.1", "1.1", "9.9"])
    page = response.get_data(as_text=True)
    assert "più di una volta" in page and "9.9 non fa parte" in page
    assert ballots(app, open_session) == {}


def test_instant_check_uses_the_same_rules(app, client_as, open_session):
    client = client_as("facilitator")
    token = csrf_token(client, base(open_session))
    answer = client.post(base(open_session) + "/check", data={"csrf_token": token, "label": "A", "place-1": "9.9"})
    assert answer.status_code == 200
    assert "9.9 non fa parte" in " ".join(answer.json["problems"]["ranking"])
    answer = client.post(base(open_session) + "/check", data={"csrf_token": token, "label": "A", "place-1": "1.1"})
    assert answer.json["problems"] == {}
    type_form(client, open_session, "A", ["1.1"])
    answer = client.post(base(open_session) + "/check", data={"csrf_token": token, "label": "A"})
    assert "già stata inserita" in answer.json["problems"]["label"][0]


def test_an_existing_label_is_not_overwritten_by_a_new_form(app, client_as, open_session):
    client = client_as("facilitator")
    type_form(client, open_session, "P001", ["1.1"])
    response = type_form(client, open_session, "P001", ["2.1"])
    assert response.status_code == 409
    assert "Correggi" in response.get_data(as_text=True)
    assert ballots(app, open_session) == {"P001": ["1.1"]}


def test_correcting_a_form_keeps_the_previous_version(app, client_as, open_session):
    client = client_as("facilitator")
    type_form(client, open_session, "P001", ["1.1", "1.2"])
    page = client.get(base(open_session) + "?label=P001").get_data(as_text=True)
    assert 'name="correcting" value="P001"' in page and 'value="1.2"' in page
    planner = client_as("planner")
    response = type_form(planner, open_session, "P001", ["2.1"], correcting="P001")
    assert response.status_code == 302
    assert ballots(app, open_session) == {"P001": ["2.1"]}
    with app.app_context():
        ballot = db.session.scalar(select(Ballot))
        assert [v.ranking for v in ballot.versions] == [["1.1", "1.2"], ["2.1"]]
        assert ballot.version == 2 and ballot.entered_by.email == "planner@example.org"
        assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "ballot.paper_corrected"))
    page = planner.get(base(open_session) + "/forms").get_data(as_text=True)
    assert "1 versione precedente" in page and "1.1, 1.2" in page and "Facilitator" in page and "Planner" in page


def test_published_sessions_take_no_paper(app, client_as, runner, open_session):
    runner.invoke(args=["sessions", "set-state", str(open_session), "closed"])
    client = client_as("facilitator")
    assert type_form(client, open_session, "P001", ["1.1"]).status_code == 302  # closed: still fine
    runner.invoke(args=["sessions", "set-state", str(open_session), "published"])
    response = type_form(client, open_session, "P002", ["1.1"])
    assert response.status_code == 409
    assert ballots(app, open_session) == {"P001": ["1.1"]}


def upload(client, session_id, content: bytes, name="schede.csv"):
    token = csrf_token(client, base(session_id) + "/upload")
    return client.post(
        base(session_id) + "/upload",
        data={"csrf_token": token, "file": (io.BytesIO(content), name)},
        content_type="multipart/form-data",
    )


CSV = (
    "participant;category;organisation;1;2;3\r\nP01;comune;Comune di Pinerolo;3,1;1.1;2.2\r\nP02;impresa;;5.1;5.2;\r\n"
)


def test_upload_previews_then_confirms(app, client_as, open_session):
    client = client_as("facilitator")
    response = upload(client, open_session, ("\ufeff" + CSV).encode())
    assert response.status_code == 303
    preview_url = response.headers["Location"]
    page = client.get(preview_url).get_data(as_text=True)
    assert "Non è ancora stato scritto nulla" in page and "Comune di Pinerolo" in page and "3.1" in page
    assert ballots(app, open_session) == {}
    token = csrf_token(client, preview_url)
    response = client.post(preview_url + "/confirm", data={"csrf_token": token})
    assert response.status_code == 303
    assert ballots(app, open_session) == {"P01": ["3.1", "1.1", "2.2"], "P02": ["5.1", "5.2"]}
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(PaperUpload)) == 0
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "ballots.imported"))
        assert event.details["source"] == "web:schede.csv" and event.actor.email == "facilitator@example.org"
    assert client.post(preview_url + "/confirm", data={"csrf_token": token}).status_code == 404  # used up


def test_a_bad_row_is_named_in_the_preview_and_nothing_is_written(app, client_as, open_session):
    client = client_as("facilitator")
    lines = ["participant,1,2"] + [f"P{n:02},1.1,2.1" for n in range(1, 21)]
    lines[7] = "P07,1.1,9.9"
    response = upload(client, open_session, "\n".join(lines).encode())
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Riga 8:" in page and "9.9 non fa parte" in page
    assert 'action="' + response.headers["Location"] + '/confirm"' not in page
    token = csrf_token(client, response.headers["Location"])
    refused = client.post(response.headers["Location"] + "/confirm", data={"csrf_token": token})
    assert refused.status_code == 422 and "Riga 8:" in refused.get_data(as_text=True)
    assert ballots(app, open_session) == {}


def test_xlsx_upload(app, client_as, open_session):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["participant", "category", "1", "2"])
    sheet.append(["X1", "Comune", 3.1, 1.1])
    sheet.append(["X2", None, "2.1", None])
    buffer = io.BytesIO()
    workbook.save(buffer)
    client = client_as("facilitator")
    response = upload(client, open_session, buffer.getvalue(), "schede.xlsx")
    preview_url = response.headers["Location"]
    client.post(preview_url + "/confirm", data={"csrf_token": csrf_token(client, preview_url)})
    assert ballots(app, open_session) == {"X1": ["3.1", "1.1"], "X2": ["2.1"]}


def test_an_upload_belongs_to_its_uploader_and_session(app, client_as, runner, open_session):
    client = client_as("facilitator")
    preview_url = upload(client, open_session, CSV.encode()).headers["Location"]
    token = preview_url.rsplit("/", 1)[1]
    planner = client_as("planner")
    assert planner.get(preview_url).status_code == 404
    other = make_session(runner, zone=1)
    assert client.get(f"{base(other)}/upload/{token}").status_code == 404
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", token)


def test_garbage_upload_is_refused_cleanly(app, client_as, open_session):
    client = client_as("facilitator")
    for content, name in ((b"PK\x03\x04not really a zip", "x.xlsx"), (b"\x00\x01\x02", "x.csv")):
        response = upload(client, open_session, content, name)
        page = client.get(response.headers["Location"])
        assert page.status_code == 200
        assert "Il file non si può importare così" in page.get_data(as_text=True)
    assert upload(client, open_session, b"a", "x.pdf").status_code == 422


def test_the_list_of_forms_comes_a_page_at_a_time(app, client_as, runner, open_session, tmp_path):
    path = tmp_path / "many.csv"
    path.write_text("participant,1\n" + "\n".join(f"M{n:03},1.1" for n in range(150)))
    assert runner.invoke(args=["ballots", "import", str(open_session), str(path)]).exit_code == 0
    client = client_as("facilitator")
    first = client.get(base(open_session) + "/forms").get_data(as_text=True)
    assert "150 schede cartacee inserite" in first and "pagina 1 di 2" in first
    assert first.count(">Correggi<") == 100
    second = client.get(base(open_session) + "/forms?page=2").get_data(as_text=True)
    assert second.count(">Correggi<") == 50
    assert client.get(base(open_session) + "/forms?page=3").status_code == 404


def test_an_oversized_upload_is_refused_with_a_message(app, client_as, open_session):
    # 16 MB by default; a small limit keeps the request in memory (and the test quick).
    app.config["PAPER_UPLOAD_MAX_BYTES"] = 128 * 1024
    client = client_as("facilitator")
    response = upload(client, open_session, b"participant,1\n" + b"A,1.1\n" * (128 * 1024 // 6 + 1000))
    assert response.status_code == 413
    assert "Il file supera 0.125 MB." in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(PaperUpload)) == 0
