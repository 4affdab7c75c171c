"""Paper ballot pages for the facilitators of the session's zone (planners and admins everywhere)."""

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from consult.errors import DomainError
from consult.extensions import db
from consult.models import SessionState, StakeholderCategory
from consult.paper import bp, services
from consult.paper.forms import UploadForm
from consult.participation import paper
from consult.participation.forms import EmptyForm
from consult.permissions import requires

#: Forms listed under the entry form; the full list has its own page, PAGE forms at a time.
RECENT = 10
PAGE = 100


def _categories() -> list[StakeholderCategory]:
    return list(
        db.session.scalars(
            select(StakeholderCategory)
            .where(StakeholderCategory.active.is_(True))
            .order_by(StakeholderCategory.position)
        )
    )


def _typed_row(session, rules: paper.Rules) -> paper.PaperRow:
    """The form as typed, checked with the import's rules."""
    cells = [request.form.get(f"place-{n}", "") for n in range(1, rules.depth + 1)]
    return rules.check(
        0,
        request.form.get("label", ""),
        cells,
        request.form.get("category", ""),
        request.form.get("organisation", ""),
    )


def _render_entry(session, rules, *, values=None, row=None, correcting=None, status=200, suggestion=""):
    problems = row.problems if row else []
    by_field: dict[str, list[str]] = {}
    for name, message in problems:
        by_field.setdefault(name, []).append(message)
    return (
        render_template(
            "paper/entry.html",
            session=session,
            rules=rules,
            strategies=session.consultation.strategies_in_order,
            categories=_categories(),
            values=values or {"label": suggestion},
            problems=[message for _name, message in problems],
            by_field=by_field,
            correcting=correcting,
            recent=services.describe(db.session.scalars(services.forms_query(session).limit(RECENT)).all()),
            total=services.count_forms(session),
            form=EmptyForm(),
            accepts_paper=session.state in (SessionState.OPEN, SessionState.CLOSED),
        ),
        status,
    )


@bp.get("")
@requires("zone.paper", zone_scoped_in_view=True)
def entry(zone_code: int, session_id: int):
    """The entry form: a new form, or the correction of one (``?label=P007``)."""
    session = services.load_session(zone_code, session_id)
    rules = paper.Rules(session)
    label = request.args.get("label", "").strip()
    if label:
        participant = services.find_form(session, label)
        if participant is None or participant.ballot is None:
            abort(404)
        values = {
            "label": participant.label,
            "category": participant.category.code if participant.category else "",
            "organisation": participant.organisation or "",
            **{f"place-{n}": rank.strategy.code for n, rank in enumerate(participant.ballot.ranks, start=1)},
        }
        return _render_entry(session, rules, values=values, correcting=label)
    return _render_entry(session, rules, suggestion=services.next_label(request.args.get("after")))


