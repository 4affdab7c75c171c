"""The facilitator console: consultations and sessions from the web, states, live counters, room codes."""

import io
import re
from dataclasses import dataclass

import pytest
import zxingcpp
from PIL import Image
from pypdf import PdfReader
from sqlalchemy import func, select

from consult.extensions import db
from consult.models import (
    AuditEvent,
    Channel,
    Consultation,
    ConsultationSession,
    Participant,
    ParticipantCode,
    SessionState,
    User,
)
from tests.conftest import csrf_token
from tests.participation_helpers import make_session

CONSOLE = "/facilitate"


def console_path(session_id: int, zone: int = 1, rest: str = "") -> str:
    return f"{CONSOLE}/zones/{zone}/sessions/{session_id}{rest}"


def post(client, path: str, data: dict | None = None, **kwargs):
    return client.post(path, data={"csrf_token": csrf_token(client, "/"), **(data or {})}, **kwargs)


def make_consultation(runner, *args: str) -> int:
    result = runner.invoke(args=["consultations", "create", "--title", "Dalle strategie alle azioni", *args])
    assert result.exit_code == 0, result.output
    return int(result.output.strip())


@dataclass
class Event:
    details: dict
    actor: str | None


def events(app, action: str) -> list[Event]:
    """The audit events of ``action``, oldest first: details and the actor's email."""
    with app.app_context():
        rows = db.session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id))
        return [Event(event.details, event.actor.email if event.actor else None) for event in rows]


# --- the home page -------------------------------------------------------------------------------


def test_a_facilitator_sees_the_sessions_of_their_zones_only(seeded, runner, client_as):
    make_session(runner, zone=1, title="Laboratorio di Pinerolo", state=None)
    make_session(runner, zone=2, title="Laboratorio di Rivoli", state=None)
    page = client_as("facilitator").get(CONSOLE).get_data(as_text=True)
    assert "Laboratorio di Pinerolo" in page
    assert "Laboratorio di Rivoli" not in page
    assert "Nuova consultazione" not in page  # planners only
    planner = client_as("planner").get(CONSOLE).get_data(as_text=True)
    assert "Laboratorio di Pinerolo" in planner and "Laboratorio di Rivoli" in planner
    assert "Nuova consultazione" in planner


def test_the_home_page_suggests_the_next_step(seeded, runner, client_as):
    make_session(runner, zone=1, state=None)
    page = client_as("facilitator").get(CONSOLE).get_data(as_text=True)
    assert "Genera e stampa i codici per la sala, poi apri la sessione." in page


def test_staff_find_the_console_in_the_header(seeded, client_as):
    assert "Console dei laboratori" in client_as("facilitator").get("/").get_data(as_text=True)
    assert "Console dei laboratori" not in client_as("stakeholder").get("/").get_data(as_text=True)


# --- consultations -------------------------------------------------------------------------------


def consultation_form(**changes) -> dict:
    return {
        "title": "Verso il PSM 2027",
        "description": "Seconda tornata.",
        "scope": "all",
        "depth_mode": "top",
        "depth": "5",
        "starts_on": "2026-12-01",
        "ends_on": "2026-12-20",
        **changes,
    }


def test_a_planner_creates_a_consultation_on_some_axes(seeded, client_as):
    client = client_as("planner")
    response = post(client, CONSOLE + "/consultations/new", consultation_form(scope="axes", axes=["1", "3"]))
    assert response.status_code == 303
    with seeded.app_context():
        consultation = db.session.scalar(select(Consultation))
        assert consultation.title == "Verso il PSM 2027"
        assert consultation.scope_axes == ["1", "3"]
        assert {s.code.split(".")[0] for s in consultation.strategies} == {"1", "3"}
        assert consultation.ranking_depth == 5
        assert str(consultation.starts_on) == "2026-12-01" and str(consultation.ends_on) == "2026-12-20"
        assert consultation.created_by.email == "planner@example.org"
        assert response.headers["Location"] == f"{CONSOLE}/sessions/new?consultation={consultation.id}"
    assert len(events(seeded, "consultation.created")) == 1
    # The dates reach the public page of the consultation.
    page = client_as("anonymous").get(f"/consultations/{consultation.id}").get_data(as_text=True)
    assert "1 dicembre 2026" in page and "20 dicembre 2026" in page


