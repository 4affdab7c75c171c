"""Privacy: the notice, "download my data" and "delete my account"."""

import json
import re

import pytest
from sqlalchemy import inspect, select

from consult.extensions import db
from consult.models import AuditEvent, Role, User
from tests.conftest import PASSWORD, PERSONAS, csrf_token, login
from tests.participation_helpers import make_session

#: Columns of an account that survive its deletion: none of them identifies the person.
KEPT_AFTER_DELETION = {
    "id",  # contributions point to it
    "category_id",  # results stay broken down by category...
    "zone_id",  # ...and by zone
    "role",  # back to stakeholder
    "active",  # False
    "created_at",
    "deleted_at",
    "session_token",  # a fresh random value: every session is over
}


def user_row(app, user_id: int) -> dict:
    """Every column of the account's row, read from the database."""
    with app.app_context():
        table = User.__table__
        row = db.session.execute(select(table).where(table.c.id == user_id)).mappings().one()
        return dict(row)


def user_id(app, email: str) -> int:
    with app.app_context():
        return db.session.scalar(select(User.id).where(User.email == email))


def delete(client, password: str = PASSWORD, confirm: str | None = "y"):
    data = {"password": password, "csrf_token": csrf_token(client, "/account/delete")}
    if confirm:
        data["confirm"] = confirm
    return client.post("/account/delete", data=data)


# --- the notice ---------------------------------------------------------------------------------


