"""Files of paper ballots waiting between their preview and the facilitator's confirmation."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from consult.extensions import db
from consult.models.people import utcnow
from consult.models.types import UtcDateTime


class PaperUpload(db.Model):
    """An uploaded file kept for its confirmation: only its uploader, for its session, until it expires.

    Kept in the database rather than on disk so any worker (or server) can confirm what another previewed."""

    __tablename__ = "paper_upload"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Unguessable; the confirm form carries it. Useless to anyone but ``user`` on ``session``.
    token: Mapped[str] = mapped_column(String(64), unique=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("consultation_session.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    filename: Mapped[str] = mapped_column(String(200))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
