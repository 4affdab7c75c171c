"""Language choice: cookie, then the signed-in person's preference, then Accept-Language."""

from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, g, has_request_context, redirect, request, url_for
from flask_login import current_user

from consult.permissions import public

bp = Blueprint("i18n", __name__)


def select_locale() -> str:
    """The locale for this request (the default one for commands run outside a request)."""
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    chosen = request.cookies.get(current_app.config["LANGUAGE_COOKIE"])
    if chosen in languages:
        return chosen
    # The account's preference needs the database; an error page for an unavailable one does without.
    if not g.get("database_unavailable") and current_user.is_authenticated and current_user.language in languages:
        return current_user.language
    return request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]


def safe_next(target: str | None, fallback: str | None) -> str | None:
    """``target`` if it is a path on this site, else ``fallback``: never an open redirect."""
    if not target:
        return fallback
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return fallback
    if "\\" in target:
        return fallback
    return target


@bp.post("/language/<code>")
@public
def set_language(code: str):
    """Remember the chosen language in a cookie (and the account) and go back where the person was."""
    if code not in current_app.config["LANGUAGES"]:
        abort(404)
    if current_user.is_authenticated and current_user.language != code:
        current_user.language = code
    response = redirect(safe_next(request.form.get("next"), url_for("public.home")))
    response.set_cookie(
        current_app.config["LANGUAGE_COOKIE"],
        code,
        max_age=365 * 24 * 3600,
        samesite="Lax",
        secure=current_app.config.get("SESSION_COOKIE_SECURE", False),
        httponly=True,
    )
    return response
