"""Database outages: a 503 page that renders without the database, gives back what was sent, and is logged once.

An outage is real here: a second app with the same secret key points at a database that does not answer
(a closed port for PostgreSQL, a file in a folder that does not exist for SQLite), and the browser's
cookies travel from the working app to it, as they would when the server goes down mid-workshop.
"""

import logging
import re
from html import unescape

import pytest
from sqlalchemy import func, select

from consult import create_app
from consult.extensions import db
from consult.models import Ballot, Participant
from tests.conftest import PERSONAS, _testing, csrf_token, login
from tests.participation_helpers import make_session
from tests.test_join import generate_codes


def _dead(database_url: str, tmp_path) -> str:
    """A database of the same kind that does not answer."""
    if database_url.startswith("postgresql"):
        return "postgresql://postgres@127.0.0.1:1/consult_down"
    return f"sqlite:///{tmp_path / 'missing-folder' / 'consult.sqlite3'}"


@pytest.fixture
def down_app(app, database_url, tmp_path):
    """The same application on a database that does not answer."""
    down = create_app({**_testing(), "SQLALCHEMY_DATABASE_URI": _dead(database_url, tmp_path)})
    yield down
    with down.app_context():
        db.engine.dispose()


@pytest.fixture
def limited_down_app(app, database_url, tmp_path):
    """``down_app`` with the rate limits on (the test configuration turns them off)."""
    down = create_app(
        {**_testing(), "SQLALCHEMY_DATABASE_URI": _dead(database_url, tmp_path), "RATELIMIT_ENABLED": True}
    )
    yield down
    with down.app_context():
        db.engine.dispose()
    create_app(_testing() | {"SQLALCHEMY_DATABASE_URI": database_url})  # the shared limiter off again


def _move_cookies(source, target) -> None:
    for name in ("session", "remember_token", "consult_lang"):
        cookie = source.get_cookie(name)
        if cookie is not None:
            target.set_cookie(name, cookie.value)


def test_a_signed_in_person_gets_a_translated_503_page_with_our_headers(personas, client, down_app):
    assert login(client, PERSONAS["planner"].email).status_code == 302
    client.set_cookie("consult_lang", "en")
    browser = down_app.test_client()
    _move_cookies(client, browser)

    response = browser.get("/account")

    assert response.status_code == 503
    assert response.headers["Retry-After"].isdigit()
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"
    page = response.get_data(as_text=True)
    assert '<html lang="en">' in page
    assert "temporarily unavailable" in page
    assert "bootstrap-italia" in page  # the site's layout, not a bare server message


def test_an_anonymous_visitor_gets_the_503_page_in_italian(down_app):
    response = down_app.test_client().get("/zones")
    assert response.status_code == 503
    page = response.get_data(as_text=True)
    assert '<html lang="it">' in page
    assert "momentaneamente non disponibile" in page


def test_the_api_answers_503_in_json(down_app):
    response = down_app.test_client().get("/api/v1/zones")
    assert response.status_code == 503
    assert response.json == {"error": "Service Unavailable", "status": 503}
    assert "Retry-After" in response.headers


