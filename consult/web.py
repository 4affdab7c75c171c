"""Request-wide behaviour: error pages, template globals, security headers."""

import math
import time
from functools import cache

from flask import Flask, current_app, g, make_response, render_template, request, session
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy.exc import DataError, SQLAlchemyError
from werkzeug.exceptions import BadRequest, HTTPException, InternalServerError
from werkzeug.routing import IntegerConverter
from wtforms.fields.core import UnboundField

from consult import ops, text
from consult.extensions import db, give_back_limits, limiter, login_manager
from consult.i18n import dates, safe_next
from consult.participation.access import COOKIE_KEY
from consult.permissions import can, check_declared

ERROR_MESSAGES = {
    400: (_l("Richiesta non valida"), _l("La richiesta non è stata compresa. Torna indietro e riprova.")),
    403: (_l("Accesso negato"), _l("Non hai i permessi per vedere questa pagina.")),
    404: (_l("Pagina non trovata"), _l("La pagina che cerchi non esiste o è stata spostata.")),
    405: (_l("Operazione non consentita"), _l("Questa pagina non accetta questo tipo di richiesta.")),
    429: (_l("Troppe richieste"), _l("Hai fatto troppe richieste in poco tempo. Attendi qualche minuto e riprova.")),
    500: (_l("Errore del servizio"), _l("Si è verificato un errore imprevisto. Riprova più tardi.")),
    503: (
        _l("Servizio momentaneamente non disponibile"),
        _l("Il servizio è momentaneamente non disponibile. Riprova tra qualche istante."),
    ),
}

#: Seconds a client is asked to wait before retrying while the database is unavailable.
RETRY_AFTER = 10

#: Submitted fields never shown back on the 503 page (a password is typed again, not echoed).
_NOT_ECHOED = ("password", "csrf_token")

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self' data:",  # Bootstrap Italia's CSS embeds one icon font as a data: URI
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


class BoundedIntConverter(IntegerConverter):
    """``<int:...>`` in every route: a number the database can hold, so a larger one is a 404, not a 500."""

    def __init__(self, url_map, **kwargs):
        kwargs.setdefault("max", text.MAX_INT)
        super().__init__(url_map, **kwargs)


def register_converters(app: Flask) -> None:
    """Before any route is added: the converters the routes' rules are built with."""
    app.url_map.converters["int"] = BoundedIntConverter


def init_app(app: Flask) -> None:
    check_declared(app)

    @app.context_processor
    def template_globals():
        return {
            "current_locale": str(get_locale()),
            "languages": [("it", "Italiano"), ("en", "English")],
            "current_path": request.full_path.rstrip("?") if request else "/",
        }

    # Match extraction (babel.cfg: trimmed = true), or multi-line {% trans %} blocks never find their translation.
    app.jinja_env.policies["ext.i18n.trimmed"] = True
    app.jinja_env.globals["safe_next"] = safe_next
    app.jinja_env.globals["can"] = can
    app.jinja_env.filters["user_text"] = text.render
    # The one way dates are shown on pages (consult/i18n/dates.py).
    app.jinja_env.filters["when"] = dates.when

    @app.before_request
    def count_flashes():
        # What was queued before this request (e.g. "signed in" before a redirect) outlives its failure.
        g.flashes_before = len(session.get("_flashes", ()))

    # Registered first, so it runs last, on the final answer (commit_request may yet make it a 503).
    app.after_request(give_back_limits)

    @app.after_request
    def security_headers(response):
        # Registered before commit_request, so it runs after it (Flask runs these in reverse) and the 503
        # page commit_request may return gets the headers too.
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        if request.is_secure:
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        response.vary.add("Accept-Language")
        response.vary.add("Cookie")
        if request.endpoint != "static" and _personal():
            # Someone's own pages (their account, their ranking, results not yet published that only staff
            # see): never kept by the browser's history cache or a proxy between them and us.
            response.headers.setdefault("Cache-Control", "private, no-store")
        return response

    @app.after_request
    def commit_request(response):
        """The one commit of a request: whatever the view wrote, once it has returned without an error.

        Views and services only add and flush. A view that catches a DomainError rolls back itself; any
        other error reaches the handlers below, which roll back before rendering the error page.
        Committing here, before the response leaves, means a write that fails is never acknowledged."""
        touched = db.session().in_transaction()
        try:
            db.session.commit()
        except SQLAlchemyError as error:
            if not ops.database_unavailable(error):
                raise
            return unavailable(error)
        if touched:
            ops.database_answered()
        return response

    @app.errorhandler(SQLAlchemyError)
    def database_error(error: SQLAlchemyError):
        if ops.database_unavailable(error):
            return unavailable(error)
        if isinstance(error, DataError):
            # The database refused a value the view let through (a number out of range, a NUL in text):
            # the request was bad, nothing was kept. Logged, as the view should have caught it first.
            app.logger.warning("Refused by the database as bad input: %s", ops.cause(error))
            return http_error(BadRequest())
        raise error  # a bug: the 500 handler logs it and renders the error page

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        # Nothing of a refused or failed request is kept, and the error page renders from a clean session
        # (a failed flush leaves the session unusable until it is rolled back).
        original = getattr(error, "original_exception", None) if isinstance(error, InternalServerError) else None
        if isinstance(original, SQLAlchemyError) and ops.database_unavailable(original):
            return unavailable(original)
        _rollback()
        headers = {"Retry-After": str(_retry_after())} if error.code == 429 else {}
        if request.path.startswith("/api/"):
            return {"error": error.name, "status": error.code}, error.code, headers
        title, message = ERROR_MESSAGES.get(error.code, (error.name, error.description))
        return error_page("errors/error.html", error.code, title=title, message=message), error.code, headers