def test_privacy_notice_in_italian(seeded, client, app):
    response = client.get("/privacy", headers={"Accept-Language": "it"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Il titolare del trattamento è la Città metropolitana di Torino." in html
    assert "articolo 6, paragrafo 1, lettera e) del GDPR" in html
    assert "Garante per la protezione dei dati personali" in html
    assert "mai il tuo indirizzo email" in html
    assert app.config["PRIVACY_VERSION"] in html
    for link in ("/account/data.json", "/account/delete", "/account"):
        assert f'href="{link}"' in html
    # No invented contact: the DPO is reached through the contacts the Città metropolitana publishes.
    assert not re.search(r"[\w.]+@[\w.]+\.it", html)


def test_privacy_notice_in_english(seeded, client):
    html = client.get("/privacy", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<html lang="en">' in html
    assert "The controller is the Città metropolitana di Torino." in html
    assert "Article 6(1)(e) GDPR" in html
    assert "never your email address" in html


def test_privacy_is_linked_from_every_page(seeded, client):
    assert 'href="/privacy"' in client.get("/").get_data(as_text=True)


# --- download my data ---------------------------------------------------------------------------


def test_export_contains_the_profile_and_activity(app, personas, client_as):
    client = client_as("facilitator")
    response = client.get("/account/data.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers["Content-Disposition"].startswith("attachment; filename=")
    assert response.headers["Cache-Control"] == "no-store"
    data = json.loads(response.get_data(as_text=True))
    profile = data["profile"]
    assert profile["email"] == PERSONAS["facilitator"].email
    assert profile["display_name"] == "Facilitator"
    assert profile["role"] == "facilitator"
    assert profile["facilitated_zones"] == [1]
    assert profile["stakeholder_category"] == "comune" and profile["zone"] == 1
    assert profile["privacy_version"] == app.config["PRIVACY_VERSION"]
    assert "password_hash" not in json.dumps(data) and "session_token" not in json.dumps(data)
    assert [event["action"] for event in data["activity"]] == ["auth.login"]
    assert data["activity"][0]["ip_address"] == "127.0.0.1"
    # The download itself is recorded.
    with app.app_context():
        assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.data_exported"))


def test_export_needs_sign_in(seeded, client):
    response = client.get("/account/data.json")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=%2Faccount%2Fdata.json"


# --- delete my account --------------------------------------------------------------------------


def test_deleting_an_account_leaves_no_personal_data(app, personas, client_as):
    email = PERSONAS["facilitator"].email
    account = user_id(app, email)
    client = client_as("facilitator")
    other_device = client_as("facilitator")
    # Leave traces with an address: a failed login, a profile change.
    login(app.test_client(), email, "a wrong password here")
    client.post(
        "/account",
        data={
            "display_name": "Maria Rossi",
            "organisation": "Unione dei Comuni",
            "category": "comune",
            "zone": "1",
            "language": "en",
            "csrf_token": csrf_token(client, "/account"),
        },
    )
    before = user_row(app, account)

    response = delete(client)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"

    row = user_row(app, account)
    assert set(row) == {column.name for column in inspect(User).columns}
    for column, value in row.items():
        if column not in KEPT_AFTER_DELETION:
            assert value is None, f"{column} kept {value!r}"
    assert row["category_id"] == before["category_id"] and row["zone_id"] == before["zone_id"]
    assert row["role"] == Role.STAKEHOLDER.value
    assert row["active"] is False or row["active"] == 0
    assert row["deleted_at"] is not None
    assert row["session_token"] != before["session_token"]
    with app.app_context():
        assert db.session.get(User, account).facilitated_zones == []
        # The person's events stay (what and when) without the address they came from.
        events = db.session.scalars(
            select(AuditEvent).where(
                (AuditEvent.actor_id == account)
                | ((AuditEvent.target_type == "user") & (AuditEvent.target_id == account))
            )
        ).all()
        assert {"auth.login", "auth.login_failed", "user.profile_updated", "user.deleted"} <= {
            event.action for event in events
        }
        assert all(event.ip_address is None for event in events)
        deleted = next(event for event in events if event.action == "user.deleted")
        assert deleted.details == {}
        # Nothing in the whole audit log still names the person.
        for event in db.session.scalars(select(AuditEvent)):
            assert "Maria" not in json.dumps(event.details) and email not in json.dumps(event.details)

    assert client.get("/account").status_code == 302  # signed out here...
    assert other_device.get("/account").status_code == 302  # ...and everywhere
    assert login(app.test_client(), email).status_code == 400
    # The address is free again: the person may come back with a new account.
    with app.app_context():
        assert db.session.scalar(select(User).where(User.email == email)) is None


def test_deleting_needs_the_password_and_the_checkbox(app, personas, client_as):
    client = client_as("stakeholder")
    response = delete(client, password="not my password")
    assert response.status_code == 400
    assert 'id="password-error"' in response.get_data(as_text=True)
    response = delete(client, confirm=None)
    assert response.status_code == 400
    assert 'id="confirm-error"' in response.get_data(as_text=True)
    assert user_row(app, user_id(app, PERSONAS["stakeholder"].email))["deleted_at"] is None
    assert client.get("/account").status_code == 200


def test_deletion_needs_a_csrf_token(app, personas, client_as):
    client = client_as("stakeholder")
    response = client.post("/account/delete", data={"password": PASSWORD, "confirm": "y"})
    assert response.status_code == 400
    assert user_id(app, PERSONAS["stakeholder"].email) is not None


def test_the_last_admin_cannot_delete_their_account(app, personas, client_as):
    client = client_as("admin")
    page = client.get("/account/delete").get_data(as_text=True)
    assert "Sei l'unica persona con il ruolo di amministratore" in page
    response = delete(client)
    assert response.status_code == 400
    assert 'id="delete-refused"' in response.get_data(as_text=True)
    assert user_id(app, PERSONAS["admin"].email) is not None
    assert client.get("/account").status_code == 200


def test_an_admin_may_leave_when_another_admin_remains(app, personas, client_as):
    with app.app_context():
        planner = db.session.scalar(select(User).where(User.email == PERSONAS["planner"].email))
        planner.role = Role.ADMIN
        db.session.commit()
    response = delete(client_as("admin"))
    assert response.status_code == 302
    assert user_id(app, PERSONAS["admin"].email) is None


@pytest.mark.parametrize("language", ["it", "en"])
def test_delete_page_explains_what_happens(personas, client_as, language):
    html = client_as("stakeholder").get("/account/delete", headers={"Accept-Language": language}).get_data(as_text=True)
    assert 'autocomplete="current-password"' in html
    assert 'href="/account/data.json"' in html


def _take_part(app, client, runner) -> int:
    """The signed-in person joins an open session of zone 1, ranks three strategies and comments."""
    session_id = make_session(runner, zone=1)
    base = f"/zones/1/sessions/{session_id}"
    assert client.post(base + "/join", data={"csrf_token": csrf_token(client, base)}).status_code == 303
    form = {
        "csrf_token": csrf_token(client, base + "/ranking"),
        "position-3.1": "1",
        "position-1.2": "2",
        "position-6.1": "3",
    }
    assert client.post(base + "/ranking", data=form).status_code == 303
    token = csrf_token(client, base + "/strategies/3.1/discussion")
    response = client.post(base + "/comments", data={"csrf_token": token, "body": "Serve il treno", "strategy": "3.1"})
    assert response.status_code == 303
    return session_id


def test_deleted_accounts_ballots_stay_counted_and_anonymous(app, runner, personas, client_as):
    from consult.models import ConsultationSession, Participant
    from consult.results.services import session_result

    client = client_as("stakeholder")
    session_id = _take_part(app, client, runner)
    with app.app_context():
        session = db.session.get(ConsultationSession, session_id)
        before = session_result(session, "borda")
        participant = db.session.scalar(select(Participant).where(Participant.session_id == session_id))
        category_id, participant_id = participant.category_id, participant.id
    assert before.ballots == 1

    assert delete(client).status_code == 302

    with app.app_context():
        session = db.session.get(ConsultationSession, session_id)
        after = session_result(session, "borda")
        participant = db.session.get(Participant, participant_id)
        # Still counted, exactly as before, and still in zone 1 and the same category.
        assert after.ballots == 1 and after.rows == before.rows
        assert [rank.strategy.code for rank in participant.ballot.ranks] == ["3.1", "1.2", "6.1"]
        assert participant.category_id == category_id and session.zone.code == 1
        assert participant.organisation is None and participant.name is None
        assert participant.user.email is None and participant.user.display_name is None
    # Another participant sees the comment from an anonymous participant of the same category.
    other = client_as("planner")
    base = f"/zones/1/sessions/{session_id}"
    assert other.post(base + "/join", data={"csrf_token": csrf_token(other, base)}).status_code == 303
    html = other.get(base + "/strategies/3.1/discussion", headers={"Accept-Language": "it"}).get_data(as_text=True)
    assert "Serve il treno" in html
    assert "Partecipante anonimo (Comune o unione di comuni)" in html


def test_export_includes_ballots_and_contributions(app, runner, personas, client_as):
    client = client_as("stakeholder")
    session_id = _take_part(app, client, runner)
    data = json.loads(client.get("/account/data.json").get_data(as_text=True))
    (entry,) = data["participation"]
    assert entry["session"]["id"] == session_id and entry["session"]["zone"] == 1
    assert entry["ballot"]["ranking"] == ["3.1", "1.2", "6.1"] and entry["ballot"]["channel"] == "online"
    assert [c["body"] for c in entry["comments"]] == ["Serve il treno"]
