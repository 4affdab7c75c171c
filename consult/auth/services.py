"""Account rules. Helpers flush and record audit events; the calling view commits once."""

from __future__ import annotations

import hashlib
import logging
import secrets
import smtplib
import unicodedata
from datetime import UTC, datetime

from flask import current_app, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import and_, delete, func, or_, select, update

from consult import audit, mail, text
from consult.errors import DomainError
from consult.extensions import db
from consult.models.audit import AuditEvent
from consult.models.ballots import Participant
from consult.models.people import Role, SignIn, StakeholderCategory, User
from consult.models.territory import Zone
from consult.passwords import hash_password, needs_rehash, verify_password, weakness

log = logging.getLogger(__name__)


def load_user(session_id: str) -> User | None:
    """Resolve ``id:token:sign-in``; a rotated token (password changed) or an ended sign-in no longer resolves."""
    user_id, _sep, rest = session_id.partition(":")
    token, _sep, sign_in = rest.partition(":")
    number = text.whole_number(user_id)
    if number is None or not token or not sign_in:
        return None
    user = db.session.scalar(
        select(User)
        .join(SignIn, SignIn.user_id == User.id)
        .where(User.id == number, SignIn.token_hash == _hash(sign_in))
    )
    if user is None or user.session_token != token or not user.is_active:
        return None
    return user


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_sign_in(user: User) -> None:
    """Record a new signed-in browser for ``user``; ``user.get_id()`` names it until the request ends."""
    token = secrets.token_urlsafe(24)
    db.session.add(SignIn(user_id=user.id, token_hash=_hash(token)))
    user.new_sign_in_token = token


def end_sign_in(session_id: str | None) -> None:
    """Sign-out: the browser's sign-in is deleted, so its session and "remember me" cookies stop working."""
    _user_id, _sep, rest = (session_id or "").partition(":")
    _token, _sep, sign_in = rest.partition(":")
    if sign_in:
        db.session.execute(delete(SignIn).where(SignIn.token_hash == _hash(sign_in)))


def end_every_sign_in(user: User) -> None:
    """Sign ``user`` out of every browser and device, this one included."""
    db.session.execute(delete(SignIn).where(SignIn.user_id == user.id))
    user.rotate_session_token()


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_by_email(email: str) -> User | None:
    if any(unicodedata.category(char) == "Cc" for char in email):
        return None  # no address with control characters is ever stored (PostgreSQL refuses NUL)
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def create_user(
    email: str,
    password: str,
    *,
    display_name: str,
    role: Role = Role.STAKEHOLDER,
    organisation: str | None = None,
    category: StakeholderCategory | None = None,
    zone: Zone | None = None,
    facilitated_zones: list[Zone] = (),
    privacy_accepted: bool = False,
    confirmed: bool = False,
    language: str | None = None,
) -> User:
    """A new account; raises DomainError for a taken email or a weak password."""
    email = normalise_email(email)
    if find_by_email(email) is not None:
        raise DomainError(_("Esiste già un account con questo indirizzo email."))
    if problem := weakness(password, [email, display_name, organisation or ""]):
        raise DomainError(problem)
    now = datetime.now(UTC)
    user = User(
        email=email,
        password_hash=hash_password(password),
        display_name=display_name.strip(),
        organisation=(organisation or "").strip() or None,
        category=category,
        zone=zone,
        role=role,
        language=language,
        privacy_accepted_at=now if privacy_accepted else None,
        privacy_version=current_app.config["PRIVACY_VERSION"] if privacy_accepted else None,
        email_confirmed_at=now if confirmed else None,
    )
    user.facilitated_zones = list(facilitated_zones)
    db.session.add(user)
    db.session.flush()
    audit.record("user.created", user, role=role.value, zones=[zone.code for zone in facilitated_zones])
    return user


def authenticate(email: str, password: str) -> User | None:
    """The active account with these credentials, or None; logs both outcomes."""
    user = find_by_email(email) if email else None
    if user is not None and verify_password(user.password_hash, password) and user.is_active:
        if needs_rehash(user.password_hash):
            user.password_hash = hash_password(password)
        user.last_login_at = datetime.now(UTC)
        audit.record("auth.login", user, actor=user)
        return user
    if user is None:
        verify_password(None, password)  # same effort as for a known account
    # The attempted address is recorded only when it belongs to an account, never free text.
    audit.record("auth.login_failed", user, actor=None)
    return None


def set_password(user: User, password: str) -> None:
    """Change the password and sign the person out of every other session."""
    if problem := weakness(password, [user.email or "", user.display_name or "", user.organisation or ""]):
        raise DomainError(problem)
    user.password_hash = hash_password(password)
    end_every_sign_in(user)
    audit.record("auth.password_changed", user, actor=user)