def test_a_planner_creates_a_consultation_on_a_list_ranked_whole(seeded, client_as):
    client = client_as("admin")
    data = consultation_form(scope="strategies", strategies=["2.1", "1.1"], depth_mode="all", depth="")
    assert post(client, CONSOLE + "/consultations/new", data).status_code == 303
    with seeded.app_context():
        consultation = db.session.scalar(select(Consultation))
        assert [s.code for s in consultation.strategies_in_order] == ["1.1", "2.1"]
        assert consultation.ranking_depth is None
        assert consultation.depth == 2


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"title": " "}, "Questo campo è obbligatorio."),
        ({"scope": "axes"}, "Scegli almeno un Asse."),
        ({"scope": "strategies"}, "Scegli almeno una strategia."),
        ({"depth": "0"}, "Scrivi un numero da 1 a 100."),
        ({"depth": ""}, "Scrivi quanti posti assegnare"),
        ({"starts_on": "2026-12-20", "ends_on": "2026-12-01"}, "La data di fine non può precedere quella di inizio."),
        ({"scope": "axes", "axes": ["99"]}, "Scelta non valida"),
    ],
)
def test_a_bad_consultation_is_refused_and_nothing_is_written(seeded, client_as, changes, message):
    client = client_as("planner")
    response = post(client, CONSOLE + "/consultations/new", consultation_form(**changes))
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert message in html or message.replace("'", "&#39;") in html
    with seeded.app_context():
        assert db.session.scalar(select(func.count()).select_from(Consultation)) == 0


def test_what_is_ranked_is_fixed_once_a_session_has_opened(seeded, runner, client_as):
    session_id = make_session(runner, zone=1, state="open")
    with seeded.app_context():
        consultation_id = db.session.get(ConsultationSession, session_id).consultation_id
    client = client_as("planner")
    path = f"{CONSOLE}/consultations/{consultation_id}/edit"
    assert "si possono più cambiare" in client.get(path).get_data(as_text=True)
    response = post(client, path, consultation_form(depth="3"))
    assert response.status_code == 409
    assert "una sessione è già stata aperta" in response.get_data(as_text=True)
    # The title can still change.
    response = post(client, path, consultation_form(title="Nuovo titolo", depth="5", starts_on="", ends_on=""))
    assert response.status_code == 303
    with seeded.app_context():
        consultation = db.session.get(Consultation, consultation_id)
        assert consultation.title == "Nuovo titolo"
        assert consultation.ranking_depth == 5
    [event] = events(seeded, "consultation.updated")
    assert "title" in event.details["fields"]


def test_the_cli_still_creates_consultations_as_before(seeded, runner):
    consultation_id = make_consultation(runner, "--axes", "2", "--depth", "3")
    with seeded.app_context():
        consultation = db.session.get(Consultation, consultation_id)
        assert consultation.ranking_depth == 3
        assert consultation.starts_on is None


# --- sessions ------------------------------------------------------------------------------------


def session_form(consultation_id: int, zone_id: int, **changes) -> dict:
    return {
        "consultation": str(consultation_id),
        "zone": str(zone_id),
        "title": "Laboratorio di Pinerolo",
        "mode": "in_presenza",
        "starts_at": "2026-12-03T17:30",
        "place": "Sala consiliare, via Cavour 1",
        "description": "",
        **changes,
    }


def zone_id(app, code: int) -> int:
    from consult.models import Zone

    with app.app_context():
        return db.session.scalar(select(Zone.id).where(Zone.code == code))


def test_a_facilitator_creates_a_session_for_their_zone(seeded, runner, client_as):
    consultation_id = make_consultation(runner)
    client = client_as("facilitator")
    form = client.get(f"{CONSOLE}/sessions/new?consultation={consultation_id}").get_data(as_text=True)
    assert "1. Torino" in form and "2. AMT Ovest" not in form  # only their zone is offered
    response = post(client, f"{CONSOLE}/sessions/new", session_form(consultation_id, zone_id(seeded, 1)))
    assert response.status_code == 303
    with seeded.app_context():
        session = db.session.scalar(select(ConsultationSession))
        assert response.headers["Location"] == console_path(session.id)
        assert session.state == SessionState.DRAFT
        assert session.mode.value == "in_presenza"
        assert session.place == "Sala consiliare, via Cavour 1"
        # 17:30 in Turin in December is 16:30 UTC.
        assert session.starts_at.isoformat() == "2026-12-03T16:30:00+00:00"
    page = client.get(console_path(session.id)).get_data(as_text=True)
    assert "Laboratorio di Pinerolo" in page and "17:30" in page
    # Once open, participants read the date, time and venue on the session's public page.
    runner.invoke(args=["sessions", "set-state", str(session.id), "open"])
    public = client_as("anonymous").get(f"/zones/1/sessions/{session.id}").get_data(as_text=True)
    assert "Sala consiliare, via Cavour 1" in public and "17:30" in public


