"""The moderation queue of a zone and the decisions on it. Helpers flush; the view's request commits.

A decision is one of: hide (the room sees a notice, the author sees it with the reason), restore (shown
again) or keep (the reports were looked at and the content stays). Hiding or keeping resolves the open
reports; every decision goes into the audit log with its reason.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, func, select

from consult import audit
from consult.errors import DomainError
from consult.extensions import db
from consult.models import (
    Comment,
    CommentReport,
    ConsultationSession,
    ProjectProposal,
    ProposalReport,
    Strategy,
    User,
    Zone,
)
from consult.models.people import utcnow
from consult.text import clean

REASON_MAX = 1000


class Show(enum.StrEnum):
    """The queue's tabs."""

    PENDING = "pending"
    HIDDEN = "hidden"
    REVIEWED = "reviewed"

    @property
    def label(self):
        return {
            Show.PENDING: _l("Da esaminare"),
            Show.HIDDEN: _l("Nascosti"),
            Show.REVIEWED: _l("Esaminati e lasciati visibili"),
        }[self]


class Decision(enum.StrEnum):
    HIDE = "hide"
    RESTORE = "restore"
    KEEP = "keep"


#: What can be reported, by the name used in URLs: the model and its reports' model and foreign key.
KINDS = {
    "comment": (Comment, CommentReport, CommentReport.comment_id),
    "proposal": (ProjectProposal, ProposalReport, ProposalReport.proposal_id),
}


@dataclass
class Item:
    """A reported (or hidden) contribution as the queue shows it."""

    kind: str
    row: Comment | ProjectProposal
    session: ConsultationSession

    @property
    def reports(self) -> list:
        return self.row.reports

    @property
    def open_reports(self) -> list:
        return [report for report in self.row.reports if report.resolved_at is None]

    @property
    def anchor(self) -> str:
        return f"{self.kind}-{self.row.id}"

    @property
    def context_url(self) -> str:
        """Where it is shown to the room."""
        values = {"zone_code": self.session.zone.code, "session_id": self.session.id}
        if self.kind == "proposal":
            return url_for("participation.proposal", proposal_id=self.row.id, **values)
        anchor = f"comment-{self.row.id}"
        if self.row.proposal_id is not None:
            return url_for("participation.proposal", proposal_id=self.row.proposal_id, _anchor=anchor, **values)
        code = db.session.get(Strategy, self.row.strategy_id).code
        return url_for("participation.discussion", code=code, _anchor=anchor, **values)

    @property
    def latest_report_at(self):
        return max((report.created_at for report in self.reports), default=self.row.created_at)


def _filtered(kind: str, zone: Zone, show: Show, session: ConsultationSession | None = None):
    model, report, foreign_key = KINDS[kind]
    open_report = exists().where(foreign_key == model.id, report.resolved_at.is_(None))
    any_report = exists().where(foreign_key == model.id)
    query = (
        select(model)
        .join(ConsultationSession, ConsultationSession.id == model.session_id)
        .where(ConsultationSession.zone_id == zone.id)
    )
    if session is not None:
        query = query.where(model.session_id == session.id)
    if show == Show.PENDING:
        return query.where(model.hidden_at.is_(None), open_report)
    if show == Show.HIDDEN:
        return query.where(model.hidden_at.is_not(None))
    return query.where(model.hidden_at.is_(None), any_report, ~open_report)


def queue(zone: Zone, show: Show) -> list[Item]:
    """The zone's reported or hidden comments and proposals for one tab, most recently reported first."""
    items = []
    for kind in KINDS:
        for row in db.session.scalars(_filtered(kind, zone, show)):
            items.append(Item(kind, row, row.session))
    return sorted(items, key=lambda item: (item.latest_report_at, item.row.id), reverse=True)


def counts(zone: Zone) -> dict[Show, int]:
    """How many items each tab holds."""
    totals = {}
    for show in Show:
        totals[show] = sum(
            db.session.scalar(select(func.count()).select_from(_filtered(kind, zone, show).subquery()))
            for kind in KINDS
        )
    return totals


def pending_count(zone: Zone, session: ConsultationSession | None = None) -> int:
    """Reported comments and proposals waiting for a decision in the zone, or in one of its sessions."""
    return sum(
        db.session.scalar(select(func.count()).select_from(_filtered(kind, zone, Show.PENDING, session).subquery()))
        for kind in KINDS
    )


def find(kind: str, item_id: int, zone: Zone) -> Item | None:
    """The comment or proposal ``item_id`` if it belongs to a session of ``zone``."""
    if kind not in KINDS:
        return None
    row = db.session.get(KINDS[kind][0], item_id)
    if row is None or row.session.zone_id != zone.id:
        return None
    return Item(kind, row, row.session)


def decide(item: Item, decision: Decision, by: User, reason: str) -> None:
    """Hide, restore or keep ``item``, with the moderator's reason; resolve its reports; audit it."""
    reason = clean(reason, REASON_MAX, multiline=True)
    row = item.row
    if decision == Decision.HIDE:
        row.hide(by, reason)
        _resolve(item)
        action = "hidden"
    elif decision == Decision.RESTORE:
        if not reason:
            raise DomainError(_("Scrivi il motivo per cui il contenuto torna visibile."), status=422)
        row.restore(by, reason)
        action = "restored"
    else:
        if row.is_hidden:
            raise DomainError(_("Il contenuto è nascosto: per mostrarlo di nuovo, ripristinalo."), status=409)
        if not item.open_reports:
            raise DomainError(_("Non ci sono segnalazioni da esaminare."), status=409)
        _resolve(item)
        action = "kept"
    db.session.flush()
    details = {"session": item.session.id}
    if reason:
        details["reason"] = reason
    audit.record(f"{item.kind}.{action}", row, actor=by, **details)


def _resolve(item: Item) -> None:
    now = utcnow()
    for report in item.open_reports:
        report.resolved_at = now
