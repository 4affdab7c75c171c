"""Measurable targets: a planner makes an axis target measurable, fed by linked report indicators."""

from sqlalchemy import select

from consult.extensions import db
from consult.models import AuditEvent, Axis, IndicatorValue, MeasurableTarget, MonitoredActivity, ReportIndicator
from tests.conftest import csrf_token


def link_ferroviario(app, planner) -> int:
    """Accept the link of Turin's Linea 2 activity to strategy 2.3; returns its indicator's id."""
    with app.app_context():
        activity = db.session.scalar(
            select(MonitoredActivity).where(MonitoredActivity.text.like("Completare il Sistema Ferroviario%"))
        )
        activity_id, indicator_id = activity.id, activity.indicators[0].id
    response = planner.post(
        f"/monitoring/activities/{activity_id}/links",
        data={"csrf_token": csrf_token(planner, f"/monitoring/activities/{activity_id}"), "strategy": "2.3"},
    )
    assert response.status_code == 303
    return indicator_id


def target_form(token: str, indicator_id: int | None = None, **changes) -> dict:
    data = {
        "csrf_token": token,
        "t0-indicator": "Progetti approvati",
        "t0-unit": "n.",
        "t0-baseline_value": "0",
        "t0-baseline_year": "2021",
        "t0-target_value": "10",
        "t0-target_year": "2030",
    }
    if indicator_id is not None:
        data["t0-indicators"] = str(indicator_id)
    return {**data, **changes}


def test_a_planner_makes_a_target_measurable_and_the_strategy_page_shows_it(monitoring, client_as):
    planner = client_as("planner")
    indicator_id = link_ferroviario(monitoring, planner)
    page = planner.get("/monitoring/targets/2").get_data(as_text=True)
    assert f'value="{indicator_id}"' in page  # offered: its activity is linked to strategy 2.3 of axis 2
    token = csrf_token(planner, "/monitoring/targets/2")
    response = planner.post("/monitoring/targets/2/0", data=target_form(token, indicator_id))
    assert response.status_code == 303, response.get_data(as_text=True)
    with monitoring.app_context():
        target = db.session.scalar(select(MeasurableTarget))
        assert (target.baseline_value, target.target_year) == (0, 2030)
        assert [i.id for i in target.indicators] == [indicator_id]
        axis = db.session.scalar(select(Axis).where(Axis.code == "2"))
        assert target.text == axis.targets[0]
        assert db.session.scalar(select(AuditEvent.action).order_by(AuditEvent.id.desc())) == "monitoring.target_saved"
        values = {v.year: v.number for v in db.session.get(ReportIndicator, indicator_id).values}
    assert values == {2022: 1, 2023: 3}
    strategy = monitoring.test_client().get("/plan/strategies/2.1").get_data(as_text=True)
    assert "Progetti approvati" in strategy and "<svg" in strategy
    assert "Percorso compiuto: 30%." in strategy  # 3 of the 10 to reach, from 0
    assert '<td class="text-end">3</td>' in strategy  # the chart's data table


def test_bad_target_input_is_explained_and_nothing_is_written(monitoring, client_as):
    planner = client_as("planner")
    token = csrf_token(planner, "/monitoring/targets/2")
    response = planner.post("/monitoring/targets/2/0", data=target_form(token, **{"t0-target_year": "2020"}))
    assert response.status_code == 422
    assert "deve venire dopo" in response.get_data(as_text=True)
    response = planner.post("/monitoring/targets/2/0", data=target_form(token, **{"t0-baseline_value": "abc"}))
    assert response.status_code == 422
    with monitoring.app_context():
        unlinked = db.session.scalar(select(IndicatorValue.indicator_id))
    response = planner.post("/monitoring/targets/2/0", data=target_form(token, unlinked))
    assert response.status_code == 422
    assert planner.post("/monitoring/targets/2/99", data=target_form(token)).status_code == 404
    with monitoring.app_context():
        assert db.session.scalar(select(MeasurableTarget)) is None


def test_a_target_survives_reimporting_its_report(monitoring, client_as, runner):
    planner = client_as("planner")
    indicator_id = link_ferroviario(monitoring, planner)
    token = csrf_token(planner, "/monitoring/targets/2")
    planner.post("/monitoring/targets/2/0", data=target_form(token, indicator_id))
    with monitoring.app_context():
        from consult.monitoring.importer import SHIPPED_FILE, SHIPPED_SOURCE
        from consult.seed import shipped

        path = shipped(SHIPPED_FILE)
    result = runner.invoke(args=["monitoring", "import", str(path), "--source", SHIPPED_SOURCE, "--zone", "1"])
    assert result.exit_code == 0, result.output
    with monitoring.app_context():
        target = db.session.scalar(select(MeasurableTarget))
        assert [i.name for i in target.indicators] == ["N° progetti approvati"]
    assert "<svg" in monitoring.test_client().get("/plan/strategies/2.3").get_data(as_text=True)
