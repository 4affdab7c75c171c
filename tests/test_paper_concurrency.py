"""A big paper import holds other writers of the same session for a moment only (issue 10, item 1)."""

import threading
import time

from sqlalchemy import event, func, select

from consult.extensions import db
from consult.models import Ballot, Channel, ConsultationSession, Participant
from consult.participation import paper
from consult.participation.ballots import submit_ballot
from tests.participation_helpers import make_session

ROWS = 10_000


def test_a_ranking_submitted_during_an_import_is_not_held(seeded, runner):
    session_id = make_session(runner)
    with seeded.app_context():
        online = Participant(session_id=session_id, name="Online")
        db.session.add(online)
        db.session.commit()
        online_id = online.id
        version_before = db.session.get(ConsultationSession, session_id).ballots_version
    data = "\n".join(["participant,1,2,3"] + [f"P{n:05},1.1,2.1,3.1" for n in range(ROWS)]).encode()

    writing = threading.Event()
    finished: dict[str, float] = {}
    errors: list[BaseException] = []

    def spot_the_write(_conn, _cursor, statement, *_args):
        # The import has parsed and checked its file and starts writing: now it could hold others. On SQLite
        # that is its first INSERT; on PostgreSQL rows go in with COPY, straight to the driver, so the mark is
        # the statement the writer runs just before (the labels already in the session).
        if threading.current_thread().name == "import" and statement.startswith(marker):
            writing.set()

    def run_import() -> None:
        try:
            with seeded.app_context():
                session = db.session.get(ConsultationSession, session_id)
                report = paper.import_paper_ballots(session, data, None, "test")
                db.session.commit()
                finished["import"] = time.perf_counter()
                assert report.created == ROWS
        except BaseException as error:  # reported below
            errors.append(error)
            writing.set()

    with seeded.app_context():
        engine = db.engine
        dialect = engine.dialect.name
    marker = "SELECT participant.label, participant.id" if dialect == "postgresql" else "INSERT INTO participant"
    event.listen(engine, "before_cursor_execute", spot_the_write)
    try:
        importer = threading.Thread(target=run_import, name="import")
        importer.start()
        assert writing.wait(timeout=60)
        started = time.perf_counter()
        with seeded.app_context():
            participant = db.session.get(Participant, online_id)
            submit_ballot(participant, ["4.1", "5.1"], Channel.ONLINE)
            db.session.commit()
        finished["ranking"] = time.perf_counter()
        importer.join(timeout=120)
    finally:
        event.remove(engine, "before_cursor_execute", spot_the_write)

    assert errors == []
    held = finished["ranking"] - started
    print(f"\n{dialect}: ranking submitted during a {ROWS:,}-row import took {held:.3f} s")
    if dialect == "postgresql":
        # Nothing the ranking needs is locked until the import's last statement: it does not wait at all.
        assert finished["ranking"] < finished["import"]
        assert held < 2.0
    else:
        # SQLite has one writer at a time: the ranking waits for the import's write phase, which is brief.
        assert held < 3.0
    with seeded.app_context():
        assert db.session.scalar(select(func.count()).select_from(Ballot)) == ROWS + 1
        # Each writer bumped the version once: the import once for all its ballots.
        assert db.session.get(ConsultationSession, session_id).ballots_version == version_before + 2
