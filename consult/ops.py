"""Operations: telling a database outage from a bug, and logging an outage once rather than per request."""

import gc
import logging
import threading
import time
from contextvars import ContextVar

from flask import Blueprint, Flask, has_request_context
from sqlalchemy import event, text
from sqlalchemy.exc import DBAPIError, DisconnectionError, InterfaceError, OperationalError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

from consult.extensions import db
from consult.permissions import public

log = logging.getLogger("consult.outage")

#: OperationalError messages that are bugs or schema mismatches, not an unavailable database.
_NOT_AN_OUTAGE = ("no such table", "no such column", "syntax error", "has no column", "undefined")

#: While an outage lasts, one summary line at most this often (seconds).
SUMMARY_EVERY = 60


def database_unavailable(error: BaseException) -> bool:
    """Whether ``error`` says the database is down, locked, full, read-only or too slow: a 503, not a bug."""
    if isinstance(error, PoolTimeoutError):
        return True
    if not isinstance(error, DBAPIError):
        return False
    if error.connection_invalidated:
        return True
    if _read_only(error.orig):
        return True
    if isinstance(error, OperationalError | InterfaceError):
        # psycopg's OperationalError covers refused connections, statement and lock timeouts, a full disk,
        # a server shutting down, deadlocks; sqlite3's covers "database is locked", "readonly database",
        # "disk I/O error", "database or disk is full", "unable to open database file".
        message = str(error.orig).lower()
        return not any(words in message for words in _NOT_AN_OUTAGE)
    return False


def _read_only(original: BaseException | None) -> bool:
    """SQLite opened the file read-only (it was not writable then), or PostgreSQL is a read-only standby."""
    message = str(original).lower()
    return "readonly database" in message or "read-only transaction" in message


def cause(error: BaseException) -> str:
    """One line saying why the database failed, without the SQL statement or its parameters."""
    original = getattr(error, "orig", None) or error
    first_line = (str(original).strip().splitlines() or [""])[0]
    return f"{type(original).__module__}.{type(original).__name__}: {first_line}"[:300]


class _Outage:
    """This process's view of the database's health: when it started failing, why, and how often since."""

    def __init__(self):
        self.lock = threading.Lock()
        self.since: float | None = None
        self.failures = 0
        self.last_summary = 0.0
        self.cause = ""

    def failed(self, error: BaseException) -> None:
        now = time.monotonic()
        with self.lock:
            if self.since is None:
                self.since, self.failures, self.last_summary, self.cause = now, 1, now, cause(error)
                log.error("Database unavailable: %s (further failures are counted, not logged)", self.cause)
                return
            self.failures += 1
            if now - self.last_summary >= SUMMARY_EVERY:
                self.last_summary = now
                log.error(
                    "Database still unavailable after %.0f s: %d failed requests so far (%s)",
                    now - self.since,
                    self.failures,
                    cause(error),
                )

    def answered(self) -> None:
        if self.since is None:  # the usual case, checked without taking the lock
            return
        with self.lock:
            if self.since is None:
                return
            log.warning(
                "Database available again after %.1f s; %d requests failed meanwhile (%s)",
                time.monotonic() - self.since,
                self.failures,
                self.cause,
            )
            self.since, self.failures = None, 0


outage = _Outage()


def database_failed(error: SQLAlchemyError) -> None:
    """Record a request that failed because the database is unavailable."""
    outage.failed(error)


def database_answered() -> None:
    """Record a request whose database work went through (ends an outage, if one was going on)."""
    outage.answered()


# --- database connections: checked after idling, time limits on their work ---------------------------

#: Set when a connection turned out to be read-only: the request's teardown reopens every connection.
_reopen = threading.Event()

#: The deadline of the request being served by this thread (SQLite aborts statements past it).
_deadline: ContextVar[float | None] = ContextVar("consult_request_deadline", default=None)


