"""Contributions pages and downloads: a session's, and a consultation's (metropolitan, or one zone's).

Who reads what follows the results (``results.services.can_see_session_results``): everyone once a session is
published; before that planners, admins and the zone's facilitators; a 404 for everyone else.
"""

from __future__ import annotations

import json
import re

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import FloatField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, NumberRange, Optional, Regexp

from consult import audit
from consult.errors import DomainError
from consult.exports import write_csv_with_notes, write_xlsx
from consult.extensions import db
from consult.models import (
    Comment,
    Consultation,
    ConsultationSession,
    GroupDecision,
    ProposalGroup,
    SessionState,
    StrategySheet,
    SynthesisQuote,
    Zone,
)
from consult.participation.access import load_session
from consult.participation.forms import EmptyForm
from consult.permissions import can, public, requires
from consult.results import services as results
from consult.results import texts
from consult.synthesis import bp, downloads, report, services, similar
from consult.synthesis.services import Filters, Kind
from consult.synthesis.themes import recurring_themes

SESSION_URL = "/zones/<int:zone_code>/sessions/<int:session_id>"
QUERY_MAX = 200


def visible_session(zone_code: int, session_id: int) -> ConsultationSession:
    """The session in the URL if the person may see its results (and so its contributions); 404 otherwise."""
    session = load_session(zone_code, session_id)
    if not results.can_see_session_results(current_user, session):
        abort(404)
    return session


def _locale() -> str:
    return str(get_locale())


def read_filters(consultation: Consultation, *, zones: bool) -> Filters:
    """The filters in the query string; an unknown value is a 400, never a silently empty page."""
    args = request.args
    zone = None
    if zones and (value := args.get("zone", "")):
        if not value.isdigit() or db.session.scalar(select(Zone.id).where(Zone.code == int(value))) is None:
            abort(400)
        zone = int(value)
    strategy = args.get("strategy", "") or None
    if strategy and strategy not in {s.code for s in consultation.strategies}:
        abort(400)
    category = args.get("category", "") or None
    if category and category not in results.categories():
        abort(400)
    kind = args.get("kind", "") or None
    if kind and kind not in {k.value for k in Kind}:
        abort(400)
    q = args.get("q", "")
    if len(q) > QUERY_MAX:
        abort(400)
    method = args.get("method", "borda")
    if method not in results.METHODS:
        abort(400)
    return Filters(zone=zone, strategy=strategy, category=category, kind=Kind(kind) if kind else None, q=q)


def _method() -> str:
    return request.args.get("method", "borda")


def session_synthesis(session: ConsultationSession) -> services.Synthesis:
    filters = read_filters(session.consultation, zones=False)
    return services.synthesis([session], session.consultation, filters, method=_method(), locale=_locale())


def consultation_synthesis(consultation: Consultation) -> services.Synthesis:
    filters = read_filters(consultation, zones=True)
    sessions = services.visible_sessions(current_user, consultation)
    return services.synthesis(sessions, consultation, filters, method=_method(), locale=_locale())


def _render(synthesis, consultation, *, session=None):
    staff_zones = {s.zone.id for s in synthesis.sessions if can(current_user, "zone.results", s.zone)}
    if session is not None:
        where = {"zone_code": session.zone.code, "session_id": session.id}
        here, results_url = url_for(".session", **where), url_for("results.session", **where)
        download = ".session_download"
    else:
        where = {"consultation_id": consultation.id}
        here, results_url = url_for(".consultation", **where), url_for("results.consultation", **where)
        download = ".consultation_download"
    args = {**where, **synthesis.filters.as_args()}
    if synthesis.method != "borda":
        args["method"] = synthesis.method
    download_urls = {
        "csv": url_for(download, fmt="csv", **args),
        "csv_semicolon": url_for(download, fmt="csv", sep="semicolon", **args),
        "xlsx": url_for(download, fmt="xlsx", **args),
        "json": url_for(download, fmt="json", **args),
    }
    return render_template(
        "synthesis/contributions.html",
        synthesis=synthesis,
        consultation=consultation,
        session=session,
        kinds=list(Kind),
        categories=list(results.categories().values()),
        strategies=consultation.strategies_in_order,
        staff_zones=staff_zones,
        themes={block.strategy.code: recurring_themes(block.items()) for block in synthesis.blocks},
        groups=similar.confirmed_groups(consultation, synthesis.shown) if session is None else [],
        planner=can(current_user, "results.all_zones"),
        quoted=report.quoted_keys() if can(current_user, "results.all_zones") else set(),
        back=request.full_path.rstrip("?"),
        here=here,
        results_url=results_url,
        download_urls=download_urls,
        locale=_locale(),
        method_label=texts.method_label(synthesis.method),
    )


