"""`flask backup FILE` and `flask restore FILE`: a consistent copy taken while people are submitting, and back.

SQLite is copied with its online backup API (a plain `cp` of the file misses what is still in the WAL);
PostgreSQL with `pg_dump --format=custom` and `pg_restore`. A restore refuses a database that already
holds data unless told `--force`, checks that the copy's schema is one this code knows, and then runs the
migrations the copy is missing.
"""

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

import click
from alembic.script import ScriptDirectory
from flask import current_app
from flask.cli import with_appcontext
from flask_migrate import upgrade
from sqlalchemy import inspect, text
from sqlalchemy.engine import make_url

from consult.extensions import db, migrate

#: Tables whose rows make a database "not empty" for `restore`.
_DATA_TABLES = ("user", "consultation", "participant")


def _known_revisions() -> set[str]:
    config = migrate.get_config()
    return {script.revision for script in ScriptDirectory.from_config(config).walk_revisions()}


def _libpq_url() -> str:
    """The database URL as pg_dump and pg_restore read it (no SQLAlchemy driver name)."""
    url = make_url(current_app.config["SQLALCHEMY_DATABASE_URI"]).set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


def _sqlite_path() -> Path:
    return Path(make_url(current_app.config["SQLALCHEMY_DATABASE_URI"]).database)


def _sqlite_copy(source: str, target: Path) -> None:
    """Copy a SQLite database with its online backup API (``source`` may be a ``file:`` URI)."""
    reader = sqlite3.connect(source, uri=source.startswith("file:"))
    writer = sqlite3.connect(target)
    try:
        reader.backup(writer)
    finally:
        writer.close()
        reader.close()


def _tool(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise click.ClickException(
            f"{name} is needed for PostgreSQL backups (Debian: apt-get install postgresql-client)"
        )
    return found


def _has_data() -> bool:
    tables = set(inspect(db.engine).get_table_names())
    with db.engine.connect() as connection:
        return any(
            connection.execute(text(f'SELECT 1 FROM "{table}" LIMIT 1')).first() is not None  # noqa: S608 - fixed names
            for table in _DATA_TABLES
            if table in tables
        )


@click.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, writable=True, path_type=Path))
@with_appcontext
def backup_command(file: Path) -> None:
    """Write a consistent copy of the database to FILE, safe to take while people are submitting."""
    draft = file.with_name(f".{file.name}.partial")
    if db.engine.dialect.name == "sqlite":
        # One consistent snapshot, including what is still in the WAL file.
        _sqlite_copy(str(_sqlite_path()), draft)
    elif db.engine.dialect.name == "postgresql":
        result = subprocess.run(  # noqa: S603 - our own argument list
            [_tool("pg_dump"), "--format=custom", "--no-owner", "--file", str(draft), "--dbname", _libpq_url()],
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            draft.unlink(missing_ok=True)
            raise click.ClickException(f"pg_dump failed: {result.stderr.strip()}")
    else:
        raise click.ClickException(f"no backup method for {db.engine.dialect.name}")
    os.replace(draft, file)  # a backup file is whole or absent, never half-written
    click.echo(f"backup: {file} ({file.stat().st_size:,} bytes)")


def _revision_of_sqlite_file(path: Path) -> str | None:
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return connection.execute("SELECT version_num FROM alembic_version").fetchone()[0]
    except sqlite3.DatabaseError:
        return None
    finally:
        connection.close()


@click.command("restore")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace a database that already holds data.")
@with_appcontext
def restore_command(file: Path, force: bool) -> None:
    """Replace the database with the backup in FILE, then apply the migrations it is missing."""
    if _has_data() and not force:
        raise click.ClickException(
            "the database already holds data; restoring would replace it. Run again with --force to do so."
        )
    known = _known_revisions()
    if db.engine.dialect.name == "sqlite":
        revision = _revision_of_sqlite_file(file)
        if revision is None:
            raise click.ClickException(f"{file} is not a consult backup (no schema version in it)")
        if revision not in known:
            raise click.ClickException(
                f"{file} has schema version {revision}, which this code does not know: restore it with the "
                "version of consult that took it, or a newer one"
            )
        db.session.remove()
        db.engine.dispose()
        _sqlite_copy(f"file:{file}?mode=ro", _sqlite_path())
    elif db.engine.dialect.name == "postgresql":
        db.session.remove()
        db.engine.dispose()
        result = subprocess.run(  # noqa: S603 - our own argument list
            [
                _tool("pg_restore"),
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                "--dbname",
                _libpq_url(),
                str(file),
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise click.ClickException(f"pg_restore failed (the database is unchanged): {result.stderr.strip()}")
        with db.engine.connect() as connection:
            revision = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
        if revision not in known:
            raise click.ClickException(
                f"the backup has schema version {revision}, which this code does not know: run the version of "
                "consult that took it, or a newer one"
            )
    else:
        raise click.ClickException(f"no restore method for {db.engine.dialect.name}")
    db.engine.dispose()
    upgrade()  # the migrations added since the backup was taken
    click.echo(f"restore: {file} restored (schema version {revision}, migrated to the current one)")


def init_app(app) -> None:
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
