"""Fixtures: one database per test run, emptied after each test.

The database is SQLite in a temporary folder, or the PostgreSQL server named by TEST_DATABASE_URL
(a separate variable from DATABASE_URL, so a test run can never wipe the database you work with).
"""

import os
from pathlib import Path

import pytest
from flask_migrate import upgrade
from sqlalchemy import text

from consult import create_app
from consult.config import TestingConfig
from consult.extensions import db

SHARED = Path(__file__).resolve().parents[2] / "shared"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'consult-test.sqlite3'}"


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


@pytest.fixture
def app(_schema, database_url):
    """The app on the test database. No app context stays pushed: each request gets its own, as in
    production, so nothing cached on ``g`` (locale, signed-in user) leaks from one request to the next.
    Tests that read the database open one with ``with app.app_context():``."""
    app = create_app({**_testing(), "SQLALCHEMY_DATABASE_URI": database_url})
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
    """The shipped catalogue and zones, loaded by the real command."""
    result = runner.invoke(args=["seed"])
    assert result.exit_code == 0, result.output
    return app
