"""Write every JSON API result of the demo data and of a generated consultation to a folder, or compare.

    .venv/bin/python bench/results_snapshot.py write FOLDER [--ballots 25000] [--database URL]
    .venv/bin/python bench/results_snapshot.py compare FOLDER [--ballots 25000] [--database URL]

A fresh database (a temporary SQLite file, or the PostgreSQL database named, which is EMPTIED) gets the demo
data (`consult.demo`) and `bench/dataset.py`'s consultation; then every consultation's results (every method ×
weighting, as the public and as a planner) and every session's (every method × category, as a planner) are
requested from /api/v1 and kept byte for byte, only the ``generated_at`` time blanked. `compare` checks a
new run against a folder written before a change and names every file that differs.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
STAMP = re.compile(rb'"generated_at": ?"[^"]*"')


def responses(database_url: str, ballots: int) -> dict[str, bytes]:
    """Every API result, by file name."""
    import dataset
    from flask_migrate import upgrade
    from sqlalchemy import select, text

    from consult import create_app
    from consult.auth.services import create_user
    from consult.config import TestingConfig
    from consult.demo import create_demo
    from consult.extensions import db
    from consult.models import Consultation, ConsultationSession, Role, SessionState, StakeholderCategory
    from consult.results.services import METHODS, WEIGHTINGS

    config = {key: getattr(TestingConfig, key) for key in dir(TestingConfig) if key.isupper()}
    app = create_app({**config, "SQLALCHEMY_DATABASE_URI": database_url})
    with app.app_context():
        db.drop_all()
        with db.engine.begin() as connection:
            connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
        upgrade()
        assert app.test_cli_runner().invoke(args=["seed"]).exit_code == 0
        create_demo()
        create_user(
            "planner@bench.example.org",
            "bench-password-1234",
            display_name="Bench",
            role=Role.PLANNER,
            confirmed=True,
            privacy_accepted=True,
        )
        db.session.commit()
    dataset.build(app, ballots)
    with app.app_context():
        consultations = list(db.session.scalars(select(Consultation.id).order_by(Consultation.id)))
        sessions = list(
            db.session.scalars(
                select(ConsultationSession.id)
                .where(ConsultationSession.state != SessionState.DRAFT)
                .order_by(ConsultationSession.id)
            )
        )
        categories = ["", *db.session.scalars(select(StakeholderCategory.code).order_by(StakeholderCategory.id))]
    public = app.test_client()
    staff = app.test_client()
    # Signed in through the form: a sign-in is a row of its own, which a cookie made by hand would lack.
    form = staff.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form).group(1)
    sign_in = {"email": "planner@bench.example.org", "password": "bench-password-1234", "csrf_token": token}
    assert staff.post("/login", data=sign_in).status_code == 302
    found = {}

    def get(client, name, url):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        found[name] = STAMP.sub(b'"generated_at": ""', response.get_data())

    for cid in consultations:
        for method in METHODS:
            for weighting in WEIGHTINGS:
                url = f"/api/v1/consultations/{cid}/results?method={method}&weighting={weighting}"
                get(public, f"consultation{cid}-{method}-{weighting}-public.json", url)
                get(staff, f"consultation{cid}-{method}-{weighting}-staff.json", url)
    for sid in sessions:
        for method in METHODS:
            for category in categories:
                url = f"/api/v1/sessions/{sid}/results?method={method}" + (f"&category={category}" if category else "")
                get(staff, f"session{sid}-{method}-{category or 'all'}.json", url)
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=("write", "compare"))
    parser.add_argument("folder", type=Path)
    parser.add_argument("--ballots", type=int, default=25_000)
    parser.add_argument("--database", help="a PostgreSQL URL (emptied!); default: a temporary SQLite file")
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="consult-snapshot-"))
    os.environ.setdefault("CONSULT_INSTANCE", str(scratch))
    from consult.config import database_url

    url = database_url(args.database) if args.database else f"sqlite:///{scratch / 'snapshot.sqlite3'}"
    found = responses(url, args.ballots)
    if args.action == "write":
        args.folder.mkdir(parents=True, exist_ok=True)
        for name, body in found.items():
            (args.folder / name).write_bytes(body)
        print(f"{len(found)} results written to {args.folder}")
        return
    before = {path.name: path.read_bytes() for path in args.folder.glob("*.json")}
    differ = sorted(name for name in before.keys() | found.keys() if before.get(name) != found.get(name))
    for name in differ:
        print(f"DIFFERS: {name}")
    print(f"{len(found)} results compared with {args.folder}: {len(differ)} differ")
    sys.exit(1 if differ else 0)


if __name__ == "__main__":
    main()
