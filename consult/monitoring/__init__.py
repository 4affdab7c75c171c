"""Monitoring: reports on what is already under way (activities, status, indicators) and their links to the plan."""

from flask import Blueprint

bp = Blueprint("monitoring", __name__, url_prefix="/monitoring")

from consult.monitoring import api, routes  # noqa: E402, F401


@bp.app_context_processor
def monitoring_helpers() -> dict:
    """For the proposal form (participation): the activities a zone's participants may build on."""
    from consult.monitoring.services import activities_by_proposal, activity_choices

    def proposal_activity(proposal):
        return activities_by_proposal([proposal.id]).get(proposal.id)

    return {"monitoring_activity_choices": activity_choices, "monitoring_proposal_activity": proposal_activity}


@bp.app_template_filter("local_number")
def local_number(value: float | None) -> str:
    """A number in the reader's language (``1.234,5`` in Italian), without needless decimals."""
    from flask_babel import format_decimal

    if value is None:
        return ""
    return format_decimal(value, format="#,##0.##")
