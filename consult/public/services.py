from sqlalchemy import select
from sqlalchemy.orm import selectinload

from consult.extensions import db
from consult.models import ConsultationSession, SessionState, Zone


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
