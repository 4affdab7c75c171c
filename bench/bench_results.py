"""Results at scale: the metropolitan page, the API (every method × weighting) and the downloads of a
consultation in 11 zones, uncached and cached, against the floor of reading the same rows and counting them.

    .venv/bin/python bench/bench_results.py [--database postgresql://...] [--large] [--reuse]

Sizes 2,500 and 25,000 ballots by default; `--large` (or BENCH_LARGE=1) adds 400,000 (about two minutes to
write, and a gunicorn run measuring the workers' memory after serving its pages). The database is a temporary
SQLite file, or the PostgreSQL database named, which is EMPTIED unless `--reuse` finds the consultations of an
earlier run. The ballots come from bench/dataset.py. Figures, in the same process and run:

- floor: one plain DB-API query of the rows (ballot, strategy code, in ballot order), lists built in Python
  and consult's Borda count on them — what any implementation has to pay to count from the database;
- "cold": every cache emptied (the process's and the shared disk cache) before the request;
- "disk": the process cache emptied, the disk cache kept (another gunicorn worker's first request);
- "warm": the same request again, nothing changed.
"""

from __future__ import annotations

import argparse
import http.client
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
ROOT = Path(__file__).resolve().parent.parent
SIZES = (2_500, 25_000)
LARGE = 400_000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", help="a PostgreSQL URL (emptied unless --reuse); default: temporary SQLite")
    parser.add_argument("--large", action="store_true", default=os.environ.get("BENCH_LARGE") == "1")
    parser.add_argument("--reuse", action="store_true", help="keep the database and its benchmark consultations")
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="consult-bench-results-"))
    os.environ.setdefault("CONSULT_INSTANCE", str(scratch))
    from consult.config import database_url

    url = database_url(args.database) if args.database else f"sqlite:///{scratch / 'results.sqlite3'}"
    sizes = (*SIZES, LARGE) if args.large else SIZES
    cache = scratch / "results-cache"
    app, consultations = _prepare(url, sizes, cache, reuse=args.reuse)
    print(f"database: {url.split('@')[-1]}")
    rows: dict[str, dict[int, float]] = {}
    _measure(app, consultations[sizes[0]], cache)  # templates compiled, fonts loaded: not what is measured
    for size, consultation_id in consultations.items():
        for name, seconds in _measure(app, consultation_id, cache).items():
            rows.setdefault(name, {})[size] = seconds
    _report(rows, sizes)
    if args.large:
        _memory(url, consultations[LARGE], scratch)


def _prepare(url: str, sizes, cache: Path, *, reuse: bool):
    import dataset
    from flask_migrate import upgrade
    from sqlalchemy import select, text

    from consult import create_app
    from consult.config import TestingConfig
    from consult.extensions import db
    from consult.models import Consultation

    config = {key: getattr(TestingConfig, key) for key in dir(TestingConfig) if key.isupper()}
    app = create_app({**config, "SQLALCHEMY_DATABASE_URI": url, "RESULTS_CACHE_DIR": str(cache)})
    with app.app_context():
        if not reuse:
            db.drop_all()
            with db.engine.begin() as connection:
                connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
        upgrade()
        assert app.test_cli_runner().invoke(args=["seed"]).exit_code == 0
        existing = dict(db.session.execute(select(Consultation.title, Consultation.id)).all())
    found = {}
    for size in sizes:
        title = f"Benchmark — {size:,} schede"
        if title in existing:
            found[size] = existing[title]
            continue
        start = time.perf_counter()
        found[size] = dataset.build(app, size)
        print(f"{size:,} ballots written in {time.perf_counter() - start:.1f} s")
    return app, found


def _floor(app, consultation_id: int) -> float:
    """Read the rows with one plain query and count them with consult's Borda: the cost of any count."""
    from consult import ranking
    from consult.extensions import db
    from consult.models import Consultation, SessionState

    with app.app_context():
        consultation = db.session.get(Consultation, consultation_id)
        sessions = [s.id for s in consultation.sessions if s.state == SessionState.PUBLISHED]
        codes = [s.code for s in consultation.strategies_in_order]
        start = time.perf_counter()
        cursor = db.session.connection().connection.driver_connection.cursor()
        cursor.execute(
            "SELECT r.ballot_id, s.code FROM ballot_rank r JOIN ballot b ON b.id = r.ballot_id "  # noqa: S608
            "JOIN strategy s ON s.id = r.strategy_id "
            f"WHERE b.session_id IN ({', '.join(map(str, sessions))}) ORDER BY r.ballot_id, r.position"
        )
        ballots: dict[int, list[str]] = {}
        for ballot_id, code in cursor.fetchall():
            ballots.setdefault(ballot_id, []).append(code)
        ranking.borda(codes, [ranking.Ballot.of(*c) for c in ballots.values()])
        seconds = time.perf_counter() - start
        cursor.close()
        return seconds


