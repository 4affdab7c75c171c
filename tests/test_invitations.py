"""Staff invitations: an admin invites by email; the link sets a password once and signs the person in."""

import pytest
from sqlalchemy import select

from consult.extensions import db
from consult.models import AuditEvent, Role, User
from tests import test_auth
from tests.conftest import PASSWORD, csrf_token, login
from tests.test_auth import NEW_PASSWORD

# The real SMTP server of the account tests, and the app that sends to it.
mailbox = test_auth.mailbox
mail_app = test_auth.mail_app


@pytest.fixture
def admin(mail_app, personas):
    client = mail_app.test_client()
    assert login(client, personas["admin"].email).status_code == 302
    return client


def invite(client, **changes):
    data = {
        "email": "Marta.Rossi@Example.org",
        "display_name": "Marta Rossi",
        "role": "facilitator",
        "zones": ["1", "5"],
        "language": "en",
        "csrf_token": csrf_token(client, "/admin/users/invite"),
        **changes,
    }
    return client.post("/admin/users/invite", data=data)


def account(app, email: str) -> User | None:
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        if user is not None:
            user.zone_codes = [zone.code for zone in user.facilitated_zones]
            db.session.expunge(user)
        return user


def accept(client, path: str, password: str = NEW_PASSWORD, privacy: str | None = "y"):
    data = {"password": password, "confirm": password, "csrf_token": csrf_token(client, path)}
    if privacy:
        data["privacy"] = privacy
    return client.post(path, data=data)


def test_an_invited_facilitator_sets_a_password_and_lands_signed_in(mail_app, admin, mailbox):
    response = invite(admin)
    assert response.status_code == 303
    user = account(mail_app, "marta.rossi@example.org")
    assert user.role == Role.FACILITATOR and user.zone_codes == [1, 5]
    assert user.password_hash is None and not user.confirmed
    assert "Invito inviato a marta.rossi@example.org" in admin.get(response.headers["Location"]).get_data(as_text=True)
    # The mail is in the invitee's language, with the role and a link.
    [message] = mailbox.to("marta.rossi@example.org")
    assert message["Subject"] == "You have been invited to consult"
    assert "“Facilitator”" in message.get_body(("plain",)).get_content()
    path = mailbox.last_link("marta.rossi@example.org", "/invitation/")
    # No password yet: nothing signs in.
    for guess in ("", PASSWORD, "None"):
        assert login(mail_app.test_client(), "marta.rossi@example.org", guess).status_code != 302

    invitee = mail_app.test_client()
    page = invitee.get(path)
    assert page.status_code == 200 and "Marta Rossi" in page.get_data(as_text=True)
    response = accept(invitee, path)
    assert response.status_code == 303
    assert response.headers["Location"] == "/facilitate"
    console = invitee.get("/facilitate").get_data(as_text=True)
    assert "Console dei laboratori" in console or "Workshop console" in console
    user = account(mail_app, "marta.rossi@example.org")
    assert user.confirmed and user.privacy_accepted_at is not None
    # The link worked once.
    assert mail_app.test_client().get(path).status_code == 400
    # And the new password signs in.
    assert login(mail_app.test_client(), "marta.rossi@example.org", NEW_PASSWORD).status_code == 302
    with mail_app.app_context():
        actions = [e.action for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))]
        invited = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.invited"))
        assert invited.actor.email == "admin@example.org"
        assert invited.details == {"role": "facilitator", "zones": [1, 5]}
    assert "user.invitation_accepted" in actions


def test_the_invitation_needs_the_privacy_notice_and_a_good_password(mail_app, admin, mailbox):
    invite(admin)
    path = mailbox.last_link("marta.rossi@example.org", "/invitation/")
    invitee = mail_app.test_client()
    response = accept(invitee, path, privacy=None)
    assert response.status_code == 400
    response = accept(invitee, path, password="password")
    assert response.status_code == 400
    assert account(mail_app, "marta.rossi@example.org").password_hash is None
    assert accept(invitee, path).status_code == 303


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"zones": []}, "Scegli almeno una zona per un facilitatore."),
        ({"role": "stakeholder"}, "Scelta non valida"),
        ({"email": "stakeholder@example.org"}, "Esiste già un account con questo indirizzo"),
        ({"email": "not-an-address"}, "Scrivi un indirizzo email valido"),
    ],
)
def test_a_bad_invitation_is_refused_and_nothing_is_sent(mail_app, admin, mailbox, changes, message):
    response = invite(admin, **changes)
    assert response.status_code in (400, 409)
    html = response.get_data(as_text=True)
    assert message in html or message.replace("'", "&#39;") in html
    assert mailbox.messages == []
    assert account(mail_app, "marta.rossi@example.org") is None


def test_a_planner_is_invited_without_zones(mail_app, admin, mailbox):
    assert invite(admin, role="planner", zones=["3"]).status_code == 303
    user = account(mail_app, "marta.rossi@example.org")
    assert user.role == Role.PLANNER and user.zone_codes == []


def test_a_new_invitation_replaces_the_old_link(mail_app, admin, mailbox):
    invite(admin)
    first = mailbox.last_link("marta.rossi@example.org", "/invitation/")
    user = account(mail_app, "marta.rossi@example.org")
    page = admin.get(f"/admin/users/{user.id}").get_data(as_text=True)
    assert "Invia di nuovo l'invito" in page
    response = admin.post(f"/admin/users/{user.id}/invite", data={"csrf_token": csrf_token(admin, "/admin/users")})
    assert response.status_code == 303
    second = mailbox.last_link("marta.rossi@example.org", "/invitation/")
    assert second != first
    assert mail_app.test_client().get(first).status_code == 400
    assert mail_app.test_client().get(second).status_code == 200


def test_an_expired_invitation_is_refused(mail_app, admin, mailbox):
    invite(admin)
    path = mailbox.last_link("marta.rossi@example.org", "/invitation/")
    mail_app.config["INVITATION_MAX_AGE"] = -1
    response = mail_app.test_client().get(path)
    assert response.status_code == 400
    assert "scaduto" in response.get_data(as_text=True)


def test_only_admins_invite(mail_app, personas):
    client = mail_app.test_client()
    assert login(client, personas["planner"].email, PASSWORD).status_code == 302
    assert client.get("/admin/users/invite").status_code == 403