@bp.get(SESSION_URL + "/contributions")
@public
def session(zone_code: int, session_id: int):
    """What the session's participants wrote, per strategy in the order of the session's ranking."""
    session = visible_session(zone_code, session_id)
    return _render(session_synthesis(session), session.consultation, session=session)


@bp.get("/consultations/<int:consultation_id>/contributions")
@public
def consultation(consultation_id: int):
    """What participants wrote across the zones (or in one, with ``zone=``), in the order of the ranking."""
    consultation = db.get_or_404(Consultation, consultation_id)
    return _render(consultation_synthesis(consultation), consultation)


# --- downloads ---------------------------------------------------------------------------------------

FORMATS = "any(csv, xlsx, json)"
MIMETYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
}


def _download(synthesis: services.Synthesis, target, title: str, name: str, source: str, fmt: str) -> Response:
    items = synthesis.shown
    locale = _locale()
    if fmt == "csv":
        separator = request.args.get("sep", "comma")
        if separator not in ("comma", "semicolon"):
            abort(400)
        body = write_csv_with_notes(
            downloads.about_rows(title, source, len(items)),
            downloads.csv_headers(),
            downloads.csv_rows(items, locale),
            delimiter=";" if separator == "semicolon" else ",",
        )
    elif fmt == "xlsx":
        information = (_("Informazioni"), [_("Voce"), _("Valore")], downloads.about_rows(title, source, len(items)))
        body = write_xlsx([information, *downloads.xlsx_sheets(items, locale)])
    else:
        data = {
            "title": title,
            "source": source,
            "filters": synthesis.filters.as_args(),
            "contributions": downloads.items_json(items, locale),
        }
        body = json.dumps(data, ensure_ascii=False, indent=2)
    audit.record("contributions.downloaded", target, format=fmt, **synthesis.filters.as_args())
    response = Response(body, mimetype=MIMETYPES[fmt])
    response.headers["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    if any(s.state != SessionState.PUBLISHED for s in synthesis.sessions):
        response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get(SESSION_URL + "/contributions.<" + FORMATS + ":fmt>")
@public
def session_download(zone_code: int, session_id: int, fmt: str):
    session = visible_session(zone_code, session_id)
    synthesis = session_synthesis(session)
    source = url_for(
        ".session", zone_code=zone_code, session_id=session_id, _external=True, **synthesis.filters.as_args()
    )
    name = f"consult-contributi-zona{zone_code}-sessione{session_id}"
    return _download(synthesis, session, session.title, name, source, fmt)


@bp.get("/consultations/<int:consultation_id>/contributions.<" + FORMATS + ":fmt>")
@public
def consultation_download(consultation_id: int, fmt: str):
    consultation = db.get_or_404(Consultation, consultation_id)
    synthesis = consultation_synthesis(consultation)
    source = url_for(".consultation", consultation_id=consultation_id, _external=True, **synthesis.filters.as_args())
    name = f"consult-contributi-consultazione{consultation_id}"
    if synthesis.filters.zone is not None:
        name += f"-zona{synthesis.filters.zone}"
    return _download(synthesis, consultation, consultation.title, name, source, fmt)


# --- similar proposals across zones --------------------------------------------------------------------


class GroupDecisionForm(FlaskForm):
    proposals = StringField(validators=[DataRequired(), Regexp(r"^\d+(,\d+)+$")])
    decision = SelectField(choices=[SelectChoice(d.value) for d in GroupDecision], validators=[DataRequired()])
    score = FloatField(validators=[Optional(), NumberRange(0, 1)])


def _render_similar(consultation: Consultation, *, problems=(), status=200):
    sessions = services.visible_sessions(current_user, consultation)
    return render_template(
        "synthesis/similar.html",
        consultation=consultation,
        review=similar.review(consultation, sessions, _locale()),
        threshold=similar.THRESHOLD,
        form=EmptyForm(),
        problems=list(problems),
        locale=_locale(),
    ), status


@bp.get("/consultations/<int:consultation_id>/similar-proposals")
@requires("results.all_zones")
def similar_proposals(consultation_id: int):
    """Proposals from several zones that may be the same project: the planner confirms or dismisses each."""
    return _render_similar(db.get_or_404(Consultation, consultation_id))


@bp.post("/consultations/<int:consultation_id>/similar-proposals/decide")
@requires("results.all_zones")
def decide_group(consultation_id: int):
    consultation = db.get_or_404(Consultation, consultation_id)
    form = GroupDecisionForm()
    if not form.validate_on_submit():
        return _render_similar(consultation, problems=[_("La richiesta non è valida: ricarica la pagina e riprova.")],
                               status=400)  # fmt: skip
    decision = GroupDecision(form.decision.data)
    ids = [int(value) for value in form.proposals.data.split(",")]
    try:
        similar.decide(consultation, ids, decision, current_user, form.score.data or 0.0)
    except DomainError as error:
        db.session.rollback()
        message = _("Questi progetti non si possono raggruppare: ricarica la pagina e riprova.")
        return _render_similar(consultation, problems=[message], status=error.status)
    if decision == GroupDecision.CONFIRMED:
        flash(_("Raggruppamento confermato: i progetti si leggono come un solo progetto."), "success")
    else:
        flash(_("Raggruppamento scartato."), "success")
    return redirect(url_for(".similar_proposals", consultation_id=consultation.id), 303)


@bp.post("/consultations/<int:consultation_id>/similar-proposals/<int:group_id>/reopen")
@requires("results.all_zones")
def reopen_group(consultation_id: int, group_id: int):
    consultation = db.get_or_404(Consultation, consultation_id)
    form = EmptyForm()
    group = db.session.get(ProposalGroup, group_id)
    if group is None or group.consultation_id != consultation.id:
        abort(404)
    if not form.validate_on_submit():
        abort(400)
    similar.reopen(consultation, group)
    flash(_("Decisione annullata: il raggruppamento torna tra quelli da valutare."), "success")
    return redirect(url_for(".similar_proposals", consultation_id=consultation.id), 303)


# --- quoting in the synthesis document ------------------------------------------------------------------

QUOTABLE = re.compile(r"^(sheet|comment)-(\d+)$")


def _local(path: str | None, fallback: str) -> str:
    """Only a path on this site, never another host."""
    if path and path.startswith("/") and not path.startswith("//") and "\\" not in path:
        return path
    return fallback


@bp.post("/contributions/<key>/quote")
@requires("results.all_zones")
def toggle_quote(key: str):
    """A planner chooses an answer or a comment to quote in full in the synthesis document (or stops quoting it)."""
    match = QUOTABLE.match(key)
    if match is None:
        abort(404)
    model = StrategySheet if match.group(1) == "sheet" else Comment
    row = db.session.get(model, int(match.group(2)))
    if row is None or getattr(row, "hidden_at", None) is not None:
        abort(404)
    if not EmptyForm().validate_on_submit():
        abort(400)
    existing = db.session.scalar(select(SynthesisQuote).where(SynthesisQuote.contribution_key == key))
    if existing is None:
        quote = SynthesisQuote(contribution_key=key, chosen_by_id=current_user.id)
        db.session.add(quote)
        db.session.flush()
        audit.record("synthesis.quote_chosen", quote, contribution=key)
        flash(_("Il contributo sarà citato per intero nel documento di sintesi."), "success")
    else:
        audit.record("synthesis.quote_removed", existing, contribution=key)
        db.session.delete(existing)
        flash(_("Il contributo non sarà più citato per scelta nel documento di sintesi."), "success")
    back = _local(request.form.get("back"), url_for("results.index"))
    return redirect(f"{back}#{key}", 303)