def _measure(app, consultation_id: int, cache: Path) -> dict[str, float]:
    from consult.results import counts
    from consult.results.services import METHODS, WEIGHTINGS

    client = app.test_client()

    def cold():
        counts.MEMORY.clear()
        shutil.rmtree(cache, ignore_errors=True)

    def timed(url: str) -> float:
        start = time.perf_counter()
        response = client.get(url)
        seconds = time.perf_counter() - start
        assert response.status_code == 200, (url, response.status_code)
        return seconds

    base = f"/consultations/{consultation_id}/results"
    figures = {"floor: read + Borda": statistics.median(_floor(app, consultation_id) for _n in range(3))}
    cold()
    figures["page, cold"] = timed(base)
    figures["page, warm"] = timed(base)
    counts.MEMORY.clear()
    figures["page, disk (other worker)"] = timed(base)
    api_cold, api_warm = [], []
    for method in METHODS:
        for weighting in WEIGHTINGS:
            url = f"/api/v1/consultations/{consultation_id}/results?method={method}&weighting={weighting}"
            cold()
            api_cold.append(timed(url))
            api_warm.append(timed(url))
    figures["API, cold, slowest of 16"] = max(api_cold)
    figures["API, warm, slowest of 16"] = max(api_warm)
    for fmt in ("csv", "xlsx", "json", "pdf"):
        cold()
        figures[f"{fmt.upper()}, cold"] = timed(f"{base}.{fmt}")
        figures[f"{fmt.upper()}, warm"] = timed(f"{base}.{fmt}")
    return figures


def _report(rows: dict[str, dict[int, float]], sizes) -> None:
    floor = rows["floor: read + Borda"]
    header = "".join(f"{f'{size:,} ballots':>22}" for size in sizes)
    print(f"\n{'figure (seconds; × floor)':<28}{header}")
    for name, by_size in rows.items():
        cells = ""
        for size in sizes:
            seconds = by_size[size]
            ratio = "" if name.startswith("floor") else f" ({seconds / floor[size]:.2f}×)"
            cells += f"{f'{seconds:.3f}{ratio}':>22}"
        print(f"{name:<28}{cells}")
    print("\ntargets at 400,000: page and API cold < 2 s and < 1.5× floor; warm < 0.050 s; downloads < 3 s")


def _memory(url: str, consultation_id: int, scratch: Path) -> None:
    """Serve the largest consultation's pages with gunicorn (2 workers) and read each worker's resident memory."""
    env = {**os.environ, "DATABASE_URL": url, "CONSULT_INSTANCE": str(scratch)}
    port = 8311
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "--workers",
        "2",
        "--bind",
        f"127.0.0.1:{port}",
        "consult:create_app()",
    ]
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}  # its access log would bury the figures
    server = subprocess.Popen(command, cwd=ROOT, env=env, **quiet)  # noqa: S603 - our own command
    try:
        time.sleep(8)
        base = f"/consultations/{consultation_id}/results"
        paths = [base, f"{base}.csv", f"{base}.xlsx", f"{base}.pdf", f"{base}.json"]
        paths += [f"/api/v1{base}?method={m}&weighting=pooled" for m in ("borda", "schulze", "mean", "top3")]
        for _round in range(2):  # both workers get requests
            for path in paths:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
                connection.request("GET", path)
                assert connection.getresponse().status == 200, path
                connection.close()
        workers = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
        for pid in workers:
            status = Path(f"/proc/{pid}/status").read_text()
            rss = next(line for line in status.splitlines() if line.startswith("VmRSS"))
            print(
                f"gunicorn worker {pid} after the 400,000-ballot pages: {rss.split()[1]} kB resident (target < 300 MB)"
            )
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
