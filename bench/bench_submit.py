"""Ranking submissions through gunicorn, 16 participants at once: consult against a bare Flask app.

    .venv/bin/python bench/bench_submit.py [--database postgresql://...] [--seconds 8] [--rounds 2]

A fresh database (a temporary SQLite file, or the PostgreSQL database named, which is EMPTIED) gets the
catalogue, an open session and participants who joined with a room code. Then consult (`consult:create_app()`)
and bench/baseline_app.py (the same rows written by a bare Flask + Flask-SQLAlchemy app reading the same
cookie) are served side by side by gunicorn, with the same settings and workers, and each gets 16 clients (4
processes × 4 threads, a new connection per request, as browsers behind a proxy would) posting rankings over
the same seconds. Both apps share the machine at every moment, so the ratio of their rates is the ratio of
what a submission costs each, whatever else the machine is doing (taking turns, a quieter minute favoured one
app or the other by up to 20 %). On SQLite the baseline writes to a copy of the file, as it would alone.

Each participant posts at most a dozen times a minute, under consult's limit of 20, which stays on, counted
as in production in a redis-server the workers share (exact across them). At the end every consult
participant must have exactly one counted ballot with one version per accepted submission.
"""

from __future__ import annotations

import argparse
import atexit
import http.client
import multiprocessing
import os
import random
import secrets
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
CLIENTS, PROCESSES = 16, 4
PER_CLIENT = 16  # participants per client and round: a dozen posts each at most, under the limit


def prepare(url: str, secret: str, participants: int) -> tuple[int, list[str], list[int]]:
    """Schema, catalogue, an open session and ``participants`` code participants; returns (session id,
    strategy codes, participant ids)."""
    from flask_migrate import upgrade
    from sqlalchemy import select, text

    from consult import create_app
    from consult.extensions import db
    from consult.models import Participant, Plan, SessionState, Zone
    from consult.participation import services

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": secret})
    with app.app_context():
        db.drop_all()
        with db.engine.begin() as connection:
            connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
        upgrade()
        assert app.test_cli_runner().invoke(args=["seed"]).exit_code == 0
        consultation = services.create_consultation(db.session.scalar(select(Plan)), "Bench", depth=5)
        session = services.create_session(consultation, db.session.scalar(select(Zone).where(Zone.code == 1)))
        services.set_state(session, SessionState.OPEN)
        people = [Participant(session=session, label=f"P{n:05}") for n in range(participants)]
        db.session.add_all(people)
        db.session.commit()
        return session.id, [s.code for s in consultation.strategies_in_order], [p.id for p in people]


def cookies(url: str, secret: str, session_id: int, participant_ids: list[int]) -> list[tuple[str, str]]:
    """(cookie, CSRF form token) of each participant, as consult would have set them when they joined."""
    from flask import session
    from flask_wtf.csrf import generate_csrf

    from consult import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": secret})
    serializer = app.session_interface.get_signing_serializer(app)
    found = []
    for participant_id in participant_ids:
        with app.test_request_context():
            session["participants"] = {str(session_id): participant_id}
            token = generate_csrf()
            found.append((f"{app.config['SESSION_COOKIE_NAME']}={serializer.dumps(dict(session))}", token))
    return found


def serve(app: str, url: str, secret: str, port: int, workers: int, instance: Path, limits: str) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": secret, "CONSULT_INSTANCE": str(instance)}
    env["RATELIMIT_STORAGE_URI"] = limits
    # Both apps get consult's gunicorn settings (its access log included), so that only the apps differ.
    command = [sys.executable, "-m", "gunicorn", "--config", str(ROOT / "gunicorn.conf.py")]
    command += ["--workers", str(workers), "--bind", f"127.0.0.1:{port}", app]
    cwd = BENCH if "baseline" in app else ROOT
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    server = subprocess.Popen(command, cwd=cwd, env=env, **quiet)  # noqa: S603 - our own command
    for _attempt in range(300):
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/")
            connection.getresponse().read()
            time.sleep(3)  # the other workers finish booting
            return server
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise RuntimeError(f"{app} did not start")


