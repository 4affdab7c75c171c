"""Monitoring reports: sources → programmes → activities → indicators with yearly values; links to the plan."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consult.extensions import db
from consult.models.people import utcnow
from consult.models.types import UtcDateTime

#: The statuses a report gives its activities, least advanced first.
ACTIVITY_STATUSES = ("Avviato", "In corso", "Concluso", "Annullato")


class MonitoringSource(db.Model):
    """One imported report, e.g. "Città di Torino — Rendiconto 2023"; re-importing it replaces its content."""

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    #: The zone the report covers (Torino's → Zona 1); none for the whole metropolitan area.
    zone_id: Mapped[int | None] = mapped_column(ForeignKey("zone.id"))
    file_name: Mapped[str] = mapped_column(String(200), default="")
    #: SHA-256 of the imported file, so that loading the same file again changes nothing.
    checksum: Mapped[str] = mapped_column(String(64), default="")
    imported_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    zone = relationship("Zone")
    programmes: Mapped[list[MonitoringProgramme]] = relationship(
        back_populates="source",
        order_by="(MonitoringProgramme.mission, MonitoringProgramme.number)",
        cascade="all, delete-orphan",
    )


class MonitoringProgramme(db.Model):
    """A programme of a mission (the budget's classification), with its units, stakeholders and council lines."""

    __table_args__ = (UniqueConstraint("source_id", "mission", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("monitoring_source.id"))
    mission: Mapped[int]
    mission_title: Mapped[str] = mapped_column(String(200))
    number: Mapped[int]
    title: Mapped[str] = mapped_column(String(300))
    #: Organisational units involved, as printed.
    units: Mapped[str] = mapped_column(Text, default="")
    stakeholders: Mapped[str] = mapped_column(Text, default="")

    source: Mapped[MonitoringSource] = relationship(back_populates="programmes")
    lines: Mapped[list[ProgrammeLine]] = relationship(
        back_populates="programme", order_by="ProgrammeLine.id", cascade="all, delete-orphan"
    )
    activities: Mapped[list[MonitoredActivity]] = relationship(
        back_populates="programme", order_by="MonitoredActivity.id", cascade="all, delete-orphan"
    )
    indicators: Mapped[list[ReportIndicator]] = relationship(
        back_populates="programme", order_by="ReportIndicator.id", cascade="all, delete-orphan"
    )


class ProgrammeLine(db.Model):
    """A programme line approved by the city council."""

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("monitoring_programme.id"))
    number: Mapped[str] = mapped_column(String(10))
    text: Mapped[str] = mapped_column(Text)
    agenda2030: Mapped[str] = mapped_column(String(200), default="")
    #: PNRR mission where the report gives one, e.g. "Missione 1".
    pnrr: Mapped[str] = mapped_column(String(200), default="")

    programme: Mapped[MonitoringProgramme] = relationship(back_populates="lines")


class MonitoredActivity(db.Model):
    """An activity under way, with its status and the actions done."""

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("monitoring_programme.id"), index=True)
    #: Key within the dataset file, e.g. ``M1.P1.A3``; indicator rows refer to it.
    key: Mapped[str] = mapped_column(String(40))
    #: References to the council lines, as printed ("1,2", "1-2", "-").
    line_refs: Mapped[str] = mapped_column(String(40), default="")
    policy: Mapped[str] = mapped_column(Text, default="")
    text: Mapped[str] = mapped_column(Text)
    #: One of ACTIVITY_STATUSES, or none when the report does not state it.
    status: Mapped[str | None] = mapped_column(String(20), index=True)
    actions: Mapped[str] = mapped_column(Text, default="")
    #: Line of the converted text (or row of the imported file) it comes from.
    source_line: Mapped[int | None]

    programme: Mapped[MonitoringProgramme] = relationship(back_populates="activities")
    indicators: Mapped[list[ReportIndicator]] = relationship(back_populates="activity", order_by="ReportIndicator.id")
    links: Mapped[list[ActivityLink]] = relationship(back_populates="activity", cascade="all, delete-orphan")

    @property
    def accepted_links(self) -> list[ActivityLink]:
        return [link for link in self.links if link.accepted]


