"""Recording a ranking: validation, and the one-counted-ballot rule under concurrent submissions."""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping
from dataclasses import dataclass
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
    return [in_scope[code] for code in check_ranking(in_scope, session.consultation.depth, codes)]


def check_ranking(in_scope: Collection[str], depth: int, codes: list[str]) -> list[str]:
    """The codes of a ranking in order, stripped, each in ``in_scope`` and at most ``depth`` of them; raises
    DomainError naming every problem."""
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
        ranking.append(code)
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


@dataclass(frozen=True, slots=True)
class BallotBox:
    """What recording a ballot needs of its session: its state, how many places a ballot has, and the
    strategies in scope (code → id). Taken from the session's objects (``of``), or read in one query, without
    them, when a ranking is sent (consult.participation.access.ballot_box)."""

    session_id: int
    state: SessionState
    depth: int
    strategies: Mapping[str, int]

    @classmethod
    def of(cls, session: ConsultationSession) -> BallotBox:
        consultation = session.consultation
        strategies = {strategy.code: strategy.id for strategy in consultation.strategies}
        return cls(session.id, session.state, consultation.depth, strategies)


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


_DELETE_PLACES = delete(BallotRank.__table__).where(BallotRank.__table__.c.ballot_id == bindparam("ballot_id"))


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


def record_ballot(
    box: BallotBox, participant_id: int, codes: list[str], channel: Channel, entered_by_id: int | None = None
) -> int:
    """Record ``codes`` as the participant's counted ballot, keeping the previous version for audit; returns
    the ballot's id.

    Safe under concurrent submissions for the same participant (two tabs, a double click): the ballot row
    is created or updated by one INSERT … ON CONFLICT DO UPDATE, which locks it until the commit, so the
    database holds exactly one and the versions are numbered without gaps. Written with Core so that no ORM
    object is loaded: four or five statements on SQLite, two or three round trips on PostgreSQL.
    Objects of the session or the ballot already loaded are not refreshed (``submit_ballot`` does that).
    Flushes; the caller commits.
    """
    # Paper forms collected in the room may still be typed in after the session closes.
    open_states = (SessionState.OPEN, SessionState.CLOSED) if channel == Channel.PAPER else (SessionState.OPEN,)
    if box.state not in open_states:
        raise DomainError(_("La sessione non è aperta: non si possono inviare o cambiare classifiche."), status=409)
    ranking = check_ranking(box.strategies, box.depth, codes)
    strategy_ids = [box.strategies[code] for code in ranking]

    now = utcnow()
    dialect = db.session.get_bind().dialect.name
    values = {
        "participant_id": participant_id,
        "session_id": box.session_id,
        "channel": channel,
        "updated_at": now,
        "entered_by_id": entered_by_id,
    }
    ballot_id, version = db.session.execute(_upsert(dialect), values).one()
    if version > 1:  # a first ballot has no places yet
        db.session.execute(_DELETE_PLACES, {"ballot_id": ballot_id})
    if dialect == "postgresql":
        # One round trip instead of three: the places, the version and the session's counter are different
        # tables, so the statement's parts cannot see or hurt each other. The old places went just before.
        # Plain SQL, because SQLAlchemy compiles a statement with data-modifying CTEs again on every call.
        db.session.execute(
            _WRITE_REST,
            {
                "ballot_id": ballot_id,
                "strategies": strategy_ids,
                "version": version,
                "ranking": json.dumps(ranking),
                "channel": channel.value,
                "now": now,
                "entered_by_id": entered_by_id,
                "session_id": box.session_id,
            },
        )
    else:
        places = insert(BallotRank.__table__).values(
            [{"ballot_id": ballot_id, "position": n, "strategy_id": s} for n, s in enumerate(strategy_ids, 1)]
        )
        kept = insert(BallotVersion.__table__).values(
            ballot_id=ballot_id,
            version=version,
            ranking=ranking,
            channel=channel,
            created_at=now,
            entered_by_id=entered_by_id,
        )
        sessions = ConsultationSession.__table__
        bump = update(sessions).where(sessions.c.id == box.session_id)
        bump = bump.values(ballots_version=sessions.c.ballots_version + 1)
        for statement in (places, kept, bump):
            db.session.execute(statement)
    return ballot_id


def submit_ballot(
    participant: Participant,
    codes: list[str],
    channel: Channel,
    entered_by: User | None = None,
    *,
    audit_each: bool = True,
) -> int:
    """Record ``codes`` as the participant's counted ballot (``record_ballot``); returns the ballot's id.
    Flushes; the caller commits."""
    session = participant.session
    entered_by_id = entered_by.id if entered_by else None
    ballot_id = record_ballot(BallotBox.of(session), participant.id, codes, channel, entered_by_id)
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
