"""Backups taken while ballots are written, and restored with every acknowledged ballot (issue 13, item 5)."""

import re
import sqlite3
import threading
import time

from sqlalchemy import func, select

from consult.extensions import db
from consult.models import Ballot, Participant, ParticipantCode
from tests.conftest import csrf_token
from tests.participation_helpers import make_session
from tests.test_join import generate_codes


def _rank(app, session_id: int, code: str) -> bool:
    """One person in the room: joins with a code and submits a ranking; True once it is acknowledged."""
    client = app.test_client()
    token = csrf_token(client, "/join")
    joined = client.post("/join", data={"csrf_token": token, "code": code, "category": "comune"})
    assert joined.status_code == 303, joined.get_data(as_text=True)[:300]
    path = f"/zones/1/sessions/{session_id}/ranking"
    page = client.get(path).get_data(as_text=True)
    fields = re.findall(r'name="(position-[^"]+)"', page)[:3]
    data = {"csrf_token": token, **{field: str(n) for n, field in enumerate(fields, start=1)}}
    return client.post(path, data=data).status_code == 303


def test_a_backup_taken_while_ballots_are_written_restores_every_acknowledged_ballot(seeded, runner, app, tmp_path):
    session_id = make_session(runner)
    codes = generate_codes(runner, session_id, 40)
    acknowledged: list[tuple[str, float]] = []

    def room():
        for code in codes:
            if _rank(app, session_id, code):
                acknowledged.append((code, time.monotonic()))

    writer = threading.Thread(target=room)
    writer.start()
    while len(acknowledged) < 10:
        time.sleep(0.05)
    started = time.monotonic()
    backup = tmp_path / "consult.backup"
    result = runner.invoke(args=["backup", str(backup)])
    writer.join()
    assert result.exit_code == 0, result.output
    assert len(acknowledged) == len(codes)
    before_backup = [code for code, at in acknowledged if at < started]
    assert len(before_backup) >= 10

    # The database holds data: restoring over it needs --force.
    refused = runner.invoke(args=["restore", str(backup)])
    assert refused.exit_code != 0
    assert "--force" in refused.output

    result = runner.invoke(args=["restore", "--force", str(backup)])
    assert result.exit_code == 0, result.output
    with app.app_context():
        restored = set(
            db.session.scalars(
                select(ParticipantCode.code)
                .join(Participant, Participant.code_id == ParticipantCode.id)
                .join(Ballot, Ballot.participant_id == Participant.id)
            )
        )
    assert set(before_backup) <= restored  # every ballot acknowledged before the backup began
    assert restored <= set(codes)


def test_a_restore_refuses_a_file_that_is_not_a_backup_of_this_code(seeded, runner, app, tmp_path):
    with app.app_context():
        dialect = db.engine.dialect.name
    bogus = tmp_path / "other.backup"
    if dialect == "sqlite":
        connection = sqlite3.connect(bogus)
        connection.execute("CREATE TABLE alembic_version (version_num VARCHAR(32))")
        connection.execute("INSERT INTO alembic_version VALUES ('ffffffffffff')")
        connection.commit()
        connection.close()
    else:
        bogus.write_bytes(b"not a dump")
    result = runner.invoke(args=["restore", "--force", str(bogus)])
    assert result.exit_code != 0
    assert "schema version" in result.output or "failed" in result.output
    with app.app_context():  # the database is unchanged
        assert db.session.scalar(select(func.count()).select_from(Participant)) == 0
