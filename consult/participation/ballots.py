"""Recording a ranking: validation, and the one-counted-ballot rule under concurrent submissions."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

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


def _insert_ignore(table, **values):
    """INSERT … ON CONFLICT DO NOTHING on the dialect in use."""
    dialect = db.session.get_bind().dialect.name
    module = postgresql if dialect == "postgresql" else sqlite
    return module.insert(table).values(**values).on_conflict_do_nothing()


def submit_ballot(
    participant: Participant,
    codes: list[str],
    channel: Channel,
    entered_by: User | None = None,
    *,
    audit_each: bool = True,
) -> Ballot:
    """Record ``codes`` as the participant's counted ballot, keeping the previous version for audit.

    Safe under concurrent submissions for the same participant (two tabs, a double click): the ballot
    row is created with INSERT … ON CONFLICT DO NOTHING, then locked, so the database holds exactly one.
    Flushes; the caller commits.
    """
    session = participant.session
    # Paper forms collected in the room may still be typed in after the session closes.
    open_states = (SessionState.OPEN, SessionState.CLOSED) if channel == Channel.PAPER else (SessionState.OPEN,)
    if session.state not in open_states:
        raise DomainError(_("La sessione non è aperta: non si possono inviare o cambiare classifiche."), status=409)
    ranking = validate_ranking(session, codes)

    db.session.execute(
        _insert_ignore(
            Ballot.__table__,
            participant_id=participant.id,
            session_id=session.id,
            channel=channel.value,
            version=0,
            updated_at=utcnow(),
        )
    )
    ballot = db.session.scalar(
        select(Ballot)
        .where(Ballot.participant_id == participant.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    ballot.ranks.clear()
    db.session.flush()  # the old places go before the new ones take their positions
    ballot.ranks.extend(BallotRank(position=n, strategy=strategy) for n, strategy in enumerate(ranking, start=1))
    ballot.version += 1
    ballot.channel = channel
    ballot.entered_by = entered_by
    ballot.updated_at = utcnow()
    ballot.versions.append(
        BallotVersion(
            version=ballot.version,
            ranking=[strategy.code for strategy in ranking],
            channel=channel,
            entered_by_id=entered_by.id if entered_by else None,
        )
    )
    session.ballots_version = ConsultationSession.ballots_version + 1
    db.session.flush()
    if channel == Channel.PAPER and audit_each:
        audit.record("ballot.paper_entered", ballot, actor=entered_by, session=session.id, label=participant.label)
    return ballot
