"""Ordinary bad input gets a 404 or a translated 4xx, never a 500 (issue 10, item 4)."""

import pytest

from consult.text import whole_number
from tests.conftest import csrf_token
from tests.participation_helpers import make_session


@pytest.fixture
def demo(personas, runner, app):
    """An open session in zone 1 with its strategies; the path of its page."""
    session_id = make_session(runner)
    app.config["PROPAGATE_EXCEPTIONS"] = False  # a bug is the 500 page, as in production
    return f"/zones/1/sessions/{session_id}"


@pytest.mark.parametrize("number", [2**31, 2**63, 10**40])
@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/sessions/{n}/results",
        "/api/v1/consultations/{n}",
        "/consultations/{n}/results",
        "/zones/1/sessions/{n}",
        "/zones/{n}/sessions/1/ranking",
        "/admin/users/{n}",
    ],
)
def test_ids_past_what_the_database_holds_are_404(demo, client_as, path, number):
    assert client_as("admin").get(path.format(n=number)).status_code == 404


def test_the_largest_id_the_database_holds_is_an_ordinary_404(demo, client):
    assert client.get(f"/api/v1/sessions/{2**31 - 1}/results").status_code == 404


@pytest.mark.parametrize("value", ["²", "١", "9" * 4000, str(2**31), " 2 ", "-1"])
def test_unicode_digits_and_huge_numbers_in_a_ranking_are_refused_with_a_message(demo, client_as, value):
    client = client_as("stakeholder")
    assert client.post(f"{demo}/join", data={"csrf_token": csrf_token(client)}).status_code == 303
    page = client.get(f"{demo}/ranking").get_data(as_text=True)
    field = page.split('name="position-', 1)[1].split('"', 1)[0]
    response = client.post(
        f"{demo}/ranking", data={"csrf_token": csrf_token(client, f"{demo}/ranking"), f"position-{field}": value}
    )
    if value == " 2 ":  # spaces around a valid position are forgiven
        assert response.status_code == 303
        return
    assert response.status_code == 422
    assert "Posizione non valida" in response.get_data(as_text=True)


@pytest.mark.parametrize("proposal", [str(2**31), "9" * 4000, "²", " "])
def test_a_comment_on_an_impossible_proposal_is_a_404(demo, client_as, proposal):
    client = client_as("stakeholder")
    assert client.post(f"{demo}/join", data={"csrf_token": csrf_token(client)}).status_code == 303
    response = client.post(
        f"{demo}/comments",
        data={"csrf_token": csrf_token(client, demo), "body": "Un commento", "proposal": proposal},
    )
    assert response.status_code in (400, 404)


@pytest.mark.parametrize(
    "query",
    [
        {"date_from": "0001-01-01", "date_to": "9999-12-31"},
        {"date_from": "10000-01-01"},
        {"date_to": "2026-02-30"},
        {"actor": "a\x00b"},
        {"action": "\x00"},
        {"page": "9" * 4000},
        {"page": str(2**63)},
    ],
)
def test_audit_filters_with_extreme_dates_or_a_nul_answer_without_a_server_error(demo, client_as, query):
    admin = client_as("admin")
    for path in ("/admin/audit", "/admin/audit.csv"):
        assert admin.get(path, query_string=query).status_code < 500


def test_whole_numbers_are_ascii_digits_within_the_database_range():
    assert whole_number("42") == 42
    assert whole_number(" 7 ") == 7
    assert whole_number(str(2**31 - 1)) == 2**31 - 1
    for bad in ("²", "١٢", str(2**31), "9" * 4000, "", None, "-1", "1.5", "4 2"):
        assert whole_number(bad) is None
    assert whole_number("12", maximum=10) is None
