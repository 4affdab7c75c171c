from dataclasses import asdict
from datetime import UTC, datetime

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from consult import audit as audit_log
from consult import text
from consult.admin import bp, services
from consult.admin.forms import AccountForm, AuditFilterForm, InviteForm, ListEntryForm, UserFilterForm
from consult.auth import services as auth_services
from consult.errors import DomainError
from consult.exports import write_csv
from consult.extensions import db
from consult.models import AuditEvent, ConsultationSession, Role, User
from consult.permissions import requires
from consult.public.services import all_zones


def _page() -> int:
    # A page number the database can offset by; anything else is the first page.
    return text.whole_number(request.args.get("page"), maximum=100_000) or 1


def _query_args(**changes) -> dict:
    """The current query string with ``changes``; names url_for would take as options are dropped."""
    args = {key: value for key, value in request.args.items() if not key.startswith("_") and value}
    args.update(changes)
    return args


@bp.context_processor
def paging():
    return {"page_url": lambda number: url_for(request.endpoint, **_query_args(page=number))}


@bp.get("/users")
@requires("admin.users")
def users():
    zones = all_zones()
    form = UserFilterForm(request.args)
    form.zone.choices = [
        SelectChoice("", _("Tutte le zone")),
        *[SelectChoice(str(z.code), _zone_name(z)) for z in zones],
    ]
    form.validate()
    zone_code = form.valid("zone")
    filters = services.UserFilter(
        text=form.valid("q") or "",
        role=Role(form.valid("role")) if form.valid("role") else None,
        zone=next((zone for zone in zones if str(zone.code) == zone_code), None),
        state=form.valid("state") or "",
    )
    pagination = db.paginate(
        services.users_query(filters), page=_page(), per_page=services.USERS_PER_PAGE, error_out=False
    )
    return render_template("admin/users.html", form=form, pagination=pagination)


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@requires("admin.users")
def user(user_id: int):
    user = db.get_or_404(User, user_id)
    zones = all_zones()
    form = AccountForm(data={"role": user.role.value, "zones": [zone.code for zone in user.facilitated_zones]})
    form.zones.choices = [SelectChoice(zone.code, _zone_name(zone)) for zone in zones]
    if request.method == "GET":
        return _user_page(user, form)
    if not form.validate():
        return _user_page(user, form), 400
    role = Role(form.role.data)
    try:
        change = services.update_account(user, role, [zone for zone in zones if zone.code in form.zones.data])
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return _user_page(user, form), error.status
    if change.changed:
        flash(_("Modifiche salvate."), "success")
    else:
        flash(_("Nessuna modifica da salvare."), "info")
    if change.zones_dropped:
        flash(
            _(
                "Le zone facilitate valgono solo per i facilitatori: con il ruolo «%(role)s» non ne resta nessuna.",
                role=role.label,
            ),
            "info",
        )
    return redirect(url_for(".user", user_id=user.id), 303)


def _user_page(user: User, form: AccountForm) -> str:
    return render_template(
        "admin/user.html", user=user, form=form, invitation_pending=services.invitation_pending(user)
    )


@bp.route("/users/invite", methods=["GET", "POST"])
@requires("admin.users")
def invite():
    """Invite a member of staff: an email with a link to choose a password, role and zones already set."""
    zones = all_zones()
    form = InviteForm()
    form.zones.choices = [SelectChoice(zone.code, _zone_name(zone)) for zone in zones]
    if form.validate_on_submit():
        chosen = [zone for zone in zones if zone.code in form.zones.data]
        try:
            user = services.invite_staff(
                form.email.data, form.display_name.data, Role(form.role.data), chosen, form.language.data
            )
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "error")
            return _invite_page(form), error.status
        _send_invitation(user)
        return redirect(url_for(".user", user_id=user.id), 303)
    return _invite_page(form), 400 if form.is_submitted() else 200


def _invite_page(form: InviteForm) -> str:
    return render_template("admin/invite.html", form=form, days=current_app.config["INVITATION_MAX_AGE"] // (24 * 3600))


@bp.post("/users/<int:user_id>/invite")
@requires("admin.users")
def reinvite(user_id: int):
    user = db.get_or_404(User, user_id)
    try:
        services.renew_invitation(user)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for(".user", user_id=user.id), 303)
    _send_invitation(user)
    return redirect(url_for(".user", user_id=user.id), 303)


def _send_invitation(user: User) -> None:
    # The request's commit keeps the account even when the mail server is down: the invitation can be sent again.
    if auth_services.send_invitation(user, current_user._get_current_object()):
        days = current_app.config["INVITATION_MAX_AGE"] // (24 * 3600)
        flash(_("Invito inviato a %(email)s: il link vale %(days)s giorni.", email=user.email, days=days), "success")
    else:
        flash(_("L'account è pronto, ma l'email non è partita: riprova con «Invia di nuovo l'invito»."), "error")


@bp.post("/users/<int:user_id>/deactivate")
@requires("admin.users")
def deactivate_user(user_id: int):
    return _change_access(
        user_id, services.deactivate, _("Account disattivato: la persona è stata disconnessa e non può più accedere.")
    )


@bp.post("/users/<int:user_id>/reactivate")
@requires("admin.users")
def reactivate_user(user_id: int):
    return _change_access(user_id, services.reactivate, _("Account riattivato: la persona può di nuovo accedere."))


def _change_access(user_id: int, change, done: str):
    """Deactivate or reactivate an account: one commit, or the rule's message if it refuses."""
    user = db.get_or_404(User, user_id)
    try:
        change(user)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        flash(done, "success")
    return redirect(url_for(".user", user_id=user_id), 303)


