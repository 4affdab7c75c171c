"""Monitoring pages: summary per mission and programme, activity search, activity sheet, planners' links."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from consult.errors import DomainError
from consult.extensions import db
from consult.models import Action, Axis, MonitoredActivity, Strategy
from consult.models.monitoring import ACTIVITY_STATUSES
from consult.monitoring import bp, services
from consult.monitoring.forms import TargetForm
from consult.permissions import public, requires
from consult.plan.services import current_plan
from consult.public.services import all_zones


def _int_arg(name: str) -> int | None:
    value = request.args.get(name, "").strip()
    if not value:
        return None
    try:
        return int(value)
    except ValueError:
        abort(400)


@bp.get("/")
@public
def index():
    summary = services.summary()
    totals = services.mission_totals(summary)
    return render_template(
        "monitoring/index.html",
        summary=summary,
        statuses=ACTIVITY_STATUSES,
        totals=totals,
        chart=services.mission_chart(totals),
    )


@bp.get("/activities")
@public
def activities():
    filters = services.ActivityFilters(
        q=request.args.get("q", "").strip()[:200],
        status=request.args.get("status", ""),
        mission=_int_arg("mission"),
        zone=_int_arg("zone"),
        linked=request.args.get("linked", ""),
    )
    if filters.status not in ("", "none", *ACTIVITY_STATUSES) or filters.linked not in ("", "yes", "no"):
        abort(400)
    page = _int_arg("page") or 1
    if page < 1:
        abort(400)
    items, total = services.search_activities(filters, page)
    return render_template(
        "monitoring/activities.html",
        items=items,
        total=total,
        page=page,
        pages=max(1, -(-total // services.PER_PAGE)),
        filters=filters,
        statuses=ACTIVITY_STATUSES,
        missions=services.missions(),
        zones=all_zones(),
    )


def _activity(activity_id: int) -> MonitoredActivity:
    activity = db.session.get(MonitoredActivity, activity_id)
    if activity is None:
        abort(404)
    return activity


@bp.get("/activities/<int:activity_id>")
@public
def activity(activity_id: int):
    return render_template(
        "monitoring/activity.html", activity=_activity(activity_id), plan=current_plan(), statuses=ACTIVITY_STATUSES
    )


def _strategy(code: str) -> Strategy:
    strategy = db.session.scalar(select(Strategy).join(Axis).where(Strategy.code == code, Axis.plan == current_plan()))
    if strategy is None:
        raise DomainError(_("Strategia «%(code)s» sconosciuta.", code=code), 400)
    return strategy


def _action(strategy: Strategy, code: str) -> Action | None:
    """The strategy's action with this code (none for an empty code); a code of another strategy is refused."""
    if not code:
        return None
    action = db.session.scalar(select(Action).where(Action.code == code, Action.strategy == strategy))
    if action is None:
        raise DomainError(_("L’azione %(code)s non appartiene alla strategia %(strategy)s.", code=code,
                            strategy=strategy.code), 400)  # fmt: skip
    return action


@bp.post("/activities/<int:activity_id>/links")
@requires("monitoring.link")
def add_link(activity_id: int):
    activity = _activity(activity_id)
    try:
        strategy = _strategy(request.form.get("strategy", "").strip())
        action = _action(strategy, request.form.get("action", "").strip())
        services.decide_link(activity, strategy, accepted=True, action=action)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for(".activity", activity_id=activity_id), 303)
    flash(_("Attività collegata alla strategia %(code)s.", code=strategy.code), "success")
    return redirect(url_for(".activity", activity_id=activity_id), 303)


@bp.post("/activities/<int:activity_id>/links/<code>/delete")
@requires("monitoring.link")
def remove_link(activity_id: int, code: str):
    activity = _activity(activity_id)
    try:
        strategy = _strategy(code)
        services.remove_link(activity, strategy)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for(".activity", activity_id=activity_id), 303)
    flash(_("Collegamento alla strategia %(code)s rimosso.", code=code), "success")
    return redirect(url_for(".activity", activity_id=activity_id), 303)


@bp.get("/suggestions")
@requires("monitoring.link")
def suggestions_index():
    plan = current_plan()
    return redirect(url_for(".suggestions", code=plan.axes[0].code), 303) if plan and plan.axes else abort(404)


@bp.get("/suggestions/<code>")
@requires("monitoring.link")
def suggestions(code: str):
    plan = current_plan()
    axis = db.session.scalar(select(Axis).where(Axis.code == code, Axis.plan == plan))
    if axis is None:
        abort(404)
    return render_template(
        "monitoring/suggestions.html", axis=axis, plan=plan, suggestions=services.suggestions_for_axis(axis)
    )