def _client(port, path, bodies, headers, window, results):
    ok = failed = 0
    start, deadline = window
    time.sleep(max(0.0, start - time.time()))
    n = 0
    while time.time() < deadline:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        connection.request("POST", path, body=bodies[n % len(bodies)], headers=headers[n % len(headers)])
        status = connection.getresponse().status
        connection.close()
        ok, failed = (ok + 1, failed) if status == 303 else (ok, failed + 1)
        n += 1
    results.append((ok, failed))


def _process(port, path, work, window, queue):
    results = []
    threads = [threading.Thread(target=_client, args=(port, path, *w, window, results)) for w in work]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    queue.put((port, results))


def load(path: str, targets: dict[int, list[tuple[list[str], list[dict]]]], seconds: float) -> dict:
    """Posts per second accepted (303) by each server (port → its clients' work) over the same ``seconds``,
    and the number refused: port → (rate, refused)."""
    queue = multiprocessing.Queue()
    # Every client starts at the same moment, once the processes are up, and stops at the same moment.
    window = (time.time() + 1.5, time.time() + 1.5 + seconds)
    processes = []
    for port, work in targets.items():
        per = len(work) // PROCESSES
        processes += [
            multiprocessing.Process(target=_process, args=(port, path, work[i * per : (i + 1) * per], window, queue))
            for i in range(PROCESSES)
        ]
    for process in processes:
        process.start()
    found = {port: [] for port in targets}
    for _n in range(len(processes)):
        port, results = queue.get()
        found[port] += results
    for process in processes:
        process.join()
    return {
        port: (sum(ok for ok, _failed in results) / seconds, sum(failed for _ok, failed in results))
        for port, results in found.items()
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", help="a PostgreSQL URL (emptied!); default: a temporary SQLite file")
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--redis-url", help="the rate limits' shared store; default: a throwaway redis-server")
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="consult-bench-submit-"))
    limits = args.redis_url
    if not limits:
        # As in production (README): with several workers the limits are exact only in a shared store.
        port = 8303
        redis = [shutil.which("redis-server"), "--port", str(port), "--save", "", "--dir", str(scratch)]
        redis_server = subprocess.Popen(redis, stdout=subprocess.DEVNULL)  # noqa: S603 - our own command
        atexit.register(redis_server.terminate)
        limits = f"redis://127.0.0.1:{port}/0"
    os.environ.setdefault("CONSULT_INSTANCE", str(scratch))
    url = args.database or f"sqlite:///{scratch / 'submit.sqlite3'}"
    secret = secrets.token_hex(32)
    pool = CLIENTS * PER_CLIENT * args.rounds
    session_id, codes, participants = prepare(url, secret, 2 * pool)
    consult_people, baseline_people = participants[:pool], participants[pool:]
    baseline_url = url
    if not args.database:
        # Each app its own SQLite file (a copy), as each would have alone: one file has one writer at a time.
        baseline_url = f"sqlite:///{scratch / 'baseline.sqlite3'}"
        with (
            sqlite3.connect(scratch / "submit.sqlite3") as source,
            sqlite3.connect(scratch / "baseline.sqlite3") as copy,
        ):
            source.backup(copy)
    from sqlalchemy import select

    from consult import create_app
    from consult.extensions import db
    from consult.models import Strategy

    with create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": secret}).app_context():
        strategy_ids = dict(db.session.execute(select(Strategy.code, Strategy.id)).all())
    rng = random.Random(12)  # noqa: S311 - benchmark data
    rankings = [rng.sample(codes, 5) for _n in range(50)]
    path = f"/zones/1/sessions/{session_id}/ranking"
    form = {"content-type": "application/x-www-form-urlencoded"}

    def work(people: list[int], consult: bool) -> list[tuple[list[str], list[dict]]]:
        tokens = cookies(url, secret, session_id, people)
        clients = []
        for c in range(CLIENTS):
            mine = tokens[c::CLIENTS]
            if consult:
                bodies = [
                    urllib.parse.urlencode(
                        {"csrf_token": token, **{f"position-{code}": n for n, code in enumerate(ranking, 1)}}
                    )
                    for (_cookie, token), ranking in zip(mine, rankings, strict=False)
                ]
            else:
                bodies = [
                    urllib.parse.urlencode([("strategy", strategy_ids[code]) for code in ranking])
                    for ranking in rankings[: len(mine)]
                ]
            clients.append((bodies, [{**form, "cookie": cookie} for cookie, _token in mine]))
        return clients

    apps = {
        "consult": ("consult:create_app()", 8301, url, consult_people),
        "baseline": ("baseline_app:create_app()", 8302, baseline_url, baseline_people),
    }
    figures: dict[str, list[tuple[float, int]]] = {"consult": [], "baseline": []}
    print(
        f"database: {url.split('@')[-1]}; limits: {limits}; {args.workers} gunicorn workers for each app;",
        f"{CLIENTS} clients for each; {args.seconds:g} s a round",
    )
    for round_ in range(args.rounds):
        chunk = slice(round_ * CLIENTS * PER_CLIENT, (round_ + 1) * CLIENTS * PER_CLIENT)
        clients = {port: work(people[chunk], name == "consult") for name, (_t, port, _u, people) in apps.items()}
        servers = [
            serve(target, database, secret, port, args.workers, scratch, limits)
            for target, port, database, _people in apps.values()
        ]
        try:
            rates = load(path, clients, args.seconds)
        finally:
            for server in servers:
                server.terminate()
                server.wait()
        for name, (_target, port, _database, _people) in apps.items():
            figures[name].append(rates[port])
        (consult, refused), (baseline, _refused) = figures["consult"][-1], figures["baseline"][-1]
        print(
            f"  round {round_ + 1}: consult {consult:6.1f}/s ({refused} not accepted),",
            f"baseline {baseline:6.1f}/s: ratio {consult / baseline:.2f}",
        )
    consult = sum(r for r, _f in figures["consult"]) / args.rounds
    baseline = sum(r for r, _f in figures["baseline"]) / args.rounds
    print(
        f"consult {consult:.1f}/s, bare Flask + Flask-SQLAlchemy {baseline:.1f}/s, side by side:",
        f"ratio {consult / baseline:.2f} (target ≥ 0.70)",
    )
    check(url, secret, session_id, consult_people)


