"""What participants write: the strategy sheet's four answers, project proposals, comments and supports."""

from __future__ import annotations

import enum
from datetime import datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, Column, ForeignKey, String, Table, Text, UniqueConstraint
from sqlalchemy import false as sa_false
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from consult.errors import DomainError
from consult.extensions import db
from consult.models.ballots import Participant
from consult.models.people import ManagedList, User, utcnow
from consult.models.plan import Action, Strategy
from consult.models.sessions import ConsultationSession, str_enum
from consult.models.types import UtcDateTime


class ConditionTag(ManagedList, db.Model):
    """An enabling condition or precondition (managed taxonomy, seeded)."""

    __tablename__ = "condition_tag"


class StrategySheet(db.Model):
    """A participant's answers about one strategy ("scheda"): how to implement it locally, and more."""

    __tablename__ = "strategy_sheet"
    __table_args__ = (UniqueConstraint("participant_id", "strategy_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participant.id"))
    strategy_id: Mapped[int] = mapped_column(ForeignKey("strategy.id"))
    #: Question 1: "Come attuarla sul territorio".
    implementation: Mapped[str] = mapped_column(Text, default="")
    #: The participant agreed, when writing, to have their organisation shown beside it.
    show_organisation: Mapped[bool] = mapped_column(default=False, server_default=sa_false())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)

    participant: Mapped[Participant] = relationship()
    strategy: Mapped[Strategy] = relationship()
    priority_actions: Mapped[list[SheetPriorityAction]] = relationship(
        order_by="SheetPriorityAction.position", cascade="all, delete-orphan"
    )
    actors: Mapped[list[SheetActor]] = relationship(order_by="SheetActor.id", cascade="all, delete-orphan")
    conditions: Mapped[list[SheetCondition]] = relationship(cascade="all, delete-orphan")


class SheetPriorityAction(db.Model):
    """Up to three actions of the strategy that come first for the participant."""

    __tablename__ = "sheet_priority_action"
    __table_args__ = (UniqueConstraint("sheet_id", "action_id"), UniqueConstraint("sheet_id", "position"))

    id: Mapped[int] = mapped_column(primary_key=True)
    sheet_id: Mapped[int] = mapped_column(ForeignKey("strategy_sheet.id", ondelete="CASCADE"))
    action_id: Mapped[int] = mapped_column(ForeignKey("action.id"))
    position: Mapped[int]

    action: Mapped[Action] = relationship()


class ActorState(enum.StrEnum):
    ACTIVE = "active"
    TO_ACTIVATE = "to_activate"

    @property
    def label(self):
        return {ActorState.ACTIVE: _l("Già attivo"), ActorState.TO_ACTIVATE: _l("Da attivare")}[self]


