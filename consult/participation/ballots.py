"""Recording a ranking: validation, and the one-counted-ballot rule under concurrent submissions."""

from __future__ import annotations

import json
from functools import cache

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import bindparam, delete, insert, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm.util import identity_key

from consult import audit
from consult.errors import DomainError
from consult.extensions import db
from consult.models import (
    Ballot,
    BallotRank,
    BallotVersion,
    Channel,
    ConsultationSession,
    Participant,
    SessionState,
    Strategy,
)
from consult.models.people import User, utcnow


def validate_ranking(session: ConsultationSession, codes: list[str]) -> list[Strategy]:
    """The strategies of a ranking in order; raises DomainError naming every problem."""
    in_scope = {strategy.code: strategy for strategy in session.consultation.strategies}
    depth = session.consultation.depth
    problems, seen, ranking = [], set(), []
    for code in codes:
        code = code.strip()
        if code in seen:
            problems.append(_("La strategia %(code)s compare più di una volta.", code=code))
            continue
        seen.add(code)
        if code not in in_scope:
            problems.append(_("La strategia %(code)s non fa parte di questa consultazione.", code=code))
            continue
        ranking.append(in_scope[code])
    if len(codes) > depth:
        problems.append(
            ngettext(
                "Si può mettere in ordine al massimo %(num)s strategia.",
                "Si possono mettere in ordine al massimo %(num)s strategie.",
                depth,
            )
        )
    if not codes:
        problems.append(_("Metti in ordine almeno una strategia."))
    if problems:
        raise DomainError(" ".join(problems), status=422)
    return ranking


_WRITE_REST = text(
    """
    WITH places AS (
        INSERT INTO ballot_rank (ballot_id, position, strategy_id)
        SELECT :ballot_id, place.position, place.strategy_id
        FROM unnest(CAST(:strategies AS INTEGER[])) WITH ORDINALITY AS place(strategy_id, position)
    ), kept AS (
        INSERT INTO ballot_version (ballot_id, version, ranking, channel, created_at, entered_by_id)
        VALUES (:ballot_id, :version, CAST(:ranking AS JSON), :channel, :now, :entered_by_id)
    )
    UPDATE consultation_session SET ballots_version = ballots_version + 1 WHERE id = :session_id
    """
)


def dialect_insert(table):
    """INSERT for the dialect in use, with its ON CONFLICT clauses."""
    return (postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite).insert(table)


@cache
def _upsert(dialect: str):
    """INSERT … ON CONFLICT DO UPDATE of a participant's ballot, returning its id and new version: built once
    per dialect (building it, with its ``excluded`` alias, cost more than running it)."""
    table = Ballot.__table__
    upsert = (
        (postgresql if dialect == "postgresql" else sqlite)
        .insert(table)
        .values(
            participant_id=bindparam("participant_id"),
            session_id=bindparam("session_id"),
            channel=bindparam("channel", type_=table.c.channel.type),
            version=1,
            updated_at=bindparam("updated_at", type_=table.c.updated_at.type),
            entered_by_id=bindparam("entered_by_id"),
        )
    )
    return upsert.on_conflict_do_update(
        index_elements=[table.c.participant_id],
        set_={
            "version": table.c.version + 1,
            "channel": upsert.excluded.channel,
            "updated_at": upsert.excluded.updated_at,
            "entered_by_id": upsert.excluded.entered_by_id,
        },
    ).returning(table.c.id, table.c.version)


def submit_ballot(
    participant: Participant,
    codes: list[str],
    channel: Channel,
    entered_by: User | None = None,
    *,
    audit_each: bool = True,
) -> int:
    """Record ``codes`` as the participant's counted ballot, keeping the previous version for audit; returns
    the ballot's id.

    Safe under concurrent submissions for the same participant (two tabs, a double click): the ballot row
    is created or updated by one INSERT … ON CONFLICT DO UPDATE, which locks it until the commit, so the
    database holds exactly one and the versions are numbered without gaps. Written with Core so that no ORM
    object is loaded: four or five statements on SQLite, two or three round trips on PostgreSQL.
    Flushes; the caller commits.
    """
    session = participant.session
    # Paper forms collected in the room may still be typed in after the session closes.
    open_states = (SessionState.OPEN, SessionState.CLOSED) if channel == Channel.PAPER else (SessionState.OPEN,)
    if session.state not in open_states:
        raise DomainError(_("La sessione non è aperta: non si possono inviare o cambiare classifiche."), status=409)
    ranking = validate_ranking(session, codes)

    now = utcnow()
    entered_by_id = entered_by.id if entered_by else None
    dialect = db.session.get_bind().dialect.name
    values = {
        "participant_id": participant.id,
        "session_id": session.id,
        "channel": channel,
        "updated_at": now,
        "entered_by_id": entered_by_id,
    }
    ballot_id, version = db.session.execute(_upsert(dialect), values).one()
    if version > 1:  # a first ballot has no places yet
        db.session.execute(delete(BallotRank.__table__).where(BallotRank.__table__.c.ballot_id == ballot_id))
    if dialect == "postgresql":
        # One round trip instead of three: the places, the version and the session's counter are different
        # tables, so the statement's parts cannot see or hurt each other. The old places went just before.
        # Plain SQL, because SQLAlchemy compiles a statement with data-modifying CTEs again on every call.
        db.session.execute(
            _WRITE_REST,
            {
                "ballot_id": ballot_id,
                "strategies": [strategy.id for strategy in ranking],
                "version": version,
                "ranking": json.dumps([strategy.code for strategy in ranking]),
                "channel": channel.value,
                "now": now,
                "entered_by_id": entered_by_id,
                "session_id": session.id,
            },
        )
    else:
        places = insert(BallotRank.__table__).values(
            [{"ballot_id": ballot_id, "position": n, "strategy_id": s.id} for n, s in enumerate(ranking, 1)]
        )
        kept = insert(BallotVersion.__table__).values(
            ballot_id=ballot_id,
            version=version,
            ranking=[strategy.code for strategy in ranking],
            channel=channel,
            created_at=now,
            entered_by_id=entered_by_id,
        )
        sessions = ConsultationSession.__table__
        bump = update(sessions).where(sessions.c.id == session.id)
        bump = bump.values(ballots_version=sessions.c.ballots_version + 1)
        for statement in (places, kept, bump):
            db.session.execute(statement)
    # Objects this database session already holds no longer match the rows: read them again on next use.
    db.session.expire(session, ["ballots_version"])
    if "ballot" in participant.__dict__:
        db.session.expire(participant, ["ballot"])
    loaded = db.session.identity_map.get(identity_key(Ballot, ballot_id))
    if loaded is not None:
        db.session.expire(loaded)
    if channel == Channel.PAPER and audit_each:
        ballot = db.session.get(Ballot, ballot_id)
        audit.record("ballot.paper_entered", ballot, actor=entered_by, session=session.id, label=participant.label)
    return ballot_id
