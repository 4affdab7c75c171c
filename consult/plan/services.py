"""Reading the plan catalogue, with its children loaded in a few queries."""

from flask import abort, current_app
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from consult.extensions import db
from consult.models import Action, Axis, Plan, Strategy


def current_plan() -> Plan:
    """The plan under consultation with axes, strategies and actions loaded; 404 before seeding."""
    plan = db.session.scalar(
        select(Plan)
        .where(Plan.code == current_app.config["PLAN_CODE"])
        .options(selectinload(Plan.axes).selectinload(Axis.strategies).selectinload(Strategy.actions))
    )
    if plan is None:
        abort(404)
    return plan


def axis_or_404(code: str) -> Axis:
    plan = current_plan()
    for axis in plan.axes:
        if axis.code == code:
            return axis
    abort(404)


def strategy_or_404(code: str) -> Strategy:
    plan = current_plan()
    for strategy in plan.strategies:
        if strategy.code == code:
            return strategy
    abort(404)


def counts(plan: Plan) -> dict[str, int]:
    strategies = plan.strategies
    return {
        "axes": len(plan.axes),
        "strategies": len(strategies),
        "actions": sum(len(strategy.actions) for strategy in strategies),
    }


def plan_as_json(plan: Plan) -> dict:
    """The open-data shape of the catalogue."""
    return {
        "code": plan.code,
        "title": plan.title,
        "source": plan.source,
        "language": "it",
        "counts": counts(plan),
        "axes": [
            {
                "code": axis.code,
                "title": axis.title,
                "motto": axis.motto,
                "needs": axis.needs,
                "targets": axis.targets,
                "strategies": [
                    {
                        "code": strategy.code,
                        "title": strategy.title,
                        "actions": [_action_json(action) for action in strategy.actions],
                    }
                    for strategy in axis.strategies
                ],
            }
            for axis in plan.axes
        ],
    }


def _action_json(action: Action) -> dict:
    data = {"code": action.code, "text": action.text}
    if action.printed_code:
        data["printed_code"] = action.printed_code
    return data
