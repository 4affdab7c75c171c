"""Paper ballots from the browser: loading the session, the forms entered so far, and uploads awaiting confirmation."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import abort
from flask_babel import gettext as _
from sqlalchemy import delete, select
from sqlalchemy.orm import selectinload

from consult import audit
from consult.errors import DomainError
from consult.extensions import db
from consult.models import Ballot, BallotVersion, ConsultationSession, PaperUpload, Participant, User
from consult.models.people import utcnow
from consult.participation import paper
from consult.permissions import authorize

#: How long an uploaded file waits for its confirmation.
UPLOAD_LIFETIME = timedelta(hours=2)


def load_session(zone_code: int, session_id: int) -> ConsultationSession:
    """The session in the URL (404 if unknown or in another zone), for someone who may enter its paper (else 403)."""
    session = db.session.get(ConsultationSession, session_id)
    if session is None or session.zone.code != zone_code:
        abort(404)
    authorize("zone.paper", session.zone)
    return session


@dataclass
class EnteredForm:
    """A paper ballot as the entry pages list it: the counted version and the ones it replaced."""

    participant: Participant
    ballot: Ballot
    versions: list[BallotVersion]
    entered_by: dict[int, User]

    @property
    def codes(self) -> list[str]:
        return self.versions[-1].ranking if self.versions else []

    def who(self, version: BallotVersion) -> User | None:
        return self.entered_by.get(version.entered_by_id)


def forms_query(session: ConsultationSession):
    """The session's paper forms (participants with a label and a ballot), most recently changed first."""
    return (
        select(Participant)
        .join(Ballot, Ballot.participant_id == Participant.id)
        .where(Participant.session_id == session.id, Participant.label.is_not(None))
        .options(selectinload(Participant.category), selectinload(Participant.ballot))
        .order_by(Ballot.updated_at.desc(), Participant.id.desc())
    )


def describe(participants: list[Participant]) -> list[EnteredForm]:
    """Each form with every version of its ballot and who entered each, in three queries."""
    ballot_ids = [participant.ballot.id for participant in participants]
    versions: dict[int, list[BallotVersion]] = {}
    for start in range(0, len(ballot_ids), paper.CHUNK):
        chunk = ballot_ids[start : start + paper.CHUNK]
        for version in db.session.scalars(
            select(BallotVersion).where(BallotVersion.ballot_id.in_(chunk)).order_by(BallotVersion.version)
        ):
            versions.setdefault(version.ballot_id, []).append(version)
    people_ids = {v.entered_by_id for vs in versions.values() for v in vs if v.entered_by_id}
    people = {user.id: user for user in db.session.scalars(select(User).where(User.id.in_(people_ids)))}
    return [EnteredForm(p, p.ballot, versions.get(p.ballot.id, []), people) for p in participants]


def count_forms(session: ConsultationSession) -> int:
    return db.session.scalar(
        select(db.func.count())
        .select_from(Ballot)
        .join(Participant, Ballot.participant_id == Participant.id)
        .where(Participant.session_id == session.id, Participant.label.is_not(None))
    )


def find_form(session: ConsultationSession, label: str) -> Participant | None:
    return db.session.scalar(
        select(Participant).where(Participant.session_id == session.id, Participant.label == label)
    )


def next_label(label: str | None) -> str:
    """The label after ``label`` when it ends in a number (P007 → P008), keeping its zeros; else empty."""
    match = re.fullmatch(r"(.*?)(\d+)", label or "")
    if not match:
        return ""
    prefix, number = match.groups()
    return f"{prefix}{int(number) + 1:0{len(number)}d}"[: paper.MAX_LABEL]


def save_form(
    session: ConsultationSession, row: paper.PaperRow, entered_by: User, *, correcting: str | None
) -> paper.ImportReport:
    """Write one typed form: a new label, or a correction of the form ``correcting`` (its old version kept)."""
    existing = find_form(session, row.label)
    if correcting is None and existing is not None and existing.ballot is not None:
        raise DomainError(
            _("La scheda «%(label)s» è già stata inserita: per cambiarla usa «Correggi» nell'elenco.", label=row.label),
            status=409,
        )
    if correcting is not None and (correcting != row.label or existing is None):
        raise DomainError(_("La scheda da correggere non esiste più: ricarica la pagina."), status=409)
    report = paper.write_rows(session, [row], entered_by)
    audit.record(
        "ballot.paper_corrected" if correcting else "ballot.paper_entered",
        session,
        actor=entered_by,
        label=row.label,
        ranking=", ".join(row.codes),
    )
    return report


# --- uploads awaiting confirmation -----------------------------------------------------------------


def store_upload(session: ConsultationSession, user: User, filename: str, data: bytes) -> PaperUpload:
    """Keep an uploaded file for its confirmation, under a fresh unguessable token; drop expired ones."""
    db.session.execute(delete(PaperUpload).where(PaperUpload.created_at < utcnow() - UPLOAD_LIFETIME))
    upload = PaperUpload(
        token=secrets.token_urlsafe(32),
        session_id=session.id,
        user_id=user.id,
        filename=(filename or "schede.csv")[-200:],
        data=data,
    )
    db.session.add(upload)
    db.session.flush()
    return upload


def load_upload(session: ConsultationSession, user: User, token: str) -> PaperUpload:
    """The upload behind ``token``: only for the person who uploaded it, on its session, until it expires."""
    upload = db.session.scalar(select(PaperUpload).where(PaperUpload.token == token[:64]))
    if upload is None or upload.session_id != session.id or upload.user_id != user.id or _expired(upload.created_at):
        abort(404)
    return upload


def _expired(created_at: datetime) -> bool:
    return created_at < utcnow() - UPLOAD_LIFETIME


def confirm_upload(session: ConsultationSession, upload: PaperUpload, user: User) -> paper.ImportReport:
    """Import the previewed file, all rows or none (checked again: the session may have changed since)."""
    report = paper.import_paper_ballots(session, upload.data, user, f"web:{upload.filename}", upload.filename)
    db.session.delete(upload)
    return report
