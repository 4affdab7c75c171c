"""Results: counting a session's ballots, then each zone's, then the metropolitan area's."""

from flask import Blueprint

bp = Blueprint("results", __name__)

from consult.results import routes  # noqa: E402, F401
