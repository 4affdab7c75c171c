"""The room's projection: its keyed link, reveal and hide, the JSON with conditional requests, the CLI."""

import re

import pytest
from sqlalchemy import event, select

from consult.extensions import db
from consult.models import AuditEvent, ConsultationSession
from consult.projection.services import short_title
from tests.conftest import csrf_token
from tests.participation_helpers import make_session
from tests.test_sheets import base_url, join_and_rank


@pytest.fixture
def room(app, client_as, runner):
    """An open session in zone 1 whose facilitator has made a projection link; the stakeholder has ranked."""
    session_id = make_session(runner, title="Laboratorio del Pinerolese")
    join_and_rank(client_as("stakeholder"), session_id, ranking=("2.1", "1.1"))
    staff = client_as("facilitator")
    manage = f"{base_url(session_id)}/projection"
    token = csrf_token(staff, manage)
    assert staff.post(f"{manage}/link", data={"csrf_token": token}).status_code == 303
    page = staff.get(manage).get_data(as_text=True)
    url = re.search(r'id="projection-url" value="([^"]+)"', page).group(1)
    path = url.removeprefix("http://localhost")
    return {
        "id": session_id,
        "staff": staff,
        "token": token,
        "manage": manage,
        "screen": path,
        "state": path + "/state",
    }


def state(client, room, **headers):
    return client.get(room["state"], headers=headers)


def post(room, action, who=None):
    client = who or room["staff"]
    return client.post(f"{room['manage']}/{action}", data={"csrf_token": csrf_token(client, room["manage"])})


def test_the_projector_needs_no_account_and_sees_counts_but_no_ranking_until_revealed(app, client, room):
    page = client.get(room["screen"])
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Laboratorio del Pinerolese" in html
    assert "1 classifica raccolta" in html
    assert "Comune" in html  # the stakeholder's category, counted
    assert "<svg" in html and "localhost/join" in html  # the QR code and the short address
    assert "projection-chart" not in html
    assert page.headers["Cache-Control"] == "no-cache, private"

    data = state(client, room).get_json()
    assert data["revealed"] is False and data["ranking"] is None
    assert "2.1" not in data["html"]["ranking"]
    assert data["ballots"] == 1 and data["categories"] == [{"name": "Comune o unione di comuni", "count": 1}]

    assert post(room, "reveal").status_code == 303
    data = state(client, room).get_json()
    assert data["revealed"] is True
    assert [row["code"] for row in data["ranking"]][:2] == ["2.1", "1.1"]
    assert "projection-chart" in data["html"]["ranking"] and ">2.1<" in data["html"]["ranking"]
    assert "projection-chart" in client.get(room["screen"]).get_data(as_text=True)

    assert post(room, "hide").status_code == 303
    data = state(client, room).get_json()
    assert data["revealed"] is False and data["ranking"] is None and "2.1" not in str(data)
    with app.app_context():
        actions = list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))
    assert actions[-3:] == ["projection.link_created", "projection.revealed", "projection.concealed"]


def test_an_unchanged_session_answers_304_without_counting(app, client, client_as, room):
    post(room, "reveal")
    first = state(client, room)
    etag = first.headers["ETag"]
    with app.app_context():
        engine = db.engine
    statements: list[str] = []

    def record(_conn, _cursor, statement, *_args):
        statements.append(statement.lower())

    event.listen(engine, "before_cursor_execute", record)
    try:
        unchanged = state(client, room, **{"If-None-Match": etag})
        assert unchanged.status_code == 304 and unchanged.get_data() == b""
        assert unchanged.headers["ETag"] == etag
        on_304 = list(statements)
        # A new ballot changes the answer, and that one is counted.
        join_and_rank(client_as("planner"), room["id"], ranking=("1.1", "2.1"))
        statements.clear()
        changed = state(client, room, **{"If-None-Match": etag})
    finally:
        event.remove(engine, "before_cursor_execute", record)
    counting = re.compile(r"\b(from|join)\s+\"?(ballot|ballot_rank|participant|strategy)\b")
    assert not any(counting.search(statement) for statement in on_304), on_304
    assert len([s for s in on_304 if s.startswith("select")]) == 1  # the session row, nothing else
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    assert any(counting.search(statement) for statement in statements)
    assert changed.get_json()["ballots"] == 2
    # Revealing or hiding changes the ETag too, so a screen never keeps a ranking that was taken away.
    post(room, "hide")
    assert state(client, room, **{"If-None-Match": changed.headers["ETag"]}).status_code == 200


