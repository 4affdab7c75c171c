"""The stack's limit for a ranking submission: a bare Flask + Flask-SQLAlchemy app writing the same rows.

Served by gunicorn in bench/bench_submit.py at the same time as consult, on the same database (on SQLite, a
copy of the file) and with the same secret key: it reads the participant from the same signed session cookie
consult uses for people who joined with a room code (``participants``: session id → participant id) and
replaces that participant's ballot (one row, made or updated with INSERT … ON CONFLICT) and its places (five
rows), then commits. No CSRF, no validation against the consultation, no versions, no limits: what is left is
Flask, the cookie, SQLAlchemy and the database.

    DATABASE_URL=... SECRET_KEY=... gunicorn 'bench.baseline_app:create_app()'
"""

from __future__ import annotations

import os
import sqlite3
from datetime import UTC, datetime

from flask import Flask, abort, request, session
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import MetaData, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine

db = SQLAlchemy()


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # The same settings as consult's (consult/__init__.py), so that both wait on SQLite alike.
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.close()


def create_app() -> Flask:
    app = Flask(__name__)
    url = os.environ["DATABASE_URL"]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    app.config.update(SECRET_KEY=os.environ["SECRET_KEY"], SQLALCHEMY_DATABASE_URI=url)
    db.init_app(app)
    tables = MetaData()
    with app.app_context():
        tables.reflect(db.engine, only=["ballot", "ballot_rank"])
    ballot, ballot_rank = tables.tables["ballot"], tables.tables["ballot_rank"]

    @app.post("/zones/<int:zone_code>/sessions/<int:session_id>/ranking")
    def rank(zone_code: int, session_id: int):
        participant_id = session.get("participants", {}).get(str(session_id))
        if participant_id is None:
            abort(403)
        strategy_ids = [int(value) for value in request.form.getlist("strategy")]
        dialect = postgresql if db.engine.dialect.name == "postgresql" else sqlite
        now = datetime.now(UTC)
        upsert = dialect.insert(ballot).values(
            participant_id=participant_id, session_id=session_id, channel="code", version=1, updated_at=now
        )
        upsert = upsert.on_conflict_do_update(
            index_elements=[ballot.c.participant_id], set_={"version": ballot.c.version + 1, "updated_at": now}
        ).returning(ballot.c.id)
        ballot_id = db.session.execute(upsert).scalar_one()
        db.session.execute(ballot_rank.delete().where(ballot_rank.c.ballot_id == ballot_id))
        db.session.execute(
            ballot_rank.insert().values(
                [{"ballot_id": ballot_id, "position": n, "strategy_id": s} for n, s in enumerate(strategy_ids, 1)]
            )
        )
        db.session.commit()
        return "", 303, {"Location": f"/zones/{zone_code}/sessions/{session_id}"}

    return app
