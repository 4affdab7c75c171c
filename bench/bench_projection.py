"""What 1,000 projection screens polling every 3 s cost: the 304 answer's time and CPU, against a baseline.

Run with `.venv/bin/python bench/bench_projection.py`. A session with 250 paper ballots (a large workshop)
goes into a temporary SQLite database; its ranking is revealed and a projection link made. Requests go
through the whole app in process (Flask's test client: routing, the key check, the after-request commit,
security headers), without a network. The baseline, measured in the same run, is a route that returns an
empty 204 and touches nothing: the floor any request pays. Times are the best of several rounds.
"""

import os
import random
import tempfile
import time
from pathlib import Path

BALLOTS = int(os.environ.get("BENCH_BALLOTS", "250"))
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "2000"))
ROUNDS = 5
SCREENS = 1000
EVERY_S = 3


def measure(client, path: str, headers: dict, status: int) -> tuple[float, float]:
    """Best wall and CPU seconds per request over ROUNDS rounds of REQUESTS requests."""
    best_wall = best_cpu = float("inf")
    for _ in range(ROUNDS):
        wall, cpu = time.perf_counter(), time.process_time()
        for _ in range(REQUESTS):
            response = client.get(path, headers=headers)
            assert response.status_code == status, (path, response.status_code)
        best_wall = min(best_wall, (time.perf_counter() - wall) / REQUESTS)
        best_cpu = min(best_cpu, (time.process_time() - cpu) / REQUESTS)
    return best_wall, best_cpu


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="consult-bench-"))
    os.environ.setdefault("CONSULT_INSTANCE", str(folder))

    from flask_migrate import upgrade
    from sqlalchemy import select

    from consult import create_app
    from consult.config import TestingConfig
    from consult.extensions import db
    from consult.models import Plan, SessionState, Zone
    from consult.participation import paper, services
    from consult.permissions import public
    from consult.projection import services as projection

    config = {key: getattr(TestingConfig, key) for key in dir(TestingConfig) if key.isupper()}
    app = create_app({**config, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'bench.sqlite3'}"})
    app.add_url_rule("/bench-baseline", "bench_baseline", public(lambda: ("", 204)))
    rng = random.Random(2026)  # noqa: S311 - benchmark data, not security
    with app.test_request_context():
        upgrade()
        result = app.test_cli_runner().invoke(args=["seed"])
        assert result.exit_code == 0, result.output
        plan = db.session.scalar(select(Plan))
        consultation = services.create_consultation(plan, "Benchmark", depth=5)
        codes = [strategy.code for strategy in consultation.strategies_in_order]
        zone = db.session.scalar(select(Zone).where(Zone.code == 5))
        session = services.create_session(consultation, zone)
        services.set_state(session, SessionState.OPEN)
        lines = ["participant,category,1,2,3,4,5"]
        categories = ["comune", "impresa", "terzo_settore", "cittadino"]
        lines += [f"P{n:03},{rng.choice(categories)}," + ",".join(rng.sample(codes, 5)) for n in range(BALLOTS)]
        paper.import_paper_ballots(session, "\n".join(lines).encode(), None, "bench")
        session.reveal_ranking()
        key = projection.new_link(session)
        session_id = session.id
        db.session.commit()

    client = app.test_client()
    state = f"/projection/{session_id}/{key}/state"
    first = client.get(state)
    assert first.status_code == 200 and len(first.get_json()["ranking"]) == len(codes)
    etag = first.headers["ETag"]

    rows = [
        ("baseline: empty 204", *measure(client, "/bench-baseline", {}, 204)),
        ("state, unchanged: 304", *measure(client, state, {"If-None-Match": etag}, 304)),
        ("state, full JSON: 200", *measure(client, state, {}, 200)),
    ]
    base_cpu = rows[0][2]
    print(
        f"one session, {BALLOTS} ballots over {len(codes)} strategies, ranking revealed; SQLite; "
        f"{os.cpu_count()} CPUs; best of {ROUNDS} rounds of {REQUESTS:,} requests"
    )
    print(f"  {'request':<24}{'ms/request':>11}{'CPU ms':>9}{'× baseline':>12}")
    for name, wall, cpu in rows:
        print(f"  {name:<24}{wall * 1000:>11.3f}{cpu * 1000:>9.3f}{cpu / base_cpu:>12.2f}")
    per_second = SCREENS / EVERY_S
    cpu_304 = rows[1][2]
    print(
        f"{SCREENS:,} screens polling every {EVERY_S} s = {per_second:.0f} requests/s, all answered 304: "
        f"{cpu_304 * per_second:.3f} CPU-seconds per second ({cpu_304 * per_second * 100:.1f}% of one core); "
        f"the baseline route at the same rate: {base_cpu * per_second:.3f} ({cpu_304 / base_cpu:.2f}×)"
    )


if __name__ == "__main__":
    main()
