from flask import jsonify

from consult.api import bp
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
