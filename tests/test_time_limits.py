"""A locked or frozen database answers 503 within the configured limits, never holding a worker for long."""

import threading
import time

import pytest
from sqlalchemy import create_engine, text

from consult import create_app
from consult.extensions import db
from consult.permissions import public
from tests.conftest import _testing, csrf_token
from tests.participation_helpers import make_session
from tests.test_join import generate_codes

LIMIT = 0.5  # seconds, for both the lock and the statement limit in these tests


@pytest.fixture
def limited(app, database_url):
    """The app with short database time limits, on the test database."""
    limited = create_app(
        {
            **_testing(),
            "SQLALCHEMY_DATABASE_URI": database_url,
            "DATABASE_LOCK_TIMEOUT": LIMIT,
            "DATABASE_STATEMENT_TIMEOUT": LIMIT,
        }
    )

    @public
    def slow():
        if db.engine.dialect.name == "postgresql":
            db.session.execute(text("SELECT pg_sleep(3)"))
        else:  # a statement that runs for many seconds on SQLite
            db.session.execute(
                text("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT count(*) FROM n")
            )
        return "done"

    limited.add_url_rule("/test/slow", "slow", slow)
    yield limited
    with limited.app_context():
        db.engine.dispose()


class Locker:
    """Another connection holding a write lock on the participant codes, released after ``hold`` seconds."""

    def __init__(self, database_url: str, hold: float):
        self.engine = create_engine(database_url.replace("postgresql://", "postgresql+psycopg://"))
        self.connection = self.engine.connect()
        if self.engine.dialect.name == "postgresql":
            self.connection.execute(text("LOCK TABLE participant_code IN ACCESS EXCLUSIVE MODE"))
        else:
            self.connection.exec_driver_sql("BEGIN IMMEDIATE")
        self.timer = threading.Timer(hold, self.release)
        self.timer.start()

    def release(self):
        self.connection.rollback()
        self.connection.close()
        self.engine.dispose()

    def stop(self):
        self.timer.cancel()
        if not self.connection.closed:
            self.release()


def test_a_locked_database_gives_a_503_within_the_lock_timeout(seeded, runner, limited, database_url):
    session_id = make_session(runner)
    [code] = generate_codes(runner, session_id)
    client = limited.test_client()
    token = csrf_token(client, "/join")
    # Without a limit the request would wait for the lock, here for 8 s (in production: until it is killed).
    locker = Locker(database_url, hold=8)
    try:
        started = time.monotonic()
        response = client.post("/join", data={"csrf_token": token, "code": code, "category": "comune"})
        elapsed = time.monotonic() - started
    finally:
        locker.stop()
    assert response.status_code == 503
    assert "Retry-After" in response.headers
    assert elapsed < 4, elapsed
    # The lock is gone: the same code now goes through.
    response = client.post("/join", data={"csrf_token": token, "code": code, "category": "comune"})
    assert response.status_code == 303


def test_a_statement_past_the_time_limit_gives_a_503(limited):
    started = time.monotonic()
    response = limited.test_client().get("/test/slow")
    assert response.status_code == 503
    assert time.monotonic() - started < 2.5


def test_commands_keep_no_request_time_limit(limited):
    """An import or a migration run from the command line is not cut short by the limits meant for requests."""
    with limited.app_context():
        if db.engine.dialect.name == "postgresql":
            db.session.execute(text("SELECT pg_sleep(1)"))
            assert db.session.execute(text("SHOW statement_timeout")).scalar() == "0"
        else:
            count = db.session.execute(
                text(
                    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n LIMIT 3000000) "
                    "SELECT count(*) FROM n"
                )
            ).scalar()
            assert count == 3_000_000
        db.session.rollback()
