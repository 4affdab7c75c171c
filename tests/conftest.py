"""Fixtures: one database per test run (per pytest-xdist worker), emptied after each test.

The database is SQLite in a temporary folder, or the PostgreSQL server named by TEST_DATABASE_URL
(a separate variable from DATABASE_URL, so a test run can never wipe the database you work with);
with ``-n 2`` the workers use that database's name suffixed with their id (``consult_test_gw0``, ...).
"""

import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest

# Files the app writes beside its database (secret key, demo passwords) go to a throwaway folder.
os.environ.setdefault("CONSULT_INSTANCE", tempfile.mkdtemp(prefix="consult-instance-"))

from flask_migrate import upgrade
from jinja2.bccache import Bucket, BytecodeCache
from sqlalchemy import text
from werkzeug.routing import Rule

from consult import create_app
from consult.config import TestingConfig
from consult.extensions import db

SHARED = Path(__file__).resolve().parents[2] / "shared"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    """Each pytest-xdist worker has a database of its own: its own SQLite file (tmp_path_factory is per worker),
    or on PostgreSQL the named database with the worker's suffix (``consult_test_gw0``), created when missing."""
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        worker = os.environ.get("PYTEST_XDIST_WORKER")
        return _worker_database(url, worker) if worker else url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'consult-test.sqlite3'}"


def _worker_database(url: str, worker: str) -> str:
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    named = make_url(url)
    own = named.set(database=f"{named.database}_{worker}")
    # Connected to the database named in TEST_DATABASE_URL (it exists): CREATE DATABASE runs outside a transaction.
    engine = create_engine(named.set(drivername="postgresql+psycopg"), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            found = connection.scalar(text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": own.database})
            if not found:
                connection.exec_driver_sql(f'CREATE DATABASE "{own.database}"')
    finally:
        engine.dispose()
    return own.render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def _schema(database_url):
    """Build the schema once, through the migrations, exactly as production does."""
    app = create_app({**_testing(), "SQLALCHEMY_DATABASE_URI": database_url})
    with app.app_context():
        _drop_everything()
        upgrade()
        db.engine.dispose()


def _testing() -> dict:
    return {key: getattr(TestingConfig, key) for key in dir(TestingConfig) if key.isupper()}


def _drop_everything() -> None:
    db.drop_all()
    with db.engine.begin() as connection:
        connection.execute(text("DROP TABLE IF EXISTS alembic_version"))


class CompiledTemplates(BytecodeCache):
    """Jinja's compiled templates, kept for the whole test process. Every test builds a new app, whose Jinja
    environment would compile again each template it renders (a fifth of the suite's time); the code is
    keyed by template and checked against the source's checksum, as with Jinja's own file cache."""

    def __init__(self) -> None:
        self.code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        if bucket.key in self.code:
            bucket.bytecode_from_string(self.code[bucket.key])

    def dump_bytecode(self, bucket: Bucket) -> None:
        self.code[bucket.key] = bucket.bytecode_to_string()


COMPILED_TEMPLATES = CompiledTemplates()


def _shared_url_builders() -> None:
    """The URL builders werkzeug compiles (to Python code) for each route of each new app: four fifths of
    building an app, which every test does. A builder's code depends only on the rule's parts (the converters
    are looked up on the rule when it runs), so the apps of one test process share it; rules with defaults,
    which are folded into the code, keep their own."""
    compile_builder = Rule._compile_builder
    builders = {}

    def shared(self, append_unknown=True):
        if self.defaults:
            return compile_builder(self, append_unknown)
        key = (tuple(self._trace), append_unknown)
        if key not in builders:
            builders[key] = compile_builder(self, append_unknown)
        return builders[key]

    Rule._compile_builder = shared


_shared_url_builders()


@pytest.fixture
def app(_schema, database_url):
    """The app on the test database. No app context stays pushed: each request gets its own, as in
    production, so nothing cached on ``g`` (locale, signed-in user) leaks from one request to the next.
    Tests that read the database open one with ``with app.app_context():``."""
    app = create_app({**_testing(), "SQLALCHEMY_DATABASE_URI": database_url})
    app.jinja_env.bytecode_cache = COMPILED_TEMPLATES
    yield app
    with app.app_context():
        db.session.remove()
        # Empty every table, children first, so the next test starts clean.
        with db.engine.begin() as connection:
            for table in reversed(db.metadata.sorted_tables):
                connection.execute(table.delete())
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def seeded(app, runner):
    """The shipped catalogue and zones, loaded by the real command (the monitoring report is left out: the tests
    that need it ask for the ``monitoring`` fixture, so that the rest stay fast)."""
    result = runner.invoke(args=["seed", "--no-monitoring"])
    assert result.exit_code == 0, result.output
    return app


@pytest.fixture
def monitoring(seeded, runner):
    """``seeded`` plus the shipped monitoring report (Città di Torino, Rendiconto 2023), loaded by ``flask seed``."""
    result = runner.invoke(args=["seed"])
    assert result.exit_code == 0, result.output
    return seeded


# --- people ----------------------------------------------------------------------------------

PASSWORD = "correct horse battery staple 42"


@dataclass
class Persona:
    """Someone who uses the app in a test; ``email`` is None for the anonymous visitor."""

    key: str
    email: str | None
    role: str | None
    zones: tuple[int, ...] = ()


PERSONAS = {
    "anonymous": Persona("anonymous", None, None),
    "stakeholder": Persona("stakeholder", "stakeholder@example.org", "stakeholder"),
    "facilitator": Persona("facilitator", "facilitator@example.org", "facilitator", (1,)),
    "other_facilitator": Persona("other_facilitator", "other.facilitator@example.org", "facilitator", (2,)),
    "planner": Persona("planner", "planner@example.org", "planner"),
    "admin": Persona("admin", "admin@example.org", "admin"),
}


@pytest.fixture
def personas(seeded) -> dict[str, Persona]:
    """One confirmed account per role (the facilitator runs zone 1, the other facilitator zone 2)."""
    from sqlalchemy import select

    from consult.auth.services import create_user
    from consult.models import Role, StakeholderCategory, Zone

    with seeded.app_context():
        zones = {zone.code: zone for zone in db.session.scalars(select(Zone))}
        category = db.session.scalar(select(StakeholderCategory).where(StakeholderCategory.code == "comune"))
        for persona in PERSONAS.values():
            if persona.email:
                create_user(
                    persona.email,
                    PASSWORD,
                    display_name=persona.key.replace("_", " ").title(),
                    role=Role(persona.role),
                    category=category,
                    zone=zones[1],
                    facilitated_zones=[zones[code] for code in persona.zones],
                    privacy_accepted=True,
                    confirmed=True,
                )
        db.session.commit()
    return PERSONAS


def csrf_token(client, path: str = "/") -> str:
    """The CSRF token of a form on ``path``, as a browser would have it."""
    html = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', html
    )
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def login(client, email: str, password: str = PASSWORD, **extra):
    """Sign in through the real form; returns the response."""
    token = csrf_token(client, "/login")
    return client.post("/login", data={"email": email, "password": password, "csrf_token": token, **extra})


@pytest.fixture
def client_as(app, personas):
    """``client_as("planner")``: a test client signed in as that persona (anonymous: not signed in)."""

    def make(key: str):
        client = app.test_client()
        persona = personas[key]
        if persona.email:
            response = login(client, persona.email)
            assert response.status_code == 302, response.get_data(as_text=True)
        return client

    return make
