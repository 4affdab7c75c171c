"""consult: participatory consultation platform for metropolitan strategic planning."""

import os
import sqlite3

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine
from werkzeug.middleware.proxy_fix import ProxyFix

from consult.config import Config, database_url, instance_secret_key


def create_app(config: type[Config] | dict | None = None) -> Flask:
    """Build the application; ``config`` is a Config class or a mapping of overrides."""
    app = Flask(
        __name__,
        template_folder="../templates",
        static_folder="../static",
        instance_relative_config=True,
    )
    app.config.from_object(Config)
    app.config.update(Config.from_environ())
    if isinstance(config, dict):
        app.config.update(config)
    elif config is not None:
        app.config.from_object(config)
    if not app.config["SECRET_KEY"]:
        app.config["SECRET_KEY"] = instance_secret_key()
    app.config["SQLALCHEMY_DATABASE_URI"] = database_url(app.config["SQLALCHEMY_DATABASE_URI"])

    # Open-data JSON keeps the order a reader expects (code, title, then children).
    app.json.sort_keys = False

    from flask_babel import lazy_gettext as _l

    from consult import backup, cli, i18n, ops, web
    from consult.auth.services import load_user
    from consult.extensions import babel, csrf, db, limiter, login_manager, mail, migrate

    web.register_converters(app)
    db.init_app(app)
    ops.install_connection_checks(app)  # first: its checkout listener must run before any other's
    ops.install_time_limits(app)
    migrate.init_app(
        app, db, directory=os.path.normpath(os.path.join(app.root_path, "..", "migrations")), render_as_batch=True
    )
    babel.init_app(app, locale_selector=i18n.select_locale)
    csrf.init_app(app)
    limiter.init_app(app)
    mail.init_app(app)
    login_manager.init_app(app)
    login_manager.user_loader(load_user)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Accedi per vedere questa pagina.")
    login_manager.login_message_category = "info"
    # A stolen session cookie stops working when the browser's address or agent changes.
    login_manager.session_protection = "basic"
    app.config["REMEMBER_COOKIE_SECURE"] = app.config["SESSION_COOKIE_SECURE"]

    from consult.admin import bp as admin_bp
    from consult.api import bp as api_bp
    from consult.auth import bp as auth_bp
    from consult.facilitate import bp as facilitate_bp
    from consult.i18n import bp as i18n_bp
    from consult.moderation import bp as moderation_bp
    from consult.monitoring import bp as monitoring_bp
    from consult.paper import bp as paper_bp
    from consult.participation import bp as participation_bp
    from consult.plan import bp as plan_bp
    from consult.projection import bp as projection_bp
    from consult.public import bp as public_bp
    from consult.results import bp as results_bp
    from consult.synthesis import bp as synthesis_bp

    app.register_blueprint(public_bp)
    app.register_blueprint(plan_bp)
    app.register_blueprint(i18n_bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(participation_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(results_bp)
    app.register_blueprint(facilitate_bp)
    app.register_blueprint(synthesis_bp)
    app.register_blueprint(projection_bp)
    app.register_blueprint(moderation_bp)
    app.register_blueprint(monitoring_bp)
    app.register_blueprint(paper_bp)
    app.register_blueprint(ops.bp)

    web.init_app(app)
    cli.init_app(app)
    backup.init_app(app)
    if hops := int(app.config["PROXY_HOPS"]):
        # Behind that many reverse proxies, the client's address and scheme are the ones they forward;
        # with none configured, X-Forwarded-* headers are ignored (anyone could send them).
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    return app


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record) -> None:
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    # WAL lets the projector read results while ballots are being written; SQLite leaves
    # foreign keys off unless asked on every connection.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()