def _retry_after() -> int:
    """Seconds until the limit that refused the request lets the person try again; a minute if no limit
    of Flask-Limiter's did (a view refusing by itself)."""
    refused = limiter.current_limit
    if refused is None or not refused.breached:
        return 60
    return max(1, math.ceil(refused.window.reset_time - time.time()))


def _personal() -> bool:
    """Whether this request comes from someone identified: signed in, or taking part with a room code.

    Read from the signed session cookie, not from the database (a 503 page asks too)."""
    return "_user_id" in session or COOKIE_KEY in session or "remember_token" in request.cookies


def _rollback() -> None:
    _forget_flashes()
    try:
        db.session.rollback()
    except SQLAlchemyError:
        # The connection is gone: nothing was kept anyway; drop the session so the next request starts afresh.
        db.session.close()


def _forget_flashes() -> None:
    """A failed request's messages ("your ranking has been saved") are untrue once its writes are undone."""
    flashes = session.get("_flashes")
    before = g.get("flashes_before", 0)
    if flashes and len(flashes) > before:
        session["_flashes"] = flashes[:before]


def error_page(template: str, code: int, **context) -> str:
    """An error page that renders even when the database does not answer.

    The header shows the signed-in person, whom Flask-Login loads from the database: if that fails, the
    page is rendered again without anything that needs the database (no account menu, locale from the
    cookie or the browser)."""
    if not g.get("database_unavailable"):
        try:
            return render_template(template, code=code, **context)
        except SQLAlchemyError:
            _rollback()
            _without_database()
    return render_template(template, code=code, **context)


def _without_database() -> None:
    """Render the rest of this request without the database: nobody is loaded as signed in."""
    g.database_unavailable = True
    # Flask-Login keeps the request's user on g and loads it (from the database) for every template.
    g._login_user = login_manager.anonymous_user()


def unavailable(error: Exception):
    """503 for a database that is down, locked or too slow: try again in a moment, with what was sent."""
    ops.database_failed(error)
    _rollback()
    _without_database()
    if request.path.startswith("/api/"):
        body = {"error": "Service Unavailable", "status": 503}
        return make_response((body, 503, {"Retry-After": str(RETRY_AFTER)}))
    title, message = ERROR_MESSAGES[503]
    page = error_page("errors/unavailable.html", 503, title=title, message=message, resend=_resend())
    return make_response((page, 503, {"Retry-After": str(RETRY_AFTER), "Cache-Control": "no-store"}))


def _field_label(name: str) -> object:
    """What a posted field is called on its form, found without the database: the label of the field of
    that name in the forms of the package that answers this request (else in any form), or the strategy
    for a ranking position; the bare name if none matches. Labels stay lazy: the page is translated into
    the language it is rendered in."""
    if name.startswith("position-"):
        return _l("Posizione della strategia %(code)s", code=name.removeprefix("position-"))
    # A nested field ("actors-0-role") is labelled by its last part.
    short = name.rsplit("-", 1)[-1]
    view = current_app.view_functions.get(request.endpoint or "")
    package = (view.__module__ if view else "").rpartition(".")[0]
    labels = _form_labels()
    found = labels.get((package, short)) or labels.get(("", short))
    return found or name


@cache
def _form_labels() -> dict[tuple[str, str], object]:
    """Field labels by (package, field name) and by ("", field name), from every form class."""
    labels: dict[tuple[str, str], object] = {}
    forms = list(FlaskForm.__subclasses__())
    while forms:
        form = forms.pop()
        forms.extend(form.__subclasses__())
        package = form.__module__.rpartition(".")[0]
        for attribute, field in vars(form).items():
            if isinstance(field, UnboundField):
                label = field.kwargs.get("label") or (field.args[0] if field.args else None)
                if label:
                    labels.setdefault((package, attribute), label)
                    labels.setdefault(("", attribute), label)
    return labels


def _resend() -> dict | None:
    """What the person just submitted, to be offered back on the 503 page so that nothing is typed twice."""
    if request.method != "POST":
        return None
    texts, hidden = [], []
    for name, value in request.form.items(multi=True):
        if any(word in name.lower() for word in _NOT_ECHOED):
            continue
        # Free text gets a box the person can read, change and copy; choices and numbers travel hidden.
        (texts if len(value) > 40 or "\n" in value or " " in value.strip() else hidden).append((name, value))
    return {
        "action": request.full_path.rstrip("?"),
        "texts": [(name, _field_label(name), value) for name, value in texts],
        "hidden": hidden,
        "choices": [(_field_label(name), value) for name, value in hidden if value],
        "files": [file.filename for file in request.files.values() if file.filename],
        "password": any("password" in name.lower() for name in request.form),
    }
