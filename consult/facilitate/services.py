"""What the console shows: the sessions a person runs, a session's live counters, code sheets.

Reads only; the changes (consultations, sessions, states, codes) go through consult.participation.services,
the same rules the CLI uses."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import datetime

import segno
from flask import url_for
from flask_babel import format_date, format_datetime
from flask_babel import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader, simpleSplit
from reportlab.pdfgen import canvas as pdf_canvas
from sqlalchemy import case, func, select

from consult.extensions import db
from consult.models import (
    Ballot,
    Channel,
    Consultation,
    ConsultationSession,
    Mode,
    Participant,
    ParticipantCode,
    Role,
    SessionState,
    StakeholderCategory,
    User,
    Zone,
)
from consult.moderation import services as moderation
from consult.results.pdf import register_fonts

# --- who sees what -----------------------------------------------------------------------------


def zones_for(user: User) -> list[Zone]:
    """The zones whose sessions ``user`` runs from the console: all for planners and admins."""
    if user.role in (Role.PLANNER, Role.ADMIN):
        return list(db.session.scalars(select(Zone).order_by(Zone.code)))
    return list(user.facilitated_zones)


def sessions_for(user: User) -> list[ConsultationSession]:
    """Sessions in the person's zones, the most recent consultation first, then by zone."""
    zone_ids = [zone.id for zone in zones_for(user)]
    if not zone_ids:
        return []
    return list(
        db.session.scalars(
            select(ConsultationSession)
            .join(Zone)
            .where(ConsultationSession.zone_id.in_(zone_ids))
            .order_by(ConsultationSession.consultation_id.desc(), Zone.code, ConsultationSession.id)
        )
    )


def consultations() -> list[Consultation]:
    return list(db.session.scalars(select(Consultation).order_by(Consultation.id.desc())))


@dataclass(frozen=True)
class NextStep:
    """What the console suggests doing next with a session."""

    text: str
    endpoint: str


def next_step(session: ConsultationSession, counters: Counters | None = None) -> NextStep:
    """The console's suggestion for the session, and the page where it is done."""
    here = "facilitate.session"
    if session.state == SessionState.DRAFT:
        if counters is not None and counters.codes_total == 0 and session.mode != Mode.ONLINE:
            return NextStep(_("Genera e stampa i codici per la sala, poi apri la sessione."), "facilitate.codes")
        return NextStep(_("Quando è il momento, apri la sessione: chi partecipa potrà votare."), here)
    if session.state == SessionState.OPEN:
        return NextStep(_("La sessione è aperta: segui i contatori e chiudila alla fine del laboratorio."), here)
    if session.state == SessionState.CLOSED:
        return NextStep(_("Controlla i risultati, poi pubblicali (oppure riapri la sessione)."), here)
    return NextStep(_("I risultati sono pubblicati."), "results.session")


# --- live counters -----------------------------------------------------------------------------


@dataclass
class Counters:
    """A session's participation at this moment, for the console and its JSON endpoint."""

    participants: int = 0
    ballots: int = 0
    #: channel value → (participants, ballots)
    by_channel: dict[str, tuple[int, int]] = field(default_factory=dict)
    #: (category or None, participants, ballots), in the list's order
    by_category: list[tuple[StakeholderCategory | None, int, int]] = field(default_factory=list)
    codes_total: int = 0
    codes_used: int = 0
    codes_revoked: int = 0
    #: Reported comments and proposals waiting for a moderator's decision.
    to_moderate: int = 0

    @property
    def codes_unused(self) -> int:
        return self.codes_total - self.codes_used - self.codes_revoked


def _channel_of_participant():
    return case(
        (Participant.user_id.is_not(None), Channel.ONLINE.value),
        (Participant.code_id.is_not(None), Channel.CODE.value),
        else_=Channel.PAPER.value,
    )