class ReportIndicator(db.Model):
    """A result indicator: of an activity, or of the programme (indicator tables without activities)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("monitoring_programme.id"), index=True)
    activity_id: Mapped[int | None] = mapped_column(ForeignKey("monitored_activity.id"), index=True)
    name: Mapped[str] = mapped_column(Text, default="")
    #: Heading of an indicator table without activities, e.g. "Indicatori comuni ...".
    group: Mapped[str] = mapped_column(Text, default="")
    policy: Mapped[str] = mapped_column(Text, default="")

    programme: Mapped[MonitoringProgramme] = relationship(back_populates="indicators")
    activity: Mapped[MonitoredActivity | None] = relationship(back_populates="indicators")
    values: Mapped[list[IndicatorValue]] = relationship(
        back_populates="indicator", order_by="IndicatorValue.year", cascade="all, delete-orphan"
    )
    #: Measurable targets this indicator feeds (the link goes when the indicator does).
    targets: Mapped[list[MeasurableTarget]] = relationship(secondary="target_indicator", back_populates="indicators")


class IndicatorValue(db.Model):
    """A yearly value: the text as printed; number and unit when the text is a quantity."""

    __table_args__ = (UniqueConstraint("indicator_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("report_indicator.id"))
    year: Mapped[int]
    text: Mapped[str] = mapped_column(Text)
    number: Mapped[float | None] = mapped_column(Float)
    #: "EUR", "days", "%", "km", "m²", "ratio" or none.
    unit: Mapped[str | None] = mapped_column(String(10))
    #: For ratios: the denominator (``number`` is the numerator).
    denominator: Mapped[float | None] = mapped_column(Float)

    indicator: Mapped[ReportIndicator] = relationship(back_populates="values")


class ActivityLink(db.Model):
    """A planner's decision that an activity contributes to a strategy (and optionally one of its actions)."""

    __table_args__ = (UniqueConstraint("activity_id", "strategy_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("monitored_activity.id"), index=True)
    strategy_id: Mapped[int] = mapped_column(ForeignKey("strategy.id"), index=True)
    action_id: Mapped[int | None] = mapped_column(ForeignKey("action.id"))
    #: True when accepted; False records a rejected suggestion so it is not suggested again.
    accepted: Mapped[bool]
    #: Similarity score of the suggestion when the link came from one.
    score: Mapped[float | None] = mapped_column(Float)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    decided_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    activity: Mapped[MonitoredActivity] = relationship(back_populates="links")
    strategy = relationship("Strategy")
    action = relationship("Action")


class ProposalActivity(db.Model):
    """A participant's project proposal that builds on an activity already under way (at most one per proposal)."""

    proposal_id: Mapped[int] = mapped_column(ForeignKey("project_proposal.id", ondelete="CASCADE"), primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("monitored_activity.id"), index=True)

    activity: Mapped[MonitoredActivity] = relationship()


#: Which report indicators feed a measurable target.
target_indicator = db.Table(
    "target_indicator",
    db.Column("target_id", ForeignKey("measurable_target.id", ondelete="CASCADE"), primary_key=True),
    db.Column("indicator_id", ForeignKey("report_indicator.id", ondelete="CASCADE"), primary_key=True),
)


class MeasurableTarget(db.Model):
    """One of an axis' 2030–2050 targets made measurable by a planner, fed by linked report indicators."""

    __table_args__ = (UniqueConstraint("axis_id", "target_index"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    axis_id: Mapped[int] = mapped_column(ForeignKey("axis.id"), index=True)
    #: Position of the target's text in ``Axis.targets``.
    target_index: Mapped[int]
    indicator: Mapped[str] = mapped_column(String(300))
    unit: Mapped[str] = mapped_column(String(40), default="")
    baseline_value: Mapped[float] = mapped_column(Float)
    baseline_year: Mapped[int]
    target_value: Mapped[float] = mapped_column(Float)
    target_year: Mapped[int]
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)

    axis = relationship("Axis")
    indicators: Mapped[list[ReportIndicator]] = relationship(
        secondary=target_indicator, order_by="ReportIndicator.id", back_populates="targets"
    )

    @property
    def text(self) -> str:
        targets = self.axis.targets or []
        return targets[self.target_index] if 0 <= self.target_index < len(targets) else ""
