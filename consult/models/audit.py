"""The audit log: who did what, when, and from which address."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consult.extensions import db
from consult.models.people import User, utcnow
from consult.models.types import UtcDateTime


class AuditEvent(db.Model):
    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    #: What happened, as a dotted name: ``auth.login``, ``auth.login_failed``, ``user.role_changed``...
    action: Mapped[str] = mapped_column(String(60), index=True)
    #: What it happened to, e.g. ``user`` and its id.
    target_type: Mapped[str | None] = mapped_column(String(40))
    target_id: Mapped[int | None]
    details: Mapped[dict] = mapped_column(JSON, default=dict)
    ip_address: Mapped[str | None] = mapped_column(String(45))

    actor: Mapped[User | None] = relationship()
