"""Building consultations and sessions through the real commands, for tests."""

from consult.extensions import db
from consult.models import ConsultationSession


def make_session(runner, *, zone: int = 1, state: str | None = "open", consultation_args=(), title=None) -> int:
    """Create a consultation and a session in ``zone`` with the CLI; returns the session id."""
    result = runner.invoke(
        args=["consultations", "create", "--title", "Dalle strategie alle azioni", *consultation_args]
    )
    assert result.exit_code == 0, result.output
    consultation_id = result.output.strip()
    args = ["sessions", "create", consultation_id, "--zone", str(zone)]
    if title:
        args += ["--title", title]
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    session_id = int(result.output.strip())
    if state:
        result = runner.invoke(args=["sessions", "set-state", str(session_id), state])
        assert result.exit_code == 0, result.output
    return session_id


def get_session(app, session_id: int) -> ConsultationSession:
    with app.app_context():
        return db.session.get(ConsultationSession, session_id)