def check(url: str, secret: str, session_id: int, people: list[int]) -> None:
    """Every guarantee held: one counted ballot per participant, one version per accepted submission."""
    from sqlalchemy import func, select

    from consult import create_app
    from consult.extensions import db
    from consult.models import Ballot, BallotRank, BallotVersion, ConsultationSession

    with create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": secret}).app_context():
        ballots = db.session.execute(
            select(Ballot.participant_id, func.count())
            .where(Ballot.participant_id.in_(people))
            .group_by(Ballot.participant_id)
        ).all()
        assert all(n == 1 for _p, n in ballots)
        versions = db.session.scalar(
            select(func.count()).select_from(BallotVersion).join(Ballot).where(Ballot.participant_id.in_(people))
        )
        latest = db.session.scalar(select(func.sum(Ballot.version)).where(Ballot.participant_id.in_(people)))
        places = db.session.scalar(
            select(func.count()).select_from(BallotRank).join(Ballot).where(Ballot.participant_id.in_(people))
        )
        bumped = db.session.get(ConsultationSession, session_id).ballots_version
        assert versions == latest and places == 5 * len(ballots)
        print(
            f"checked: {len(ballots)} participants, one counted ballot each, {versions} versions kept,",
            f"ballots_version {bumped}",
        )


if __name__ == "__main__":
    main()
