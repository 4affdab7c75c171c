"""One counted ballot per participant, however many submissions race for it."""

import threading

from sqlalchemy import func, select

from consult.extensions import db
from consult.models import Ballot, BallotRank, BallotVersion, Channel, Participant
from consult.participation.ballots import submit_ballot
from tests.participation_helpers import make_session

THREADS = 12


def test_concurrent_submissions_leave_exactly_one_counted_ballot(seeded, runner):
    session_id = make_session(runner)
    with seeded.app_context():
        participant = Participant(session_id=session_id, label="P1")
        db.session.add(participant)
        db.session.commit()
        participant_id = participant.id

    rankings = [["1.1", "2.1", "3.1"], ["4.1", "5.1"], ["6.1", "1.2", "2.2", "3.2", "4.2"]]
    barrier = threading.Barrier(THREADS)
    errors: list[BaseException] = []

    def submit(n: int) -> None:
        try:
            with seeded.app_context():
                participant = db.session.get(Participant, participant_id)
                barrier.wait(timeout=10)
                submit_ballot(participant, rankings[n % len(rankings)], Channel.ONLINE)
                db.session.commit()
        except BaseException as error:  # reported by the assertion below
            errors.append(error)

    threads = [threading.Thread(target=submit, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    with seeded.app_context():
        assert db.session.scalar(select(func.count()).select_from(Ballot)) == 1
        ballot = db.session.scalar(select(Ballot))
        # Every submission was kept for audit, numbered without gaps; the counted one is the last.
        versions = db.session.scalars(select(BallotVersion.version).order_by(BallotVersion.version)).all()
        assert versions == list(range(1, THREADS + 1))
        assert ballot.version == THREADS
        last = db.session.scalar(select(BallotVersion).where(BallotVersion.version == THREADS))
        assert [rank.strategy.code for rank in ballot.ranks] == last.ranking
        assert db.session.scalar(select(func.count()).select_from(BallotRank)) == len(last.ranking)
