"""Finding the session from the URL and the person taking part in it."""

from __future__ import annotations

from flask import abort, g, request
from flask import session as cookie
from flask_login import current_user
from sqlalchemy import select

from consult.extensions import db
from consult.models import ConsultationSession, Participant, SessionState, Zone
from consult.participation import services
from consult.permissions import can

#: Every session page lives under its zone: an unknown zone, or a session of another zone, is a 404.
SESSION_URL = "/zones/<int:zone_code>/sessions/<int:session_id>"
COOKIE_KEY = "participants"  # session id → participant id, for people who joined with a code


def load_session(zone_code: int, session_id: int) -> ConsultationSession:
    """The session in the URL; 404 when unknown, in another zone, or a draft the person may not see."""
    session = db.session.get(ConsultationSession, session_id)
    if session is None or session.zone.code != zone_code:
        abort(404)
    if session.state == SessionState.DRAFT and not can(current_user, "zone.facilitate", session.zone):
        abort(404)
    g.consultation_session = session
    return session


def zone_or_404(zone_code: int) -> Zone:
    zone = db.session.scalar(select(Zone).where(Zone.code == zone_code))
    if zone is None:
        abort(404)
    return zone


def current_participant(session: ConsultationSession, *, create: bool = False) -> Participant | None:
    """The person's participation: their account's, or the one their room code opened in this browser."""
    if current_user.is_authenticated:
        participant = services.participant_for_user(session, current_user, create=create)
        if participant is not None:
            return participant
    participant_id = cookie.get(COOKIE_KEY, {}).get(str(session.id))
    if participant_id is not None:
        participant = db.session.get(Participant, participant_id)
        if participant is not None and participant.session_id == session.id:
            return participant
    return None


def remember_code_participant(participant: Participant) -> None:
    joined = dict(cookie.get(COOKIE_KEY, {}))
    joined[str(participant.session_id)] = participant.id
    cookie[COOKIE_KEY] = joined
    cookie.permanent = True


def participant_key() -> str:
    """Rate-limit key: the participant (a workshop room shares one address), else the account, else the address.

    Flask-Limiter asks for the key before the view has loaded anything, so the session comes from the URL here.
    """
    session = g.get("consultation_session")
    args = request.view_args or {}
    if session is None and "session_id" in args:
        session = db.session.get(ConsultationSession, args["session_id"])
    if session is not None:
        participant = current_participant(session)
        if participant is not None:
            return f"participant:{participant.id}"
    if current_user.is_authenticated:
        return f"user:{current_user.id}"
    return f"ip:{request.remote_addr}"
