"""Everything consult holds about one person, for "download my data" (GDPR art. 15 and 20).

Each domain adds its own section with ``@section("name")``: a function from the user to plain,
JSON-serialisable data. Features that store contributions (ballots, comments, proposals) register
theirs in their own module, so the export grows with the application.
"""

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from flask import current_app
from sqlalchemy import select

from consult.extensions import db
from consult.models import AuditEvent, User

SECTIONS: dict[str, Callable[[User], Any]] = {}


def section(name: str) -> Callable:
    """Register a function that returns one section of the export."""

    def register(collect: Callable[[User], Any]) -> Callable[[User], Any]:
        SECTIONS[name] = collect
        return collect

    return register


def collect(user: User) -> dict:
    """The whole export for ``user``: a short header, then one entry per registered section."""
    data = {
        "generated_at": _iso(datetime.now(UTC)),
        "controller": "Città metropolitana di Torino",
        "privacy_notice_version": current_app.config["PRIVACY_VERSION"],
    }
    for name, collect_section in SECTIONS.items():
        data[name] = collect_section(user)
    return data


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


@section("profile")
def profile(user: User) -> dict:
    return {
        "id": user.id,
        "email": user.email,
        "email_confirmed_at": _iso(user.email_confirmed_at),
        "display_name": user.display_name,
        "organisation": user.organisation,
        "stakeholder_category": user.category.code if user.category else None,
        "zone": user.zone.code if user.zone else None,
        "language": user.language,
        "role": user.role.value,
        "facilitated_zones": [zone.code for zone in user.facilitated_zones],
        "created_at": _iso(user.created_at),
        "last_login_at": _iso(user.last_login_at),
        "privacy_accepted_at": _iso(user.privacy_accepted_at),
        "privacy_version": user.privacy_version,
    }


@section("activity")
def activity(user: User) -> list[dict]:
    """What the audit log says the person did: sign-ins, changes to their account, and so on."""
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.actor_id == user.id).order_by(AuditEvent.at, AuditEvent.id)
    )
    return [
        {
            "at": _iso(event.at),
            "action": event.action,
            "target": f"{event.target_type}:{event.target_id}" if event.target_type else None,
            "details": event.details,
            "ip_address": event.ip_address,
        }
        for event in events
    ]
