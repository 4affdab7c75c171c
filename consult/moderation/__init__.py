"""Moderation: a queue per zone of reported comments and proposals; hide, restore or keep, with a reason."""

from flask import Blueprint

bp = Blueprint("moderation", __name__)

from consult.moderation import routes  # noqa: E402, F401
