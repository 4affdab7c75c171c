"""The moderation queue of a zone and the decisions on its items."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from consult.errors import DomainError
from consult.extensions import db
from consult.moderation import bp, services
from consult.moderation.services import Decision, Show
from consult.participation.access import zone_or_404
from consult.participation.contributions import author_name
from consult.participation.forms import EmptyForm
from consult.permissions import authorize, requires

QUEUE_URL = "/zones/<int:zone_code>/moderation"


def _render_queue(zone, show: Show, *, problems=(), failed=None, status=200):
    return render_template(
        "moderation/queue.html",
        zone=zone,
        show=show,
        tabs=list(Show),
        counts=services.counts(zone),
        items=services.queue(zone, show),
        form=EmptyForm(),
        problems=list(problems),
        failed=failed,
        author_name=author_name,
        locale=str(get_locale()),
    ), status


@bp.get(QUEUE_URL)
@requires("zone.moderate", zone_scoped_in_view=True)
def queue(zone_code: int):
    """Reported comments and proposals of the zone's sessions, with who reported them and why."""
    zone = zone_or_404(zone_code)
    authorize("zone.moderate", zone)
    try:
        show = Show(request.args.get("show", Show.PENDING))
    except ValueError:
        show = Show.PENDING
    return _render_queue(zone, show)


@bp.post(QUEUE_URL + "/<any(comment, proposal):item_type>/<int:item_id>")
@requires("zone.moderate", zone_scoped_in_view=True)
def decide(zone_code: int, item_type: str, item_id: int):
    """Hide, restore or keep a reported contribution, with a reason."""
    zone = zone_or_404(zone_code)
    authorize("zone.moderate", zone)
    item = services.find(item_type, item_id, zone)
    if item is None:
        abort(404)
    if not EmptyForm().validate_on_submit():
        abort(400)
    show = Show.HIDDEN if item.row.is_hidden else Show.PENDING
    try:
        decision = Decision(request.form.get("decision", ""))
    except ValueError:
        return _render_queue(zone, show, problems=[_("Scegli che cosa fare del contenuto.")], status=422)
    try:
        services.decide(item, decision, current_user._get_current_object(), request.form.get("reason", ""))
    except DomainError as error:
        db.session.rollback()
        failed = {"anchor": item.anchor, "reason": request.form.get("reason", "")}
        return _render_queue(zone, show, problems=[error.message], failed=failed, status=error.status)
    flash(
        {
            Decision.HIDE: _("Il contenuto è stato nascosto: chi l'ha scritto vede il motivo."),
            Decision.RESTORE: _("Il contenuto è di nuovo visibile."),
            Decision.KEEP: _("Le segnalazioni sono state chiuse: il contenuto resta visibile."),
        }[decision],
        "success",
    )
    return redirect(url_for(".queue", zone_code=zone.code, show=show.value), 303)
