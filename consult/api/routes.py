from flask import jsonify, request
from sqlalchemy import select

from consult.api import bp
from consult.api.openapi import document as openapi_document
from consult.extensions import db
from consult.models import Consultation, ConsultationSession, SessionState
from consult.permissions import public
from consult.plan.services import current_plan, plan_as_json
from consult.public.services import all_zones


@bp.after_request
def open_data_headers(response):
    # Open data: any site may read it; nothing here depends on who asks.
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@bp.get("/openapi.json")
@public
def openapi():
    """This API described in OpenAPI 3.1, with the server the caller reached."""
    return jsonify(openapi_document(request.url_root.rstrip("/") + bp.url_prefix))


@bp.get("/plan")
@public
def plan():
    return jsonify(plan_as_json(current_plan()))


@bp.get("/zones")
@public
def zones():
    return jsonify(
        {
            "zones": [
                {
                    "code": zone.code,
                    "name": zone.name,
                    "municipalities": zone.municipalities,
                    "population_2011": zone.population_2011,
                }
                for zone in all_zones()
            ],
            "source": "Città metropolitana di Torino, Zone omogenee (2015); popolazione ISTAT 2011",
        }
    )


def _session_json(session: ConsultationSession) -> dict:
    return {
        "id": session.id,
        "title": session.title,
        "zone": {"code": session.zone.code, "name": session.zone.name},
        "state": session.state.value,
        "mode": session.mode.value,
        "starts_at": session.starts_at.isoformat() if session.starts_at else None,
        "place": session.place or None,
    }


def _consultation_json(consultation: Consultation, *, detail: bool = False) -> dict:
    data = {
        "id": consultation.id,
        "title": consultation.title,
        "plan": consultation.plan.code,
        "scope": consultation.scope.value,
        "depth": consultation.ranking_depth,
        "strategy_count": len(consultation.strategies),
    }
    if detail:
        data["description"] = consultation.description
        data["scope_axes"] = consultation.scope_axes
        data["strategies"] = [
            {"code": strategy.code, "title": strategy.title} for strategy in consultation.strategies_in_order
        ]
        # Drafts are the facilitators' work in progress, not public yet.
        data["sessions"] = [_session_json(s) for s in consultation.sessions if s.state != SessionState.DRAFT]
    return data


@bp.get("/consultations")
@public
def consultations():
    rows = db.session.scalars(select(Consultation).order_by(Consultation.id))
    return jsonify({"consultations": [_consultation_json(c) for c in rows]})


@bp.get("/consultations/<int:consultation_id>")
@public
def consultation(consultation_id: int):
    return jsonify(_consultation_json(db.get_or_404(Consultation, consultation_id), detail=True))


# --- results (consult.results) -------------------------------------------------------------------

from flask import abort  # noqa: E402
from flask_babel import gettext as _  # noqa: E402
from flask_login import current_user  # noqa: E402

from consult.results import services as results  # noqa: E402
from consult.results import tables as result_tables  # noqa: E402


def _bad_request(message: str):
    return jsonify({"error": "Bad Request", "status": 400, "message": message}), 400


def _unknown(name: str, value: str, allowed) -> str:
    return _("%(name)s sconosciuto: «%(value)s». Valori ammessi: %(allowed)s.", name=name, value=value,
             allowed=", ".join(allowed))  # fmt: skip


@bp.get("/sessions/<int:session_id>/results")
@public
def session_results(session_id: int):
    """A session's ranking; before publication only for planners, admins and the zone's facilitators (404)."""
    session = db.session.get(ConsultationSession, session_id)
    if session is None or not results.can_see_session_results(current_user, session):
        abort(404)
    method = request.args.get("method", "borda")
    if method not in results.METHODS:
        return _bad_request(_unknown("method", method, results.METHODS))
    category = None
    if code := request.args.get("category"):
        category = results.categories().get(code)
        if category is None:
            return _bad_request(_unknown("category", code, results.categories()))
    response = jsonify(result_tables.as_json(results.SessionView(session, method, category)))
    if session.state != SessionState.PUBLISHED:
        response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/consultations/<int:consultation_id>/results")
@public
def consultation_results(consultation_id: int):
    """The metropolitan ranking and each zone's; the public's counts published sessions only."""
    consultation = db.get_or_404(Consultation, consultation_id)
    method = request.args.get("method", "borda")
    if method not in results.METHODS:
        return _bad_request(_unknown("method", method, results.METHODS))
    weighting = request.args.get("weighting", "equal")
    if weighting not in results.WEIGHTINGS:
        return _bad_request(_unknown("weighting", weighting, results.WEIGHTINGS))
    view = results.ConsultationView(
        consultation, method, weighting, published_only=not results.sees_unpublished(current_user)
    )
    response = jsonify(result_tables.as_json(view))
    if view.provisional:
        response.headers["Cache-Control"] = "private, no-store"
    return response


# --- contributions (consult.synthesis) ----------------------------------------------------------------

from flask_babel import get_locale  # noqa: E402

from consult.synthesis import downloads as synthesis_downloads  # noqa: E402
from consult.synthesis import services as synthesis  # noqa: E402


def _contributions_response(sessions, **about):
    locale = str(get_locale())
    items = synthesis.gather(sessions, locale)
    response = jsonify({**about, "count": len(items), "contributions": synthesis_downloads.items_json(items, locale)})
    if any(s.state != SessionState.PUBLISHED for s in sessions):
        response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/sessions/<int:session_id>/contributions")
@public
def session_contributions(session_id: int):
    """Every contribution to the session (hidden ones left out); visible as the session's results are."""
    session = db.session.get(ConsultationSession, session_id)
    if session is None or not results.can_see_session_results(current_user, session):
        abort(404)
    return _contributions_response([session], session=_session_json(session))


@bp.get("/consultations/<int:consultation_id>/contributions")
@public
def consultation_contributions(consultation_id: int):
    """Every contribution to the consultation's sessions the caller may see (published ones for the public)."""
    consultation = db.get_or_404(Consultation, consultation_id)
    sessions = synthesis.visible_sessions(current_user, consultation)
    return _contributions_response(sessions, consultation=_consultation_json(consultation))
