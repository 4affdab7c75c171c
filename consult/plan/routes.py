from flask import render_template

from consult.permissions import public
from consult.plan import bp
from consult.plan.services import axis_or_404, counts, current_plan, strategy_or_404


@bp.get("/")
@public
def index():
    plan = current_plan()
    return render_template("plan/index.html", plan=plan, counts=counts(plan))


@bp.get("/axes/<code>")
@public
def axis(code: str):
    axis = axis_or_404(code)
    return render_template("plan/axis.html", axis=axis, plan=axis.plan)


@bp.get("/strategies/<code>")
@public
def strategy(code: str):
    strategy = strategy_or_404(code)
    from consult.monitoring.services import linked_activities, measured_targets

    return render_template(
        "plan/strategy.html",
        strategy=strategy,
        axis=strategy.axis,
        plan=strategy.axis.plan,
        monitored=linked_activities(strategy),
        measured=measured_targets(strategy.axis),
    )
