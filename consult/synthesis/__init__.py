"""Synthesis: what participants wrote, gathered per session, per zone and metropolitan-wide, for the planners'
"documento di sintesi" (pages, downloads, API, recurring themes, similar proposals)."""

from flask import Blueprint

bp = Blueprint("synthesis", __name__)

from consult.synthesis import routes  # noqa: E402, F401
