from flask import Blueprint

bp = Blueprint("plan", __name__, url_prefix="/plan")

from consult.plan import routes  # noqa: E402, F401
