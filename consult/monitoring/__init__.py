"""Monitoring: reports on what is already under way (activities, status, indicators) and their links to the plan."""

from flask import Blueprint

bp = Blueprint("monitoring", __name__, url_prefix="/monitoring")

from consult.monitoring import api, routes  # noqa: E402, F401


@bp.app_context_processor
def monitoring_helpers() -> dict:
    """For the proposal form (participation): the activities a zone's participants may build on."""
    from consult.monitoring.services import activity_choices

    return {"monitoring_activity_choices": activity_choices}
