"""Paper ballots from the browser: typing the forms collected in the room, and uploading a spreadsheet of them."""

from flask import Blueprint

bp = Blueprint("paper", __name__, url_prefix="/facilitate/zones/<int:zone_code>/sessions/<int:session_id>/paper")

from consult.paper import routes  # noqa: E402, F401