@bp.post("/suggestions/<code>/decide")
@requires("monitoring.link")
def decide(code: str):
    decision = request.form.get("decision")
    try:
        activity_id = int(request.form.get("activity", ""))
        score = float(request.form.get("score", "")) if request.form.get("score") else None
    except ValueError:
        abort(400)
    if decision not in ("accept", "reject") or (score is not None and not 0 <= score <= 1):
        abort(400)
    activity = _activity(activity_id)
    try:
        strategy = _strategy(request.form.get("strategy", ""))
        action = _action(strategy, request.form.get("action", "").strip())
        services.decide_link(activity, strategy, accepted=decision == "accept", score=score, action=action)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for(".suggestions", code=code), 303)
    if decision == "accept":
        flash(_("Collegamento accettato: %(code)s.", code=strategy.code), "success")
    else:
        flash(_("Suggerimento scartato: %(code)s.", code=strategy.code), "info")
    # Back to the list, the next suggestion's "Accept" focused: one key press per decision.
    return redirect(url_for(".suggestions", code=code, decided=1), 303)


# --- measurable targets ------------------------------------------------------------------------


def _axis(code: str) -> Axis:
    axis = db.session.scalar(select(Axis).where(Axis.code == code, Axis.plan == current_plan()))
    if axis is None:
        abort(404)
    return axis


def _target_forms(axis: Axis, sent: tuple[int, TargetForm] | None = None) -> list:
    """One form per target text of the axis, filled with its measurable form when there is one."""
    targets = services.targets_of(axis)
    candidates = services.candidate_indicators(axis)
    choices = [(indicator.id, indicator.name or "—") for indicator in candidates]
    rows = []
    for index, text in enumerate(axis.targets or []):
        target = targets.get(index)
        if sent is not None and sent[0] == index:
            form = sent[1]
        elif target is not None:
            form = TargetForm(
                formdata=None,
                prefix=f"t{index}",
                data={
                    "indicator": target.indicator,
                    "unit": target.unit,
                    "baseline_value": target.baseline_value,
                    "baseline_year": target.baseline_year,
                    "target_value": target.target_value,
                    "target_year": target.target_year,
                    "indicators": [indicator.id for indicator in target.indicators],
                },
            )
        else:
            form = TargetForm(formdata=None, prefix=f"t{index}")
        form.indicators.choices = choices
        state = services.standing(target) if target else None
        geometry = services.chart(target, state) if state and len(state.series) >= 2 else None
        rows.append((index, text, target, form, state, geometry))
    return rows


@bp.get("/targets/<code>")
@requires("monitoring.link")
def targets(code: str):
    axis = _axis(code)
    return render_template(
        "monitoring/targets.html",
        axis=axis,
        plan=current_plan(),
        rows=_target_forms(axis),
        candidates=services.candidate_indicators(axis),
    )


@bp.post("/targets/<code>/<int:index>")
@requires("monitoring.link")
def save_target(code: str, index: int):
    axis = _axis(code)
    if not 0 <= index < len(axis.targets or []):
        abort(404)
    form = TargetForm(prefix=f"t{index}")
    form.indicators.choices = [(i.id, i.name) for i in services.candidate_indicators(axis)]
    problems = []
    if form.validate_on_submit():
        data = {
            "indicator": form.indicator.data.strip(),
            "unit": (form.unit.data or "").strip(),
            "baseline_value": float(form.baseline_value.data),
            "baseline_year": form.baseline_year.data,
            "target_value": float(form.target_value.data),
            "target_year": form.target_year.data,
        }
        try:
            services.save_target(axis, index, data, list(form.indicators.data or []))
        except DomainError as error:
            db.session.rollback()
            problems.append(error.message)
            status = error.status
        else:
            flash(_("Obiettivo misurabile salvato."), "success")
            return redirect(url_for(".targets", code=code, _anchor=f"target-{index}"), 303)
    else:
        status = 422
    return render_template(
        "monitoring/targets.html",
        axis=axis,
        plan=current_plan(),
        rows=_target_forms(axis, (index, form)),
        candidates=services.candidate_indicators(axis),
        problems=problems,
        problem_index=index,
    ), status


@bp.post("/targets/<code>/<int:index>/delete")
@requires("monitoring.link")
def delete_target(code: str, index: int):
    axis = _axis(code)
    try:
        services.delete_target(axis, index)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for(".targets", code=code), 303)
    flash(_("L’obiettivo non è più misurato."), "success")
    return redirect(url_for(".targets", code=code), 303)
