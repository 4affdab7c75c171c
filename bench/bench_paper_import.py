"""Time the paper-ballot import of 2,500 and 20,000 rows (target: 20,000 under 5 s), against a baseline.

Run with `.venv/bin/python bench/bench_paper_import.py`; set BENCH_DATABASE_URL=postgresql://… to run on
PostgreSQL too (that database is emptied). Each figure is the whole import as the CLI runs it — read the
CSV, check every row, write, commit — and, side by side in the same run, the baseline: the same rows written
by bare `executemany` calls on the driver (participants, ballots, places, versions), with no parsing, no
checking and no ORM. The ratio says what the import costs over the floor of writing those rows at all.
A re-import of the same file (every ballot replaced, a version kept for each) is timed too.
"""

# ruff: noqa: S608 - the statements hold only fixed names and the driver's placeholder mark
import io
import os
import random
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

SIZES = (2_500, 20_000)
DEPTH = 5
TARGET = 5.0  # seconds for 20,000 rows
WEB_ROWS = 5_000
PASSWORD = "bench password 2026 !"  # noqa: S105 - a throwaway benchmark account


def csv_rows(count: int, codes: list[str], seed: int) -> list[tuple[str, list[str]]]:
    rng = random.Random(seed)  # noqa: S311 - benchmark data, not security
    return [(f"B{n:06}", rng.sample(codes, rng.randint(1, DEPTH))) for n in range(count)]


def as_csv(rows) -> bytes:
    lines = ["participant;category;1;2;3;4;5"]
    lines += [f"{label};comune;" + ";".join(codes + [""] * (DEPTH - len(codes))) for label, codes in rows]
    return "\n".join(lines).encode()


def baseline(db, session_id: int, rows, strategy_ids: dict[str, int]) -> float:
    """The same rows written with bare executemany on the driver, and committed."""
    connection = db.engine.raw_connection()
    mark = "?" if db.engine.dialect.paramstyle == "qmark" else "%s"
    now = datetime.now(UTC)
    start = time.perf_counter()
    try:
        cursor = connection.cursor()
        cursor.executemany(
            f"INSERT INTO participant (session_id, label, joined_at) VALUES ({mark}, {mark}, {mark})",
            [(session_id, label, now) for label, _codes in rows],
        )
        cursor.execute(f"SELECT label, id FROM participant WHERE session_id = {mark}", (session_id,))
        people = dict(cursor.fetchall())
        cursor.executemany(
            "INSERT INTO ballot (participant_id, session_id, channel, version, updated_at)"
            f" VALUES ({mark}, {mark}, 'paper', 1, {mark})",
            [(people[label], session_id, now) for label, _codes in rows],
        )
        cursor.execute(f"SELECT participant_id, id FROM ballot WHERE session_id = {mark}", (session_id,))
        ballots = dict(cursor.fetchall())
        cursor.executemany(
            f"INSERT INTO ballot_rank (ballot_id, position, strategy_id) VALUES ({mark}, {mark}, {mark})",
            [
                (ballots[people[label]], n, strategy_ids[code])
                for label, codes in rows
                for n, code in enumerate(codes, start=1)
            ],
        )
        cursor.executemany(
            "INSERT INTO ballot_version (ballot_id, version, ranking, channel, created_at)"
            f" VALUES ({mark}, 1, {mark}, 'paper', {mark})",
            [(ballots[people[label]], '["' + '","'.join(codes) + '"]', now) for label, codes in rows],
        )
        connection.commit()
    finally:
        connection.close()
    return time.perf_counter() - start