def test_a_facilitator_cannot_create_a_session_in_another_zone(seeded, runner, client_as):
    consultation_id = make_consultation(runner)
    client = client_as("other_facilitator")
    response = post(client, f"{CONSOLE}/sessions/new", session_form(consultation_id, zone_id(seeded, 1)))
    assert response.status_code == 400  # not among the zones offered to them
    with seeded.app_context():
        assert db.session.scalar(select(func.count()).select_from(ConsultationSession)) == 0


def test_a_planner_creates_a_session_in_any_zone(seeded, runner, client_as):
    consultation_id = make_consultation(runner)
    client = client_as("planner")
    data = session_form(consultation_id, zone_id(seeded, 7), title="", starts_at="", place="")
    assert post(client, f"{CONSOLE}/sessions/new", data).status_code == 303
    with seeded.app_context():
        session = db.session.scalar(select(ConsultationSession))
        assert session.zone.code == 7
        assert session.title.startswith("Dalle strategie alle azioni — ")  # the default, as in the CLI
        assert session.starts_at is None


def test_editing_a_session_and_moving_it_to_another_zone_before_it_opens(seeded, runner, client_as):
    session_id = make_session(runner, zone=1, state=None)
    client = client_as("planner")
    data = session_form(0, zone_id(seeded, 3), title="Laboratorio spostato")
    del data["consultation"]
    response = post(client, console_path(session_id, rest="/edit"), data)
    assert response.status_code == 303
    assert response.headers["Location"] == console_path(session_id, zone=3)
    [event] = events(seeded, "session.updated")
    assert set(event.details["fields"]) >= {"title", "zone", "place"}
    # Once open, the zone stays.
    runner.invoke(args=["sessions", "set-state", str(session_id), "open"])
    data["zone"] = str(zone_id(seeded, 4))
    response = post(client, console_path(session_id, zone=3, rest="/edit"), data)
    assert response.status_code == 409
    assert "La zona si può cambiare solo prima" in response.get_data(as_text=True)


def test_a_facilitator_cannot_move_a_session_to_a_zone_they_do_not_run(seeded, runner, client_as):
    session_id = make_session(runner, zone=1, state=None)
    data = session_form(0, zone_id(seeded, 2))
    del data["consultation"]
    response = post(client_as("facilitator"), console_path(session_id, rest="/edit"), data)
    assert response.status_code == 400
    with seeded.app_context():
        assert db.session.get(ConsultationSession, session_id).zone.code == 1


# --- 404 before 403 ------------------------------------------------------------------------------

ZONE_PAGES = ["", "/edit", "/counters.json", "/publish", "/codes", "/codes/print", "/codes/print.pdf"]


@pytest.mark.parametrize("rest", ZONE_PAGES)
def test_every_page_of_a_session_refuses_the_facilitator_of_another_zone(seeded, runner, client_as, rest):
    session_id = make_session(runner, zone=1, state="open")
    assert client_as("other_facilitator").get(console_path(session_id, rest=rest)).status_code == 403
    assert client_as("facilitator").get(console_path(session_id, rest=rest)).status_code == 200
    assert client_as("planner").get(console_path(session_id, rest=rest)).status_code == 200


@pytest.mark.parametrize("rest", ["/state", "/codes", "/publish", "/codes/1/revoke"])
def test_every_action_refuses_the_facilitator_of_another_zone(seeded, runner, client_as, rest):
    session_id = make_session(runner, zone=1, state="open")
    client = client_as("other_facilitator")
    response = post(client, console_path(session_id, rest=rest), {"target": "close", "count": "5", "confirm": "y"})
    assert response.status_code == 403
    with seeded.app_context():
        assert db.session.get(ConsultationSession, session_id).state == SessionState.OPEN
        assert db.session.scalar(select(func.count()).select_from(ParticipantCode)) == 0


def test_an_unknown_zone_or_session_is_a_404_even_for_another_zone(seeded, runner, client_as):
    session_id = make_session(runner, zone=1, state=None)
    client = client_as("other_facilitator")
    assert client.get(console_path(session_id, zone=99)).status_code == 404
    assert client.get(console_path(session_id + 99)).status_code == 404
    assert client.get(console_path(session_id, zone=2)).status_code == 404  # the session is not in zone 2


