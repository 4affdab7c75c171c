"""Building results data for the results tests through the real commands: consultations and sessions with
the CLI, ballots with `ballots import` (paper CSV), states with `sessions set-state`.

No test lives here; the other tests/test_results_*.py import these helpers.
"""

from __future__ import annotations

import itertools

from consult.extensions import db
from consult.models import ConsultationSession

#: Three strategies keep the hand arithmetic short: X = 1.1, Y = 1.2, Z = 1.3.
SMALL = ("--strategies", "1.1,1.2,1.3")
_files = itertools.count(1)


def run(runner, *args: str) -> str:
    result = runner.invoke(args=list(args))
    assert result.exit_code == 0, result.output
    return result.output.strip()


def create_consultation(runner, *args: str, title: str = "Dalle strategie alle azioni") -> int:
    return int(run(runner, "consultations", "create", "--title", title, *(args or SMALL)))


def add_session(runner, consultation_id: int, zone: int, *, state: str | None = "open") -> int:
    session_id = int(run(runner, "sessions", "create", str(consultation_id), "--zone", str(zone)))
    if state:
        run(runner, "sessions", "set-state", str(session_id), "open")
    return session_id


def set_state(runner, session_id: int, *states: str) -> None:
    for state in states:
        run(runner, "sessions", "set-state", str(session_id), state)


def import_ballots(runner, tmp_path, session_id: int, ballots, *, categories=None) -> None:
    """Paper ballots, one ranking (a list of codes) each, labelled P1, P2, ...; ``categories`` one code per
    ballot (default: every ballot from a municipality)."""
    depth = max(len(codes) for codes in ballots)
    categories = categories or ["comune"] * len(ballots)
    lines = ["participant,category," + ",".join(str(n) for n in range(1, depth + 1))]
    for number, (codes, category) in enumerate(zip(ballots, categories, strict=True), start=1):
        cells = list(codes) + [""] * (depth - len(codes))
        lines.append(f"P{number},{category}," + ",".join(cells))
    path = tmp_path / f"ballots-{next(_files)}.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    run(runner, "ballots", "import", str(session_id), str(path))


def published_session(runner, tmp_path, consultation_id: int, zone: int, ballots) -> int:
    session_id = add_session(runner, consultation_id, zone)
    import_ballots(runner, tmp_path, session_id, ballots)
    set_state(runner, session_id, "closed", "published")
    return session_id


def open_session(runner, tmp_path, consultation_id: int, zone: int, ballots) -> int:
    session_id = add_session(runner, consultation_id, zone)
    import_ballots(runner, tmp_path, session_id, ballots)
    return session_id


def session_url(app, session_id: int, suffix: str = "/results") -> str:
    with app.app_context():
        session = db.session.get(ConsultationSession, session_id)
        return f"/zones/{session.zone.code}/sessions/{session_id}{suffix}"


def order(ranking: list[dict]) -> list[tuple[str, int]]:
    """(code, rank) of an API ranking, best first."""
    return [(row["code"], row["rank"]) for row in ranking]