class SheetActor(db.Model):
    """Question 3: an actor of the networks that exist or could be activated."""

    __tablename__ = "sheet_actor"

    id: Mapped[int] = mapped_column(primary_key=True)
    sheet_id: Mapped[int] = mapped_column(ForeignKey("strategy_sheet.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    #: A stakeholder category code (comune, impresa, ...), the same list people choose from.
    kind: Mapped[str] = mapped_column(String(40))
    state: Mapped[ActorState] = mapped_column(str_enum(ActorState))
    role: Mapped[str] = mapped_column(Text, default="")


class SheetCondition(db.Model):
    """Question 4: an enabling condition tagged on the sheet, with an optional note."""

    __tablename__ = "sheet_condition"
    __table_args__ = (UniqueConstraint("sheet_id", "condition_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    sheet_id: Mapped[int] = mapped_column(ForeignKey("strategy_sheet.id", ondelete="CASCADE"))
    condition_id: Mapped[int] = mapped_column(ForeignKey("condition_tag.id"))
    note: Mapped[str] = mapped_column(Text, default="")

    condition: Mapped[ConditionTag] = relationship()


class Funding(enum.StrEnum):
    PNRR = "pnrr"
    EU_COHESION = "fesr_fse"
    REGIONAL = "regionale"
    MUNICIPAL = "comunale"
    PRIVATE = "privato"
    OTHER = "altro"

    @property
    def label(self):
        return FUNDING_LABELS[self]


FUNDING_LABELS = {
    Funding.PNRR: _l("PNRR"),
    Funding.EU_COHESION: _l("FESR/FSE+ 2021–27"),
    Funding.REGIONAL: _l("Regionale"),
    Funding.MUNICIPAL: _l("Comunale"),
    Funding.PRIVATE: _l("Privato"),
    Funding.OTHER: _l("Altro"),
}


class ProjectStatus(enum.StrEnum):
    IDEA = "idea"
    DESIGN = "in_progettazione"
    FUNDED = "finanziato"
    UNDERWAY = "in_corso"
    DONE = "concluso"

    @property
    def label(self):
        return {
            ProjectStatus.IDEA: _l("Idea"),
            ProjectStatus.DESIGN: _l("In progettazione"),
            ProjectStatus.FUNDED: _l("Finanziato"),
            ProjectStatus.UNDERWAY: _l("In corso"),
            ProjectStatus.DONE: _l("Concluso"),
        }[self]


class Competence(enum.StrEnum):
    """Whose competence the project is: the paper asks to keep these apart."""

    METRO = "citta_metropolitana"
    LOCAL = "enti_locali"
    OTHER_LEVELS = "altri_livelli"

    @property
    def label(self):
        return {
            Competence.METRO: _l("Diretta della Città metropolitana"),
            Competence.LOCAL: _l("Degli enti locali"),
            Competence.OTHER_LEVELS: _l("Di altri livelli di governo"),
        }[self]


class RelatedPlan(enum.StrEnum):
    PTGM = "ptgm"
    PUMS = "pums"
    AMSVS = "amsvs"
    SUA = "sua"
    PSL_GAL = "psl_gal"
    OTHER = "altro"

    @property
    def label(self):
        return {
            RelatedPlan.PTGM: _l("PTGM"),
            RelatedPlan.PUMS: _l("PUMS"),
            RelatedPlan.AMSVS: _l("AMSvS"),
            RelatedPlan.SUA: _l("SUA"),
            RelatedPlan.PSL_GAL: _l("PSL GAL"),
            RelatedPlan.OTHER: _l("Altro piano"),
        }[self]


class Hideable:
    """Something a participant wrote that moderators can hide and restore: a comment or a proposal.

    Hidden means ``hidden_at`` is set (in SQL: ``hidden_at IS NOT NULL``; visible: ``hidden_at IS NULL``).
    A hidden item is never deleted: the room sees a "hidden by the moderators" notice in its place, its
    author sees it with the moderators' reason, and counts, syntheses and exports leave it out.
    """

    #: When a moderator hid it; None while it is shown.
    hidden_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    #: The moderator's reason, shown to the author; kept in the audit log too.
    hidden_reason: Mapped[str] = mapped_column(Text, default="")

    @declared_attr
    def hidden_by_id(cls) -> Mapped[int | None]:
        return mapped_column(ForeignKey("user.id"))

    @declared_attr
    def hidden_by(cls) -> Mapped[User | None]:
        return relationship()

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None

    def hide(self, by: User | None, reason: str) -> None:
        """Hide it from the room, with the reason its author will read (required)."""
        if self.is_hidden:
            raise DomainError(_("Il contenuto è già nascosto."), status=409)
        if not reason.strip():
            raise DomainError(_("Scrivi il motivo: chi l'ha scritto lo leggerà."), status=422)
        self.hidden_at = utcnow()
        self.hidden_by = by
        self.hidden_reason = reason.strip()

    def restore(self, by: User | None, reason: str = "") -> None:
        """Show it again; the reason goes to the audit log."""
        if not self.is_hidden:
            raise DomainError(_("Il contenuto non è nascosto."), status=409)
        self.hidden_at = None
        self.hidden_by = None
        self.hidden_reason = ""


proposal_action = Table(
    "proposal_action",
    db.metadata,
    Column("proposal_id", ForeignKey("project_proposal.id", ondelete="CASCADE"), primary_key=True),
    Column("action_id", ForeignKey("action.id"), primary_key=True),
)


class ProjectProposal(Hideable, db.Model):
    """Question 2: a project or programme linked to the strategy."""

    __tablename__ = "project_proposal"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("consultation_session.id"), index=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participant.id"), index=True)
    strategy_id: Mapped[int] = mapped_column(ForeignKey("strategy.id"))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    promoter: Mapped[str] = mapped_column(String(200), default="")
    municipalities: Mapped[str] = mapped_column(Text, default="")
    funding: Mapped[Funding | None] = mapped_column(str_enum(Funding))
    status: Mapped[ProjectStatus | None] = mapped_column(str_enum(ProjectStatus))
    competence: Mapped[Competence | None] = mapped_column(str_enum(Competence))
    #: RelatedPlan values.
    related_plans: Mapped[list[str]] = mapped_column(JSON, default=list)
    related_plans_other: Mapped[str] = mapped_column(String(200), default="")
    link: Mapped[str | None] = mapped_column(String(500))
    #: The participant agreed, when writing, to have their organisation shown beside it.
    show_organisation: Mapped[bool] = mapped_column(default=False, server_default=sa_false())
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)

    session: Mapped[ConsultationSession] = relationship()
    participant: Mapped[Participant] = relationship()
    strategy: Mapped[Strategy] = relationship()
    actions: Mapped[list[Action]] = relationship(secondary=proposal_action, order_by=Action.position)
    supports: Mapped[list[ProposalSupport]] = relationship(cascade="all, delete-orphan")
    reports: Mapped[list[ProposalReport]] = relationship(cascade="all, delete-orphan", order_by="ProposalReport.id")


class ProposalSupport(db.Model):
    __tablename__ = "proposal_support"
    __table_args__ = (UniqueConstraint("proposal_id", "participant_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("project_proposal.id", ondelete="CASCADE"))
    participant_id: Mapped[int] = mapped_column(ForeignKey("participant.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class Comment(Hideable, db.Model):
    """A comment on a strategy within a session, or on a proposal; replies go one level deep."""

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("consultation_session.id"), index=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participant.id"), index=True)
    strategy_id: Mapped[int | None] = mapped_column(ForeignKey("strategy.id"))
    proposal_id: Mapped[int | None] = mapped_column(ForeignKey("project_proposal.id"))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("comment.id"))
    #: Plain text as typed; rendered escaped, with safe links.
    body: Mapped[str] = mapped_column(Text)
    #: The participant agreed, when writing, to have their organisation shown beside it.
    show_organisation: Mapped[bool] = mapped_column(default=False, server_default=sa_false())
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    edited_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    session: Mapped[ConsultationSession] = relationship()
    participant: Mapped[Participant] = relationship()
    parent: Mapped[Comment | None] = relationship(remote_side=[id], back_populates="replies")
    replies: Mapped[list[Comment]] = relationship(back_populates="parent", order_by="Comment.id")
    reports: Mapped[list[CommentReport]] = relationship(cascade="all, delete-orphan", order_by="CommentReport.id")


class CommentReport(db.Model):
    """A participant flagging a comment to the moderators."""

    __tablename__ = "comment_report"
    __table_args__ = (UniqueConstraint("comment_id", "participant_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(ForeignKey("comment.id", ondelete="CASCADE"))
    participant_id: Mapped[int] = mapped_column(ForeignKey("participant.id"))
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    #: When a moderator decided on the comment (hid it, or kept it visible).
    resolved_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    participant: Mapped[Participant] = relationship()


class ProposalReport(db.Model):
    """A participant flagging a project proposal to the moderators."""

    __tablename__ = "proposal_report"
    __table_args__ = (UniqueConstraint("proposal_id", "participant_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("project_proposal.id", ondelete="CASCADE"), index=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participant.id"))
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    #: When a moderator decided on the proposal (hid it, or kept it visible).
    resolved_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    participant: Mapped[Participant] = relationship()


class GroupDecision(enum.StrEnum):
    CONFIRMED = "confirmed"
    DISMISSED = "dismissed"


proposal_group_member = Table(
    "proposal_group_member",
    db.metadata,
    Column("group_id", ForeignKey("proposal_group.id", ondelete="CASCADE"), primary_key=True),
    Column("proposal_id", ForeignKey("project_proposal.id", ondelete="CASCADE"), primary_key=True),
)


class ProposalGroup(db.Model):
    """Proposals from several zones that a planner judged to be one project (or, dismissed, not)."""

    __tablename__ = "proposal_group"

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultation.id"), index=True)
    decision: Mapped[GroupDecision] = mapped_column(str_enum(GroupDecision))
    #: The similarity score the grouping was proposed with (0–1), kept for the record.
    score: Mapped[float] = mapped_column(default=0.0)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    decided_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    proposals: Mapped[list[ProjectProposal]] = relationship(
        secondary=proposal_group_member, order_by=ProjectProposal.id
    )
    decided_by: Mapped[User | None] = relationship()


class SynthesisQuote(db.Model):
    """A contribution a planner chose to quote in full in the synthesis document."""

    __tablename__ = "synthesis_quote"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The contribution's key, e.g. ``sheet-12``, ``proposal-3``, ``comment-40`` (consult.synthesis).
    contribution_key: Mapped[str] = mapped_column(String(40), unique=True)
    chosen_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    chosen_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
