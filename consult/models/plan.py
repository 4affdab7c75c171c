"""The strategic plan's catalogue: plan → axes → strategies → actions (official Italian text)."""

from __future__ import annotations

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consult.extensions import db


def code_key(code: str) -> tuple[int, ...]:
    """Sort key for dotted codes, so that 1.10 comes after 1.9."""
    return tuple(int(part) for part in code.split("."))


class Plan(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    #: Stable identifier of the plan, e.g. ``PSM-2024-2026``.
    code: Mapped[str] = mapped_column(String(40), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    #: Where the text comes from, quoted on the pages and in exports.
    source: Mapped[str] = mapped_column(Text, default="")

    axes: Mapped[list[Axis]] = relationship(
        back_populates="plan", order_by="Axis.position", cascade="all, delete-orphan"
    )

    @property
    def strategies(self) -> list[Strategy]:
        return [strategy for axis in self.axes for strategy in axis.strategies]


class Axis(db.Model):
    __table_args__ = (UniqueConstraint("plan_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id"))
    code: Mapped[str] = mapped_column(String(10))
    position: Mapped[int]
    #: The axis' name in the table of strategies, e.g. "Rivoluzione verde e transizione ecologica".
    title: Mapped[str] = mapped_column(String(200))
    #: Its second name, e.g. "Torino Metropoli più verde ed ecologica".
    motto: Mapped[str] = mapped_column(String(200))
    #: Paragraphs: the needs that emerged from the dialogue with the territories.
    needs: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: The 2030–2050 targets, one string each.
    targets: Mapped[list[str]] = mapped_column(JSON, default=list)

    plan: Mapped[Plan] = relationship(back_populates="axes")
    strategies: Mapped[list[Strategy]] = relationship(
        back_populates="axis", order_by="Strategy.position", cascade="all, delete-orphan"
    )

    @property
    def action_count(self) -> int:
        return sum(len(strategy.actions) for strategy in self.strategies)


class Strategy(db.Model):
    __table_args__ = (UniqueConstraint("axis_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    axis_id: Mapped[int] = mapped_column(ForeignKey("axis.id"))
    #: Dotted code, unique within the plan because it starts with the axis code, e.g. ``3.1``.
    code: Mapped[str] = mapped_column(String(10))
    position: Mapped[int]
    title: Mapped[str] = mapped_column(Text)

    axis: Mapped[Axis] = relationship(back_populates="strategies")
    actions: Mapped[list[Action]] = relationship(
        back_populates="strategy", order_by="Action.position", cascade="all, delete-orphan"
    )


class Action(db.Model):
    __table_args__ = (UniqueConstraint("strategy_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    strategy_id: Mapped[int] = mapped_column(ForeignKey("strategy.id"))
    code: Mapped[str] = mapped_column(String(12))
    #: The label printed in the source when it differs from ``code`` (a numbering slip kept visible).
    printed_code: Mapped[str | None] = mapped_column(String(12))
    position: Mapped[int]
    text: Mapped[str] = mapped_column(Text)

    strategy: Mapped[Strategy] = relationship(back_populates="actions")
