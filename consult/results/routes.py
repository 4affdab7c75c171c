"""Results pages and downloads: the list, a session's results, a consultation's metropolitan results.

Who sees what (``services.can_see_session_results``): everyone once a session is published; before that
planners, admins and the zone's facilitators, and a 404 for everyone else. A consultation's metropolitan
results count its published sessions for the public, every session past its draft for planners and admins.
"""

from __future__ import annotations

import json

from flask import Response, abort, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from consult import audit
from consult.exports import write_csv_with_notes, write_xlsx
from consult.extensions import db
from consult.models import Consultation, ConsultationSession, SessionState
from consult.participation.access import SESSION_URL, load_session
from consult.permissions import public
from consult.results import bp, pdf, services, tables, texts
from consult.synthesis import downloads as synthesis_downloads

FORMATS = "any(csv, xlsx, json, pdf)"
MIMETYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
    "pdf": "application/pdf",
}
SEPARATORS = {"comma": ",", "semicolon": ";"}


def _choice(name: str, allowed, default: str) -> str:
    """A query argument that must be one of ``allowed``; anything else is a 400."""
    value = request.args.get(name, default)
    if value not in allowed:
        abort(400)
    return value


def _category():
    code = request.args.get("category", "")
    if not code:
        return None
    category = services.categories().get(code)
    if category is None:
        abort(400)
    return category


def visible_session(zone_code: int, session_id: int) -> ConsultationSession:
    """The session in the URL if the person may see its results; 404 otherwise, as if it did not exist."""
    session = load_session(zone_code, session_id)
    if not services.can_see_session_results(current_user, session):
        abort(404)
    return session


def _session_view(session: ConsultationSession) -> services.SessionView:
    return services.SessionView(session, _choice("method", services.METHODS, "borda"), _category())


def _consultation_view(consultation: Consultation) -> services.ConsultationView:
    return services.ConsultationView(
        consultation,
        _choice("method", services.METHODS, "borda"),
        _choice("weighting", services.WEIGHTINGS, "equal"),
        published_only=not services.sees_unpublished(current_user),
    )


def _session_args(view: services.SessionView, **changes) -> dict:
    args = {"method": view.method}
    if view.category is not None:
        args["category"] = view.category.code
    args.update(changes)
    return {key: value for key, value in args.items() if value}


def _method_choices(endpoint: str, args: dict, **url_args) -> list[tuple[str, str, str]]:
    return [
        (method, texts.method_label(method), url_for(endpoint, **url_args, **{**args, "method": method}))
        for method in services.METHODS
    ]


@bp.get("/results")
@public
def index():
    entries = services.index_entries(current_user)
    sessions = [session for _consultation, visible, _published in entries for session in visible]
    return render_template(
        "results/index.html",
        entries=entries,
        counts=services.ballot_counts(sessions),
        sees_unpublished=services.sees_unpublished(current_user),
    )


@bp.get(SESSION_URL + "/results")
@public
def session(zone_code: int, session_id: int):
    session = visible_session(zone_code, session_id)
    view = _session_view(session)
    args = _session_args(view)
    return render_template(
        "results/session.html",
        view=view,
        session=session,
        consultation=session.consultation,
        args=args,
        methods=_method_choices(".session", _session_args(view), zone_code=zone_code, session_id=session_id),
        categories=list(services.categories().values()),
        figures=texts.figures(view.result, tables.titles(view)),
        texts=texts,
        tables=tables,
        live=session.state == SessionState.OPEN,
    )


@bp.get("/consultations/<int:consultation_id>/results")
@public
def consultation(consultation_id: int):
    consultation = db.get_or_404(Consultation, consultation_id)
    view = _consultation_view(consultation)
    args = {"method": view.method, "weighting": view.weighting}
    weightings = [
        (
            w,
            str(texts.WEIGHTING_LABELS[w]),
            url_for(".consultation", consultation_id=consultation_id, **{**args, "weighting": w}),
        )
        for w in services.WEIGHTINGS
    ]
    return render_template(
        "results/consultation.html",
        view=view,
        consultation=consultation,
        args=args,
        methods=_method_choices(".consultation", args, consultation_id=consultation_id),
        weightings=weightings,
        figures=texts.figures(view.result, tables.titles(view)),
        texts=texts,
        tables=tables,
    )


@bp.get(SESSION_URL + "/results.<" + FORMATS + ":fmt>")
@public
def session_download(zone_code: int, session_id: int, fmt: str):
    session = visible_session(zone_code, session_id)
    view = _session_view(session)
    source = url_for(".session", zone_code=zone_code, session_id=session_id, _external=True, **_session_args(view))
    name = f"consult-risultati-zona{zone_code}-sessione{session_id}-{view.method}"
    if view.category is not None:
        name += f"-{view.category.code}"
    return _download(view, session, fmt, name, source)


@bp.get("/consultations/<int:consultation_id>/results.<" + FORMATS + ":fmt>")
@public
def consultation_download(consultation_id: int, fmt: str):
    consultation = db.get_or_404(Consultation, consultation_id)
    view = _consultation_view(consultation)
    args = {"method": view.method, "weighting": view.weighting}
    source = url_for(".consultation", consultation_id=consultation_id, _external=True, **args)
    name = f"consult-risultati-consultazione{consultation_id}-{view.method}-{view.weighting}"
    return _download(view, consultation, fmt, name, source)


def _download(view, target, fmt: str, name: str, source: str) -> Response:
    details = {}
    if fmt == "csv" and request.args.get("table") == "contributions":
        # Every contribution of the counted sessions, one a row (consult.synthesis).
        delimiter = SEPARATORS[_choice("sep", SEPARATORS, "comma")]
        body = synthesis_downloads.csv_for(view.sessions, source, delimiter=delimiter)
        details["table"] = "contributions"
        name += "-contributi"
    elif fmt == "csv":
        key = _choice("table", tables.table_keys(view), "ranking")
        delimiter = SEPARATORS[_choice("sep", SEPARATORS, "comma")]
        table = tables.table_named(view, key)
        body = write_csv_with_notes(
            tables.about(view, source), table.headers, table.rows, delimiter=delimiter, decimal_comma=delimiter == ";"
        )
        details["table"] = key
        if key != "ranking":
            name += f"-{key}"
    elif fmt == "xlsx":
        information = (_("Informazioni"), [_("Voce"), _("Valore")], tables.about(view, source))
        body = write_xlsx(
            [
                information,
                *((t.title, t.headers, t.rows) for t in tables.all_tables(view)),
                *synthesis_downloads.sheets_for(view.sessions),
            ]
        )
    elif fmt == "json":
        data = tables.download_json(view, source)
        data["contributions"] = synthesis_downloads.json_for(view.sessions)
        body = json.dumps(data, ensure_ascii=False, indent=2)
    else:
        body = pdf.render(view, source)
    if view.category is not None:
        details["category"] = view.category.code
    audit.record(
        "results.downloaded",
        target,
        format=fmt,
        method=view.method,
        weighting=getattr(view, "weighting", None),
        provisional=view.provisional,
        **details,
    )
    response = Response(body, mimetype=MIMETYPES[fmt])
    response.headers["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    if view.provisional:
        # Unpublished results are for the staff who asked: no shared cache may keep a copy.
        response.headers["Cache-Control"] = "private, no-store"
    return response