def test_what_was_submitted_is_shown_back_and_can_be_resent(seeded, runner, app, client, down_app):
    session_id = make_session(runner)
    [code] = generate_codes(runner, session_id)
    token = csrf_token(client, "/join")
    organisation = "Comune di Pinerolo — ufficio tecnico, viabilità e ambiente"
    sent = {"csrf_token": token, "code": code, "category": "comune", "organisation": organisation, "name": ""}
    browser = down_app.test_client()
    _move_cookies(client, browser)

    response = browser.post("/join", data=sent)

    assert response.status_code == 503
    page = response.get_data(as_text=True)
    form = re.search(r'<form method="post" action="([^"]+)" class="resend-form">(.*?)</form>', page, re.S)
    assert form, page
    assert form.group(1) == "/join"
    assert organisation in unescape(form.group(2))  # shown, in a box the person can read and copy
    assert "Ente od organizzazione (facoltativo)</label>" in page  # under the form's label, not "organisation"
    fields = dict(re.findall(r'name="([^"]+)" value="([^"]*)"', form.group(2)))
    fields.update(re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>([^<]*)</textarea>', form.group(2)))
    fields = {name: unescape(value) for name, value in fields.items()}
    assert fields["code"] == code

    # The database is back: one press of the button sends the same thing again, and it is kept.
    resent = client.post(form.group(1), data=fields)
    assert resent.status_code == 303, resent.get_data(as_text=True)[:500]
    with app.app_context():
        participant = db.session.scalar(select(Participant))
        assert participant.organisation == organisation


def test_a_ranking_shown_back_names_the_strategies_positions(seeded, runner, client, down_app):
    session_id = make_session(runner)
    client.set_cookie("consult_lang", "en")
    token = csrf_token(client, "/join")
    browser = down_app.test_client()
    _move_cookies(client, browser)
    path = f"/zones/1/sessions/{session_id}/ranking"

    response = browser.post(path, data={"csrf_token": token, "position-3.1": "1", "position-1.2": "2"})

    assert response.status_code == 503
    page = unescape(response.get_data(as_text=True))
    assert re.search(r"<dt[^>]*>Position of strategy 3.1</dt><dd[^>]*>1</dd>", page), page
    assert re.search(r"<dt[^>]*>Position of strategy 1.2</dt><dd[^>]*>2</dd>", page)
    assert 'name="position-3.1" value="1"' in page  # still sent again as it was


def test_a_password_is_never_echoed_on_the_503_page(personas, client, down_app):
    token = csrf_token(client, "/login")
    browser = down_app.test_client()
    _move_cookies(client, browser)
    secret = "a password nobody else should read 9173"
    response = browser.post("/login", data={"email": "planner@example.org", "password": secret, "csrf_token": token})
    assert response.status_code == 503
    assert secret not in response.get_data(as_text=True)


def test_an_outage_is_logged_once_with_its_cause_then_counted(app, client, down_app, caplog):
    browser = down_app.test_client()
    assert client.get("/zones").status_code == 200  # the database answers: no outage going on
    caplog.clear()
    with caplog.at_level(logging.INFO):
        for _attempt in range(20):
            assert browser.get("/zones").status_code == 503
        errors = [record for record in caplog.records if record.levelno >= logging.ERROR]
        assert len(errors) == 1, [record.getMessage() for record in errors]
        assert "Database unavailable" in errors[0].getMessage()
        assert "OperationalError" in errors[0].getMessage()
        assert errors[0].exc_info is None  # the cause, not a traceback per request

        # The first request that reaches the database again ends the outage, with the count.
        assert client.get("/zones").status_code == 200
    back = [record.getMessage() for record in caplog.records if "available again" in record.getMessage()]
    assert len(back) == 1
    assert "20 requests failed" in back[0]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Participant)) == 0


def test_a_connection_opened_read_only_is_replaced_and_writes_work_again(seeded, runner, app, client):
    """As when a deploy left the SQLite file unwritable for a moment (PostgreSQL: a standby after failover)."""
    from sqlalchemy import event

    session_id = make_session(runner)
    codes = generate_codes(runner, session_id, 2)
    with app.app_context():
        engine = db.engine
        engine.dispose()
    read_only = {"left": 1}

    def open_read_only(dbapi_connection, _record):
        if read_only["left"]:
            read_only["left"] -= 1
            cursor = dbapi_connection.cursor()
            if engine.dialect.name == "sqlite":
                cursor.execute("PRAGMA query_only = ON")
            else:
                cursor.execute("SET default_transaction_read_only = on")
                dbapi_connection.commit()
            cursor.close()

    event.listen(engine, "connect", open_read_only)
    try:
        token = csrf_token(client, "/join")
        first = client.post("/join", data={"csrf_token": token, "code": codes[0], "category": "comune"})
        assert first.status_code == 503  # the write failed on the read-only connection, nothing half-done
        # No restart: the next request gets a read-write connection.
        second = client.post("/join", data={"csrf_token": token, "code": codes[1], "category": "comune"})
        assert second.status_code == 303
    finally:
        event.remove(engine, "connect", open_read_only)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Participant)) == 1


def test_sqlite_recovers_when_the_file_was_read_only_while_several_connections_opened_it(
    seeded, runner, app, client, database_url, tmp_path
):
    """The real failure behind the fault script's read-only case: SQLite keeps one shared-memory index per file
    and process, opened read-only if the file was read-only when the first connection read it. Every
    connection opened while another one still holds it is read-only too, so replacing connections one by
    one never ends; all of them must be closed at once."""
    if not database_url.startswith("sqlite"):
        pytest.skip("PostgreSQL connections share nothing; the test above covers a standby after failover")
    import shutil
    import sqlite3

    from sqlalchemy import event, text

    session_id = make_session(runner)
    codes = generate_codes(runner, session_id, 2)
    path = database_url.removeprefix("sqlite:///")
    with app.app_context():
        engine = db.engine
        with engine.connect() as connection:  # the index files exist on disk, as after workers were killed
            connection.execute(text("SELECT 1"))
            for suffix in ("-wal", "-shm"):
                shutil.copy(path + suffix, tmp_path / suffix)
        engine.dispose()
    for suffix in ("-wal", "-shm"):
        shutil.copy(tmp_path / suffix, path + suffix)

    def read_only_index(_dialect, _record, cargs, cparams):
        # What SQLite does on its own when it cannot write the -shm file: open it read-only.
        return sqlite3.connect(f"file:{path}?readonly_shm=1", **{**cparams, "uri": True})

    event.listen(engine, "do_connect", read_only_index)
    with engine.connect() as one, engine.connect() as two:  # a pool holding two read-only connections
        one.execute(text("SELECT count(*) FROM zone"))
        two.execute(text("SELECT count(*) FROM zone"))
    event.remove(engine, "do_connect", read_only_index)  # the file is writable again

    token = csrf_token(client, "/join")
    first = client.post("/join", data={"csrf_token": token, "code": codes[0], "category": "comune"})
    assert first.status_code == 503
    # No restart: the next request gets a read-write connection.
    second = client.post("/join", data={"csrf_token": token, "code": codes[1], "category": "comune"})
    assert second.status_code == 303
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Participant)) == 1


