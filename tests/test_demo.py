"""The demo dataset `make run` loads into an empty database."""

from sqlalchemy import func, select

from consult.extensions import db
from consult.models import Ballot, Channel, ConsultationSession, SessionState, User


def test_demo_fills_an_empty_database_once(seeded, runner):
    result = runner.invoke(args=["demo", "--if-empty"])
    assert result.exit_code == 0, result.output
    assert "admin@demo.example.org" in result.output
    with seeded.app_context():
        sessions = db.session.scalars(select(ConsultationSession)).all()
        assert len(sessions) == 22
        assert {s.state for s in sessions} == {SessionState.PUBLISHED, SessionState.OPEN}
        channels = set(db.session.scalars(select(Ballot.channel)))
        assert channels == {Channel.ONLINE, Channel.CODE, Channel.PAPER}
        assert db.session.scalar(select(func.count()).select_from(User)) == 4
        ballots = db.session.scalar(select(func.count()).select_from(Ballot))

    again = runner.invoke(args=["demo", "--if-empty"])
    assert again.exit_code == 0 and "nothing to do" in again.output
    refused = runner.invoke(args=["demo"])
    assert refused.exit_code != 0
    with seeded.app_context():
        assert db.session.scalar(select(func.count()).select_from(Ballot)) == ballots
