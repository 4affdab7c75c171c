"""What one ranking submission costs the database: at most 8 SQL statements, whoever submits and however often,
with every guarantee kept (the rate-limit key reads nothing from the database)."""

import re
from contextlib import contextmanager

import pytest
from sqlalchemy import event, func, select

from consult import create_app
from consult.extensions import db
from consult.models import Ballot, BallotRank, BallotVersion, ConsultationSession
from tests.conftest import _testing, csrf_token
from tests.participation_helpers import make_session

MAX_STATEMENTS = 8


@contextmanager
def statements(app):
    """The SQL statements the app sends to the database inside the block."""
    sent: list[str] = []
    with app.app_context():
        engine = db.engine

    def record(_connection, _cursor, statement, *_args):
        sent.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield sent
    finally:
        event.remove(engine, "before_cursor_execute", record)


def _form(client, path: str, codes: list[str]) -> dict:
    html = client.get(path).get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)
    data = {name: "" for name in re.findall(r'<select[^>]*name="(position-[^"]+)"', html)}
    data.update({f"position-{code}": str(n) for n, code in enumerate(codes, start=1)})
    return {"csrf_token": token, **data}


def _submit_three_times(app, client, session_id: int) -> list[list[str]]:
    path = f"/zones/1/sessions/{session_id}/ranking"
    rankings = [["1.1", "2.1", "3.1", "4.1", "5.1"], ["6.1", "1.2", "2.2"], ["3.2", "1.1", "2.1", "4.2", "5.2"]]
    counted = []
    for codes in rankings:
        data = _form(client, path, codes)
        with statements(app) as sent:
            response = client.post(path, data=data)
        assert response.status_code == 303, response.get_data(as_text=True)
        counted.append(sent)
    with app.app_context():
        ballot = db.session.scalar(select(Ballot))
        assert [rank.strategy.code for rank in ballot.ranks] == rankings[-1]
        assert ballot.version == 3
        versions = db.session.scalars(select(BallotVersion.ranking).order_by(BallotVersion.version)).all()
        assert versions == rankings
        assert db.session.scalar(select(func.count()).select_from(BallotRank)) == 5
        assert db.session.get(ConsultationSession, session_id).ballots_version == 3
    return counted


def test_a_signed_in_participant_submits_in_at_most_8_statements(app, personas, client_as, runner):
    session_id = make_session(runner)
    client = client_as("stakeholder")
    base = f"/zones/1/sessions/{session_id}"
    assert client.post(base + "/join", data={"csrf_token": csrf_token(client, base)}).status_code == 303
    for sent in _submit_three_times(app, client, session_id):
        assert len(sent) <= MAX_STATEMENTS, "\n".join(sent)


def test_a_code_participant_submits_in_at_most_8_statements(app, seeded, runner, client):
    session_id = make_session(runner)
    code = runner.invoke(args=["codes", "generate", str(session_id), "1"]).output.strip()
    response = client.post("/join", data={"code": code, "category": "comune", "csrf_token": csrf_token(client)})
    assert response.status_code == 303
    for sent in _submit_three_times(app, client, session_id):
        assert len(sent) <= MAX_STATEMENTS, "\n".join(sent)


@pytest.fixture
def limited(app, database_url):
    """The app with rate limits on (the test configuration turns them off), on the same test database."""
    limited = create_app({**_testing(), "SQLALCHEMY_DATABASE_URI": database_url, "RATELIMIT_ENABLED": True})
    yield limited
    with limited.app_context():
        db.engine.dispose()
    create_app(_testing() | {"SQLALCHEMY_DATABASE_URI": database_url})  # the shared limiter off again


def test_the_limit_is_per_participant_and_its_key_reads_nothing(seeded, runner, limited):
    """Two people in the same room (one address) each have their own 20 submissions a minute."""
    session_id = make_session(runner)
    path = f"/zones/1/sessions/{session_id}/ranking"
    people = []
    for _n in range(2):
        client = limited.test_client()
        code = runner.invoke(args=["codes", "generate", str(session_id), "1"]).output.strip()
        data = {"code": code, "category": "comune", "csrf_token": csrf_token(client)}
        assert client.post("/join", data=data).status_code == 303
        people.append(client)
    first, second = people
    data = _form(first, path, ["1.1"])
    for _n in range(20):
        assert first.post(path, data=data).status_code == 303
    with statements(limited) as sent:
        refused = first.post(path, data=data)
    assert refused.status_code == 429
    assert sent == []  # refused on the key alone: neither the session nor the participant was read
    # When to come back, within the minute's window; no per-request X-RateLimit-* headers (config.py).
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert not [name for name, _value in refused.headers.items() if name.lower().startswith("x-ratelimit")]
    assert second.post(path, data=_form(second, path, ["2.1"])).status_code == 303
