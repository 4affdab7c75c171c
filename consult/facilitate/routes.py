"""Console pages: consultations (planners, admins), sessions and their workshop tools (staff of the zone)."""

from flask import Response, abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import get_locale, to_user_timezone, to_utc
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from wtforms import SelectChoice

from consult import audit
from consult.errors import DomainError
from consult.extensions import db
from consult.facilitate import bp, services
from consult.facilitate.forms import ConsultationForm, GenerateCodesForm, PublishForm, SessionForm
from consult.models import Consultation, ConsultationSession, Mode, ParticipantCode, Plan, SessionState, Zone
from consult.models.people import utcnow
from consult.participation import services as participation
from consult.participation.forms import EmptyForm
from consult.permissions import authorize, requires

SESSION_URL = "/zones/<int:zone_code>/sessions/<int:session_id>"


@bp.after_request
def no_store(response):
    # Staff pages carry codes and form tokens: not for a shared computer's cache.
    response.headers.setdefault("Cache-Control", "no-store")
    return response


def _load(zone_code: int, session_id: int) -> ConsultationSession:
    """The session in the URL: 404 for an unknown zone or session (or one of another zone), then 403."""
    zone = db.session.scalar(select(Zone).where(Zone.code == zone_code))
    if zone is None:
        abort(404)
    session = db.session.get(ConsultationSession, session_id)
    if session is None or session.zone_id != zone.id:
        abort(404)
    authorize("zone.console", zone)
    return session


def _back(session: ConsultationSession, endpoint: str = ".session"):
    return redirect(url_for(endpoint, zone_code=session.zone.code, session_id=session.id), 303)


def _saved(changed: list[str]) -> None:
    if changed:
        flash(_("Modifiche salvate."), "success")
    else:
        flash(_("Nessuna modifica da salvare."), "info")


# --- home --------------------------------------------------------------------------------------


@bp.get("")
@requires("console.home")
def index():
    zones = services.zones_for(current_user)
    sessions = services.sessions_for(current_user)
    counters = {session.id: services.counters(session) for session in sessions}
    return render_template(
        "facilitate/index.html",
        sessions=sessions,
        counters=counters,
        steps={session.id: services.next_step(session, counters[session.id]) for session in sessions},
        consultations=services.consultations(),
        zones=zones,
        zones_text=", ".join(f"{zone.code}. {zone.name}" for zone in zones),
    )


# --- consultations -----------------------------------------------------------------------------


def _plan() -> Plan:
    plan = db.session.scalar(select(Plan).where(Plan.code == current_app.config["PLAN_CODE"]))
    if plan is None:
        abort(404)
    return plan


def _consultation_form(plan: Plan, **kwargs) -> ConsultationForm:
    form = ConsultationForm(**kwargs)
    form.axes.choices = [SelectChoice(axis.code, f"{axis.code}. {axis.title}") for axis in plan.axes]
    form.strategies.choices = [
        SelectChoice(strategy.code, f"{strategy.code} {strategy.title}")
        for axis in plan.axes
        for strategy in axis.strategies
    ]
    return form


@bp.route("/consultations/new", methods=["GET", "POST"])
@requires("consultations.manage")
def new_consultation():
    plan = _plan()
    form = _consultation_form(plan)
    if form.validate_on_submit():
        try:
            consultation = participation.create_consultation(
                plan, created_by=current_user._get_current_object(), **form.values()
            )
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "error")
            return render_template("facilitate/consultation_form.html", form=form, plan=plan), error.status
        flash(_("Consultazione creata. Ora aggiungi le sessioni delle zone."), "success")
        return redirect(url_for(".new_session", consultation=consultation.id), 303)
    status = 400 if form.is_submitted() else 200
    return render_template("facilitate/consultation_form.html", form=form, plan=plan), status


@bp.route("/consultations/<int:consultation_id>/edit", methods=["GET", "POST"])
@requires("consultations.manage")
def edit_consultation(consultation_id: int):
    consultation = db.get_or_404(Consultation, consultation_id)
    plan = consultation.plan
    if request.method == "GET":
        form = _consultation_form(
            plan,
            data={
                "title": consultation.title,
                "description": consultation.description,
                "scope": consultation.scope.value,
                "axes": consultation.scope_axes,
                "strategies": [s.code for s in consultation.strategies_in_order],
                "depth_mode": "all" if consultation.ranking_depth is None else "top",
                "depth": consultation.ranking_depth or 5,
                "starts_on": consultation.starts_on,
                "ends_on": consultation.ends_on,
                "allow_multiple_zones": consultation.allow_multiple_zones,
            },
        )
    else:
        form = _consultation_form(plan)
    context = {"form": form, "plan": plan, "consultation": consultation}
    if form.validate_on_submit():
        try:
            changed = participation.update_consultation(consultation, **form.values())
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "error")
            return render_template("facilitate/consultation_form.html", **context), error.status
        flash(
            _("Modifiche salvate.") if changed else _("Nessuna modifica da salvare."), "success" if changed else "info"
        )
        return redirect(url_for(".index"), 303)
    status = 400 if form.is_submitted() else 200
    return render_template("facilitate/consultation_form.html", **context), status