# --- states --------------------------------------------------------------------------------------


def test_open_close_reopen_and_publish_with_confirmation(seeded, runner, client_as):
    session_id = make_session(runner, zone=1, state=None)
    client = client_as("facilitator")
    assert "Stampa i codici non ancora usati" in client.get(console_path(session_id)).get_data(as_text=True)
    state_path = console_path(session_id, rest="/state")
    for target, state in [("open", "open"), ("close", "closed"), ("reopen", "open"), ("close", "closed")]:
        response = post(client, state_path, {"target": target})
        assert response.status_code == 303, (target, response.get_data(as_text=True)[:500])
        with seeded.app_context():
            assert db.session.get(ConsultationSession, session_id).state.value == state
    confirm = client.get(console_path(session_id, rest="/publish")).get_data(as_text=True)
    assert "La pubblicazione è definitiva." in confirm
    # Without the confirmation nothing happens.
    response = post(client, console_path(session_id, rest="/publish"), {})
    assert response.status_code == 400
    assert "conferma di aver capito" in response.get_data(as_text=True)
    with seeded.app_context():
        assert db.session.get(ConsultationSession, session_id).state == SessionState.CLOSED
    response = post(client, console_path(session_id, rest="/publish"), {"confirm": "y"})
    assert response.status_code == 303
    with seeded.app_context():
        assert db.session.get(ConsultationSession, session_id).state == SessionState.PUBLISHED
    changes = events(seeded, "session.state_changed")
    assert [e.details["state"] for e in changes] == ["open", "closed", "open", "closed", "published"]
    assert {e.actor for e in changes} == {"facilitator@example.org"}
    # Codes are no use once the workshop is over: the console no longer offers to print them.
    page = client.get(console_path(session_id)).get_data(as_text=True)
    assert "Strumenti del laboratorio" in page and "Stampa i codici non ancora usati" not in page


def test_an_illegal_transition_is_refused_with_a_translated_message(seeded, runner, client_as):
    session_id = make_session(runner, zone=1, state="open")
    client = client_as("facilitator")
    response = post(client, console_path(session_id, rest="/state"), {"target": "reopen"})
    assert response.status_code == 409
    assert "Una sessione «Aperta» non può passare a «Aperta»." in response.get_data(as_text=True)
    # Publishing an open session is refused too, even when confirmed.
    response = post(client, console_path(session_id, rest="/publish"), {"confirm": "y"})
    assert response.status_code == 409
    english = client_as("facilitator")
    english.set_cookie("consult_lang", "en")
    response = post(english, console_path(session_id, rest="/publish"), {"confirm": "y"})
    assert response.status_code == 409
    assert "cannot become" in response.get_data(as_text=True)
    with seeded.app_context():
        assert db.session.get(ConsultationSession, session_id).state == SessionState.OPEN


def test_an_unknown_target_state_is_a_400(seeded, runner, client_as):
    session_id = make_session(runner, zone=1, state="open")
    response = post(client_as("facilitator"), console_path(session_id, rest="/state"), {"target": "published"})
    assert response.status_code == 400


# --- live counters -------------------------------------------------------------------------------


