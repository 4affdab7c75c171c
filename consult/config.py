"""Configuration: defaults for a workstation, every setting overridable from the environment."""

import os
import secrets
from pathlib import Path
from typing import ClassVar

INSTANCE_DIR = Path(os.environ.get("CONSULT_INSTANCE", Path(__file__).resolve().parent.parent / "instance"))


def instance_secret_key() -> str:
    """A secret key generated once and kept in the instance folder, for when none is configured."""
    path = INSTANCE_DIR / "secret_key"
    if not path.exists():
        INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
        # Written aside then linked into place: two workers starting together agree on one key.
        draft = path.with_name(f"secret_key.{os.getpid()}.{secrets.token_hex(4)}")
        draft.write_text(secrets.token_hex(32))
        draft.chmod(0o600)
        try:
            os.link(draft, path)
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    return path.read_text().strip()


def database_url(url: str | None) -> str:
    """Normalise a database URL: SQLite file under instance/ by default; PostgreSQL through psycopg 3."""
    if not url:
        INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{INSTANCE_DIR / 'consult.sqlite3'}"
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url.removeprefix(prefix)
    return url


class Config:
    # Both default in create_app (instance folder), so importing this module writes nothing.
    SECRET_KEY = None
    SQLALCHEMY_DATABASE_URI = None
    #: Seconds a pooled PostgreSQL connection may sit idle before it is checked (pinged) on its next use; one
    #: in steady use is not, which SQLAlchemy's pool_pre_ping would do on every request (consult/ops.py).
    DATABASE_PING_AFTER_IDLE = 10
    #: Seconds a request's database statement may run, and may wait for a lock, before the request gives up
    #: with a 503: well below gunicorn's worker timeout (30 s, gunicorn.conf.py), so workers are not killed.
    DATABASE_STATEMENT_TIMEOUT = 10
    DATABASE_LOCK_TIMEOUT = 5

    #: The plan the platform consults on; its catalogue is loaded by ``flask seed``.
    PLAN_CODE = "PSM-2024-2026"

    LANGUAGES = ("it", "en")
    BABEL_DEFAULT_LOCALE = "it"
    BABEL_DEFAULT_TIMEZONE = "Europe/Rome"
    BABEL_TRANSLATION_DIRECTORIES = "../translations"
    LANGUAGE_COOKIE = "consult_lang"

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_DURATION = 30 * 24 * 3600
    PERMANENT_SESSION_LIFETIME = 12 * 3600

    #: The site's public address, e.g. ``https://consult.example.org``: full links built outside a request
    #: (``flask sessions projection-link``) need it, and when set every full link uses it (QR codes too).
    BASE_URL = None

    MAIL_SERVER = None  # unset: emails are written to the log instead of sent
    MAIL_PORT = 25
    MAIL_DEFAULT_SENDER = "consult <noreply@localhost>"
    #: Links in emails expire after these many seconds.
    CONFIRM_EMAIL_MAX_AGE = 7 * 24 * 3600
    RESET_PASSWORD_MAX_AGE = 3600
    #: An invitation to a staff account: long enough to reach someone back from a week away.
    INVITATION_MAX_AGE = 7 * 24 * 3600
    #: Bumped when the privacy notice changes; accounts record the version they accepted.
    PRIVACY_VERSION = "2026-11"

    # A workshop lasts a day: a form opened in the morning must still submit in the afternoon.
    WTF_CSRF_TIME_LIMIT = 12 * 3600

    #: How many reverse proxies stand in front of the app (their X-Forwarded-For/-Proto are trusted); 0 = none.
    PROXY_HOPS = 0

    #: "memory://" counts per process: exact with one gunicorn worker (`make run`); several workers need a
    #: shared store, e.g. "redis://localhost:6379/0" (README, Production).
    RATELIMIT_STORAGE_URI = "memory://"
    # The limited routes are forms, not an API: X-RateLimit-* headers on every answer would cost one more trip
    # to the limits' store per request and inform nobody. A refusal (429) says when to try again in
    # Retry-After (consult/web.py).
    RATELIMIT_HEADERS_ENABLED = False

    @staticmethod
    def from_environ() -> dict:
        """Settings read at app creation time, so tests can change the environment first."""
        settings = {
            "SESSION_COOKIE_SECURE": os.environ.get("SESSION_COOKIE_SECURE", "").lower() in ("1", "true", "yes"),
        }
        for name in (
            "BASE_URL",
            "RATELIMIT_STORAGE_URI",
            "MAIL_SERVER",
            "MAIL_USERNAME",
            "MAIL_PASSWORD",
            "MAIL_DEFAULT_SENDER",
        ):
            if value := os.environ.get(name):
                settings[name] = value
        if hops := os.environ.get("PROXY_HOPS"):
            settings["PROXY_HOPS"] = int(hops)
        for name in ("DATABASE_STATEMENT_TIMEOUT", "DATABASE_LOCK_TIMEOUT", "DATABASE_PING_AFTER_IDLE"):
            if value := os.environ.get(name):
                settings[name] = float(value)
        if port := os.environ.get("MAIL_PORT"):
            settings["MAIL_PORT"] = int(port)
        for flag in ("MAIL_USE_TLS", "MAIL_USE_SSL"):
            if flag in os.environ:
                settings[flag] = os.environ[flag].lower() in ("1", "true", "yes")
        # The results' caches (consult/results/counts.py); an empty RESULTS_CACHE_DIR turns the disk cache off.
        if "RESULTS_CACHE_DIR" in os.environ:
            settings["RESULTS_CACHE_DIR"] = os.environ["RESULTS_CACHE_DIR"]
        for name in ("RESULTS_CACHE_BYTES", "RESULTS_CACHE_DISK_BYTES"):
            if value := os.environ.get(name):
                settings[name] = int(value)
        if key := os.environ.get("SECRET_KEY"):
            settings["SECRET_KEY"] = key
        if url := os.environ.get("DATABASE_URL"):
            settings["SQLALCHEMY_DATABASE_URI"] = database_url(url)
        return settings


class TestingConfig(Config):
    TESTING = True
    SECRET_KEY = "testing-only-secret-key"  # noqa: S105
    # Cheap hashing keeps the suite fast; production uses argon2-cffi's defaults.
    ARGON2_PARAMS: ClassVar[dict] = {"time_cost": 1, "memory_cost": 1024, "parallelism": 1}
    WTF_CSRF_ENABLED = True
    RATELIMIT_ENABLED = False
