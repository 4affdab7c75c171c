"""Finding the session from the URL and the person taking part in it."""

from __future__ import annotations

from flask import abort, g, request
from flask import session as cookie
from flask_login import current_user
from sqlalchemy import bindparam, or_, select
from sqlalchemy.orm import joinedload

from consult.extensions import db
from consult.models import (
    Channel,
    Consultation,
    ConsultationSession,
    Participant,
    SessionState,
    Strategy,
    Zone,
)
from consult.models.plan import code_key
from consult.models.sessions import consultation_strategy
from consult.participation import services
from consult.participation.ballots import BallotBox
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


def _ballot_box_query():
    """ballot_box's query, built once (building it cost more than running it), of tables rather than mapped
    classes so that SQLAlchemy's ORM layer stays out of it. A missing user or cookie id is bound as NULL, which
    equals nothing."""
    sessions, zones, consultations, strategies, participants = (
        model.__table__ for model in (ConsultationSession, Zone, Consultation, Strategy, Participant)
    )
    return (
        select(
            consultations.c.ranking_depth.label("depth"),
            strategies.c.code,
            strategies.c.id.label("strategy_id"),
            participants.c.id.label("participant_id"),
            participants.c.user_id,
            participants.c.code_id,
        )
        .select_from(sessions)
        .join(zones, zones.c.id == sessions.c.zone_id)
        .join(consultation_strategy, consultation_strategy.c.consultation_id == sessions.c.consultation_id)
        .join(consultations, consultations.c.id == sessions.c.consultation_id)
        .join(strategies, strategies.c.id == consultation_strategy.c.strategy_id)
        .join(participants, participants.c.session_id == sessions.c.id)
        .where(
            sessions.c.id == bindparam("session_id"),
            zones.c.code == bindparam("zone_code"),
            sessions.c.state == SessionState.OPEN,
            or_(participants.c.user_id == bindparam("user_id"), participants.c.id == bindparam("cookie_id")),
        )
    )


_BALLOT_BOX = _ballot_box_query()


def ballot_box(zone_code: int, session_id: int) -> tuple[BallotBox, int, Channel] | None:
    """For a ranking being sent: the session in the URL if it is open, and the person's participant in it as
    ``current_participant`` finds it, with the channel their ballot comes by. One query, no object loaded.

    None when the session is unknown, in another zone or not open, or the person takes no part in it:
    ``load_session`` and ``current_participant`` then answer as on every other page."""
    user_id = current_user.id if current_user.is_authenticated else None
    cookie_id = cookie.get(COOKIE_KEY, {}).get(str(session_id))
    if user_id is None and cookie_id is None:
        return None
    rows = db.session.execute(
        _BALLOT_BOX, {"session_id": session_id, "zone_code": zone_code, "user_id": user_id, "cookie_id": cookie_id}
    ).all()
    if not rows:
        return None
    # Each strategy's row repeats the participant: the account's, and the cookie's when it is another one.
    # The account's comes first, as in current_participant.
    people = {row.participant_id: row for row in rows}
    mine = [row for row in people.values() if user_id is not None and row.user_id == user_id]
    participant = mine[0] if mine else people[cookie_id]
    strategies = sorted({row.code: row.strategy_id for row in rows}.items(), key=lambda item: code_key(item[0]))
    depth = len(strategies) if rows[0].depth is None else min(rows[0].depth, len(strategies))
    channel = Channel.CODE if participant.code_id else Channel.ONLINE
    return BallotBox(session_id, SessionState.OPEN, depth, dict(strategies)), participant.participant_id, channel


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
