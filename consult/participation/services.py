"""Consultations, sessions, codes and participants. Helpers flush and log; callers commit once."""

from __future__ import annotations

import secrets
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import func, select, update

from consult import audit
from consult.errors import DomainError
from consult.extensions import db
from consult.models import (
    Ballot,
    Consultation,
    ConsultationSession,
    Mode,
    Participant,
    ParticipantCode,
    Plan,
    Scope,
    SessionState,
    StakeholderCategory,
    Strategy,
    User,
    Zone,
)
from consult.models.people import utcnow
from consult.models.plan import code_key
from consult.participation.ballots import _insert_ignore as insert_ignore  # the ballot path's ON CONFLICT helper

# Unambiguous when read aloud or from paper: no 0/O, 1/I/L, 2/Z, 5/S, 8/B.
CODE_ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"
CODE_LENGTH = 8


def create_consultation(
    plan: Plan,
    title: str,
    *,
    axes: list[str] = (),
    strategies: list[str] = (),
    depth: int | None = 5,
    description: str = "",
    created_by: User | None = None,
    allow_multiple_zones: bool = False,
) -> Consultation:
    """A consultation on the whole plan, some axes, or a list of strategies."""
    if axes and strategies:
        raise DomainError(_("Indica gli Assi oppure le strategie, non entrambi."))
    all_strategies = {strategy.code: strategy for strategy in plan.strategies}
    if axes:
        known_axes = {axis.code for axis in plan.axes}
        if unknown := [code for code in axes if code not in known_axes]:
            raise DomainError(_("Assi sconosciuti: %(codes)s.", codes=", ".join(unknown)))
        chosen = [s for axis in plan.axes if axis.code in axes for s in axis.strategies]
        scope = Scope.AXES
    elif strategies:
        if unknown := [code for code in strategies if code not in all_strategies]:
            raise DomainError(_("Strategie sconosciute: %(codes)s.", codes=", ".join(unknown)))
        chosen = [all_strategies[code] for code in dict.fromkeys(strategies)]
        scope = Scope.STRATEGIES
    else:
        chosen, scope = list(all_strategies.values()), Scope.ALL
    if depth is not None and depth < 1:
        raise DomainError(_("La profondità della classifica deve essere almeno 1."))
    if not title.strip():
        raise DomainError(_("Il titolo è obbligatorio."))
    consultation = Consultation(
        plan=plan,
        title=title.strip(),
        description=description.strip(),
        scope=scope,
        scope_axes=sorted(axes, key=code_key) if axes else [],
        ranking_depth=depth,
        strategies=sorted(chosen, key=lambda s: code_key(s.code)),
        created_by=created_by,
        allow_multiple_zones=allow_multiple_zones,
    )
    db.session.add(consultation)
    db.session.flush()
    audit.record(
        "consultation.created",
        consultation,
        scope=scope.value,
        depth=depth,
        allow_multiple_zones=allow_multiple_zones,
    )
    return consultation


def create_session(
    consultation: Consultation,
    zone: Zone,
    *,
    title: str | None = None,
    mode: Mode = Mode.HYBRID,
    description: str = "",
    starts_at: datetime | None = None,
    place: str = "",
    facilitators: list[User] = (),
) -> ConsultationSession:
    session = ConsultationSession(
        consultation=consultation,
        zone=zone,
        title=(title or "").strip() or f"{consultation.title} — {zone.name}",
        mode=mode,
        description=description.strip(),
        starts_at=starts_at,
        place=place.strip(),
        facilitators=list(facilitators),
    )
    db.session.add(session)
    db.session.flush()
    audit.record("session.created", session, zone=zone.code, consultation=consultation.id)
    return session


def set_state(session: ConsultationSession, state: SessionState, actor: User | None = None) -> None:
    """Move a session along its lifecycle (raises DomainError when not allowed) and log it."""
    previous = session.move_to(state)
    db.session.flush()
    audit.record("session.state_changed", session, actor=actor, previous=previous.value, state=state.value)


# --- participant codes -------------------------------------------------------------------------


def new_code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return f"{raw[:4]}-{raw[4:]}"


def normalise_code(text: str) -> str:
    raw = "".join(ch for ch in text.upper() if ch.isalnum())
    return f"{raw[:4]}-{raw[4:]}" if len(raw) == CODE_LENGTH else raw


