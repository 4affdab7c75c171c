"""Paper ballots imported from CSV: all rows or none, every bad row named, idempotent."""

from sqlalchemy import func, select

from consult.extensions import db
from consult.models import AuditEvent, Ballot, BallotVersion, Channel, ConsultationSession, Participant
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
    assert "Line 43:" in result.output and "9.9" in result.output
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
    assert "Line 2:" in output and "appears more than once" in output
    assert "Line 3: the participant label is missing" in output
    assert "Line 4: unknown category “marziani”" in output
    assert "Line 5: position 3 is filled in after an empty cell" in output
    assert "Line 6:" in output and "At most 3 strategies" in output
    assert "Line 7: no strategy ranked" in output
    assert "Line 8: the label “A” already appears on line 2" in output
    assert "Line 9" not in output
    # One language throughout (the CLI's), no Italian left over.
    assert "Riga" not in output and "nessuna" not in output


def test_out_of_scope_strategy_is_refused(seeded, runner, tmp_path):
    session_id = make_session(runner, consultation_args=("--axes", "1"))
    result = runner.invoke(args=["ballots", "import", str(session_id), write(tmp_path, "participant,1\nA,2.1\n")])
    assert result.exit_code != 0
    assert "2.1 is not part of this consultation" in result.output


def test_bad_header_and_encoding(seeded, runner, tmp_path):
    session_id = make_session(runner)
    result = runner.invoke(args=["ballots", "import", str(session_id), write(tmp_path, "nome,1,3\nA,1.1,1.2\n")])
    assert "the “participant” column is missing" in result.output
    assert "with no gaps" in result.output
    # Excel on Windows saves "CSV" in Windows-1252: read as such, not refused.
    cp1252 = write(
        tmp_path, "participant;organisation;1\nA;Città di Ivrea – “centro”;1.1\n", "w.csv", encoding="cp1252"
    )
    result = runner.invoke(args=["ballots", "import", str(session_id), cp1252])
    assert result.exit_code == 0, result.output
    with seeded.app_context():
        assert db.session.scalar(select(Participant.organisation).where(Participant.label == "A")) == (
            "Città di Ivrea – “centro”"
        )


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


def test_by_must_name_someone_who_runs_the_sessions_zone(app, personas, runner, tmp_path):
    session_id = make_session(runner, zone=1)
    path = write(tmp_path, GOOD)
    for email in ("other.facilitator@example.org", "stakeholder@example.org"):
        result = runner.invoke(args=["ballots", "import", str(session_id), path, "--by", email])
        assert result.exit_code != 0
        assert f"{email} does not facilitate zone 1" in result.output
    result = runner.invoke(args=["ballots", "import", str(session_id), path, "--by", "nobody@example.org"])
    assert result.exit_code != 0 and "No account nobody@example.org" in result.output
    assert ballots(app, session_id) == {}
    for email in ("planner@example.org", "admin@example.org", "facilitator@example.org"):
        result = runner.invoke(args=["ballots", "import", str(session_id), path, "--by", email])
        assert result.exit_code == 0, result.output


def test_mac_excel_csv_with_lone_carriage_returns_imports(seeded, runner, tmp_path):
    # "CSV (Macintosh)": Mac Roman, every line ended by a lone CR.
    session_id = make_session(runner)
    text = "participant;organisation;1;2\rP1;Comunità montana;1.1;1.2\rP2;;2.1;\r"
    result = runner.invoke(args=["ballots", "import", str(session_id), write(tmp_path, text, encoding="mac_roman")])
    assert result.exit_code == 0, result.output
    assert "2 new ballots, 0 replaced" in result.output
    assert ballots(seeded, session_id) == {"P1": ["1.1", "1.2"], "P2": ["2.1"]}
    with seeded.app_context():
        assert (
            db.session.scalar(select(Participant.organisation).where(Participant.label == "P1")) == "Comunità montana"
        )


def test_a_field_over_the_csv_limit_is_refused_with_its_line(seeded, runner, tmp_path):
    session_id = make_session(runner)
    text = "participant,organisation,1\nA,,1.1\nB," + "x" * 131_073 + ",1.1\n"
    result = runner.invoke(args=["ballots", "import", str(session_id), write(tmp_path, text)])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    assert "Line 3: a field is longer than 131,072 characters" in result.output
    assert ballots(seeded, session_id) == {}


def test_a_nul_byte_is_refused_with_its_line(seeded, runner, tmp_path):
    session_id = make_session(runner)
    text = "participant,1\nA,1.1\nB\x00,1.2\nC,1.3\n"
    result = runner.invoke(args=["ballots", "import", str(session_id), write(tmp_path, text)])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    assert "Line 3: contains a character that is not allowed" in result.output
    assert "Line 2" not in result.output and "Line 4" not in result.output
    assert ballots(seeded, session_id) == {}