def count_admins() -> int:
    return db.session.scalar(
        select(func.count()).select_from(User).where(User.role == Role.ADMIN, User.active.is_(True))
    )


# --- signed links ------------------------------------------------------------------------------


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"consult.{purpose}")


def confirmation_token(user: User) -> str:
    return _serializer("confirm-email").dumps({"user": user.id, "email": user.email})


def confirm_email(token: str) -> User:
    """Mark the address in a confirmation link as confirmed; DomainError if the link is bad."""
    data = _load(token, "confirm-email", current_app.config["CONFIRM_EMAIL_MAX_AGE"])
    user = db.session.get(User, data.get("user"))
    if user is None or user.email != data.get("email"):
        raise DomainError(_("Questo link di conferma non è valido."))
    if not user.confirmed:
        user.email_confirmed_at = datetime.now(UTC)
        audit.record("auth.email_confirmed", user, actor=user)
    return user


def _single_use_token(user: User, purpose: str) -> str:
    # Bound to the session token, which changes when the password does: a used link stops working.
    return _serializer(purpose).dumps({"user": user.id, "check": user.session_token})


def _single_use_user(token: str, purpose: str, max_age: int) -> User | None:
    """The active account a single-use link names, or None when it was used or names nobody."""
    data = _load(token, purpose, max_age)
    user = db.session.get(User, data.get("user"))
    if user is None or not user.is_active or user.session_token != data.get("check"):
        return None
    return user


def reset_token(user: User) -> str:
    return _single_use_token(user, "reset-password")


def user_for_reset(token: str) -> User:
    user = _single_use_user(token, "reset-password", current_app.config["RESET_PASSWORD_MAX_AGE"])
    if user is None:
        raise DomainError(_("Questo link per reimpostare la password è già stato usato o non è valido."))
    return user


def invitation_token(user: User) -> str:
    return _single_use_token(user, "invitation")


def user_for_invitation(token: str) -> User:
    """The invited account a link names; DomainError when the link is expired, used or not valid."""
    user = _single_use_user(token, "invitation", current_app.config["INVITATION_MAX_AGE"])
    if user is None:
        raise DomainError(_("Questo invito è già stato usato o non è più valido: chiedine uno nuovo."))
    return user


def accept_invitation(user: User, password: str) -> None:
    """The invitee chooses a password: the address is confirmed (the link came to it), the notice accepted."""
    set_password(user, password)
    now = datetime.now(UTC)
    user.email_confirmed_at = user.email_confirmed_at or now
    user.privacy_accepted_at = now
    user.privacy_version = current_app.config["PRIVACY_VERSION"]
    audit.record("user.invitation_accepted", user, actor=user)


def reset_token_account(token: str) -> int | None:
    """The account a reset link names, unchecked: only to key rate limits by account."""
    _valid, data = _serializer("reset-password").loads_unsafe(token)
    return data.get("user") if isinstance(data, dict) else None


def _load(token: str, purpose: str, max_age: int) -> dict:
    try:
        data = _serializer(purpose).loads(token, max_age=max_age)
    except SignatureExpired:
        raise DomainError(_("Questo link è scaduto: richiedine uno nuovo.")) from None
    except BadSignature:
        raise DomainError(_("Questo link non è valido.")) from None
    return data if isinstance(data, dict) else {}


# --- registration, profile, passwords ----------------------------------------------------------


def check_password(user: User, password: str) -> bool:
    """Whether ``password`` is the person's current one (for changes that need it re-typed)."""
    return verify_password(user.password_hash, password)


def reset_password(user: User, password: str) -> None:
    """Set a new password from an emailed link. Following the link proves the address is theirs."""
    set_password(user, password)
    if not user.confirmed:
        user.email_confirmed_at = datetime.now(UTC)
        audit.record("auth.email_confirmed", user, actor=user)


#: Profile fields a person may change themselves.
PROFILE_FIELDS = ("display_name", "organisation", "category", "zone", "language")


def update_profile(user: User, **changes) -> list[str]:
    """Apply profile changes; returns the names of the fields that changed (audited, not values)."""
    changed = [name for name, value in changes.items() if name in PROFILE_FIELDS and getattr(user, name) != value]
    for name in changed:
        setattr(user, name, changes[name])
    if changed:
        audit.record("user.profile_updated", user, actor=user, fields=changed)
    return changed


def is_last_admin(user: User) -> bool:
    return user.role == Role.ADMIN and user.is_active and count_admins() <= 1


