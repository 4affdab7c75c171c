"""Password hashing (Argon2id) and the strength rule for new passwords."""

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from flask_babel import gettext as _
from zxcvbn import zxcvbn

MIN_LENGTH = 12
MAX_LENGTH = 128


@cache
def _hasher_for(params: tuple) -> tuple[PasswordHasher, str]:
    hasher = PasswordHasher(**dict(params))
    # Verifying against this keeps a login for an unknown account as slow as one for a known account.
    return hasher, hasher.hash("no account has this password")


def _hasher() -> tuple[PasswordHasher, str]:
    """Argon2id with the library's defaults, unless ARGON2_PARAMS overrides them (tests do)."""
    return _hasher_for(tuple(sorted(current_app.config.get("ARGON2_PARAMS", {}).items())))


def hash_password(password: str) -> str:
    return _hasher()[0].hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Whether ``password`` matches; spends the same effort when there is no hash to check."""
    hasher, dummy = _hasher()
    try:
        return hasher.verify(password_hash or dummy, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher()[0].check_needs_rehash(password_hash)


def weakness(password: str, user_inputs: list[str] = ()) -> str | None:
    """Why ``password`` is too weak, translated, or None when it is acceptable."""
    if len(password) < MIN_LENGTH:
        return _("La password deve avere almeno %(n)s caratteri.", n=MIN_LENGTH)
    if len(password) > MAX_LENGTH:
        return _("La password può avere al massimo %(n)s caratteri.", n=MAX_LENGTH)
    # zxcvbn cost grows with length; the cap above keeps it bounded.
    if zxcvbn(password, user_inputs=[value for value in user_inputs if value])["score"] < 3:
        return _("Questa password è troppo facile da indovinare: usa una frase più lunga o meno comune.")
    return None