def test_a_huge_numbered_header_is_refused_cleanly(seeded, runner, tmp_path):
    session_id = make_session(runner)
    for header in ("participant,1," + "9" * 5000, "participant,1,²"):
        result = runner.invoke(args=["ballots", "import", str(session_id), write(tmp_path, header + "\nA,1.1,\n")])
        assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.output
        assert "Line 1:" in result.output and "Traceback" not in result.output
        assert len(result.output) < 2000  # the 5,000 digits are not echoed back
    assert ballots(seeded, session_id) == {}


def test_decimal_commas_read_as_codes(seeded, runner, tmp_path):
    session_id = make_session(runner)
    text = 'participant;1;2\nA;"3,1";1,2\n'
    result = runner.invoke(args=["ballots", "import", str(session_id), write(tmp_path, text)])
    assert result.exit_code == 0, result.output
    assert ballots(seeded, session_id) == {"A": ["3.1", "1.2"]}


def test_a_big_import_with_bad_rows_reports_every_one_and_writes_nothing(seeded, runner, tmp_path):
    session_id = make_session(runner)
    lines = ["participant,1,2,3"] + [f"P{n:05},1.1,2.1,3.1" for n in range(1, 5001)]
    for n in (100, 2500, 5000):
        lines[n] = f"P{n:05},1.1,1.1,3.1"
    result = runner.invoke(args=["ballots", "import", str(session_id), write(tmp_path, "\n".join(lines))])
    assert result.exit_code == 1
    assert [line.split(":")[0] for line in result.output.splitlines() if line.startswith("Line")] == [
        "Line 101",
        "Line 2501",
        "Line 5001",
    ]
    with seeded.app_context():
        assert db.session.scalar(select(func.count()).select_from(Participant)) == 0


def test_a_big_import_bumps_the_ballots_version_once(seeded, runner, tmp_path):
    session_id = make_session(runner)
    lines = ["participant,1,2"] + [f"P{n:05},1.1,2.1" for n in range(1, 2001)]
    with seeded.app_context():
        before = db.session.get(ConsultationSession, session_id).ballots_version
    assert runner.invoke(args=["ballots", "import", str(session_id), write(tmp_path, "\n".join(lines))]).exit_code == 0
    with seeded.app_context():
        assert db.session.get(ConsultationSession, session_id).ballots_version == before + 1
        assert db.session.scalar(select(func.count()).select_from(BallotVersion)) == 2000
    assert len(ballots(seeded, session_id)) == 2000


def test_the_rules_accept_exactly_what_validate_ranking_accepts(seeded, runner):
    # Rules.check takes a shortcut for plainly valid rankings; it must never accept what the rule refuses.
    import random

    from consult.errors import DomainError
    from consult.participation import paper
    from consult.participation.ballots import validate_ranking

    session_id = make_session(runner, consultation_args=("--axes", "1,2", "--depth", "4"))
    rng = random.Random(8)
    with seeded.app_context():
        session = db.session.get(ConsultationSession, session_id)
        rules = paper.Rules(session)
        pool = ["1.1", "1.2", "2.1", "2.3", "3.1", "9.9", "1.1 "]
        for _ in range(400):
            codes = [rng.choice(pool) for _ in range(rng.randint(1, 6))]
            row = rules.check(2, "A", codes)
            try:
                expected = [strategy.code for strategy in validate_ranking(session, codes)]
            except DomainError:
                expected = None
            assert (None if row.problems else [s.code for s in row.strategies]) == expected, codes


def test_a_session_published_during_the_write_takes_none_of_the_file(seeded, runner):
    from sqlalchemy import update

    from consult.errors import DomainError
    from consult.participation import paper

    session_id = make_session(runner)
    runner.invoke(args=["sessions", "set-state", str(session_id), "closed"])
    with seeded.app_context():
        session = db.session.get(ConsultationSession, session_id)
        parsed = paper.parse(GOOD.encode(), paper.Rules(session))
        # Published by someone else after this import checked the state, before its last statement.
        with db.engine.begin() as other:
            other.execute(
                update(ConsultationSession.__table__)
                .where(ConsultationSession.id == session_id)
                .values(state="published")
            )
        try:
            paper.write_rows(session, parsed.rows, None)
        except DomainError as error:
            db.session.rollback()
            assert error.status == 409
        else:
            raise AssertionError("the write went through into a published session")
    assert ballots(seeded, session_id) == {}


def test_a_long_cell_is_named_without_being_echoed(seeded, runner, tmp_path):
    session_id = make_session(runner)
    text = "participant,organisation,1\nA," + "o" * 300 + ",1.1\nB,," + "9" * 100_000 + "\n"
    result = runner.invoke(args=["ballots", "import", str(session_id), write(tmp_path, text)])
    assert result.exit_code == 1
    assert "Line 2: the organisation is longer than 200 characters" in result.output
    assert "Line 3:" in result.output and "is not part of this consultation" in result.output
    assert len(result.output) < 1000