# --- sessions ----------------------------------------------------------------------------------


def _session_form(zones: list[Zone], **kwargs) -> SessionForm:
    form = SessionForm(**kwargs)
    form.consultation.choices = [SelectChoice(c.id, c.title) for c in services.consultations()]
    form.zone.choices = [SelectChoice(zone.id, f"{zone.code}. {zone.name}") for zone in zones]
    return form


def _chosen_zone(form: SessionForm) -> Zone:
    """The zone picked in the form, checked against the person's permission (403 for another zone)."""
    zone = db.session.get(Zone, form.zone.data)
    if zone is None:
        abort(400)
    authorize("zone.console", zone)
    return zone


def _starts_at(form: SessionForm):
    # The form's date and time are Italian local time; stored as a UTC instant.
    if form.starts_at.data is None:
        return None
    return to_utc(form.starts_at.data).replace(tzinfo=utcnow().tzinfo)


@bp.route("/sessions/new", methods=["GET", "POST"])
@requires("console.home")
def new_session():
    zones = services.zones_for(current_user)
    if not zones:
        abort(403)
    form = _session_form(zones)
    if request.method == "GET":
        form.consultation.data = request.args.get("consultation", type=int)
        if len(zones) == 1:
            form.zone.data = zones[0].id
    if not form.consultation.choices:
        flash(_("Non c'è ancora nessuna consultazione: chi pianifica deve prima crearne una."), "info")
    if form.validate_on_submit():
        zone = _chosen_zone(form)
        consultation = db.session.get(Consultation, form.consultation.data)
        session = participation.create_session(
            consultation,
            zone,
            title=form.title.data,
            mode=Mode(form.mode.data),
            description=form.description.data or "",
            starts_at=_starts_at(form),
            place=form.place.data or "",
        )
        flash(_("Sessione creata. È in preparazione: nessuno la vede finché non la apri."), "success")
        return _back(session)
    status = 400 if form.is_submitted() else 200
    return render_template("facilitate/session_form.html", form=form, session=None), status


@bp.route(SESSION_URL + "/edit", methods=["GET", "POST"])
@requires("zone.console", zone_scoped_in_view=True)
def edit_session(zone_code: int, session_id: int):
    session = _load(zone_code, session_id)
    zones = services.zones_for(current_user)
    if session.zone not in zones:
        zones = [session.zone, *zones]
    if request.method == "GET":
        form = _session_form(
            zones,
            data={
                "consultation": session.consultation_id,
                "zone": session.zone_id,
                "title": session.title,
                "mode": session.mode.value,
                "starts_at": to_user_timezone(session.starts_at).replace(tzinfo=None) if session.starts_at else None,
                "place": session.place,
                "description": session.description,
            },
        )
    else:
        form = _session_form(zones)
    # A session stays in its consultation: the page names it, the form does not offer it.
    del form.consultation
    if form.validate_on_submit():
        zone = _chosen_zone(form)
        try:
            changed = participation.update_session(
                session,
                zone=zone,
                title=form.title.data,
                mode=Mode(form.mode.data),
                starts_at=_starts_at(form),
                place=form.place.data,
                description=form.description.data,
            )
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "error")
            return render_template("facilitate/session_form.html", form=form, session=session), error.status
        flash(
            _("Modifiche salvate.") if changed else _("Nessuna modifica da salvare."), "success" if changed else "info"
        )
        return _back(session)
    status = 400 if form.is_submitted() else 200
    return render_template("facilitate/session_form.html", form=form, session=session), status


@bp.get(SESSION_URL)
@requires("zone.console", zone_scoped_in_view=True)
def session(zone_code: int, session_id: int):
    session = _load(zone_code, session_id)
    counters = services.counters(session)
    return render_template(
        "facilitate/session.html",
        session=session,
        counters=counters,
        step=services.next_step(session, counters),
        form=EmptyForm(),
        locale=str(get_locale()),
    )


@bp.get(SESSION_URL + "/counters.json")
@requires("zone.console", zone_scoped_in_view=True)
def counters(zone_code: int, session_id: int):
    session = _load(zone_code, session_id)
    return jsonify(services.counters_json(session, services.counters(session), str(get_locale())))


#: What the state buttons send, and the state each one asks for. Publishing has its own confirm step.
STATE_TARGETS = {"open": SessionState.OPEN, "close": SessionState.CLOSED, "reopen": SessionState.OPEN}


