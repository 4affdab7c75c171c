from flask import jsonify
from sqlalchemy import select

from consult.api import bp
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