def test_a_failed_commit_never_says_saved(seeded, runner, app, client, monkeypatch):
    """The view had queued "your ranking has been saved" when the commit failed (a full disk, a read-only
    file: SQLite writes the WAL at commit): the 503 page and the next page must not say it."""
    session_id = make_session(runner)
    [code] = generate_codes(runner, session_id)
    join = client.post("/join", data={"csrf_token": csrf_token(client, "/join"), "code": code, "category": "comune"})
    assert join.status_code == 303
    path = f"/zones/1/sessions/{session_id}/ranking"
    token = csrf_token(client, path)
    with app.app_context():
        dialect = db.engine.dialect

    def disk_full(_connection):
        monkeypatch.undo()  # once
        raise dialect.loaded_dbapi.OperationalError("database or disk is full")

    monkeypatch.setattr(dialect, "do_commit", disk_full)
    response = client.post(path, data={"csrf_token": token, "position-3.1": "1"})

    assert response.status_code == 503
    page = response.get_data(as_text=True)
    assert "momentaneamente non disponibile" in page and "classifica è stata salvata" not in page
    assert "classifica è stata salvata" not in client.get(f"/zones/1/sessions/{session_id}").get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Ballot)) == 0
    # Sent again, it is saved, and said so.
    resent = client.post(path, data={"csrf_token": token, "position-3.1": "1"}, follow_redirects=True)
    assert "La tua classifica è stata salvata." in resent.get_data(as_text=True)


def test_resending_during_an_outage_does_not_use_up_a_codes_attempts(seeded, runner, limited_down_app):
    # The per-code limit allows 10 attempts in 10 minutes; a room pressing again on the 503 page must not
    # find its codes refused (429) once the database is back.
    session_id = make_session(runner)
    [code] = generate_codes(runner, session_id)
    browser = limited_down_app.test_client()
    data = {"code": code, "category": "comune", "csrf_token": csrf_token(browser, "/join")}
    assert [browser.post("/join", data=data).status_code for _attempt in range(12)] == [503] * 12


def test_resending_a_ranking_during_an_outage_does_not_use_up_its_limit(seeded, runner, client, limited_down_app):
    # 20 rankings a minute per participant: each press on the 503 page takes one, and gives it back.
    session_id = make_session(runner)
    [code] = generate_codes(runner, session_id)
    joined = client.post("/join", data={"code": code, "category": "comune", "csrf_token": csrf_token(client)})
    assert joined.status_code == 303
    path = f"/zones/1/sessions/{session_id}/ranking"
    data = {"csrf_token": csrf_token(client, path), "position-1.1": "1"}
    browser = limited_down_app.test_client()
    _move_cookies(client, browser)
    assert [browser.post(path, data=data).status_code for _attempt in range(25)] == [503] * 25


@pytest.mark.parametrize(("idle", "first"), [(0, 200), (3600, 503)])
def test_a_connection_the_server_dropped_while_idle_is_replaced_before_use(seeded, runner, database_url, idle, first):
    """A PostgreSQL restart, a failover or a firewall's idle timeout drops the pool's connections. One that
    sat idle longer than DATABASE_PING_AFTER_IDLE is checked and replaced before the request uses it; one
    used more recently is not checked (a check per request would cost a round trip), so its request fails
    with the 503 page, and the next one gets a new connection."""
    if not database_url.startswith("postgresql"):
        pytest.skip("a SQLite file has no server that could drop a connection")
    from sqlalchemy import create_engine, text
    from sqlalchemy.pool import NullPool

    from consult.config import database_url as database_url_for_sqlalchemy

    name = f"consult-idle-{idle}"
    options = {"connect_args": {"application_name": name}}
    settings = {"SQLALCHEMY_ENGINE_OPTIONS": options, "DATABASE_PING_AFTER_IDLE": idle}
    app = create_app({**_testing(), "SQLALCHEMY_DATABASE_URI": database_url, **settings})
    client = app.test_client()
    page = f"/zones/1/sessions/{make_session(runner)}"
    try:
        assert client.get(page).status_code == 200  # its connection goes back to the pool
        with create_engine(database_url_for_sqlalchemy(database_url), poolclass=NullPool).connect() as other:
            # As the server does on a restart: the pooled connection's backend ends.
            ended = other.execute(
                text(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                    " WHERE application_name = :name AND pid <> pg_backend_pid()"
                ),
                {"name": name},
            ).scalar_one()
            other.commit()
        assert ended == 1
        assert client.get(page).status_code == first
        assert client.get(page).status_code == 200
    finally:
        with app.app_context():
            db.engine.dispose()