def generate_codes(session: ConsultationSession, count: int, created_by: User | None = None) -> list[str]:
    """``count`` fresh single-use codes for the session."""
    if not 1 <= count <= 1000:
        raise DomainError(_("Si possono generare da 1 a 1000 codici alla volta."))
    if session.state == SessionState.PUBLISHED:
        raise DomainError(_("La sessione è conclusa: non servono altri codici."), status=409)
    existing = set(db.session.scalars(select(ParticipantCode.code)))
    codes: list[str] = []
    while len(codes) < count:
        code = new_code()
        if code not in existing:
            existing.add(code)
            codes.append(code)
    db.session.add_all(ParticipantCode(session=session, code=code, created_by=created_by) for code in codes)
    db.session.flush()
    audit.record("codes.generated", session, actor=created_by, count=count)
    return codes


def redeem_code(
    text: str, *, category: StakeholderCategory | None, organisation: str = "", name: str = ""
) -> Participant:
    """Join the code's session in the room: the code becomes this participant's, once."""
    code = db.session.scalar(select(ParticipantCode).where(ParticipantCode.code == normalise_code(text)))
    if code is None or code.revoked_at is not None:
        raise DomainError(_("Codice non valido: controlla di averlo scritto come sul foglio."), status=404)
    if code.used_at is not None:
        raise DomainError(_("Questo codice è già stato usato."), status=409)
    if code.session.state != SessionState.OPEN:
        raise DomainError(_("Questo codice è scaduto: la sessione non è aperta."), status=410)
    code.used_at = utcnow()
    participant = Participant(
        session=code.session,
        code=code,
        category=category,
        organisation=organisation.strip() or None,
        name=name.strip() or None,
    )
    db.session.add(participant)
    db.session.flush()
    return participant


# --- participants ----------------------------------------------------------------------------


def participant_for_user(session: ConsultationSession, user: User, *, create: bool = False) -> Participant | None:
    """The signed-in person's participation in the session (created on first use when asked)."""
    query = select(Participant).where(Participant.session_id == session.id, Participant.user_id == user.id)
    participant = db.session.scalar(query)
    if participant is None and create:
        if session.state != SessionState.OPEN:
            raise DomainError(_("La sessione non è aperta."), status=409)
        if not session.consultation.allow_multiple_zones:
            # Joins of one account wait for each other here, so two zones cannot both be joined at once: a
            # no-op write to the account's row locks it on PostgreSQL and takes SQLite's write lock.
            db.session.execute(
                update(User)
                .where(User.id == user.id)
                .values(session_token=User.session_token)
                .execution_options(synchronize_session=False)
            )
            if other := other_zone_participation(session, user):
                raise DomainError(
                    _(
                        "In questa consultazione partecipi già nella zona %(zone)s («%(title)s»): la classifica di "
                        "ognuno conta in una sola zona. Se lavori per più zone, chiedi a chi organizza la "
                        "consultazione.",
                        zone=f"{other.session.zone.code}. {other.session.zone.name}",
                        title=other.session.title,
                    ),
                    status=409,
                )
        # A double click sends several joins at once: the unique (session, user) constraint keeps one row,
        # and the others find it instead of failing on the constraint.
        db.session.execute(
            insert_ignore(
                Participant.__table__,
                session_id=session.id,
                user_id=user.id,
                category_id=user.category_id,
                organisation=user.organisation,
                joined_at=utcnow(),
            )
        )
        participant = db.session.scalar(query.execution_options(populate_existing=True))
    return participant


def other_zone_participation(session: ConsultationSession, user: User) -> Participant | None:
    """The person's participation in another zone's session of the same consultation, if any."""
    return db.session.scalar(
        select(Participant)
        .join(ConsultationSession, Participant.session_id == ConsultationSession.id)
        .where(
            Participant.user_id == user.id,
            ConsultationSession.consultation_id == session.consultation_id,
            ConsultationSession.zone_id != session.zone_id,
        )
        .order_by(Participant.id)
        .limit(1)
    )


def participation_by_category(session: ConsultationSession) -> list[tuple[StakeholderCategory | None, int]]:
    """How many have a counted ballot in the session, per stakeholder category."""
    rows = db.session.execute(
        select(Participant.category_id, func.count(Ballot.id))
        .join(Ballot, Ballot.participant_id == Participant.id)
        .where(Participant.session_id == session.id)
        .group_by(Participant.category_id)
    ).all()
    categories = {c.id: c for c in db.session.scalars(select(StakeholderCategory))}
    counted = [(categories.get(category_id), count) for category_id, count in rows]
    return sorted(counted, key=lambda pair: (pair[0] is None, pair[0].position if pair[0] else 0))


def strategies_by_code(session: ConsultationSession) -> dict[str, Strategy]:
    return {strategy.code: strategy for strategy in session.consultation.strategies}


def sheets_of(participant: Participant) -> list:
    from consult.models import StrategySheet

    return list(db.session.scalars(select(StrategySheet).where(StrategySheet.participant_id == participant.id)))