def delete_account(user: User) -> None:
    """Erase the person's data, keep their contributions (attributed to an anonymous participant of
    the same category and zone, so no counted ballot is lost). DomainError for the last admin."""
    if is_last_admin(user):
        raise DomainError(
            _("Sei l'unica persona con il ruolo di amministratore: assegna prima il ruolo a qualcun altro.")
        )
    # Addresses in the audit log identify the person: drop them from what they did and from what was
    # done to their account without an actor (sign-up, failed logins). The events themselves stay.
    own_events = or_(
        AuditEvent.actor_id == user.id,
        and_(AuditEvent.actor_id.is_(None), AuditEvent.target_type == User.__tablename__,
             AuditEvent.target_id == user.id),
    )  # fmt: skip
    db.session.execute(update(AuditEvent).where(own_events).values(ip_address=None))
    for column in ERASED_ON_DELETE:
        setattr(user, column, None)
    # Their participations keep category and session (and so zone), not who they were.
    db.session.execute(update(Participant).where(Participant.user_id == user.id).values(name=None, organisation=None))
    user.facilitated_zones = []
    user.role = Role.STAKEHOLDER
    user.active = False
    user.deleted_at = datetime.now(UTC)
    user.rotate_session_token()
    event = audit.record("user.deleted", user, actor=user)
    event.ip_address = None


#: Columns emptied when an account is deleted; category_id and zone_id stay on purpose (see above).
ERASED_ON_DELETE = (
    "email",
    "password_hash",
    "display_name",
    "organisation",
    "language",
    "email_confirmed_at",
    "privacy_accepted_at",
    "privacy_version",
    "last_login_at",
)


# --- emails ------------------------------------------------------------------------------------


def send_confirmation(user: User) -> bool:
    """Email the link that confirms the address; False when the message could not be sent."""
    link = url_for("auth.confirm_email", token=confirmation_token(user), _external=True)
    with force_locale(user.language or current_app.config["BABEL_DEFAULT_LOCALE"]):
        subject = _("Conferma il tuo indirizzo email")
        body = _(
            "Ciao %(name)s,\n\n"
            "per confermare l'indirizzo email del tuo account sulla consultazione "
            "del Piano Strategico Metropolitano apri questo link:\n\n%(link)s\n\n"
            "Se non hai creato tu l'account, ignora questo messaggio.\n\n"
            "Città metropolitana di Torino",
            name=user.display_name,
            link=link,
        )
    return _send(user.email, subject, body)


def request_password_reset(email: str) -> None:
    """Email a reset link if an active account has this address; silent otherwise, so the answer
    never tells whether an account exists."""
    user = find_by_email(email)
    if user is None or not user.is_active:
        return
    audit.record("auth.reset_requested", user, actor=None)
    link = url_for("auth.reset_password", token=reset_token(user), _external=True)
    minutes = current_app.config["RESET_PASSWORD_MAX_AGE"] // 60
    with force_locale(user.language or current_app.config["BABEL_DEFAULT_LOCALE"]):
        subject = _("Reimposta la tua password")
        body = _(
            "Ciao %(name)s,\n\n"
            "abbiamo ricevuto una richiesta di reimpostare la password del tuo account. "
            "Per sceglierne una nuova apri questo link entro %(minutes)s minuti; "
            "funziona una volta sola:\n\n"
            "%(link)s\n\n"
            "Se non l'hai chiesto tu, ignora questo messaggio: "
            "la tua password resta quella di prima.\n\n"
            "Città metropolitana di Torino",
            name=user.display_name,
            link=link,
            minutes=minutes,
        )
    _send(user.email, subject, body)


def send_invitation(user: User, invited_by: User) -> bool:
    """Email the link to set a password; False when the message could not be sent."""
    link = url_for("auth.accept_invitation", token=invitation_token(user), _external=True)
    days = current_app.config["INVITATION_MAX_AGE"] // (24 * 3600)
    with force_locale(user.language or current_app.config["BABEL_DEFAULT_LOCALE"]):
        subject = _("Sei stato invitato su consult")
        body = _(
            "Ciao %(name)s,\n\n"
            "%(inviter)s ti ha invitato a lavorare sulla consultazione del Piano Strategico Metropolitano "
            "con il ruolo «%(role)s».\n\n"
            "Per scegliere la tua password ed entrare apri questo link entro %(days)s giorni; "
            "funziona una volta sola:\n\n%(link)s\n\n"
            "Se non ti aspettavi questo invito, ignora il messaggio.\n\n"
            "Città metropolitana di Torino",
            name=user.display_name,
            inviter=invited_by.display_name or invited_by.email,
            role=user.role.label,
            days=days,
            link=link,
        )
    return _send(user.email, subject, body)


def _send(to: str, subject: str, body: str) -> bool:
    # A mail server that is down must not lose the person's registration: they can ask again.
    try:
        mail.send(to, subject, body)
    except (OSError, smtplib.SMTPException):
        log.exception("could not send %r to an account's address", subject)
        return False
    return True
