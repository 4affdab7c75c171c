"""What the projection shows, the key of its link, and the ETag that spares an unchanged screen any counting.

The link's key is never stored: it is an HMAC of the session id and a random salt kept on the session,
under the app's secret key. The database alone therefore never yields a working link, staff can see the
same link again on the console (and the CLI prints it), and a new salt (or none) revokes it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from urllib.parse import urlsplit

import segno
from flask import current_app, has_request_context, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from consult import audit
from consult.models import ConsultationSession
from consult.results import services as results
from consult.results import texts

#: The method the room sees: the results pages' default, the easiest to explain aloud.
METHOD = "borda"
#: Strategies drawn in large type; the others stay in the table for screen readers.
CHART_ROWS = 10
#: Bumped when the JSON's shape changes, so screens already open fetch the new shape.
FORMAT = 1
SHORT_TITLE = 80


# --- the link's key -------------------------------------------------------------------------------


def projection_key(session: ConsultationSession) -> str | None:
    """The key of the session's projection link, or None when there is no link."""
    if not session.projection_salt:
        return None
    message = f"projection:{session.id}:{session.projection_salt}".encode()
    digest = hmac.new(current_app.config["SECRET_KEY"].encode(), message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def key_matches(session: ConsultationSession, key: str) -> bool:
    expected = projection_key(session)
    return expected is not None and hmac.compare_digest(expected.encode(), key.encode())


def projection_url(session: ConsultationSession) -> str | None:
    """The full address of the projection link (needs a request, or BASE_URL outside one)."""
    key = projection_key(session)
    if key is None:
        return None
    return external_url("projection.screen", session_id=session.id, key=key)


def external_url(endpoint: str, **values) -> str:
    """A full URL under the BASE_URL setting when it is set (the CLI needs it), else from the request."""
    base = current_app.config.get("BASE_URL")
    if not base:
        if not has_request_context():
            raise RuntimeError("BASE_URL is not set: no full URL can be built outside a request")
        return url_for(endpoint, _external=True, **values)
    parts = urlsplit(base)
    adapter = current_app.url_map.bind(parts.netloc, script_name=parts.path or "/", url_scheme=parts.scheme)
    return adapter.build(endpoint, values, force_external=True)


def new_link(session: ConsultationSession) -> str:
    """Make a new projection link for the session (the previous one stops working); return its key."""
    session.projection_salt = secrets.token_hex(16)
    audit.record("projection.link_created", session, session=session.id)
    return projection_key(session)


def revoke_link(session: ConsultationSession) -> bool:
    """Revoke the projection link; False when there was none."""
    if session.projection_salt is None:
        return False
    session.projection_salt = None
    audit.record("projection.link_revoked", session, session=session.id)
    return True


def reveal(session: ConsultationSession) -> bool:
    """Show the live ranking to the room; False when it was shown already."""
    if session.ranking_revealed:
        return False
    session.reveal_ranking()
    audit.record("projection.revealed", session, session=session.id)
    return True


def conceal(session: ConsultationSession) -> bool:
    """Take the ranking off the projection; False when it was hidden already."""
    if not session.ranking_revealed:
        return False
    session.hide_ranking()
    audit.record("projection.concealed", session, session=session.id)
    return True


# --- what the screen shows --------------------------------------------------------------------------


def etag(session: ConsultationSession, locale: str) -> str:
    """Changes whenever anything the screen shows may change; computed from the session row alone."""
    parts = (
        FORMAT,
        session.id,
        session.created_at.isoformat(),
        session.ballots_version,
        session.ranking_revealed,
        session.state.value,
        session.title,
        locale,
    )
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:32]


def join_url() -> str:
    return external_url("participation.code")


def short_address(url: str) -> str:
    """What people type: the address without its scheme, e.g. ``consult.example.org/join``."""
    parts = urlsplit(url)
    return parts.netloc + parts.path


def qr_svg(url: str) -> str:
    """The QR code of ``url`` as an SVG document (dark on white, with its quiet zone)."""
    return segno.make(url, error="m").svg_inline(scale=10, dark="#000", light="#fff", omitsize=True)


def short_title(title: str, limit: int = SHORT_TITLE) -> str:
    """A strategy's title short enough for one line on the projector: up to its first comma or
    parenthesis when that reads on its own, then cut at a word with an ellipsis."""
    for mark in (" (", ", "):
        head = title.split(mark, 1)[0]
        if mark in title and len(head) >= 30:
            title = head
            break
    if len(title) <= limit:
        return title
    return title[:limit].rsplit(" ", 1)[0].rstrip(",;:") + "…"


@dataclass(frozen=True)
class CategoryCount:
    name: str
    count: int


@dataclass(frozen=True)
class RankingRow:
    rank: int
    code: str
    title: str
    short_title: str
    value_text: str
    fraction: float
    on_chart: bool


@dataclass(frozen=True)
class Screen:
    """Everything the projection shows at one moment."""

    etag: str
    title: str
    zone: str
    state_label: str
    ballots: int
    ballots_label: str
    categories: list[CategoryCount]
    revealed: bool
    #: None while the ranking is hidden: it is not even computed.
    ranking: list[RankingRow] | None
    figure_label: str
    method_label: str


def screen(session: ConsultationSession, locale: str) -> Screen:
    """Count what the projection shows (cached by ``ballots_version`` in the results services)."""
    by_category = results.ballots_by_category(session)
    known = {category.id: category for category in results.categories().values()}
    categories = sorted(
        (
            (known.get(category_id), count)
            for category_id, count in by_category.items()
            if category_id is None or category_id in known
        ),
        key=lambda pair: (pair[0] is None, pair[0].position if pair[0] else 0),
    )
    ranking = None
    if session.ranking_revealed and by_category:
        result = results.session_result(session, METHOD)
        titles = {strategy.code: strategy.title for strategy in session.consultation.strategies}
        ranking = [
            RankingRow(
                figure.rank,
                figure.code,
                figure.title,
                short_title(figure.title),
                figure.text,
                figure.fraction,
                index < CHART_ROWS,
            )
            for index, figure in enumerate(texts.figures(result, titles))
        ]
    total = sum(by_category.values())
    return Screen(
        etag=etag(session, locale),
        title=session.title,
        zone=session.zone.name,
        state_label=str(session.state.label),
        ballots=total,
        ballots_label=ngettext("%(num)d classifica raccolta", "%(num)d classifiche raccolte", total),
        categories=[
            CategoryCount(category.name(locale) if category else _("Categoria non indicata"), count)
            for category, count in categories
        ],
        revealed=session.ranking_revealed,
        ranking=ranking,
        figure_label=str(texts.FIGURE_LABELS[METHOD]),
        method_label=texts.method_label(METHOD),
    )