def install_connection_checks(app: Flask) -> None:
    """Replace a pooled PostgreSQL connection the server dropped while it sat in the pool (a restart, a
    failover, a firewall's idle timeout) before a request uses it: the pool opens another one when a checkout
    listener raises DisconnectionError.

    Only a connection idle for DATABASE_PING_AFTER_IDLE seconds is pinged. Pinging on every checkout
    (SQLAlchemy's pool_pre_ping) is one more round trip per request: 6 % of a ranking submission's
    throughput. A connection in steady use that breaks fails its request with the 503 page, and SQLAlchemy
    replaces the pool on that disconnect."""
    with app.app_context():
        engine = db.engine
    if engine.dialect.name != "postgresql":
        return  # a SQLite file has no server to lose
    idle = float(app.config["DATABASE_PING_AFTER_IDLE"])

    @event.listens_for(engine, "checkin")
    def _idle_from(_dbapi_connection, record):
        record.info["consult_idle_from"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _ping_when_idle(dbapi_connection, record, _proxy):
        idle_from = record.info.get("consult_idle_from")
        if idle_from is not None and time.monotonic() - idle_from > idle:
            try:
                engine.dialect.do_ping(dbapi_connection)
            except engine.dialect.loaded_dbapi.Error as error:
                raise DisconnectionError(str(error)) from error


def install_time_limits(app: Flask) -> None:
    """Bound the database work of a request well below the worker timeout, so a frozen or locked database
    gives a 503 in seconds instead of a worker killed at 30 s.

    PostgreSQL: ``statement_timeout`` and ``lock_timeout`` on every connection a request uses (commands run
    from the CLI, such as an import or a migration, keep the server's defaults). SQLite: the busy timeout
    (how long a writer waits for the lock) and a progress handler that interrupts a statement past the
    request's deadline."""
    statement = float(app.config["DATABASE_STATEMENT_TIMEOUT"])
    lock = float(app.config["DATABASE_LOCK_TIMEOUT"])
    with app.app_context():
        engine = db.engine
    if engine.dialect.name == "postgresql":
        wanted = (int(statement * 1000), int(lock * 1000))

        @event.listens_for(engine, "checkout")
        def _postgresql_limits(dbapi_connection, record, _proxy):
            # Set once per connection and remembered on it: a pooled connection costs nothing more.
            limits = wanted if has_request_context() else (0, 0)
            if record.info.get("consult_limits") != limits:
                cursor = dbapi_connection.cursor()
                cursor.execute(
                    "SELECT set_config('statement_timeout', %s, false), set_config('lock_timeout', %s, false)",
                    (f"{limits[0]}ms", f"{limits[1]}ms"),
                )
                cursor.close()
                dbapi_connection.commit()
                record.info["consult_limits"] = limits

    elif engine.dialect.name == "sqlite":

        @event.listens_for(engine, "connect")
        def _sqlite_limits(dbapi_connection, _record):
            dbapi_connection.execute(f"PRAGMA busy_timeout={int(lock * 1000)}")
            dbapi_connection.set_progress_handler(_past_deadline, 10_000)

    @event.listens_for(engine, "handle_error")
    def _reconnect_when_read_only(context):
        # SQLite silently opens a file it cannot write read-only, and the pool's ping passes: without this,
        # that connection would refuse every write for the worker's lifetime. Treated as a lost connection,
        # it is dropped, and the next request opens the file afresh, read-write once it is writable again
        # (PostgreSQL: a primary that became a standby after a failover).
        if _read_only(context.original_exception):
            context.is_disconnect = True
            context.invalidate_pool_on_disconnect = True
            _reopen.set()

    @app.teardown_appcontext
    def _reopen_read_write(_error=None):
        # SQLite shares one read-only index (-shm) among all the process's connections to the file, so a
        # connection opened while any read-only one is still open, even one closed but not yet freed, would
        # be read-only too, and replacing connections one by one would never end. Once the failed request
        # is over, close them all and free the closed ones still waiting for the garbage collector.
        if _reopen.is_set():
            _reopen.clear()
            db.session.remove()
            db.engine.dispose()
            gc.collect()

    @app.before_request
    def _start_clock():
        _deadline.set(time.monotonic() + statement)

    @app.teardown_request
    def _stop_clock(_error=None):
        _deadline.set(None)


def _past_deadline() -> int:
    deadline = _deadline.get()
    return 1 if deadline is not None and time.monotonic() > deadline else 0


# --- health check ----------------------------------------------------------------------------------

bp = Blueprint("ops", __name__)


@bp.get("/healthz")
@public
def health():
    """For the reverse proxy or the orchestrator: 200 when the database answers, 503 when it does not.

    Nothing personal and nothing about the software: a status word, and how long the database took."""
    started = time.monotonic()
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError as error:
        database_failed(error)
        db.session.rollback()
        body = {"status": "unavailable", "database": "unavailable"}
        return body, 503, {"Retry-After": "10", "Cache-Control": "no-store"}
    milliseconds = round((time.monotonic() - started) * 1000, 1)
    return {"status": "ok", "database": "ok", "database_ms": milliseconds}, 200, {"Cache-Control": "no-store"}
