"""Open data API v1: read-only JSON, no personal data."""

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")

from consult.api import routes  # noqa: E402, F401