def run(url: str, name: str) -> None:
    from flask_migrate import upgrade
    from sqlalchemy import select, text

    from consult import create_app
    from consult.auth.services import create_user
    from consult.config import TestingConfig
    from consult.extensions import db
    from consult.models import Plan, Role, SessionState, Zone
    from consult.participation import paper, services

    config = {key: getattr(TestingConfig, key) for key in dir(TestingConfig) if key.isupper()}
    app = create_app({**config, "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        db.drop_all()
        with db.engine.begin() as connection:
            connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
        upgrade()
        result = app.test_cli_runner().invoke(args=["seed"])
        assert result.exit_code == 0, result.output
        plan = db.session.scalar(select(Plan))
        consultation = services.create_consultation(plan, "Benchmark", depth=DEPTH)
        zone = db.session.scalar(select(Zone).where(Zone.code == 1))
        codes = [strategy.code for strategy in consultation.strategies_in_order]
        strategy_ids = {strategy.code: strategy.id for strategy in consultation.strategies}
        db.session.commit()

        def new_session():
            session = services.create_session(consultation, zone)
            services.set_state(session, SessionState.OPEN)
            db.session.commit()
            return session

        print(f"\n{name}")
        print(
            f"{'rows':>7} {'import (s)':>11} {'re-import (s)':>14} {'baseline (s)':>13} {'ratio':>6}"
            f" {'per row (µs)':>13}"
        )
        for size in SIZES:
            rows = csv_rows(size, codes, seed=size)
            data = as_csv(rows)
            session = new_session()
            start = time.perf_counter()
            report = paper.import_paper_ballots(session, data, None, "bench")
            db.session.commit()
            imported = time.perf_counter() - start
            assert report.created == size
            start = time.perf_counter()
            report = paper.import_paper_ballots(session, data, None, "bench")
            db.session.commit()
            reimported = time.perf_counter() - start
            assert report.replaced == size
            floor = baseline(db, new_session().id, rows, strategy_ids)
            verdict = "" if size < SIZES[-1] else ("  under target" if imported < TARGET else "  OVER TARGET")
            print(
                f"{size:>7,} {imported:>11.2f} {reimported:>14.2f} {floor:>13.2f} {imported / floor:>6.1f}"
                f" {imported / size * 1e6:>13.0f}{verdict}"
            )
        web_session = new_session()
        web_target = (web_session.zone.code, web_session.id)
        create_user(
            "bench.planner@example.org",
            PASSWORD,
            display_name="Bench",
            role=Role.PLANNER,
            privacy_accepted=True,
            confirmed=True,
        )
        db.session.commit()
        db.session.remove()
    # Outside any app context, as a server runs requests: each gets its own.
    web_upload(app, *web_target, codes)
    with app.app_context():
        db.engine.dispose()


def web_upload(app, zone_code: int, session_id: int, codes: list[str], size: int = WEB_ROWS) -> None:
    """A planner's upload through the web pages: the preview request, then the confirm request."""
    import re

    client = app.test_client()

    def token(path: str) -> str:
        return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', client.get(path).get_data(as_text=True)).group(1)

    response = client.post(
        "/login",
        data={"email": "bench.planner@example.org", "password": PASSWORD, "csrf_token": token("/login")},
    )
    assert response.status_code == 302
    base = f"/facilitate/zones/{zone_code}/sessions/{session_id}/paper"
    data = as_csv(csv_rows(size, codes, seed=size))
    form_token = token(base + "/upload")
    start = time.perf_counter()
    response = client.post(
        base + "/upload",
        data={"csrf_token": form_token, "file": (io.BytesIO(data), "schede.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 303, response.get_data(as_text=True)[-3000:]
    preview = client.get(response.headers["Location"])
    previewed = time.perf_counter() - start
    assert preview.status_code == 200, preview.status_code
    confirm_token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', preview.get_data(as_text=True)).group(1)
    start = time.perf_counter()
    response = client.post(response.headers["Location"] + "/confirm", data={"csrf_token": confirm_token})
    confirmed = time.perf_counter() - start
    assert response.status_code == 303, response.status_code
    print(
        f"web, {size:,}-row upload: preview {previewed:.2f} s ({len(preview.data) / 1e6:.1f} MB page),"
        f" confirm {confirmed:.2f} s"
    )


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="consult-bench-"))
    os.environ.setdefault("CONSULT_INSTANCE", str(folder))
    run(f"sqlite:///{folder / 'bench.sqlite3'}", "SQLite")
    if url := os.environ.get("BENCH_DATABASE_URL"):
        from consult.config import database_url

        run(database_url(url), "PostgreSQL")
    print(f"\ntarget: {SIZES[-1]:,} rows under {TARGET:.0f} s on each database")


if __name__ == "__main__":
    main()
