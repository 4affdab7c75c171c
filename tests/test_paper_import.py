"""Paper ballots imported from CSV: all rows or none, every bad row named, idempotent."""

from sqlalchemy import func, select

from consult.extensions import db
from consult.models import AuditEvent, Ballot, BallotVersion, Channel, Participant
from tests.participation_helpers import make_session


def write(tmp_path, text: str, name="schede.csv", encoding="utf-8") -> str:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return str(path)


def ballots(app, session_id) -> dict[str, list[str]]:
    with app.app_context():
        rows = db.session.scalars(
            select(Participant).where(Participant.session_id == session_id).order_by(Participant.label)
        )
        return {p.label: [r.strategy.code for r in p.ballot.ranks] for p in rows if p.ballot}


GOOD = "participant,category,organisation,1,2,3\nP01,comune,Comune di Pinerolo,3.1,1.1,2.2\nP02,impresa,,5.1,5.2\n"


def test_import_creates_paper_ballots(seeded, runner, tmp_path):
    session_id = make_session(runner, zone=5)
    result = runner.invoke(args=["ballots", "import", str(session_id), write(tmp_path, GOOD)])
    assert result.exit_code == 0, result.output
    assert "2 new ballots, 0 replaced" in result.output
    assert ballots(seeded, session_id) == {"P01": ["3.1", "1.1", "2.2"], "P02": ["5.1", "5.2"]}
    with seeded.app_context():
        participant = db.session.scalar(select(Participant).where(Participant.label == "P01"))
        assert participant.category.code == "comune" and participant.organisation == "Comune di Pinerolo"
        assert participant.ballot.channel == Channel.PAPER
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "ballots.imported"))
        assert event.details["created"] == 2 and event.details["source"].endswith("schede.csv")


def test_semicolons_and_bom_import(seeded, runner, tmp_path):
    session_id = make_session(runner)
    text = "\ufeffparticipant;1;2;3\nA;1.1;1.2;\nB;2.1;;\n"
    result = runner.invoke(args=["ballots", "import", str(session_id), write(tmp_path, text)])
    assert result.exit_code == 0, result.output
    assert ballots(seeded, session_id) == {"A": ["1.1", "1.2"], "B": ["2.1"]}


def test_importing_the_same_file_twice_leaves_the_same_ballots(seeded, runner, tmp_path):
    session_id = make_session(runner)
    path = write(tmp_path, GOOD)
    assert runner.invoke(args=["ballots", "import", str(session_id), path]).exit_code == 0
    first = ballots(seeded, session_id)
    result = runner.invoke(args=["ballots", "import", str(session_id), path])
    assert result.exit_code == 0
    assert "0 new ballots, 2 replaced" in result.output
    assert ballots(seeded, session_id) == first
    with seeded.app_context():
        assert db.session.scalar(select(func.count()).select_from(Ballot)) == 2
        # The history keeps both imports; only the latest counts.
        assert db.session.scalar(select(func.count()).select_from(BallotVersion)) == 4


def test_reimport_replaces_a_changed_ballot(seeded, runner, tmp_path):
    session_id = make_session(runner)
    runner.invoke(args=["ballots", "import", str(session_id), write(tmp_path, GOOD)])
    changed = GOOD.replace("P02,impresa,,5.1,5.2", "P02,impresa,,6.1")
    assert runner.invoke(args=["ballots", "import", str(session_id), write(tmp_path, changed, "v2.csv")]).exit_code == 0
    assert ballots(seeded, session_id)["P02"] == ["6.1"]


def test_one_bad_row_among_many_writes_nothing_and_names_the_row(seeded, runner, tmp_path):
    session_id = make_session(runner)
    lines = ["participant,1,2,3"] + [f"P{n:03},1.1,2.1,3.1" for n in range(1, 60)]
    lines[42] = "P042,1.1,9.9,3.1"  # line 43 of the file
    result = runner.invoke(args=["ballots", "import", str(session_id), write(tmp_path, "\n".join(lines) + "\n")])
    assert result.exit_code != 0
    assert "nothing was imported" in result.output
    assert "Riga 43:" in result.output and "9.9" in result.output
    with seeded.app_context():
        assert db.session.scalar(select(func.count()).select_from(Participant)) == 0


