"""The v1 API's OpenAPI document: in step with the routes, true of the real answers, and fuzzed (Schemathesis)."""

import re

import jsonschema_rs
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode, checks
from sqlalchemy import func, select

from consult.extensions import db
from consult.models import Consultation, ConsultationSession, SessionState, StakeholderCategory, Strategy
from consult.models.monitoring import MonitoredActivity
from consult.monitoring import services as monitoring_services

DOC = "/api/v1/openapi.json"


def _validator(document: dict, name: str):
    # The document is the root so that its "#/components/schemas/..." references resolve.
    root = {"components": document["components"], "$ref": f"#/components/schemas/{name}"}
    return jsonschema_rs.Draft202012Validator(root)


def _schema_of(document: dict, path: str, status: str) -> str:
    ref = document["paths"][path]["get"]["responses"][status]["content"]["application/json"]["schema"]["$ref"]
    return ref.rsplit("/", 1)[1]


def _check(document: dict, client, url: str, path: str, status: int = 200) -> dict:
    response = client.get(url)
    assert response.status_code == status, (url, response.data[:300])
    body = response.get_json()
    validator = _validator(document, _schema_of(document, path, str(status)))
    errors = [f"{error.instance_path}: {error.message}" for error in validator.iter_errors(body)]
    assert not errors, (url, errors[:5])
    return body


def test_the_document_describes_every_v1_route_and_only_those(app, client):
    document = client.get(DOC).get_json()
    assert document["openapi"].startswith("3.1")
    assert document["servers"] == [{"url": "http://localhost/api/v1"}]
    routes = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1/"):
            path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule.removeprefix("/api/v1"))
            routes.add((path, frozenset(rule.methods - {"HEAD", "OPTIONS"})))
    described = {(path, frozenset(m.upper() for m in item)) for path, item in document["paths"].items()}
    assert routes == described
    # Every path parameter is declared; an operation with an id documents its 404, one with a choice its 400.
    for path, item in document["paths"].items():
        declared = {p["name"] for p in item["get"].get("parameters", []) if p["in"] == "path"}
        assert declared == set(re.findall(r"{(\w+)}", path)), path
        responses = item["get"]["responses"]
        assert ("404" in responses) == bool(declared) or path == "/monitoring/activities", path
        if any(
            "enum" in p["schema"] or p.get("required") for p in item["get"].get("parameters", []) if p["in"] == "query"
        ):
            assert "400" in responses, path
    # Every body schema is valid JSON Schema 2020-12.
    for schema in document["components"]["schemas"].values():
        jsonschema_rs.meta.validate({"$schema": "https://json-schema.org/draft/2020-12/schema", **schema})


@pytest.fixture
def demo(monitoring, runner):
    """The shipped catalogue and monitoring report, the demo consultations, and one draft session."""
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    with monitoring.test_request_context():
        # A planner links strategy 2.3 to reported activities, some with indicators (as the review page does).
        strategy = db.session.scalar(select(Strategy).where(Strategy.code == "2.3"))
        with_indicators = select(MonitoredActivity).where(MonitoredActivity.indicators.any()).limit(2)
        without = select(MonitoredActivity).where(~MonitoredActivity.indicators.any()).limit(1)
        for activity in [*db.session.scalars(with_indicators), *db.session.scalars(without)]:
            monitoring_services.decide_link(activity, strategy, accepted=True)
        db.session.commit()
    return monitoring