@bp.post(SESSION_URL + "/state")
@requires("zone.console", zone_scoped_in_view=True)
def change_state(zone_code: int, session_id: int):
    session = _load(zone_code, session_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    target = STATE_TARGETS.get(request.form.get("target", ""))
    if target is None:
        abort(400)
    try:
        participation.set_state(session, target, current_user._get_current_object())
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return _session_page(session, error.status)
    flash(_("La sessione ora è «%(state)s».", state=session.state.label), "success")
    return _back(session)


def _session_page(session: ConsultationSession, status: int):
    counters = services.counters(session)
    return render_template(
        "facilitate/session.html",
        session=session,
        counters=counters,
        step=services.next_step(session, counters),
        form=EmptyForm(),
        locale=str(get_locale()),
    ), status


@bp.route(SESSION_URL + "/publish", methods=["GET", "POST"])
@requires("zone.console", zone_scoped_in_view=True)
def publish(zone_code: int, session_id: int):
    """Publishing asks first: it is final, the results become public and the session cannot reopen."""
    session = _load(zone_code, session_id)
    form = PublishForm()
    if form.validate_on_submit():
        try:
            participation.set_state(session, SessionState.PUBLISHED, current_user._get_current_object())
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "error")
            return _session_page(session, error.status)
        flash(_("I risultati della sessione sono pubblicati."), "success")
        return _back(session)
    status = 400 if form.is_submitted() else 200
    if session.state != SessionState.CLOSED and status == 200:
        flash(_("Si possono pubblicare solo i risultati di una sessione chiusa."), "info")
    return render_template(
        "facilitate/publish.html", session=session, form=form, counters=services.counters(session)
    ), status


# --- room codes --------------------------------------------------------------------------------


@bp.route(SESSION_URL + "/codes", methods=["GET", "POST"])
@requires("zone.console", zone_scoped_in_view=True)
def codes(zone_code: int, session_id: int):
    session = _load(zone_code, session_id)
    form = GenerateCodesForm()
    status = 200
    if form.validate_on_submit():
        try:
            created = participation.generate_codes(session, form.count.data, current_user._get_current_object())
        except DomainError as error:
            db.session.rollback()
            form.count.errors.append(error.message)
            status = error.status
        else:
            first = db.session.scalar(select(ParticipantCode.id).where(ParticipantCode.code == created[0]))
            last = db.session.scalar(select(ParticipantCode.id).where(ParticipantCode.code == created[-1]))
            flash(
                _("%(num)d codici generati: stampali e consegnane uno a ogni persona in sala.", num=len(created)),
                "success",
            )
            return redirect(
                url_for(".codes", zone_code=zone_code, session_id=session_id, printed=f"{first}-{last}"), 303
            )
    elif form.is_submitted():
        status = 400
    all_codes = services.codes_of(session)
    return render_template(
        "facilitate/codes.html",
        session=session,
        form=form,
        codes=all_codes,
        batches=services.batches(all_codes),
        counters=services.counters(session),
        revoke_form=EmptyForm(),
        new_batch=request.args.get("printed", ""),
    ), status


@bp.post(SESSION_URL + "/codes/<int:code_id>/revoke")
@requires("zone.console", zone_scoped_in_view=True)
def revoke_code(zone_code: int, session_id: int, code_id: int):
    session = _load(zone_code, session_id)
    code = db.session.get(ParticipantCode, code_id)
    if code is None or code.session_id != session.id:
        abort(404)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        participation.revoke_code(code, current_user._get_current_object())
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for(".codes", zone_code=zone_code, session_id=session_id), 303)
    flash(_("Il codice %(code)s è annullato: non apre più la sessione.", code=code.code), "success")
    return redirect(url_for(".codes", zone_code=zone_code, session_id=session_id), 303)


def _batch_range() -> tuple[int | None, int | None]:
    first, last = request.args.get("first", type=int), request.args.get("last", type=int)
    return first, last


@bp.get(SESSION_URL + "/codes/print")
@requires("zone.console", zone_scoped_in_view=True)
def print_codes(zone_code: int, session_id: int):
    """The printable sheet: ten cut-out slips per A4 page (static/css/code-sheet.css)."""
    session = _load(zone_code, session_id)
    first, last = _batch_range()
    printable = services.printable_codes(session, first, last)
    audit.record("codes.printed", session, count=len(printable), format="html")
    pages = [printable[n : n + services.SLIPS_PER_PAGE] for n in range(0, len(printable), services.SLIPS_PER_PAGE)]
    return render_template(
        "facilitate/codes_print.html",
        session=session,
        pages=[services.slips(page) for page in pages],
        count=len(printable),
        address=services.join_address(),
        when=services.session_date(session),
        first=first,
        last=last,
    )


@bp.get(SESSION_URL + "/codes/print.pdf")
@requires("zone.console", zone_scoped_in_view=True)
def print_codes_pdf(zone_code: int, session_id: int):
    session = _load(zone_code, session_id)
    first, last = _batch_range()
    printable = services.printable_codes(session, first, last)
    audit.record("codes.printed", session, count=len(printable), format="pdf")
    body = services.codes_pdf(session, printable)
    name = f"codici-zona-{session.zone.code}-sessione-{session.id}.pdf"
    return Response(body, mimetype="application/pdf", headers={"Content-Disposition": f'inline; filename="{name}"'})