def _by_label(choice: SelectChoice) -> str:
    return str(choice.label).casefold()


def _zone_name(zone) -> str:
    return f"{zone.code}. {zone.name}"


# --- managed lists -----------------------------------------------------------------------------


def _list_kind(kind: str) -> services.ListKind:
    list_kind = services.LIST_KINDS.get(kind)
    if list_kind is None:
        abort(404)
    return list_kind


@bp.get("/lists")
@requires("admin.lists")
def lists():
    sections = [(kind, services.list_entries(kind), services.list_usage(kind)) for kind in services.LIST_KINDS.values()]
    return render_template("admin/lists.html", sections=sections, no_usage=services.Usage())


@bp.route("/lists/<kind>/new", methods=["GET", "POST"])
@requires("admin.lists")
def new_list_entry(kind: str):
    list_kind = _list_kind(kind)
    form = ListEntryForm(data={"position": services.next_position(list_kind), "active": True})
    if request.method == "GET":
        return _entry_page(list_kind, None, form)
    if not form.validate():
        return _entry_page(list_kind, None, form), 400
    try:
        entry = services.create_entry(list_kind, form.values())
    except DomainError as error:
        db.session.rollback()
        return _entry_page(list_kind, None, form, error), error.status
    flash(_("Voce «%(name)s» aggiunta.", name=entry.name_it), "success")
    return redirect(url_for(".lists", _anchor=list_kind.slug), 303)


@bp.route("/lists/<kind>/<int:entry_id>", methods=["GET", "POST"])
@requires("admin.lists")
def list_entry(kind: str, entry_id: int):
    list_kind = _list_kind(kind)
    entry = db.get_or_404(list_kind.model, entry_id)
    form = ListEntryForm(data={name: getattr(entry, name) for name in services.ENTRY_FIELDS})
    if request.method == "GET":
        return _entry_page(list_kind, entry, form)
    if not form.validate():
        return _entry_page(list_kind, entry, form), 400
    try:
        changed = services.update_entry(list_kind, entry, form.values())
    except DomainError as error:
        db.session.rollback()
        return _entry_page(list_kind, entry, form, error), error.status
    if changed:
        flash(_("Voce «%(name)s» salvata.", name=entry.name_it), "success")
    else:
        flash(_("Nessuna modifica da salvare."), "info")
    return redirect(url_for(".lists", _anchor=list_kind.slug), 303)


def _entry_page(kind: services.ListKind, entry, form: ListEntryForm, error: DomainError | None = None) -> str:
    """The entry's form; a refused change shows its reason beside the field it is about."""
    if error is not None:
        field = getattr(error, "field", None)
        if field:
            form[field].errors.append(error.message)
        else:
            flash(error.message, "error")
    usage = services.entry_usage(kind, entry) if entry is not None else services.Usage()
    if usage.total:
        # The service refuses a new code anyway; this only says so before anyone tries.
        form.code.render_kw = {"readonly": True}
    return render_template("admin/list_entry.html", kind=kind, entry=entry, form=form, usage=usage)


# --- audit log ---------------------------------------------------------------------------------


def _audit_filters() -> tuple[AuditFilterForm, services.AuditFilter]:
    """The filter form read from the query string, shared by the page and its CSV download."""
    form = AuditFilterForm(request.args)
    form.action.choices = [
        SelectChoice("", _("Tutte le azioni")),
        *sorted(
            (SelectChoice(action, services.action_label(action)) for action in services.audit_actions()),
            key=_by_label,
        ),
    ]
    form.validate()
    filters = services.AuditFilter(
        action=form.valid("action") or "",
        actor=form.valid("actor") or "",
        date_from=form.valid("date_from"),
        date_to=form.valid("date_to"),
    )
    return form, filters


@bp.get("/audit")
@requires("admin.audit")
def audit():
    form, filters = _audit_filters()
    pagination = db.paginate(
        services.audit_query(filters), page=_page(), per_page=services.EVENTS_PER_PAGE, error_out=False
    )
    return render_template(
        "admin/audit.html",
        form=form,
        pagination=pagination,
        csv_url=url_for(".audit_csv", **_query_args(page=None)),
        action_label=services.action_label,
        actor_label=services.actor_label,
        target_label=services.target_label,
        target_url=_target_url,
        details_text=services.details_text,
    )


@bp.get("/audit.csv")
@requires("admin.audit")
def audit_csv():
    _form, filters = _audit_filters()
    events = db.session.scalars(services.audit_query(filters)).all()
    headers, rows = services.audit_table(events)
    # Who took a copy of the log, and of which part, is itself worth knowing.
    audit_log.record(
        "audit.exported",
        rows=len(rows),
        filters={key: str(value) for key, value in asdict(filters).items() if value},
    )
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    return Response(
        write_csv(headers, rows, delimiter=";"),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="consult-audit-{stamp}.csv"'},
    )


def _target_url(event: AuditEvent) -> str | None:
    """The admin page of what the event happened to, if it has one."""
    if not event.target_id:
        return None
    if event.target_type == "user":
        return url_for(".user", user_id=event.target_id)
    for kind in services.LIST_KINDS.values():
        if event.target_type == kind.model.__tablename__:
            return url_for(".list_entry", kind=kind.slug, entry_id=event.target_id)
    if event.target_type == "consultation":
        return url_for("facilitate.edit_consultation", consultation_id=event.target_id)
    if event.target_type == "consultation_session":
        session = db.session.get(ConsultationSession, event.target_id)
        if session is not None:
            return url_for("facilitate.session", zone_code=session.zone.code, session_id=session.id)
    return None
