"""Request-wide behaviour: error pages, template globals, security headers."""

from flask import Flask, render_template, request
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException

from consult import text
from consult.extensions import db
from consult.i18n import dates, safe_next
from consult.permissions import can, check_declared

ERROR_MESSAGES = {
    400: (_l("Richiesta non valida"), _l("La richiesta non è stata compresa. Torna indietro e riprova.")),
    403: (_l("Accesso negato"), _l("Non hai i permessi per vedere questa pagina.")),
    404: (_l("Pagina non trovata"), _l("La pagina che cerchi non esiste o è stata spostata.")),
    405: (_l("Operazione non consentita"), _l("Questa pagina non accetta questo tipo di richiesta.")),
    429: (_l("Troppe richieste"), _l("Hai fatto troppe richieste in poco tempo. Attendi qualche minuto e riprova.")),
    500: (_l("Errore del servizio"), _l("Si è verificato un errore imprevisto. Riprova più tardi.")),
}

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

    @app.after_request
    def commit_request(response):
        """The one commit of a request: whatever the view wrote, once it has returned without an error.

        Views and services only add and flush. A view that catches a DomainError rolls back itself; any
        other error reaches the handlers below, which roll back before rendering the error page.
        Committing here, before the response leaves, means a write that fails is never acknowledged."""
        db.session.commit()
        return response

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        # Nothing of a refused or failed request is kept, and the error page renders from a clean session
        # (a failed flush leaves the session unusable until it is rolled back).
        db.session.rollback()
        if request.path.startswith("/api/"):
            return {"error": error.name, "status": error.code}, error.code
        title, message = ERROR_MESSAGES.get(error.code, (error.name, error.description))
        return render_template("errors/error.html", code=error.code, title=title, message=message), error.code

    @app.after_request
    def security_headers(response):
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        if request.is_secure:
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        response.vary.add("Accept-Language")
        response.vary.add("Cookie")
        return response
