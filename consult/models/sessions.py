"""Consultations and their zone sessions, with the lifecycle rules of a session."""

from __future__ import annotations

import enum
from datetime import date, datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Column, Enum, ForeignKey, String, Table, Text
from sqlalchemy import false as sa_false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consult.errors import DomainError
from consult.extensions import db
from consult.models.people import User, utcnow
from consult.models.plan import Plan, Strategy, code_key
from consult.models.territory import Zone
from consult.models.types import UtcDateTime


def str_enum(enum_class) -> Enum:
    """Store an enum by its value as a plain string column, portable across databases."""
    return Enum(
        enum_class,
        native_enum=False,
        length=max(len(m.value) for m in enum_class) + 4,
        values_callable=lambda e: [m.value for m in e],
    )


class Scope(enum.StrEnum):
    ALL = "all"
    AXES = "axes"
    STRATEGIES = "strategies"


consultation_strategy = Table(
    "consultation_strategy",
    db.metadata,
    Column("consultation_id", ForeignKey("consultation.id", ondelete="CASCADE"), primary_key=True),
    Column("strategy_id", ForeignKey("strategy.id"), primary_key=True),
)


class Consultation(db.Model):
    """A round of consultation (e.g. "Dalle strategie alle azioni — dicembre 2023") grouping sessions."""

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id"))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    #: How the scope was chosen; ``strategies`` holds the resolved list either way.
    scope: Mapped[Scope] = mapped_column(str_enum(Scope), default=Scope.ALL)
    #: Axis codes when ``scope`` is ``axes``, for display.
    scope_axes: Mapped[list[str]] = mapped_column(db.JSON, default=list)
    #: How many strategies a participant places (top N); None means rank them all.
    ranking_depth: Mapped[int | None]
    #: When the consultation runs (days, inclusive); shown to participants, optional.
    starts_on: Mapped[date | None]
    ends_on: Mapped[date | None]
    #: Whether one account may rank in the sessions of several zones (bodies working across the whole area);
    #: by default a person's ranking counts in one zone per consultation.
    allow_multiple_zones: Mapped[bool] = mapped_column(default=False, server_default=sa_false())
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    plan: Mapped[Plan] = relationship()
    strategies: Mapped[list[Strategy]] = relationship(secondary=consultation_strategy)
    sessions: Mapped[list[ConsultationSession]] = relationship(
        back_populates="consultation", order_by="ConsultationSession.id"
    )
    created_by: Mapped[User | None] = relationship()

    @property
    def strategies_in_order(self) -> list[Strategy]:
        return sorted(self.strategies, key=lambda strategy: code_key(strategy.code))

    @property
    def depth(self) -> int:
        """The number of places a ballot has: the depth, capped by the strategies in scope."""
        n = len(self.strategies)
        return n if self.ranking_depth is None else min(self.ranking_depth, n)


class Mode(enum.StrEnum):
    ONLINE = "online"
    IN_PERSON = "in_presenza"
    HYBRID = "ibrida"

    @property
    def label(self):
        return {Mode.ONLINE: _l("Online"), Mode.IN_PERSON: _l("In presenza"), Mode.HYBRID: _l("Ibrida")}[self]


class SessionState(enum.StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"
    PUBLISHED = "published"

    @property
    def label(self):
        return {
            SessionState.DRAFT: _l("In preparazione"),
            SessionState.OPEN: _l("Aperta"),
            SessionState.CLOSED: _l("Chiusa"),
            SessionState.PUBLISHED: _l("Risultati pubblicati"),
        }[self]


#: state → states it may move to. Closed can reopen; published is final.
TRANSITIONS = {
    SessionState.DRAFT: {SessionState.OPEN},
    SessionState.OPEN: {SessionState.CLOSED},
    SessionState.CLOSED: {SessionState.OPEN, SessionState.PUBLISHED},
    SessionState.PUBLISHED: set(),
}

session_facilitator = Table(
    "session_facilitator",
    db.metadata,
    Column("session_id", ForeignKey("consultation_session.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("user.id", ondelete="CASCADE"), primary_key=True),
)


class ConsultationSession(db.Model):
    """One zone's meeting (or online round) within a consultation."""

    __tablename__ = "consultation_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultation.id"), index=True)
    zone_id: Mapped[int] = mapped_column(ForeignKey("zone.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    starts_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    place: Mapped[str] = mapped_column(String(200), default="")
    mode: Mapped[Mode] = mapped_column(str_enum(Mode), default=Mode.HYBRID)
    state: Mapped[SessionState] = mapped_column(str_enum(SessionState), default=SessionState.DRAFT)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    opened_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    published_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    #: Bumped whenever a counted ballot changes, so cached results know they are stale.
    ballots_version: Mapped[int] = mapped_column(default=0)
    #: When staff showed the live ranking on the room's projection; None while it is hidden.
    ranking_revealed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    #: Random salt of the projection link's key (the key is derived from it and the app's secret, never
    #: stored); None when there is no link. A new salt revokes the previous link.
    projection_salt: Mapped[str | None] = mapped_column(String(32))

    consultation: Mapped[Consultation] = relationship(back_populates="sessions")
    zone: Mapped[Zone] = relationship()
    facilitators: Mapped[list[User]] = relationship(secondary=session_facilitator)

    @property
    def accepts_ballots(self) -> bool:
        return self.state == SessionState.OPEN

    @property
    def results_public(self) -> bool:
        return self.state == SessionState.PUBLISHED

    @property
    def ranking_revealed(self) -> bool:
        """Whether the room's projection shows the live ranking."""
        return self.ranking_revealed_at is not None

    def reveal_ranking(self) -> None:
        """Show the live ranking on the projection (from now on, as ballots arrive)."""
        if self.ranking_revealed_at is None:
            self.ranking_revealed_at = utcnow()

    def hide_ranking(self) -> None:
        """Take the ranking off the projection: the room sees the participation counters only."""
        self.ranking_revealed_at = None

    def move_to(self, state: SessionState) -> SessionState:
        """Change state if the lifecycle allows it; return the previous state."""
        if state not in TRANSITIONS[self.state]:
            raise DomainError(
                _(
                    "Una sessione «%(current)s» non può passare a «%(target)s».",
                    current=self.state.label,
                    target=state.label,
                ),
                status=409,
            )
        previous, self.state = self.state, state
        now = utcnow()
        if state == SessionState.OPEN:
            self.opened_at, self.closed_at = self.opened_at or now, None
        elif state == SessionState.CLOSED:
            self.closed_at = now
        elif state == SessionState.PUBLISHED:
            self.published_at = now
        return previous
