"""Finding the session from the URL and the person taking part in it."""

from __future__ import annotations

from flask import abort, g, request
from flask import session as cookie
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from consult.extensions import db
from consult.models import Consultation, ConsultationSession, Participant, SessionState, Zone
from consult.participation import services
from consult.permissions import can

#: Every session page lives under its zone: an unknown zone, or a session of another zone, is a 404.
SESSION_URL = "/zones/<int:zone_code>/sessions/<int:session_id>"
COOKIE_KEY = "participants"  # session id → participant id, for people who joined with a code


def load_session(zone_code: int, session_id: int) -> ConsultationSession:
    """The session in the URL; 404 when unknown, in another zone, or a draft the person may not see."""
    # The zone, the consultation and its strategies come in the same query: every session page needs them.
    session = db.session.get(
        ConsultationSession,
        session_id,
        options=[
            joinedload(ConsultationSession.zone),
            joinedload(ConsultationSession.consultation).joinedload(Consultation.strategies),
        ],
    )
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

    Flask-Limiter asks for the key before the view has loaded anything, and the key must not cost a query:
    a signed-in person takes part in a session as one participant (one per account and session), someone
    who joined with a room code is the participant their signed cookie names.
    """
    session_id = (request.view_args or {}).get("session_id")
    if session_id is not None:
        if current_user.is_authenticated:
            return f"user:{current_user.id}:session:{session_id}"
        participant_id = cookie.get(COOKIE_KEY, {}).get(str(session_id))
        if participant_id is not None:
            return f"participant:{participant_id}"
    if current_user.is_authenticated:
        return f"user:{current_user.id}"
    return f"ip:{request.remote_addr}"