def test_counters_by_channel_category_codes_and_reports(seeded, runner, client_as, app, tmp_path):
    from consult.participation import contributions
    from consult.participation.ballots import submit_ballot
    from consult.participation.services import participant_for_user

    session_id = make_session(runner, zone=1, state="open")
    codes = runner.invoke(args=["codes", "generate", str(session_id), "4"]).output.split()
    # Two people in the room with codes (one ranks), one online with an account, two paper forms.
    for code in codes[:2]:
        client = app.test_client()
        response = post(client, "/join", {"code": code, "category": "impresa"})
        assert response.status_code == 303
    paper = tmp_path / "schede.csv"
    paper.write_text("participant,category,organisation,1,2\nP01,comune,,1.1,2.1\nP02,,,1.2\n")
    assert runner.invoke(args=["ballots", "import", str(session_id), str(paper)]).exit_code == 0
    with seeded.app_context():
        session = db.session.get(ConsultationSession, session_id)
        stakeholder = db.session.scalar(select(User).where(User.email == "stakeholder@example.org"))
        online = participant_for_user(session, stakeholder, create=True)
        submit_ballot(online, ["1.1"], Channel.ONLINE)
        by_code = db.session.scalar(select(Participant).where(Participant.code_id.is_not(None)))
        submit_ballot(by_code, ["2.1"], Channel.CODE)
        strategy = session.consultation.strategies_in_order[0]
        comment = contributions.add_comment(by_code, "Un commento", strategy=strategy)
        contributions.report_comment(online, comment, "fuori tema")
        db.session.commit()
    assert runner.invoke(args=["codes", "generate", str(session_id), "1"]).exit_code == 0
    client = client_as("facilitator")
    with seeded.app_context():
        last_code = db.session.scalars(select(ParticipantCode).order_by(ParticipantCode.id.desc())).first()
    assert post(client, console_path(session_id, rest=f"/codes/{last_code.id}/revoke")).status_code == 303
    data = client.get(console_path(session_id, rest="/counters.json")).get_json()
    assert data["participants"] == 5
    assert data["ballots"] == 4
    assert data["by_channel"] == {
        "online": {"participants": 1, "ballots": 1},
        "code": {"participants": 2, "ballots": 1},
        "paper": {"participants": 2, "ballots": 2},
    }
    by_category = {row["code"]: (row["participants"], row["ballots"]) for row in data["by_category"]}
    assert by_category == {"comune": (2, 2), "impresa": (2, 1), "": (1, 1)}
    assert data["codes"] == {"total": 5, "used": 2, "unused": 2, "revoked": 1}
    assert data["to_moderate"] == 1
    page = client.get(console_path(session_id)).get_data(as_text=True)
    assert 'data-counter="to_moderate">1<' in page
    assert "Impresa" in page


# --- room codes ----------------------------------------------------------------------------------


def test_generate_list_and_revoke_codes(seeded, runner, client_as, app):
    session_id = make_session(runner, zone=1, state="open")
    client = client_as("facilitator")
    response = post(client, console_path(session_id, rest="/codes"), {"count": "3"})
    assert response.status_code == 303
    assert "printed=" in response.headers["Location"]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "3 codici generati" in page and "Pagina da stampare" in page
    with seeded.app_context():
        codes = list(db.session.scalars(select(ParticipantCode).order_by(ParticipantCode.id)))
        assert all(code.created_by.email == "facilitator@example.org" for code in codes)
    for code in codes:
        assert code.code in page
    # One is used in the room, one is lost and revoked.
    assert post(app.test_client(), "/join", {"code": codes[0].code, "category": "comune"}).status_code == 303
    response = post(client, console_path(session_id, rest=f"/codes/{codes[1].id}/revoke"), follow_redirects=True)
    assert "è annullato" in response.get_data(as_text=True)
    # A used code cannot be revoked, nor a revoked one again.
    response = post(client, console_path(session_id, rest=f"/codes/{codes[0].id}/revoke"), follow_redirects=True)
    assert "è già stato usato: non si può annullare" in response.get_data(as_text=True)
    response = post(client, console_path(session_id, rest=f"/codes/{codes[1].id}/revoke"), follow_redirects=True)
    assert "è già annullato" in response.get_data(as_text=True)
    page = client.get(console_path(session_id, rest="/codes")).get_data(as_text=True)
    assert page.count("<td>Usato</td>") == 1
    assert page.count("<td>Annullato</td>") == 1
    assert page.count("<td>Da usare</td>") == 1
    # The revoked code opens nothing.
    response = post(app.test_client(), "/join", {"code": codes[1].code, "category": "comune"})
    assert response.status_code == 410
    assert "Questo codice è stato annullato" in response.get_data(as_text=True)
    assert [e.details["code"] for e in events(seeded, "code.revoked")] == [codes[1].code]
    assert events(seeded, "codes.generated")[0].actor == "facilitator@example.org"


def test_a_code_of_another_session_cannot_be_revoked_through_this_one(seeded, runner, client_as):
    session_id = make_session(runner, zone=1, state="open")
    other_id = make_session(runner, zone=1, state="open")
    runner.invoke(args=["codes", "generate", str(other_id), "1"])
    with seeded.app_context():
        code = db.session.scalar(select(ParticipantCode))
    response = post(client_as("facilitator"), console_path(session_id, rest=f"/codes/{code.id}/revoke"))
    assert response.status_code == 404


