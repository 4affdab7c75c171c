"""One place owns a request's transaction: a view that returns is committed once, any error rolls back.

The routes here are made for the test: each writes an audit event, then returns, fails, or refuses.
"""

import pytest
from flask import abort
from sqlalchemy import func, select

from consult import audit
from consult.extensions import db
from consult.models import AuditEvent, Zone
from consult.permissions import public
from tests.conftest import PERSONAS, login


def _events(app, action: str) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == action))


@pytest.fixture
def routes(app, personas):
    """Test routes, added before the first request (Flask refuses them afterwards)."""

    def writes_and_returns():
        audit.record("test.returned")
        return "ok"

    def writes_and_fails():
        audit.record("test.failed")
        raise RuntimeError("a bug after a write")

    def writes_and_refuses():
        audit.record("test.refused")
        abort(403)

    def breaks_the_session():
        # A flush that fails leaves the session unusable until it is rolled back: the error page must
        # still render, with the signed-in person's header (it loads the user from the database).
        zone = db.session.scalar(select(Zone))
        db.session.add(Zone(code=zone.code, name="duplicate", municipalities=0, population_2011=0))
        db.session.flush()
        return "unreachable"

    for view in (writes_and_returns, writes_and_fails, writes_and_refuses, breaks_the_session):
        app.add_url_rule(f"/test/{view.__name__}", view.__name__, public(view))
    # As in production: an unexpected error becomes the 500 page instead of reaching the test.
    app.config["PROPAGATE_EXCEPTIONS"] = False
    return app


def test_a_view_that_returns_is_committed_without_committing_itself(routes, client):
    assert client.get("/test/writes_and_returns").status_code == 200
    assert _events(routes, "test.returned") == 1


def test_an_error_after_a_write_keeps_nothing_and_renders_the_error_page(routes, client):
    response = client.get("/test/writes_and_fails")
    assert response.status_code == 500
    assert "Errore del servizio" in response.get_data(as_text=True)
    assert _events(routes, "test.failed") == 0


def test_a_refusal_after_a_write_keeps_nothing(routes, client):
    assert client.get("/test/writes_and_refuses").status_code == 403
    assert _events(routes, "test.refused") == 0


def test_the_error_page_renders_for_a_signed_in_person_after_a_database_error(routes, client):
    assert login(client, PERSONAS["planner"].email).status_code == 302
    response = client.get("/test/breaks_the_session")
    assert response.status_code == 500
    page = response.get_data(as_text=True)
    assert "Errore del servizio" in page
    assert "Planner" in page  # the header still shows who is signed in
