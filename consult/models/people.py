"""People: accounts, their roles and the stakeholder categories results are broken down by."""

from __future__ import annotations

import enum
import secrets
from datetime import UTC, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import Column, Enum, ForeignKey, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consult.extensions import db
from consult.models.territory import Zone
from consult.models.types import UtcDateTime


def utcnow() -> datetime:
    return datetime.now(UTC)


class Role(enum.StrEnum):
    """What a person may do; each role includes what the ones below it may see."""

    STAKEHOLDER = "stakeholder"
    FACILITATOR = "facilitator"
    PLANNER = "planner"
    ADMIN = "admin"

    @property
    def label(self):
        return ROLE_LABELS[self]


ROLE_LABELS = {
    Role.STAKEHOLDER: _l("Partecipante"),
    Role.FACILITATOR: _l("Facilitatore"),
    Role.PLANNER: _l("Pianificatore"),
    Role.ADMIN: _l("Amministratore"),
}


class ManagedList:
    """An entry of a list administrators manage (seeded with defaults), named in Italian and English."""

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Stable code used in files, exports and the API, e.g. ``comune``.
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name_it: Mapped[str] = mapped_column(String(120))
    name_en: Mapped[str] = mapped_column(String(120))
    position: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)

    def name(self, locale: str) -> str:
        return self.name_en if locale == "en" else self.name_it


class StakeholderCategory(ManagedList, db.Model):
    """Who someone speaks for (comune, impresa, terzo settore, ...); results are broken down by it."""

    __tablename__ = "stakeholder_category"


facilitator_zone = Table(
    "facilitator_zone",
    db.metadata,
    Column("user_id", ForeignKey("user.id", ondelete="CASCADE"), primary_key=True),
    Column("zone_id", ForeignKey("zone.id", ondelete="CASCADE"), primary_key=True),
)


class User(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    #: Lower-cased; NULL once the account is deleted (personal data erased).
    email: Mapped[str | None] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    display_name: Mapped[str | None] = mapped_column(String(120))
    organisation: Mapped[str | None] = mapped_column(String(200))
    category_id: Mapped[int | None] = mapped_column(ForeignKey("stakeholder_category.id"))
    #: The zone the person refers to; kept after deletion so contributions stay attributed to it.
    zone_id: Mapped[int | None] = mapped_column(ForeignKey("zone.id"))
    role: Mapped[Role] = mapped_column(
        Enum(Role, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e]),
        default=Role.STAKEHOLDER,
    )
    language: Mapped[str | None] = mapped_column(String(5))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    email_confirmed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    #: When and which version of the privacy notice the person accepted.
    privacy_accepted_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    privacy_version: Mapped[str | None] = mapped_column(String(20))
    last_login_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    deleted_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    #: Part of the login session id: changing it signs the person out everywhere.
    session_token: Mapped[str] = mapped_column(String(32), default=lambda: secrets.token_hex(16))

    category: Mapped[StakeholderCategory | None] = relationship()
    zone: Mapped[Zone | None] = relationship()
    facilitated_zones: Mapped[list[Zone]] = relationship(secondary=facilitator_zone, order_by=Zone.code)

    # Flask-Login protocol
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active and self.deleted_at is None

    @property
    def is_anonymous(self) -> bool:
        return False

    #: The token of the sign-in being started in this request (not stored: only its hash is, on SignIn).
    new_sign_in_token = None

    def get_id(self) -> str:
        # The session and "remember me" cookies hold this: the account, its current session token (rotated
        # by a password change or "sign out everywhere") and this browser's own sign-in (ended by sign-out).
        return f"{self.id}:{self.session_token}:{self.new_sign_in_token or ''}"

    def rotate_session_token(self) -> None:
        """Sign the person out of every other session and remember-me cookie."""
        self.session_token = secrets.token_hex(16)

    @property
    def confirmed(self) -> bool:
        return self.email_confirmed_at is not None

    def has_role(self, *roles: Role) -> bool:
        return self.role in roles

    def facilitates(self, zone: Zone) -> bool:
        return self.role == Role.FACILITATOR and zone in self.facilitated_zones


class SignIn(db.Model):
    """One browser signed in to an account; signing out there deletes it, and its cookies stop working."""

    __tablename__ = "sign_in"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    #: SHA-256 of the token the cookies carry: what is stored here opens no session by itself.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