def test_generating_a_bad_number_of_codes_is_refused(seeded, runner, client_as):
    session_id = make_session(runner, zone=1, state="open")
    client = client_as("facilitator")
    for count in ("0", "1001", "tanti"):
        assert post(client, console_path(session_id, rest="/codes"), {"count": count}).status_code == 400
    runner.invoke(args=["sessions", "set-state", str(session_id), "closed"])
    runner.invoke(args=["sessions", "set-state", str(session_id), "published"])
    response = post(client, console_path(session_id, rest="/codes"), {"count": "5"})
    assert response.status_code == 409
    with seeded.app_context():
        assert db.session.scalar(select(func.count()).select_from(ParticipantCode)) == 0


def generate(client, session_id: int, count: int) -> tuple[int, int]:
    response = post(client, console_path(session_id, rest="/codes"), {"count": str(count)})
    first, last = re.search(r"printed=(\d+)-(\d+)", response.headers["Location"]).groups()
    return int(first), int(last)


def test_the_printable_page_has_ten_slips_a_sheet_with_qr_codes(seeded, runner, client_as):
    session_id = make_session(runner, zone=1, state=None, title="Laboratorio di Pinerolo")
    client = client_as("facilitator")
    generate(client, session_id, 3)
    first, last = generate(client, session_id, 12)
    html = client.get(console_path(session_id, rest=f"/codes/print?first={first}&last={last}")).get_data(as_text=True)
    assert html.count('class="sheet"') == 2
    assert html.count('class="slip"') == 12
    assert html.count("data:image/svg+xml") == 12
    assert "Laboratorio di Pinerolo" in html and "Zona 1. Torino" in html
    assert "localhost/join" in html  # the short address to type
    with seeded.app_context():
        batch = list(db.session.scalars(select(ParticipantCode).where(ParticipantCode.id >= first)))
        earlier = db.session.scalar(select(ParticipantCode).order_by(ParticipantCode.id))
    assert all(code.code in html for code in batch)
    assert earlier.code not in html  # only the batch asked for
    everything = client.get(console_path(session_id, rest="/codes/print")).get_data(as_text=True)
    assert everything.count('class="slip"') == 15
    assert [e.details["count"] for e in events(seeded, "codes.printed")] == [12, 15]


def decode_qr(image: Image.Image) -> list[str]:
    return [result.text for result in zxingcpp.read_barcodes(image)]


def test_the_pdf_sheet_decodes_back_to_the_join_page_with_the_code(seeded, runner, client_as):
    session_id = make_session(runner, zone=1, state=None, title="Laboratorio di Pinerolo")
    client = client_as("facilitator")
    first, last = generate(client, session_id, 20)
    response = client.get(console_path(session_id, rest=f"/codes/print.pdf?first={first}&last={last}"))
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(response.data))
    assert len(reader.pages) == 2
    text = reader.pages[0].extract_text()
    assert "Laboratorio di Pinerolo" in text and "localhost/join" in text
    with seeded.app_context():
        codes = [c.code for c in db.session.scalars(select(ParticipantCode).order_by(ParticipantCode.id))]
    assert all(code in text for code in codes[:10])
    images = reader.pages[1].images
    assert len(images) == 10
    decoded = sorted(url for image in images for url in decode_qr(image.image))
    assert decoded == sorted(f"http://localhost/join?code={code}" for code in codes[10:])


def test_the_qr_url_opens_the_join_page_with_the_code_filled_in(seeded, runner, client):
    session_id = make_session(runner, zone=1)
    [code] = runner.invoke(args=["codes", "generate", str(session_id), "1"]).output.split()
    html = client.get(f"/join?code={code.lower()}").get_data(as_text=True)
    assert f'value="{code}"' in html


# --- the audit log speaks people's language -----------------------------------------------------


def test_console_actions_read_translated_on_the_audit_page(seeded, runner, client_as):
    session_id = make_session(runner, zone=1, state=None)
    client = client_as("facilitator")
    post(client, console_path(session_id, rest="/state"), {"target": "open"})
    first, _last = generate(client, session_id, 2)
    post(client, console_path(session_id, rest=f"/codes/{first}/revoke"))
    client.get(console_path(session_id, rest="/codes/print.pdf"))
    # The table of events (the filter's options carry the codes as values, never as text).
    page = client_as("admin").get("/admin/audit").get_data(as_text=True).split("<table", 1)[1]
    for label in ("Codice di partecipazione annullato", "Codici di partecipazione stampati", "Stato della sessione"):
        assert label in page
    assert "code.revoked" not in page and "codes.printed" not in page
    # Each event links to the session's console page.
    assert f'<a href="{console_path(session_id)}">sessione #{session_id}</a>' in page
