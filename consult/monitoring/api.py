"""Open data: the monitoring summary and the activities linked to a strategy (read-only, public)."""

from flask import jsonify, request
from sqlalchemy import select

from consult.api import bp
from consult.extensions import db
from consult.models import Strategy
from consult.monitoring import services
from consult.permissions import public


@bp.get("/monitoring/summary")
@public
def monitoring_summary():
    data = services.summary()
    for mission in data["missions"]:
        for programme in mission["programmes"]:
            for key in ("not_stated", "source_id", "id"):
                programme.pop(key)
    return jsonify(data)


def _activity_json(activity) -> dict:
    programme = activity.programme
    return {
        "id": activity.id,
        "source": programme.source.name,
        "mission": programme.mission,
        "programme": programme.number,
        "programme_title": programme.title,
        "policy": activity.policy,
        "text": activity.text,
        "status": activity.status,
        "strategies": sorted(link.strategy.code for link in activity.accepted_links),
        "indicators": [
            {
                "name": indicator.name,
                "values": [
                    {
                        "year": value.year,
                        "text": value.text,
                        "number": value.number,
                        "unit": value.unit,
                        "denominator": value.denominator,
                    }
                    for value in indicator.values
                ],
            }
            for indicator in activity.indicators
        ],
    }


@bp.get("/monitoring/activities")
@public
def monitoring_activities():
    code = request.args.get("strategy", "").strip()
    if not code:
        message = "the 'strategy' parameter is required, e.g. ?strategy=2.3"
        return jsonify({"error": "Bad Request", "status": 400, "message": message}), 400
    strategy = db.session.scalar(select(Strategy).where(Strategy.code == code))
    if strategy is None:
        return jsonify({"error": "Not Found", "status": 404, "message": f"unknown strategy {code!r}"}), 404
    activities = services.linked_activities(strategy)
    return jsonify({"strategy": strategy.code, "activities": [_activity_json(activity) for activity in activities]})