def counters(session: ConsultationSession) -> Counters:
    """Participants and ballots by channel and by category, codes, and reports waiting for moderators."""
    result = Counters()
    channel = _channel_of_participant().label("channel")
    rows = db.session.execute(
        select(channel, Participant.category_id, func.count(Participant.id), func.count(Ballot.id))
        .outerjoin(Ballot, Ballot.participant_id == Participant.id)
        .where(Participant.session_id == session.id)
        .group_by(channel, Participant.category_id)
    ).all()
    by_channel = {c.value: [0, 0] for c in Channel}
    by_category: dict[int | None, list[int]] = {}
    for channel_value, category_id, participants, ballots in rows:
        by_channel[channel_value][0] += participants
        by_channel[channel_value][1] += ballots
        by_category.setdefault(category_id, [0, 0])
        by_category[category_id][0] += participants
        by_category[category_id][1] += ballots
        result.participants += participants
        result.ballots += ballots
    result.by_channel = {key: (value[0], value[1]) for key, value in by_channel.items()}
    categories = {c.id: c for c in db.session.scalars(select(StakeholderCategory))}
    result.by_category = sorted(
        ((categories.get(cid), counts[0], counts[1]) for cid, counts in by_category.items()),
        key=lambda row: (row[0] is None, row[0].position if row[0] else 0),
    )
    total, used, revoked = db.session.execute(
        select(
            func.count(ParticipantCode.id),
            func.count(ParticipantCode.used_at),
            func.count(ParticipantCode.revoked_at),
        ).where(ParticipantCode.session_id == session.id)
    ).one()
    result.codes_total, result.codes_used, result.codes_revoked = total, used, revoked
    result.to_moderate = moderation.pending_count(session.zone, session)
    return result


def counters_json(session: ConsultationSession, data: Counters, locale: str) -> dict:
    """The counters as the console's script reads them: plain numbers keyed as in the page."""
    return {
        "state": session.state.value,
        "ballots_version": session.ballots_version,
        "participants": data.participants,
        "ballots": data.ballots,
        "by_channel": {key: {"participants": p, "ballots": b} for key, (p, b) in data.by_channel.items()},
        "by_category": [
            {
                "code": category.code if category else "",
                "name": category.name(locale) if category else _("Non indicata"),
                "participants": participants,
                "ballots": ballots,
            }
            for category, participants, ballots in data.by_category
        ],
        "codes": {
            "total": data.codes_total,
            "used": data.codes_used,
            "unused": data.codes_unused,
            "revoked": data.codes_revoked,
        },
        "to_moderate": data.to_moderate,
    }


# --- codes -------------------------------------------------------------------------------------


def codes_of(session: ConsultationSession) -> list[ParticipantCode]:
    return list(
        db.session.scalars(
            select(ParticipantCode).where(ParticipantCode.session_id == session.id).order_by(ParticipantCode.id)
        )
    )


@dataclass(frozen=True)
class Batch:
    """Codes generated together (one press of "generate"), printed as one sheet."""

    first: int
    last: int
    created_at: datetime
    created_by: User | None
    count: int
    unused: int


def batches(codes: list[ParticipantCode]) -> list[Batch]:
    """Group codes by generation: consecutive ids by the same person within a few seconds."""
    groups: list[list[ParticipantCode]] = []
    for code in codes:
        previous = groups[-1][-1] if groups else None
        if (
            previous is not None
            and previous.created_by_id == code.created_by_id
            and abs((code.created_at - previous.created_at).total_seconds()) < 5
        ):
            groups[-1].append(code)
        else:
            groups.append([code])
    return [
        Batch(
            first=group[0].id,
            last=group[-1].id,
            created_at=group[0].created_at,
            created_by=group[0].created_by,
            count=len(group),
            unused=sum(1 for code in group if code.used_at is None and code.revoked_at is None),
        )
        for group in groups
    ]


def printable_codes(session: ConsultationSession, first: int | None, last: int | None) -> list[ParticipantCode]:
    """Codes still to hand out (neither used nor revoked), optionally one batch (``first``..``last`` ids)."""
    query = select(ParticipantCode).where(
        ParticipantCode.session_id == session.id,
        ParticipantCode.used_at.is_(None),
        ParticipantCode.revoked_at.is_(None),
    )
    if first is not None:
        query = query.where(ParticipantCode.id >= first)
    if last is not None:
        query = query.where(ParticipantCode.id <= last)
    return list(db.session.scalars(query.order_by(ParticipantCode.id)))


def join_address() -> str:
    """The short address to type, as printed: the join page without the scheme."""
    return url_for("participation.code", _external=True).split("://", 1)[-1]


def join_url(code: str) -> str:
    """What the QR code opens: the join page with the code filled in."""
    return url_for("participation.code", code=code, _external=True)


def qr_svg_data_uri(code: str) -> str:
    """The slip's QR code as an SVG data URI (the page's CSP allows data: images)."""
    qr = segno.make(join_url(code), error="m")
    return qr.svg_data_uri(scale=4, border=2, dark="#000", light="#fff")


