"""Monitoring: the shipped report through flask seed, the importer, pages, links to the plan, the API."""

import csv
import io

from openpyxl import Workbook
from sqlalchemy import func, select

from consult.extensions import db
from consult.models import (
    ActivityLink,
    AuditEvent,
    IndicatorValue,
    MonitoredActivity,
    MonitoringSource,
    Strategy,
)
from consult.monitoring.convert import COLUMNS
from consult.monitoring.importer import SHIPPED_SOURCE
from tests.conftest import csrf_token

SOURCE = "Comune di Prova — Rendiconto 2024"


def dataset(rows: list[dict]) -> str:
    stream = io.StringIO()
    writer = csv.DictWriter(stream, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({column: row.get(column, "") for column in COLUMNS})
    return stream.getvalue()


BASE = {"mission": "9", "mission_title": "AMBIENTE", "programme": "2", "programme_title": "TUTELA"}
GOOD = [
    {**BASE, "record": "programme", "units": "DIVISIONE VERDE"},
    {**BASE, "record": "line", "number": "1", "text": "Città più verde", "pnrr": "Missione 2"},
    {**BASE, "record": "activity", "activity": "A1", "lines": "1", "text": "Piantare alberi", "status": "In corso"},
    {**BASE, "record": "indicator", "activity": "A1", "indicator": "Spesa", "2022": "4.087.653,45 €", "2023": "N.D."},
]


def write(tmp_path, rows, name="report.csv"):
    path = tmp_path / name
    path.write_text(dataset(rows), encoding="utf-8")
    return path


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def test_seed_loads_the_shipped_report_once(monitoring, runner):
    with monitoring.app_context():
        source = db.session.scalar(select(MonitoringSource).where(MonitoringSource.name == SHIPPED_SOURCE))
        assert source.zone.code == 1
        assert len(source.programmes) == 52
        assert sum(len(p.activities) for p in source.programmes) == 487
        value = db.session.scalar(select(IndicatorValue).where(IndicatorValue.text == "4.087.653,45 €"))
        assert (value.number, value.unit) == (4087653.45, "EUR")
        ratio = db.session.scalar(select(IndicatorValue).where(IndicatorValue.text == "187/455"))
        assert (ratio.number, ratio.denominator, ratio.unit) == (187, 455, "ratio")
    again = runner.invoke(args=["seed"])
    assert "monitoring: up to date" in again.output
    assert count(monitoring, MonitoredActivity) == 487


def test_import_writes_a_source_and_reimport_replaces_it(app, monitoring, runner, tmp_path):
    path = write(tmp_path, GOOD)
    result = runner.invoke(args=["monitoring", "import", str(path), "--source", SOURCE, "--zone", "3"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        source = db.session.scalar(select(MonitoringSource).where(MonitoringSource.name == SOURCE))
        assert source.zone.code == 3
        (activity,) = source.programmes[0].activities
        assert activity.indicators[0].values[0].number == 4087653.45
        assert activity.indicators[0].values[1].number is None
    changed = [*GOOD[:2], {**GOOD[2], "text": "Piantare mille alberi"}]
    result = runner.invoke(args=["monitoring", "import", str(write(tmp_path, changed)), "--source", SOURCE])
    assert result.exit_code == 0, result.output
    with app.app_context():
        source = db.session.scalar(select(MonitoringSource).where(MonitoringSource.name == SOURCE))
        assert source.zone is None
        assert [a.text for a in source.programmes[0].activities] == ["Piantare mille alberi"]
        assert db.session.scalar(select(func.count()).select_from(MonitoringSource)) == 2


def test_a_bad_row_writes_nothing_and_names_its_line(app, seeded, runner, tmp_path):
    rows = [*GOOD, {**BASE, "record": "activity", "activity": "A2", "text": "x", "status": "Finito"}]
    rows.append({**BASE, "record": "indicator", "activity": "A9", "indicator": "N° atti"})
    before = count(app, MonitoredActivity)
    result = runner.invoke(args=["monitoring", "import", str(write(tmp_path, rows)), "--source", SOURCE])
    assert result.exit_code != 0
    assert "nothing was written" in result.output
    assert "line 6: status must be one of" in result.output
    assert "line 7: indicator refers to activity 'A9'" in result.output
    assert count(app, MonitoredActivity) == before


def test_xlsx_is_imported_too(app, seeded, runner, tmp_path):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(COLUMNS)
    for row in GOOD:
        sheet.append([row.get(column, "") for column in COLUMNS])
    path = tmp_path / "report.xlsx"
    workbook.save(path)
    result = runner.invoke(args=["monitoring", "import", str(path), "--source", SOURCE])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert db.session.scalar(select(MonitoredActivity).where(MonitoredActivity.key == "A1")).status == "In corso"


def test_summary_page_and_api_agree(monitoring, client):
    page = client.get("/monitoring/").get_data(as_text=True)
    assert "Rendiconto 2023" in page and "Organi istituzionali" in page
    data = client.get("/api/v1/monitoring/summary").get_json()
    assert set(data) == {"sources", "activities", "indicators", "by_status", "missions"}
    assert data["sources"][0]["zone"] == 1 and data["activities"] == 487 and data["indicators"] == 402
    assert data["by_status"] == {"Avviato": 177, "In corso": 154, "Concluso": 15, "Annullato": 1}
    programme = data["missions"][0]["programmes"][0]
    assert set(programme) == {"number", "title", "activities", "by_status"}
    assert sum(p["activities"] for m in data["missions"] for p in m["programmes"]) == 487


def test_activity_search_and_filters(monitoring, client):
    page = client.get("/monitoring/activities?q=Linea+2&status=In+corso&mission=10&zone=1&linked=no")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Sistema Ferroviario Metropolitano" in text
    assert client.get("/monitoring/activities?status=Finito").status_code == 400
    assert client.get("/monitoring/activities?zone=2").get_data(as_text=True).count("card-wrapper") == 0


def test_planner_accepts_a_suggestion_and_it_shows_everywhere(monitoring, client_as):
    planner = client_as("planner")
    page = planner.get("/monitoring/suggestions/2").get_data(as_text=True)
    assert "Accetta" in page and "Azione più vicina: 2.3.1" in page
    with monitoring.app_context():
        activity = db.session.scalar(
            select(MonitoredActivity).where(MonitoredActivity.text.like("Completare il Sistema Ferroviario%"))
        )
        activity_id = activity.id
    response = planner.post(
        "/monitoring/suggestions/2/decide",
        data={"csrf_token": csrf_token(planner, "/monitoring/suggestions/2"), "activity": activity_id,
              "strategy": "2.3", "action": "2.3.1", "score": "0.25", "decision": "accept"},
    )  # fmt: skip
    assert response.status_code == 303
    with monitoring.app_context():
        link = db.session.scalar(select(ActivityLink))
        assert link.accepted and link.score == 0.25 and link.action.code == "2.3.1"
        assert db.session.scalar(select(AuditEvent.action).order_by(AuditEvent.id.desc())) == "monitoring.link_accepted"
    anonymous = monitoring.test_client()
    assert "Sistema Ferroviario" in anonymous.get("/plan/strategies/2.3").get_data(as_text=True)
    api = anonymous.get("/api/v1/monitoring/activities?strategy=2.3").get_json()
    assert [a["id"] for a in api["activities"]] == [activity_id]
    assert api["activities"][0]["status"] == "In corso"
    assert anonymous.get("/api/v1/monitoring/activities?strategy=9.9").status_code == 404
    assert anonymous.get("/api/v1/monitoring/activities").status_code == 400
    linked = anonymous.get("/monitoring/activities?linked=yes").get_data(as_text=True)
    assert "1 attività trovata" in linked


def test_rejected_suggestion_is_not_suggested_again_and_does_not_count(monitoring, client_as):
    planner = client_as("planner")
    with monitoring.app_context():
        strategy = db.session.scalar(select(Strategy).where(Strategy.code == "2.3"))
        activity = db.session.scalar(
            select(MonitoredActivity).where(MonitoredActivity.text.like("Completare il Sistema Ferroviario%"))
        )
        activity_id, strategy_code = activity.id, strategy.code
    response = planner.post(
        "/monitoring/suggestions/2/decide",
        data={"csrf_token": csrf_token(planner, "/monitoring/activities"), "activity": activity_id,
              "strategy": strategy_code, "decision": "reject"},
    )  # fmt: skip
    assert response.status_code == 303
    client = monitoring.test_client()
    assert client.get("/api/v1/monitoring/activities?strategy=2.3").get_json()["activities"] == []
    page = planner.get("/monitoring/suggestions/2").get_data(as_text=True)
    assert f'name="activity" value="{activity_id}">\n    <input type="hidden" name="strategy" value="2.3"' not in page


def test_planner_links_and_unlinks_by_hand_and_bad_input_is_a_message(monitoring, client_as):
    planner = client_as("planner")
    with monitoring.app_context():
        activity_id = db.session.scalar(select(func.min(MonitoredActivity.id)))
    path = f"/monitoring/activities/{activity_id}"
    token = csrf_token(planner, path)
    response = planner.post(f"{path}/links", data={"csrf_token": token, "strategy": "1.1", "action": "9.9.9"})
    assert response.status_code == 303
    assert "non appartiene" in planner.get(path).get_data(as_text=True)
    planner.post(f"{path}/links", data={"csrf_token": token, "strategy": "1.1"})
    assert "Strategia 1.1" in planner.get(path).get_data(as_text=True)
    planner.post(f"{path}/links/1.1/delete", data={"csrf_token": token})
    with monitoring.app_context():
        assert db.session.scalar(select(func.count()).select_from(ActivityLink)) == 0
        actions = list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))
        assert actions[-2:] == ["monitoring.link_accepted", "monitoring.link_removed"]
