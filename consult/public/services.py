"""What the public pages show: the zones, their sessions, and a signed-in person's own way in."""

from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from consult.extensions import db
from consult.models import (
    Ballot,
    BallotRank,
    Comment,
    ConsultationSession,
    Participant,
    ProjectProposal,
    SessionState,
    StrategySheet,
    Zone,
)


def all_zones() -> list[Zone]:
    """The zones in their official order."""
    return list(db.session.scalars(select(Zone).order_by(Zone.code)))


def sessions_by_zone() -> dict[int, list[ConsultationSession]]:
    """Sessions the public may see (not drafts), by zone id, newest consultation first."""
    sessions = db.session.scalars(
        select(ConsultationSession)
        .where(ConsultationSession.state != SessionState.DRAFT)
        .options(selectinload(ConsultationSession.consultation))
        .order_by(ConsultationSession.consultation_id.desc(), ConsultationSession.id)
    )
    grouped: dict[int, list[ConsultationSession]] = {}
    for session in sessions:
        grouped.setdefault(session.zone_id, []).append(session)
    return grouped


@dataclass
class Participation:
    """What a signed-in person has done in one session."""

    session: ConsultationSession
    ranked: int = 0
    sheets: int = 0
    proposals: int = 0
    comments: int = 0


@dataclass
class PersonalHome:
    """The signed-in person's part of the home page: their zone's open sessions and what they did."""

    zone: Zone | None
    #: Open sessions of the person's zone, each with the person's participation in it (None: not joined).
    open_sessions: list[tuple[ConsultationSession, Participation | None]] = field(default_factory=list)
    #: Every session the person took part in, newest first (any zone, any state).
    done: list[Participation] = field(default_factory=list)


def _count_by_participant(column, ids: list[int], *where) -> dict[int, int]:
    rows = db.session.execute(select(column, func.count()).where(column.in_(ids), *where).group_by(column))
    return dict(rows.all())


def personal_home(user) -> PersonalHome:
    """Where a signed-in person goes next: the open sessions of their zone, and their participations."""
    participants = list(
        db.session.scalars(
            select(Participant)
            .where(Participant.user_id == user.id)
            .options(selectinload(Participant.session).selectinload(ConsultationSession.zone))
            .order_by(Participant.joined_at.desc(), Participant.id.desc())
        )
    )
    ids = [participant.id for participant in participants]
    ranked = dict(
        db.session.execute(
            select(Ballot.participant_id, func.count(BallotRank.id))
            .join(BallotRank, BallotRank.ballot_id == Ballot.id)
            .where(Ballot.participant_id.in_(ids))
            .group_by(Ballot.participant_id)
        ).all()
    )
    sheets = _count_by_participant(StrategySheet.participant_id, ids)
    proposals = _count_by_participant(ProjectProposal.participant_id, ids, ProjectProposal.hidden_at.is_(None))
    comments = _count_by_participant(Comment.participant_id, ids, Comment.hidden_at.is_(None))
    done = [
        Participation(
            participant.session,
            ranked.get(participant.id, 0),
            sheets.get(participant.id, 0),
            proposals.get(participant.id, 0),
            comments.get(participant.id, 0),
        )
        for participant in participants
    ]
    home = PersonalHome(zone=user.zone, done=done)
    if user.zone is not None:
        by_session = {participation.session.id: participation for participation in done}
        open_sessions = db.session.scalars(
            select(ConsultationSession)
            .where(ConsultationSession.zone_id == user.zone_id, ConsultationSession.state == SessionState.OPEN)
            .options(selectinload(ConsultationSession.consultation))
            .order_by(ConsultationSession.starts_at.is_(None), ConsultationSession.starts_at, ConsultationSession.id)
        )
        home.open_sessions = [(session, by_session.get(session.id)) for session in open_sessions]
    return home
