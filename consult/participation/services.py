"""Consultations, sessions, codes and participants. Helpers flush and log; callers commit once."""

from __future__ import annotations

import secrets
from datetime import date, datetime

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
from consult.participation.ballots import dialect_insert

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
    starts_on: date | None = None,
    ends_on: date | None = None,
    created_by: User | None = None,
    allow_multiple_zones: bool = False,
) -> Consultation:
    """A consultation on the whole plan, some axes, or a list of strategies."""
    scope, scope_axes, chosen = _resolve_scope(plan, axes, strategies)
    _check_consultation(title, depth, starts_on, ends_on)
    consultation = Consultation(
        plan=plan,
        title=title.strip(),
        description=description.strip(),
        scope=scope,
        scope_axes=scope_axes,
        ranking_depth=depth,
        strategies=chosen,
        starts_on=starts_on,
        ends_on=ends_on,
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


def update_consultation(
    consultation: Consultation,
    title: str,
    *,
    axes: list[str] = (),
    strategies: list[str] = (),
    depth: int | None = 5,
    description: str = "",
    starts_on: date | None = None,
    ends_on: date | None = None,
    allow_multiple_zones: bool | None = None,
) -> list[str]:
    """Change a consultation with the rules of its creation; returns the fields that changed.

    What is ranked (scope and depth) is fixed once a session has opened: ballots already cast were
    made against it."""
    scope, scope_axes, chosen = _resolve_scope(consultation.plan, axes, strategies)
    _check_consultation(title, depth, starts_on, ends_on)
    values = {
        "title": title.strip(),
        "description": description.strip(),
        "scope": scope,
        "scope_axes": scope_axes,
        "ranking_depth": depth,
        "starts_on": starts_on,
        "ends_on": ends_on,
    }
    if allow_multiple_zones is not None:
        values["allow_multiple_zones"] = allow_multiple_zones
    changed = [name for name, value in values.items() if getattr(consultation, name) != value]
    if [s.id for s in consultation.strategies_in_order] != [s.id for s in chosen]:
        changed.append("strategies")
    ranking_changed = {"scope", "scope_axes", "ranking_depth", "strategies"} & set(changed)
    if ranking_changed and any(s.state != SessionState.DRAFT for s in consultation.sessions):
        raise DomainError(
            _(
                "Le strategie in consultazione e i posti da assegnare non si possono più cambiare: "
                "una sessione è già stata aperta."
            ),
            status=409,
        )
    if not changed:
        return []
    for name, value in values.items():
        setattr(consultation, name, value)
    consultation.strategies = chosen
    db.session.flush()
    audit.record("consultation.updated", consultation, fields=changed)
    return changed


def _resolve_scope(plan: Plan, axes, strategies) -> tuple[Scope, list[str], list[Strategy]]:
    """The scope, its axis codes and the strategies it covers, in code order."""
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
    scope_axes = sorted(axes, key=code_key) if axes else []
    return scope, scope_axes, sorted(chosen, key=lambda s: code_key(s.code))


def _check_consultation(title: str, depth: int | None, starts_on: date | None, ends_on: date | None) -> None:
    if depth is not None and depth < 1:
        raise DomainError(_("La profondità della classifica deve essere almeno 1."))
    if not title.strip():
        raise DomainError(_("Il titolo è obbligatorio."))
    if starts_on and ends_on and ends_on < starts_on:
        raise DomainError(_("La data di fine non può precedere quella di inizio."))


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


#: Session fields staff may change; the zone only while nobody has joined.
SESSION_FIELDS = ("title", "description", "mode", "starts_at", "place")


def update_session(session: ConsultationSession, *, zone: Zone, **values) -> list[str]:
    """Change a session's details with the rules of its creation; returns the fields that changed."""
    if session.state == SessionState.PUBLISHED:
        raise DomainError(_("I risultati di questa sessione sono pubblicati: non si può più modificare."), status=409)
    values["title"] = (values.get("title") or "").strip() or session.title
    values["description"] = (values.get("description") or "").strip()
    values["place"] = (values.get("place") or "").strip()
    changed = [name for name in SESSION_FIELDS if name in values and getattr(session, name) != values[name]]
    if zone.id != session.zone_id:
        has_participants = db.session.scalar(
            select(func.count()).select_from(Participant).where(Participant.session_id == session.id)
        )
        if session.state != SessionState.DRAFT or has_participants:
            raise DomainError(_("La zona si può cambiare solo prima che la sessione sia aperta."), status=409)
        changed.append("zone")
        session.zone = zone
    if not changed:
        return []
    for name in changed:
        if name != "zone":
            setattr(session, name, values[name])
    db.session.flush()
    audit.record("session.updated", session, fields=changed)
    return changed


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


class CategoryRequired(DomainError):
    """A fresh code needs the category the person speaks for; a code used before does not."""


def find_code(text: str) -> ParticipantCode | None:
    return db.session.scalar(select(ParticipantCode).where(ParticipantCode.code == normalise_code(text)))


def redeem_code(
    text: str, *, category: StakeholderCategory | None, organisation: str = "", name: str = ""
) -> Participant:
    """Join the code's session in the room. The code is the participant's key: the first use makes it
    theirs, and using it again (another browser, a lost cookie) brings the same participant back while
    the session is open."""
    code = find_code(text)
    if code is None:
        raise DomainError(_("Codice non valido: controlla di averlo scritto come sul foglio."), status=404)
    if code.revoked_at is not None:
        raise DomainError(_("Questo codice è stato annullato: chiedine un altro ai facilitatori."), status=410)
    if code.session.state != SessionState.OPEN:
        raise DomainError(_("Questo codice è scaduto: la sessione non è aperta."), status=410)
    if code.used_at is not None:
        participant = db.session.scalar(select(Participant).where(Participant.code_id == code.id))
        if participant is not None:
            return participant
    if category is None:
        raise CategoryRequired(_("Scegli la categoria che rappresenti."))
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


def revoke_code(code: ParticipantCode, actor: User | None = None) -> None:
    """Withdraw a code nobody has used (lost, handed out twice...): it can no longer open the session."""
    if code.used_at is not None:
        raise DomainError(_("Il codice %(code)s è già stato usato: non si può annullare.", code=code.code), status=409)
    if code.revoked_at is not None:
        raise DomainError(_("Il codice %(code)s è già annullato.", code=code.code), status=409)
    code.revoked_at = utcnow()
    db.session.flush()
    audit.record("code.revoked", code.session, actor=actor, code=code.code)


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
            dialect_insert(Participant.__table__)
            .values(
                session_id=session.id,
                user_id=user.id,
                category_id=user.category_id,
                organisation=user.organisation,
                joined_at=utcnow(),
            )
            .on_conflict_do_nothing()
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