def qr_png(code: str, scale: int = 8) -> bytes:
    """The slip's QR code as a lossless PNG, crisp at print size."""
    buffer = io.BytesIO()
    segno.make(join_url(code), error="m").save(buffer, kind="png", scale=scale, border=2)
    return buffer.getvalue()


@dataclass(frozen=True)
class Slip:
    """What a printed slip says."""

    code: str
    qr_uri: str
    join_url: str


def slips(codes: list[ParticipantCode]) -> list[Slip]:
    return [Slip(code.code, qr_svg_data_uri(code.code), join_url(code.code)) for code in codes]


def session_date(session: ConsultationSession) -> str:
    if session.starts_at is None:
        return ""
    return format_datetime(session.starts_at, "d MMMM y, HH:mm")


SLIPS_PER_PAGE = 10
_COLUMNS, _ROWS = 2, 5


def codes_pdf(session: ConsultationSession, codes: list[ParticipantCode]) -> bytes:
    """An A4 sheet of cut-out slips, ten a page: session, zone, date, address to type, code and QR code."""
    register_fonts()
    buffer = io.BytesIO()
    page_width, page_height = A4
    canvas = pdf_canvas.Canvas(buffer, pagesize=A4, pageCompression=1)
    canvas.setTitle(_("Codici di partecipazione — %(title)s", title=session.title))
    canvas.setAuthor("consult — Città metropolitana di Torino")
    slip_width, slip_height = page_width / _COLUMNS, page_height / _ROWS
    zone = f"{_('Zona')} {session.zone.code}. {session.zone.name}"
    when = session_date(session)
    address = join_address()
    for index, code in enumerate(codes):
        position = index % SLIPS_PER_PAGE
        if index and position == 0:
            canvas.showPage()
        column, row = position % _COLUMNS, position // _COLUMNS
        x, y = column * slip_width, page_height - (row + 1) * slip_height
        _draw_slip(canvas, x, y, slip_width, slip_height, session.title, zone, when, address, code.code)
    if not codes:
        canvas.setFont("TitilliumWeb", 12)
        canvas.drawString(20 * mm, page_height - 30 * mm, _("Nessun codice da stampare."))
    canvas.save()
    return buffer.getvalue()


def _draw_slip(canvas, x, y, width, height, title, zone, when, address, code) -> None:
    pad = 6 * mm
    # Dashed cut lines around each slip.
    canvas.setDash(3, 3)
    canvas.setStrokeColor(colors.HexColor("#8a9bab"))
    canvas.setLineWidth(0.4)
    canvas.rect(x, y, width, height)
    canvas.setDash()
    qr_size = min(height - 2 * pad, 42 * mm)
    canvas.drawImage(
        ImageReader(io.BytesIO(qr_png(code))),
        x + width - pad - qr_size,
        y + (height - qr_size) / 2,
        qr_size,
        qr_size,
        mask=None,
    )
    text_width = width - 3 * pad - qr_size
    left = x + pad
    canvas.setFillColor(colors.HexColor("#17324d"))
    # From the top: the session's title (up to three lines), the zone, the date.
    top = y + height - pad - 9
    canvas.setFont("TitilliumWeb-Bold", 9.5)
    for line in simpleSplit(title, "TitilliumWeb-Bold", 9.5, text_width)[:3]:
        canvas.drawString(left, top, line)
        top -= 11.5
    canvas.setFont("TitilliumWeb", 8.5)
    for line in [*simpleSplit(zone, "TitilliumWeb", 8.5, text_width)[:2], when]:
        if line:
            canvas.drawString(left, top, line)
            top -= 10.5
    # From the bottom: the code, large; above it the address to type and how to use it.
    bottom = y + pad
    canvas.setFont("TitilliumWeb-Bold", 18)
    canvas.drawString(left, bottom + 1, code)
    line_y = bottom + 24
    canvas.setFont("TitilliumWeb-SemiBold", 9)
    for line in reversed(simpleSplit(address, "TitilliumWeb-SemiBold", 9, text_width)[:2]):
        canvas.drawString(left, line_y, line)
        line_y += 10.5
    canvas.setFont("TitilliumWeb", 8)
    for line in reversed(simpleSplit(_("Inquadra il QR code oppure vai su"), "TitilliumWeb", 8, text_width)):
        canvas.drawString(left, line_y, line)
        line_y += 9.5


def format_day(value) -> str:
    return format_date(value, "d MMMM y") if value else ""
