"""The room's projection: session title, join QR code, participation counters and, once staff reveal it,
the live ranking; polled by a small script with conditional requests."""

from flask import Blueprint

bp = Blueprint("projection", __name__, cli_group=None)

from consult.projection import cli, routes  # noqa: E402, F401
