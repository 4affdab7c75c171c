"""Joining a session: with an account, or in the room with a single-use code."""

from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from consult import create_app
from consult.extensions import db
from consult.models import Participant, ParticipantCode
from tests.conftest import _testing, csrf_token
from tests.participation_helpers import make_session


def session_path(session_id: int, zone: int = 1) -> str:
    return f"/zones/{zone}/sessions/{session_id}"


def generate_codes(runner, session_id: int, count: int = 1) -> list[str]:
    result = runner.invoke(args=["codes", "generate", str(session_id), str(count)])
    assert result.exit_code == 0, result.output
    return result.output.split()


def join_with_code(client, code: str, **fields):
    token = csrf_token(client, "/")  # the token belongs to the browser's session, not to one form
    data = {"code": code, "category": "comune", "organisation": "", "name": "", "csrf_token": token, **fields}
    return client.post("/join", data=data)


# --- with an account -------------------------------------------------------------------------------


def test_signed_in_stakeholder_joins_and_lands_on_the_ranking(seeded, runner, client_as):
    session_id = make_session(runner)
    client = client_as("stakeholder")
    token = csrf_token(client, session_path(session_id))
    response = client.post(session_path(session_id) + "/join", data={"csrf_token": token})
    assert response.status_code == 303
    assert response.headers["Location"] == session_path(session_id) + "/ranking"
    page = client.get(session_path(session_id) + "/ranking")
    assert page.status_code == 200
    assert 'id="ranking-form"' in page.get_data(as_text=True)
    with seeded.app_context():
        participant = db.session.scalar(select(Participant).where(Participant.session_id == session_id))
        assert participant.user.email == "stakeholder@example.org"


def test_joining_twice_keeps_one_participation(seeded, runner, client_as):
    session_id = make_session(runner)
    client = client_as("stakeholder")
    for _attempt in range(2):
        token = csrf_token(client, session_path(session_id))
        assert client.post(session_path(session_id) + "/join", data={"csrf_token": token}).status_code == 303
    with seeded.app_context():
        assert len(db.session.scalars(select(Participant).where(Participant.session_id == session_id)).all()) == 1


def test_anonymous_join_goes_to_sign_in_and_back(seeded, runner, client):
    session_id = make_session(runner)
    token = csrf_token(client, session_path(session_id))
    response = client.post(session_path(session_id) + "/join", data={"csrf_token": token})
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert location.path == "/login"
    assert parse_qs(location.query) == {"next": [session_path(session_id)]}


def test_anonymous_ranking_page_sends_to_the_session(seeded, runner, client):
    session_id = make_session(runner)
    response = client.get(session_path(session_id) + "/ranking")
    assert response.status_code == 302
    assert response.headers["Location"] == session_path(session_id)


def test_joining_a_draft_session_is_a_404(seeded, runner, client_as):
    session_id = make_session(runner, state=None)
    client = client_as("stakeholder")
    token = csrf_token(client, "/")
    assert client.post(session_path(session_id) + "/join", data={"csrf_token": token}).status_code == 404
    assert client.get(session_path(session_id)).status_code == 404


