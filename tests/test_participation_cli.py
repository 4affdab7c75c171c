"""The command-line contract: consultations, sessions, states, codes."""

import pytest
from sqlalchemy import func, select

from consult.extensions import db
from consult.models import AuditEvent, Consultation, ConsultationSession, ParticipantCode, SessionState
from tests.participation_helpers import make_session


def test_consultation_create_prints_its_id_and_defaults_to_all_strategies_depth_5(seeded, runner):
    result = runner.invoke(args=["consultations", "create", "--title", "Dicembre 2023"])
    assert result.exit_code == 0, result.output
    consultation_id = int(result.output.strip())
    with seeded.app_context():
        consultation = db.session.get(Consultation, consultation_id)
        assert len(consultation.strategies) == 27
        assert consultation.ranking_depth == 5 and consultation.depth == 5
        assert consultation.scope.value == "all"


def test_consultation_scope_by_axes_and_by_strategies(seeded, runner):
    by_axes = int(runner.invoke(args=["consultations", "create", "--title", "A", "--axes", "1,2"]).output)
    by_list = int(
        runner.invoke(
            args=["consultations", "create", "--title", "B", "--strategies", "1.1,2.3", "--depth", "2"]
        ).output
    )
    everything = int(runner.invoke(args=["consultations", "create", "--title", "C", "--rank-all"]).output)
    with seeded.app_context():
        assert len(db.session.get(Consultation, by_axes).strategies) == 11  # 5 + 6
        listed = db.session.get(Consultation, by_list)
        assert [s.code for s in listed.strategies_in_order] == ["1.1", "2.3"] and listed.depth == 2
        assert db.session.get(Consultation, everything).ranking_depth is None
        assert db.session.get(Consultation, everything).depth == 27


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--axes", "9"], "Assi sconosciuti: 9"),
        (["--strategies", "1.1,7.7"], "Strategie sconosciute: 7.7"),
        (["--axes", "1", "--strategies", "1.1"], "non entrambi"),
        (["--depth", "0"], "Invalid value"),
    ],
)
def test_consultation_create_refuses_bad_scope(seeded, runner, args, message):
    result = runner.invoke(args=["consultations", "create", "--title", "X", *args])
    assert result.exit_code != 0
    assert message in result.output
    with seeded.app_context():
        assert db.session.scalar(select(func.count()).select_from(Consultation)) == 0


def test_session_create_and_lifecycle(seeded, runner):
    session_id = make_session(runner, zone=5, state=None, title="Pinerolo, 5 dicembre")
    with seeded.app_context():
        session = db.session.get(ConsultationSession, session_id)
        assert session.zone.code == 5 and session.state == SessionState.DRAFT
        assert session.title == "Pinerolo, 5 dicembre"
    for state in ("open", "closed", "open", "closed", "published"):
        result = runner.invoke(args=["sessions", "set-state", str(session_id), state])
        assert result.exit_code == 0, result.output
        assert result.output.strip() == f"session {session_id}: {state}"
    with seeded.app_context():
        changes = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "session.state_changed").order_by(AuditEvent.id)
        ).all()
        assert [e.details["state"] for e in changes] == ["open", "closed", "open", "closed", "published"]


@pytest.mark.parametrize(
    ("path", "target"),
    [((), "closed"), ((), "published"), (("open",), "published"), (("open", "closed", "published"), "open")],
)
def test_illegal_transitions_are_refused(seeded, runner, path, target):
    session_id = make_session(runner, state=None)
    for state in path:
        assert runner.invoke(args=["sessions", "set-state", str(session_id), state]).exit_code == 0
    result = runner.invoke(args=["sessions", "set-state", str(session_id), target])
    assert result.exit_code != 0
    assert "non può passare" in result.output


def test_default_session_title_names_the_zone(seeded, runner):
    session_id = make_session(runner, zone=9, state=None)
    with seeded.app_context():
        assert db.session.get(ConsultationSession, session_id).title.endswith("— Eporediese")


def test_session_create_refuses_unknown_zone_or_consultation(seeded, runner):
    consultation_id = runner.invoke(args=["consultations", "create", "--title", "X"]).output.strip()
    assert "no zone 12" in runner.invoke(args=["sessions", "create", consultation_id, "--zone", "12"]).output
    assert "no consultation with id 999" in runner.invoke(args=["sessions", "create", "999", "--zone", "1"]).output


def test_codes_generate_prints_unique_single_use_codes(seeded, runner):
    session_id = make_session(runner)
    result = runner.invoke(args=["codes", "generate", str(session_id), "25"])
    assert result.exit_code == 0, result.output
    codes = result.output.split()
    assert len(codes) == len(set(codes)) == 25
    assert all(len(code) == 9 and code[4] == "-" for code in codes)
    with seeded.app_context():
        assert db.session.scalar(select(func.count()).select_from(ParticipantCode)) == 25


@pytest.mark.parametrize("count", ["0", "1001", "-3"])
def test_codes_generate_refuses_silly_counts(seeded, runner, count):
    session_id = make_session(runner)
    result = runner.invoke(args=["codes", "generate", str(session_id), count])
    assert result.exit_code != 0
