"""Open data API for consultations: scope, depth, sessions with zone and state; drafts stay private."""

from tests.participation_helpers import make_session


def test_consultations_list_and_detail(seeded, runner, client):
    open_session = make_session(runner, zone=3, consultation_args=("--axes", "2", "--depth", "3"))
    consultation_id = client.get("/api/v1/consultations").get_json()["consultations"][0]["id"]
    runner.invoke(args=["sessions", "create", str(consultation_id), "--zone", "4"])  # a draft

    listing = client.get("/api/v1/consultations").get_json()["consultations"]
    assert listing == [
        {
            "id": consultation_id,
            "title": "Dalle strategie alle azioni",
            "plan": "PSM-2024-2026",
            "scope": "axes",
            "depth": 3,
            "strategy_count": 6,
        }
    ]
    detail = client.get(f"/api/v1/consultations/{consultation_id}").get_json()
    assert detail["scope_axes"] == ["2"]
    assert [s["code"] for s in detail["strategies"]] == ["2.1", "2.2", "2.3", "2.4", "2.5", "2.6"]
    assert [(s["id"], s["zone"]["code"], s["state"]) for s in detail["sessions"]] == [(open_session, 3, "open")]


def test_unknown_consultation_is_a_json_404(seeded, client):
    response = client.get("/api/v1/consultations/42")
    assert response.status_code == 404
    assert response.get_json()["status"] == 404