@bp.post("")
@requires("zone.paper", zone_scoped_in_view=True)
def save(zone_code: int, session_id: int):
    """Save a typed form, then open the next empty one."""
    session = services.load_session(zone_code, session_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    rules = paper.Rules(session)
    correcting = request.form.get("correcting") or None
    row = _typed_row(session, rules)
    values = request.form.to_dict()
    try:
        paper.check_state(session)
    except DomainError as error:
        db.session.rollback()
        row.problems = [("row", error.message)]
        return _render_entry(session, rules, values=values, row=row, correcting=correcting, status=error.status)
    if row.problems:
        return _render_entry(session, rules, values=values, row=row, correcting=correcting, status=422)
    try:
        services.save_form(session, row, current_user, correcting=correcting)
    except DomainError as error:
        db.session.rollback()
        row.problems.append(("label", error.message))
        return _render_entry(session, rules, values=values, row=row, correcting=correcting, status=error.status)
    if correcting:
        flash(_("Scheda «%(label)s» corretta: %(ranking)s.", label=row.label, ranking=", ".join(row.codes)), "success")
        return redirect(url_for(".entry", zone_code=zone_code, session_id=session_id))
    flash(_("Scheda «%(label)s» salvata: %(ranking)s.", label=row.label, ranking=", ".join(row.codes)), "success")
    return redirect(url_for(".entry", zone_code=zone_code, session_id=session_id, after=row.label))


@bp.post("/check")
@requires("zone.paper", zone_scoped_in_view=True)
def check(zone_code: int, session_id: int):
    """Instant validation for the entry form's script: the same rules the save and the import apply."""
    session = services.load_session(zone_code, session_id)
    if not EmptyForm().validate_on_submit():
        return {"error": _("La pagina è scaduta: ricaricala.")}, 400
    rules = paper.Rules(session)
    row = _typed_row(session, rules)
    problems: dict[str, list[str]] = {}
    for name, message in row.problems:
        problems.setdefault(name, []).append(message)
    correcting = request.form.get("correcting") or None
    existing = services.find_form(session, row.label) if row.label else None
    if correcting is None and existing is not None and existing.ballot is not None:
        problems.setdefault("label", []).append(
            _("La scheda «%(label)s» è già stata inserita: per cambiarla usa «Correggi» nell'elenco.", label=row.label)
        )
    # A form half typed has no ranking yet: that is not worth a message until it is saved.
    if not any(request.form.get(f"place-{n}", "").strip() for n in range(1, rules.depth + 1)):
        problems.pop("ranking", None)
    return {"problems": problems}


@bp.get("/forms")
@requires("zone.paper", zone_scoped_in_view=True)
def forms(zone_code: int, session_id: int):
    """Every paper form of the session with who entered each version and when."""
    session = services.load_session(zone_code, session_id)
    pagination = db.paginate(services.forms_query(session), per_page=PAGE, max_per_page=PAGE)
    return render_template(
        "paper/forms.html",
        session=session,
        entered=services.describe(pagination.items),
        pagination=pagination,
        page_url=lambda number: url_for(".forms", zone_code=zone_code, session_id=session_id, page=number),
    )


@bp.get("/upload")
@requires("zone.paper", zone_scoped_in_view=True)
def upload(zone_code: int, session_id: int):
    session = services.load_session(zone_code, session_id)
    return _render_upload(session, UploadForm())


def _render_upload(session, form, status=200, problems=()):
    return (
        render_template(
            "paper/upload.html",
            session=session,
            form=form,
            problems=list(problems),
            depth=session.consultation.depth,
            accepts_paper=session.state in (SessionState.OPEN, SessionState.CLOSED),
        ),
        status,
    )


@bp.post("/upload")
@requires("zone.paper", zone_scoped_in_view=True)
def receive(zone_code: int, session_id: int):
    """Keep the uploaded file and show its preview; nothing is written to the ballots yet."""
    session = services.load_session(zone_code, session_id)
    limit = current_app.config.get("PAPER_UPLOAD_MAX_BYTES", paper.MAX_FILE_BYTES)
    too_big = _("Il file supera %(n)s MB.", n=f"{limit / (1024 * 1024):.3g}")
    form = UploadForm()
    if not form.validate_on_submit():
        return _render_upload(session, form, status=422)
    data = form.file.data.read(limit + 1)
    form.file.data.close()  # a big upload is spooled to a temporary file: let it go now
    try:
        paper.check_state(session)
        if len(data) > limit:
            raise DomainError(too_big, status=413)
    except DomainError as error:
        db.session.rollback()
        return _render_upload(session, form, status=error.status, problems=error.message.split("\n"))
    stored = services.store_upload(session, current_user, form.file.data.filename, data)
    return redirect(url_for(".preview", zone_code=zone_code, session_id=session_id, token=stored.token), code=303)


@bp.get("/upload/<token>")
@requires("zone.paper", zone_scoped_in_view=True)
def preview(zone_code: int, session_id: int, token: str):
    """Every row with its decoded ranking and every problem with its line number, before anything is written."""
    session = services.load_session(zone_code, session_id)
    stored = services.load_upload(session, current_user, token)
    return _render_preview(session, stored)


def _render_preview(session, stored, status=200, extra_problems=()):
    try:
        parsed = paper.parse(stored.data, paper.Rules(session), stored.filename)
    except paper.PaperImportError as error:
        parsed = paper.Parsed(file_problems=error.problems)
    return (
        render_template(
            "paper/preview.html",
            session=session,
            upload=stored,
            parsed=parsed,
            problems=list(extra_problems) + parsed.problems,
            titles={strategy.code: strategy.title for strategy in session.consultation.strategies},
            depth=session.consultation.depth,
            existing={
                label
                for (label,) in db.session.execute(
                    select(services.Participant.label).where(
                        services.Participant.session_id == session.id, services.Participant.label.is_not(None)
                    )
                )
            },
            form=EmptyForm(),
            accepts_paper=session.state in (SessionState.OPEN, SessionState.CLOSED),
        ),
        status,
    )


@bp.post("/upload/<token>/confirm")
@requires("zone.paper", zone_scoped_in_view=True)
def confirm(zone_code: int, session_id: int, token: str):
    """Write every row of the previewed file, or none."""
    session = services.load_session(zone_code, session_id)
    stored = services.load_upload(session, current_user, token)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        report = services.confirm_upload(session, stored, current_user)
    except DomainError as error:
        db.session.rollback()
        stored = services.load_upload(session, current_user, token)
        extra = [] if isinstance(error, paper.PaperImportError) else [error.message]
        return _render_preview(session, stored, status=error.status, extra_problems=extra)
    flash(
        _(
            "%(file)s: importate %(created)s schede nuove e %(replaced)s sostituite.",
            file=stored.filename,
            created=report.created,
            replaced=report.replaced,
        ),
        "success",
    )
    return redirect(url_for(".forms", zone_code=zone_code, session_id=session_id), code=303)


@bp.post("/upload/<token>/discard")
@requires("zone.paper", zone_scoped_in_view=True)
def discard(zone_code: int, session_id: int, token: str):
    """Drop an uploaded file without importing it."""
    session = services.load_session(zone_code, session_id)
    stored = services.load_upload(session, current_user, token)
    if not EmptyForm().validate_on_submit():
        abort(400)
    db.session.delete(stored)
    flash(_("File scartato: non è stato importato nulla."), "info")
    return redirect(url_for(".upload", zone_code=zone_code, session_id=session_id), code=303)
