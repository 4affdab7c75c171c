"""Who takes part in a session, and their ballots: one counted ballot per participant, with history."""

from __future__ import annotations

import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consult.extensions import db
from consult.models.people import StakeholderCategory, User, utcnow
from consult.models.plan import Strategy
from consult.models.sessions import ConsultationSession, str_enum
from consult.models.types import UtcDateTime


class Channel(enum.StrEnum):
    """How a ballot reached us: online by an account, in the room with a code, or typed in from paper."""

    ONLINE = "online"
    CODE = "code"
    PAPER = "paper"

    @property
    def label(self):
        return {Channel.ONLINE: _l("Online"), Channel.CODE: _l("Codice in sala"), Channel.PAPER: _l("Scheda cartacea")}[
            self
        ]


class ParticipantCode(db.Model):
    """A single-use code handed out in the room; printed on code sheets."""

    __tablename__ = "participant_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("consultation_session.id"), index=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    used_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    session: Mapped[ConsultationSession] = relationship()
    created_by: Mapped[User | None] = relationship()


class Participant(db.Model):
    """Someone taking part in one session: an account, a code holder, or a paper ballot's author."""

    __table_args__ = (
        UniqueConstraint("session_id", "user_id"),
        UniqueConstraint("session_id", "label"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("consultation_session.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    code_id: Mapped[int | None] = mapped_column(ForeignKey("participant_code.id"), unique=True)
    #: The label written on a paper form, unique within the session; None for the other channels.
    label: Mapped[str | None] = mapped_column(String(60))
    #: Copied when they join, so results stay as they were if the profile changes later.
    category_id: Mapped[int | None] = mapped_column(ForeignKey("stakeholder_category.id"))
    organisation: Mapped[str | None] = mapped_column(String(200))
    name: Mapped[str | None] = mapped_column(String(120))
    joined_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    session: Mapped[ConsultationSession] = relationship()
    user: Mapped[User | None] = relationship()
    code: Mapped[ParticipantCode | None] = relationship()
    category: Mapped[StakeholderCategory | None] = relationship()
    ballot: Mapped[Ballot | None] = relationship(back_populates="participant")


class Ballot(db.Model):
    """The counted ballot of a participant: exactly one per participant, enforced by the database."""

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participant.id"), unique=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("consultation_session.id"), index=True)
    channel: Mapped[Channel] = mapped_column(str_enum(Channel))
    #: Incremented on every change; earlier versions are kept in BallotVersion.
    version: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    #: Who typed it in (a facilitator for paper ballots, the participant otherwise).
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    participant: Mapped[Participant] = relationship(back_populates="ballot")
    entered_by: Mapped[User | None] = relationship()
    ranks: Mapped[list[BallotRank]] = relationship(
        order_by="BallotRank.position", cascade="all, delete-orphan", back_populates="ballot"
    )
    versions: Mapped[list[BallotVersion]] = relationship(order_by="BallotVersion.version", cascade="all, delete-orphan")

    @property
    def ranking(self) -> list[Strategy]:
        return [rank.strategy for rank in self.ranks]


class BallotRank(db.Model):
    """One place in a ballot: strategy at position 1..k."""

    __tablename__ = "ballot_rank"
    __table_args__ = (UniqueConstraint("ballot_id", "position"), UniqueConstraint("ballot_id", "strategy_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    ballot_id: Mapped[int] = mapped_column(ForeignKey("ballot.id", ondelete="CASCADE"))
    position: Mapped[int]
    strategy_id: Mapped[int] = mapped_column(ForeignKey("strategy.id"))

    ballot: Mapped[Ballot] = relationship(back_populates="ranks")
    strategy: Mapped[Strategy] = relationship()


class BallotVersion(db.Model):
    """A ballot as it stood after each change, for audit; only the Ballot itself is counted."""

    __tablename__ = "ballot_version"
    __table_args__ = (UniqueConstraint("ballot_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ballot_id: Mapped[int] = mapped_column(ForeignKey("ballot.id", ondelete="CASCADE"))
    version: Mapped[int]
    #: Strategy codes in ranked order, as submitted.
    ranking: Mapped[list[str]] = mapped_column(JSON)
    channel: Mapped[Channel] = mapped_column(str_enum(Channel))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