def test_the_key_opens_only_its_own_projection_and_stops_when_revoked(app, client, client_as, runner, room):
    key = room["screen"].rsplit("/", 1)[1]
    other_id = make_session(runner, zone=1)
    assert client.get(f"/projection/{other_id}/{key}").status_code == 404
    assert client.get(f"/projection/{room['id']}/{key[:-1]}x").status_code == 404
    assert client.get(f"/projection/{room['id']}/chiave-è-sbagliata/state").status_code == 404
    assert client.get(f"/projection/9999/{key}").status_code == 404
    # Having opened the projection gives nothing else: the staff page and the results still want an account.
    client.get(room["screen"])
    assert client.get(room["manage"]).status_code == 302
    assert client.get(f"/results/zones/1/sessions/{room['id']}").status_code in (302, 404)

    assert post(room, "link/revoke").status_code == 303
    assert client.get(room["screen"]).status_code == 404
    assert state(client, room).status_code == 404
    assert "Nessun link attivo" in room["staff"].get(room["manage"]).get_data(as_text=True)
    # A new link works; the revoked one does not come back.
    post(room, "link")
    page = room["staff"].get(room["manage"]).get_data(as_text=True)
    fresh = re.search(r'id="projection-url" value="http://localhost([^"]+)"', page).group(1)
    assert fresh != room["screen"]
    assert client.get(fresh).status_code == 200
    assert client.get(room["screen"]).status_code == 404
    with app.app_context():
        session = db.session.get(ConsultationSession, room["id"])
        assert key not in (session.projection_salt or "")  # the key itself is never stored


def test_a_facilitator_of_another_zone_cannot_touch_the_projection(app, client_as, room):
    intruder = client_as("other_facilitator")
    token = csrf_token(intruder, "/")
    for action in ("reveal", "hide", "link", "link/revoke"):
        assert intruder.post(f"{room['manage']}/{action}", data={"csrf_token": token}).status_code == 403
    assert intruder.get(room["manage"]).status_code == 403
    with app.app_context():
        session = db.session.get(ConsultationSession, room["id"])
        assert session.ranking_revealed_at is None and session.projection_salt is not None


def test_planners_control_the_projection_of_any_zone(client_as, room):
    planner = client_as("planner")
    assert post(room, "reveal", planner).status_code == 303
    assert "Nascondi la classifica" in planner.get(room["manage"]).get_data(as_text=True)


def test_the_command_prints_the_same_link_and_revokes_it(app, client, runner, room):
    app.config["BASE_URL"] = "http://localhost"
    result = runner.invoke(args=["sessions", "projection-link", str(room["id"])])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "http://localhost" + room["screen"]
    result = runner.invoke(args=["sessions", "projection-link", str(room["id"]), "--revoke"])
    assert result.exit_code == 0 and "revoked" in result.output
    assert client.get(room["screen"]).status_code == 404
    # Asked again, it makes a new link, under a base URL with a path too.
    app.config["BASE_URL"] = "https://example.org/consult/"
    result = runner.invoke(args=["sessions", "projection-link", str(room["id"])])
    assert re.fullmatch(rf"https://example\.org/consult/projection/{room['id']}/[\w-]{{43}}", result.output.strip())


def test_the_command_needs_a_base_url_and_a_session(app, runner, room):
    app.config["BASE_URL"] = None
    result = runner.invoke(args=["sessions", "projection-link", str(room["id"])])
    assert result.exit_code != 0 and "BASE_URL" in result.output
    result = runner.invoke(args=["sessions", "projection-link", "9999", "--revoke"])
    assert result.exit_code != 0 and "no session" in result.output


def test_bad_requests_are_refused_cleanly(client_as, room):
    staff = room["staff"]
    assert staff.post(f"{room['manage']}/reveal", data={}).status_code == 400  # no CSRF token
    assert staff.get(f"/zones/2/sessions/{room['id']}/projection").status_code == 404  # another zone's URL


def test_short_titles_fit_one_line():
    assert short_title("Diventare metropoli circolare") == "Diventare metropoli circolare"
    long = (
        "Promuovere il potenziamento e il miglioramento delle connessioni tra i diversi punti del territorio "
        "metropolitano e i gateways di accesso al sistema globale (alta velocità ferroviaria, trasporto aereo)"
    )
    cut = short_title(long)
    assert len(cut) <= 81 and cut.endswith("…") and "(" not in cut
    assert short_title("Promuovere una gestione integrata e multimodale della mobilità metropolitana, incentrata") == (
        "Promuovere una gestione integrata e multimodale della mobilità metropolitana"
    )


def test_the_staff_page_is_linked_from_the_session_page(client_as, room):
    html = room["staff"].get(base_url(room["id"])).get_data(as_text=True)
    assert f"{room['manage']}" in html and "/zones/1/moderation" in html
    stakeholder_html = client_as("stakeholder").get(base_url(room["id"])).get_data(as_text=True)
    assert room["manage"] not in stakeholder_html
