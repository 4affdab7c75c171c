"""The facilitator console: consultations, zone sessions and the tools of a workshop, from the browser."""

from flask import Blueprint

bp = Blueprint("facilitate", __name__, url_prefix="/facilitate")

from consult.facilitate import routes  # noqa: E402, F401
