"""Administration: accounts, roles, facilitators' zones, the managed lists and the audit log."""

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")

from consult.admin import routes  # noqa: E402, F401