def test_real_answers_conform_to_the_document(demo, client, client_as):
    document = client.get(DOC).get_json()
    with demo.app_context():
        published = db.session.scalar(
            select(ConsultationSession).where(ConsultationSession.state == SessionState.PUBLISHED).limit(1)
        )
        open_session = db.session.scalar(
            select(ConsultationSession).where(ConsultationSession.state == SessionState.OPEN).limit(1)
        )
        published_id, open_id = published.id, open_session.id
        consultation_ids = list(db.session.scalars(select(Consultation.id)))
        category = db.session.scalar(select(StakeholderCategory.code).limit(1))

    _check(document, client, "/api/v1/plan", "/plan")
    assert len(_check(document, client, "/api/v1/zones", "/zones")["zones"]) == 11
    assert len(_check(document, client, "/api/v1/consultations", "/consultations")["consultations"]) == 2
    planner = client_as("planner")
    for cid in consultation_ids:
        detail = _check(document, client, f"/api/v1/consultations/{cid}", "/consultations/{consultation_id}")
        assert detail["sessions"]
        contributions = _check(document, client, f"/api/v1/consultations/{cid}/contributions",
                               "/consultations/{consultation_id}/contributions")  # fmt: skip
        for caller in (client, planner):
            for method in ("borda", "schulze", "mean", "top3"):
                for weighting in ("equal", "population", "participants", "pooled"):
                    url = f"/api/v1/consultations/{cid}/results?method={method}&weighting={weighting}"
                    _check(document, caller, url, "/consultations/{consultation_id}/results")
    assert contributions["count"] == 0  # the periodic consultation: nothing published yet
    demo_contributions = _check(document, client, f"/api/v1/consultations/{consultation_ids[0]}/contributions",
                                "/consultations/{consultation_id}/contributions")  # fmt: skip
    assert demo_contributions["count"] > 0

    for session_id, caller in ((published_id, client), (open_id, planner)):
        for method in ("borda", "schulze", "mean", "top3"):
            url = f"/api/v1/sessions/{session_id}/results?method={method}&category={category}"
            body = _check(document, caller, url, "/sessions/{session_id}/results")
        assert body["ranking"] and body["category"] == category
        _check(document, caller, f"/api/v1/sessions/{session_id}/results", "/sessions/{session_id}/results")
        _check(document, caller, f"/api/v1/sessions/{session_id}/contributions", "/sessions/{session_id}/contributions")

    summary = _check(document, client, "/api/v1/monitoring/summary", "/monitoring/summary")
    assert summary["activities"] > 0
    linked = _check(document, client, "/api/v1/monitoring/activities?strategy=2.3", "/monitoring/activities")
    assert len(linked["activities"]) == 3
    assert any(activity["indicators"] for activity in linked["activities"])

    # The errors each operation documents.
    _check(document, client, f"/api/v1/sessions/{open_id}/results", "/sessions/{session_id}/results", 404)
    _check(document, client, f"/api/v1/sessions/{open_id}/contributions", "/sessions/{session_id}/contributions", 404)
    _check(document, client, f"/api/v1/sessions/{published_id}/results?method=x", "/sessions/{session_id}/results", 400)
    _check(document, client, f"/api/v1/sessions/{published_id}/results?category=x", "/sessions/{session_id}/results",
           400)  # fmt: skip
    results_path = "/consultations/{consultation_id}/results"
    _check(document, client, f"/api/v1/consultations/{2**31}/results", results_path, 404)
    _check(document, client, f"/api/v1/consultations/{consultation_ids[0]}/results?weighting=x", results_path, 400)
    _check(document, client, "/api/v1/consultations/999999", "/consultations/{consultation_id}", 404)
    _check(document, client, "/api/v1/monitoring/activities", "/monitoring/activities", 400)
    _check(document, client, "/api/v1/monitoring/activities?strategy=9.9", "/monitoring/activities", 404)


# --- the fuzz -----------------------------------------------------------------------------------------


CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
]


def _fuzz(operation, mode: GenerationMode, cookies: dict | None = None, **path_parameters) -> None:
    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    @given(case=operation.as_strategy(generation_mode=mode, path_parameters=path_parameters or None))
    def fuzz(case):
        case.call_and_validate(checks=CHECKS, cookies=cookies)

    fuzz()


#: Examples per operation and mode: the whole fuzz stays well under a minute on a busy machine.
EXAMPLES = 25


def test_fuzz_every_operation_against_the_document(demo, client_as):
    """Schemathesis draws valid and invalid requests from the document: no 5xx, every answer documented."""
    schema = schemathesis.openapi.from_wsgi(DOC, demo)
    operations = [result.ok() for result in schema.get_all_operations()]
    # Schemathesis leaves out the document's own path (the first test reads it).
    assert sorted(o.path for o in operations) == sorted(set(schema.raw_schema["paths"]) - {"/openapi.json"})
    with demo.app_context():
        # Drawn ids rarely name a real row: each operation is also fuzzed on real ones (its query, its answers).
        real = {
            "session_id": [
                db.session.scalar(select(func.min(ConsultationSession.id)).where(ConsultationSession.state == state))
                for state in (SessionState.PUBLISHED, SessionState.OPEN)
            ],
            "consultation_id": list(db.session.scalars(select(Consultation.id))),
        }
    planner = {"session": client_as("planner").get_cookie("session").value}
    for operation in operations:
        _fuzz(operation, GenerationMode.POSITIVE)
        if operation.definition.raw.get("parameters"):
            _fuzz(operation, GenerationMode.NEGATIVE)
        for name in re.findall(r"{(\w+)}", operation.path):
            for value in real[name]:
                _fuzz(operation, GenerationMode.POSITIVE, **{name: value})
                # A planner sees what the public does not (open sessions, provisional rankings).
                _fuzz(operation, GenerationMode.POSITIVE, cookies=planner, **{name: value})