def test_joining_a_closed_session_is_refused_with_a_message(seeded, runner, client_as):
    session_id = make_session(runner)
    assert runner.invoke(args=["sessions", "set-state", str(session_id), "closed"]).exit_code == 0
    client = client_as("stakeholder")
    token = csrf_token(client, session_path(session_id))
    response = client.post(session_path(session_id) + "/join", data={"csrf_token": token}, follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "La sessione non è aperta." in html
    with seeded.app_context():
        assert db.session.scalars(select(Participant)).all() == []


def test_join_without_csrf_token_is_a_400(seeded, runner, client_as):
    session_id = make_session(runner)
    client = client_as("stakeholder")
    assert client.post(session_path(session_id) + "/join").status_code == 400


def test_join_in_an_unknown_session_or_the_wrong_zone_is_a_404(seeded, runner, client_as):
    session_id = make_session(runner, zone=1)
    client = client_as("stakeholder")
    token = csrf_token(client, session_path(session_id))
    assert client.post(session_path(session_id, zone=2) + "/join", data={"csrf_token": token}).status_code == 404
    assert client.post(session_path(session_id + 99) + "/join", data={"csrf_token": token}).status_code == 404


# --- with a code in the room -----------------------------------------------------------------------


def test_a_valid_code_opens_the_ranking_in_this_browser(seeded, runner, client):
    session_id = make_session(runner)
    [code] = generate_codes(runner, session_id)
    response = join_with_code(client, code.lower().replace("-", " "), organisation="Comune di Pinerolo")
    assert response.status_code == 303
    assert response.headers["Location"] == session_path(session_id) + "/ranking"
    # The browser is remembered: the ranking and the session page know the participant.
    page = client.get(session_path(session_id) + "/ranking")
    assert page.status_code == 200
    assert 'id="ranking-form"' in page.get_data(as_text=True)
    assert "Cambia la classifica" not in client.get(session_path(session_id)).get_data(as_text=True)
    assert "Non hai ancora messo in ordine le strategie." in client.get(session_path(session_id)).get_data(as_text=True)
    with seeded.app_context():
        participant = db.session.scalar(select(Participant).where(Participant.session_id == session_id))
        assert participant.organisation == "Comune di Pinerolo"
        assert participant.category.code == "comune"
        assert participant.code.code == code
        assert participant.code.used_at is not None


def test_a_code_is_the_participants_key_to_come_back(seeded, runner, client, app):
    """Issue 8 changed the contract: a used code no longer locks its owner out (409); it brings them back."""
    session_id = make_session(runner)
    [code] = generate_codes(runner, session_id)
    assert join_with_code(client, code, organisation="Comune di Pinerolo").status_code == 303
    token = csrf_token(client, session_path(session_id) + "/ranking")
    response = client.post(
        session_path(session_id) + "/ranking", data={"csrf_token": token, "position-1.1": "1", "position-2.1": "2"}
    )
    assert response.status_code == 303
    # Another browser (a lost cookie, another phone): the same code, no category needed this time.
    other = app.test_client()
    response = join_with_code(other, code.lower(), category="", organisation="someone else")
    assert response.status_code == 303
    assert response.headers["Location"] == session_path(session_id) + "/ranking"
    page = other.get(session_path(session_id) + "/ranking")
    assert page.status_code == 200
    assert "Bentornata/o! Ecco la tua classifica" in page.get_data(as_text=True)
    with seeded.app_context():
        [participant] = db.session.scalars(select(Participant)).all()
        assert participant.organisation == "Comune di Pinerolo"  # what they said the first time stays
        assert [rank.strategy.code for rank in participant.ballot.ranks] == ["1.1", "2.1"]


def test_coming_back_with_a_code_once_the_session_is_closed_is_refused(seeded, runner, client, app):
    session_id = make_session(runner)
    [code] = generate_codes(runner, session_id)
    assert join_with_code(client, code).status_code == 303
    assert runner.invoke(args=["sessions", "set-state", str(session_id), "closed"]).exit_code == 0
    response = join_with_code(app.test_client(), code)
    assert response.status_code == 410
    assert "la sessione non è aperta" in response.get_data(as_text=True)


def test_an_unknown_code_is_a_404_with_a_message(seeded, runner, client):
    make_session(runner)
    response = join_with_code(client, "AAAA-AAAA")
    assert response.status_code == 404
    assert "Codice non valido" in response.get_data(as_text=True)


def test_the_code_of_a_closed_session_has_expired(seeded, runner, client):
    session_id = make_session(runner)
    [code] = generate_codes(runner, session_id)
    assert runner.invoke(args=["sessions", "set-state", str(session_id), "closed"]).exit_code == 0
    response = join_with_code(client, code)
    assert response.status_code == 410
    assert "Questo codice è scaduto" in response.get_data(as_text=True)
    with seeded.app_context():
        assert db.session.scalar(select(ParticipantCode)).used_at is None


def test_code_join_without_csrf_token_is_a_400(seeded, runner, client):
    session_id = make_session(runner)
    [code] = generate_codes(runner, session_id)
    assert client.post("/join", data={"code": code, "category": "comune"}).status_code == 400
    with seeded.app_context():
        assert db.session.scalar(select(ParticipantCode)).used_at is None


def test_code_join_needs_a_category(seeded, runner, client):
    session_id = make_session(runner)
    [code] = generate_codes(runner, session_id)
    response = join_with_code(client, code, category="")
    assert response.status_code == 400
    assert "Scegli la categoria che rappresenti." in response.get_data(as_text=True)


# --- throttling: a room shares one address ---------------------------------------------------------


@pytest.fixture
def limited_app(app, database_url):
    """The app with rate limits on (the test configuration turns them off), on the same test database."""
    limited = create_app({**_testing(), "SQLALCHEMY_DATABASE_URI": database_url, "RATELIMIT_ENABLED": True})
    yield limited
    with limited.app_context():
        db.engine.dispose()
    create_app(_testing() | {"SQLALCHEMY_DATABASE_URI": database_url})  # the shared limiter off again


def test_a_room_entering_codes_through_one_address_is_not_locked_out(seeded, runner, limited_app):
    session_id = make_session(runner)
    room = 60
    codes = generate_codes(runner, session_id, room)
    # 40 mistyped codes from the room's address first...
    typo = limited_app.test_client()
    for n in range(40):
        assert join_with_code(typo, f"AAAA-{n:04d}".replace("0", "A")).status_code in (404, 400)
    # ...then a whole table of people joins within the same minute, all from that address.
    for code in codes:
        response = join_with_code(limited_app.test_client(), code)
        assert response.status_code == 303, response.get_data(as_text=True)[:300]
    with limited_app.app_context():
        assert len(db.session.scalars(select(Participant)).all()) == room


def test_one_code_cannot_be_hammered(seeded, runner, limited_app):
    session_id = make_session(runner)
    [code] = generate_codes(runner, session_id)
    client = limited_app.test_client()
    statuses = [join_with_code(client, code, category="").status_code for _attempt in range(11)]
    assert statuses == [400] * 10 + [429]
    # Another code, from the same address, still goes through.
    [other] = generate_codes(runner, session_id)
    assert join_with_code(limited_app.test_client(), other).status_code == 303


def test_coming_back_with_a_code_stays_throttled_per_code(seeded, runner, limited_app):
    session_id = make_session(runner)
    [code] = generate_codes(runner, session_id)
    statuses = [join_with_code(limited_app.test_client(), code).status_code for _attempt in range(11)]
    # The first use and nine returns go through; then the code rests, whoever is asking.
    assert statuses == [303] * 10 + [429]
    with limited_app.app_context():
        assert len(db.session.scalars(select(Participant)).all()) == 1


def test_someone_hammering_wrong_codes_from_the_room_does_not_lock_the_room_out(seeded, runner, limited_app):
    session_id = make_session(runner)
    codes = generate_codes(runner, session_id, 5)
    attacker = limited_app.test_client()
    token = csrf_token(attacker, "/")
    for n in range(700):  # more than any per-address limit a room could live with
        wrong = f"{n:08d}".translate(str.maketrans("0123456789", "BCDFGHJKLM"))
        response = attacker.post("/join", data={"code": wrong, "category": "comune", "csrf_token": token})
        assert response.status_code in (400, 404)
    for code in codes:  # the room, from the same address
        assert join_with_code(limited_app.test_client(), code).status_code == 303
