from flask import render_template
from flask_login import current_user
from sqlalchemy import func, select

from consult.extensions import db
from consult.models import Plan
from consult.permissions import public
from consult.plan.services import current_plan
from consult.public import bp
from consult.public.services import all_zones, personal_home, sessions_by_zone


@bp.get("/")
@public
def home():
    plan_loaded = db.session.scalar(select(func.count()).select_from(Plan)) > 0
    plan = current_plan() if plan_loaded else None
    mine = personal_home(current_user) if current_user.is_authenticated else None
    return render_template("public/home.html", plan=plan, zones=all_zones(), sessions=sessions_by_zone(), mine=mine)


@bp.get("/zones")
@public
def zones():
    zones = all_zones()
    totals = {
        "municipalities": sum(zone.municipalities for zone in zones),
        "population": sum(zone.population_2011 for zone in zones),
    }
    return render_template("public/zones.html", zones=zones, totals=totals)
