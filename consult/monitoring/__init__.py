"""Monitoring: reports on what is already under way (activities, status, indicators) and their links to the plan."""

from flask import Blueprint

bp = Blueprint("monitoring", __name__, url_prefix="/monitoring")

from consult.monitoring import api, routes  # noqa: E402, F401
