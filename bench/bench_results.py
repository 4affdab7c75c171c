"""Time the metropolitan result of a consultation in 11 zones with 1,000 ballots each: first count, cached.

Run with `.venv/bin/python bench/bench_results.py`. The ballots go into a temporary SQLite database through
the services (the paper-ballot import, one CSV per zone), seeded so that every run counts the same ballots:
each ranks 5 of the 27 strategies, leaning towards the zone's axes as the demo data does.
"""

import os
import random
import tempfile
import time
from pathlib import Path

ZONES = 11
BALLOTS_PER_ZONE = int(os.environ.get("BENCH_BALLOTS", "1000"))
DEPTH = 5


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="consult-bench-"))
    os.environ.setdefault("CONSULT_INSTANCE", str(folder))

    from flask_migrate import upgrade
    from sqlalchemy import select

    from consult import create_app
    from consult.config import TestingConfig
    from consult.demo import ZONE_LEANINGS
    from consult.extensions import db
    from consult.models import Plan, SessionState, Zone
    from consult.participation import paper, services
    from consult.results import services as results

    config = {key: getattr(TestingConfig, key) for key in dir(TestingConfig) if key.isupper()}
    app = create_app({**config, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'bench.sqlite3'}"})
    rng = random.Random(2026)  # noqa: S311 - benchmark data, not security
    with app.test_request_context():
        upgrade()
        result = app.test_cli_runner().invoke(args=["seed"])
        assert result.exit_code == 0, result.output
        plan = db.session.scalar(select(Plan))
        consultation = services.create_consultation(plan, "Benchmark", depth=DEPTH)
        strategies = consultation.strategies_in_order
        start = time.perf_counter()
        for zone in db.session.scalars(select(Zone).order_by(Zone.code)).all()[:ZONES]:
            session = services.create_session(consultation, zone)
            services.set_state(session, SessionState.OPEN)
            lean = ZONE_LEANINGS[zone.code]
            lines = ["participant," + ",".join(str(n) for n in range(1, DEPTH + 1))]
            for number in range(BALLOTS_PER_ZONE):
                scores = {
                    s.code: rng.gauss(0, 1) + (1.2 if s.axis.code == lean[0] else 0.7 if s.axis.code in lean[1:] else 0)
                    for s in strategies
                }
                lines.append(f"B{number:04}," + ",".join(sorted(scores, key=scores.get, reverse=True)[:DEPTH]))
            paper.import_paper_ballots(session, "\n".join(lines).encode(), None, "bench")
            services.set_state(session, SessionState.CLOSED)
            services.set_state(session, SessionState.PUBLISHED)
            db.session.commit()
        print(f"{ZONES} zones × {BALLOTS_PER_ZONE:,} ballots written in {time.perf_counter() - start:.1f} s")

        timings = []
        for method in results.METHODS:
            for weighting in results.WEIGHTINGS:
                start = time.perf_counter()
                metro = results.metro_result(consultation, method, weighting)
                first = time.perf_counter() - start
                start = time.perf_counter()
                again = results.metro_result(consultation, method, weighting)
                cached = time.perf_counter() - start
                assert again is metro and metro.ballots == ZONES * BALLOTS_PER_ZONE
                timings.append((method, weighting, first, cached))
        print(f"{'method':<8} {'weighting':<13} {'first (s)':>10} {'cached (ms)':>12}")
        for method, weighting, first, cached in timings:
            print(f"{method:<8} {weighting:<13} {first:>10.3f} {cached * 1000:>12.3f}")
        start = time.perf_counter()
        view = results.ConsultationView(consultation, "borda", "equal", published_only=True)
        parts = (view.heatmap, view.consensus, view.participation, view.categories, view.channels)
        print(
            f"whole metropolitan page's data (cached counts): {time.perf_counter() - start:.3f} s, {len(parts)} parts"
        )


if __name__ == "__main__":
    main()