def test_every_bad_row_is_reported(seeded, runner, tmp_path):
    session_id = make_session(runner, consultation_args=("--depth", "3"))
    text = (
        "participant,category,1,2,3,4\n"
        "A,comune,1.1,1.1,,\n"  # line 2: duplicate
        ",comune,1.1,,,\n"  # line 3: no label
        "C,marziani,1.1,,,\n"  # line 4: unknown category
        "D,,1.1,,1.2,\n"  # line 5: a gap
        "E,,1.1,1.2,1.3,1.4\n"  # line 6: more than the depth
        "F,,,,,\n"  # line 7: nothing ranked
        "A,,2.1,,,\n"  # line 8: label used again
        "G,,2.1,,,\n"  # fine
    )
    result = runner.invoke(args=["ballots", "import", str(session_id), write(tmp_path, text)])
    assert result.exit_code != 0
    output = result.output
    assert "Riga 2:" in output and "più di una volta" in output
    assert "Riga 3: manca l'etichetta" in output
    assert "Riga 4: categoria sconosciuta «marziani»" in output
    assert "Riga 5: la posizione 3 è compilata dopo una casella vuota" in output
    assert "Riga 6:" in output and "al massimo 3 strategie" in output
    assert "Riga 7: nessuna strategia in classifica" in output
    assert "Riga 8: l'etichetta «A» compare già alla riga 2" in output
    assert "Riga 9" not in output


def test_out_of_scope_strategy_is_refused(seeded, runner, tmp_path):
    session_id = make_session(runner, consultation_args=("--axes", "1"))
    result = runner.invoke(args=["ballots", "import", str(session_id), write(tmp_path, "participant,1\nA,2.1\n")])
    assert result.exit_code != 0
    assert "2.1 non fa parte di questa consultazione" in result.output


def test_bad_header_and_encoding(seeded, runner, tmp_path):
    session_id = make_session(runner)
    result = runner.invoke(args=["ballots", "import", str(session_id), write(tmp_path, "nome,1,3\nA,1.1,1.2\n")])
    assert "manca la colonna «participant»" in result.output
    assert "senza salti" in result.output
    latin1 = write(tmp_path, "participant,1\nCittà,1.1\n", "latin1.csv", encoding="latin-1")
    result = runner.invoke(args=["ballots", "import", str(session_id), latin1])
    assert result.exit_code != 0 and "UTF-8" in result.output


def test_import_records_who_entered_the_ballots(app, personas, runner, tmp_path):
    session_id = make_session(runner)
    path = write(tmp_path, GOOD)
    result = runner.invoke(args=["ballots", "import", str(session_id), path, "--by", "facilitator@example.org"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        ballot = db.session.scalar(select(Ballot).limit(1))
        assert ballot.entered_by.email == "facilitator@example.org"
        assert ballot.versions[-1].entered_by_id == ballot.entered_by.id


def test_draft_and_published_sessions_refuse_paper(seeded, runner, tmp_path):
    draft = make_session(runner, state=None)
    result = runner.invoke(args=["ballots", "import", str(draft), write(tmp_path, GOOD)])
    assert result.exit_code != 0 and "nothing was imported" in result.output
    closed = make_session(runner)
    runner.invoke(args=["sessions", "set-state", str(closed), "closed"])
    # Paper forms collected in the room can still be typed in once the session is closed.
    assert runner.invoke(args=["ballots", "import", str(closed), write(tmp_path, GOOD)]).exit_code == 0
    runner.invoke(args=["sessions", "set-state", str(closed), "published"])
    result = runner.invoke(args=["ballots", "import", str(closed), write(tmp_path, GOOD)])
    assert result.exit_code != 0
