"""Taking part in a zone session: joining, ranking the strategies, the strategy sheet, comments."""

from flask import Blueprint

# cli_group=None: the commands (consultations, sessions, codes, ballots) sit at the top of `flask`.
bp = Blueprint("participation", __name__, cli_group=None)

from consult.participation import cli, data_export, routes, sheet_routes  # noqa: E402, F401
