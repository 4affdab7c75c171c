"""The projection page and its JSON (through the link's key), and the staff page that controls them."""

from dataclasses import asdict

from flask import abort, flash, jsonify, make_response, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _

from consult.extensions import db
from consult.models import ConsultationSession
from consult.participation.forms import EmptyForm
from consult.permissions import authorize, public, requires
from consult.projection import bp, services

MANAGE_URL = "/zones/<int:zone_code>/sessions/<int:session_id>/projection"
SCREEN_URL = "/projection/<int:session_id>/<key>"
#: How often the screen asks for news, in milliseconds.
POLL_MS = 3000


def _keyed_session(session_id: int, key: str) -> ConsultationSession:
    """The session whose projection ``key`` opens; 404 for a wrong or revoked key (nothing is revealed)."""
    session = db.session.get(ConsultationSession, session_id)
    if session is None or not services.key_matches(session, key):
        abort(404)
    return session


def _no_store(response):
    # The screen is live: the browser must ask every time (and may be answered 304).
    response.headers["Cache-Control"] = "no-cache, private"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


@bp.get(SCREEN_URL)
@public  # the key in the URL is the permission: it opens this session's projection and nothing else
def screen(session_id: int, key: str):
    """The full-screen page for the room's projector."""
    session = _keyed_session(session_id, key)
    locale = str(get_locale())
    join_url = services.join_url()
    page = render_template(
        "projection/screen.html",
        session=session,
        screen=services.screen(session, locale),
        join_url=join_url,
        short_address=services.short_address(join_url),
        qr_svg=services.qr_svg(join_url),
        state_url=url_for(".state", session_id=session.id, key=key),
        poll_ms=POLL_MS,
    )
    return _no_store(make_response(page))


@bp.get(SCREEN_URL + "/state")
@public  # the key in the URL is the permission, as for the page
def state(session_id: int, key: str):
    """What the screen shows, as JSON; 304 without counting anything when nothing changed."""
    session = _keyed_session(session_id, key)
    locale = str(get_locale())
    etag = services.etag(session, locale)
    if etag in request.if_none_match:
        response = make_response("", 304)
        response.set_etag(etag)
        return _no_store(response)
    screen = services.screen(session, locale)
    data = asdict(screen)
    data["html"] = {
        "participation": render_template("projection/_participation.html", screen=screen),
        "ranking": render_template("projection/_ranking.html", screen=screen),
    }
    response = jsonify(data)
    response.set_etag(etag)
    return _no_store(response)


# --- staff ------------------------------------------------------------------------------------------


def _staff_session(zone_code: int, session_id: int) -> ConsultationSession:
    session = db.session.get(ConsultationSession, session_id)
    if session is None or session.zone.code != zone_code:
        abort(404)
    authorize("zone.projection", session.zone)
    return session


def _to_manage(session: ConsultationSession):
    return redirect(url_for(".manage", zone_code=session.zone.code, session_id=session.id), 303)


def _checked_form() -> None:
    if not EmptyForm().validate_on_submit():
        abort(400)


@bp.get(MANAGE_URL)
@requires("zone.projection", zone_scoped_in_view=True)
def manage(zone_code: int, session_id: int):
    """Staff control the room's projection: reveal or hide the ranking, the link and its key."""
    session = _staff_session(zone_code, session_id)
    locale = str(get_locale())
    return render_template(
        "projection/manage.html",
        session=session,
        screen=services.screen(session, locale),
        projection_url=services.projection_url(session),
        form=EmptyForm(),
    )


@bp.post(MANAGE_URL + "/reveal")
@requires("zone.projection", zone_scoped_in_view=True)
def reveal(zone_code: int, session_id: int):
    session = _staff_session(zone_code, session_id)
    _checked_form()
    if services.reveal(session):
        flash(_("La classifica è ora visibile sulla proiezione."), "success")
    else:
        flash(_("La classifica era già visibile."), "info")
    return _to_manage(session)


@bp.post(MANAGE_URL + "/hide")
@requires("zone.projection", zone_scoped_in_view=True)
def hide(zone_code: int, session_id: int):
    session = _staff_session(zone_code, session_id)
    _checked_form()
    if services.conceal(session):
        flash(_("La classifica è stata tolta dalla proiezione."), "success")
    else:
        flash(_("La classifica era già nascosta."), "info")
    return _to_manage(session)


@bp.post(MANAGE_URL + "/link")
@requires("zone.projection", zone_scoped_in_view=True)
def new_link(zone_code: int, session_id: int):
    """A new projection link; the previous one, if any, stops working."""
    session = _staff_session(zone_code, session_id)
    _checked_form()
    replaced = session.projection_salt is not None
    services.new_link(session)
    if replaced:
        flash(_("Nuovo link creato: quello precedente non funziona più."), "success")
    else:
        flash(_("Link della proiezione creato."), "success")
    return _to_manage(session)


@bp.post(MANAGE_URL + "/link/revoke")
@requires("zone.projection", zone_scoped_in_view=True)
def revoke_link(zone_code: int, session_id: int):
    session = _staff_session(zone_code, session_id)
    _checked_form()
    if services.revoke_link(session):
        flash(_("Link revocato: la proiezione aperta con quel link non si aggiorna più."), "success")
    else:
        flash(_("Non c'era nessun link da revocare."), "info")
    return _to_manage(session)
