"""Accounts: registration, email confirmation, sign-in, passwords, profile, language, rate limits.

Email goes through a real SMTP server (aiosmtpd) on 127.0.0.1; the tests read what it received
and follow the links, as a person would.
"""

import email
import re
import socket
from email import policy
from urllib.parse import urlsplit

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from consult import create_app
from consult.extensions import db, limiter
from consult.models import AuditEvent, Role, StakeholderCategory, User, Zone
from tests.conftest import PASSWORD, PERSONAS, _testing, csrf_token, login

NEW_PASSWORD = "a different long passphrase 7"


# --- a real SMTP server -----------------------------------------------------------------------


class Mailbox:
    """What the SMTP server received, as parsed messages."""

    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted"

    def to(self, address: str) -> list[email.message.EmailMessage]:
        return [message for message in self.messages if message["To"] == address]

    def last_link(self, address: str, path_prefix: str) -> str:
        """The path of the last link starting with ``path_prefix`` in a message to ``address``."""
        for message in reversed(self.to(address)):
            body = message.get_body(("plain",)).get_content()
            for url in re.findall(r"https?://\S+", body):
                if urlsplit(url).path.startswith(path_prefix):
                    return urlsplit(url).path
        raise AssertionError(f"no {path_prefix} link in the mail to {address}")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def mailbox():
    box = Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=free_port())
    controller.start()
    box.port = controller.port
    yield box
    controller.stop()


@pytest.fixture
def mail_app(app, seeded, database_url, mailbox):
    """The app sending real email to ``mailbox``; ``app`` (a dependency) empties the tables after."""
    mail_app = create_app(
        {
            **_testing(),
            "SQLALCHEMY_DATABASE_URI": database_url,
            "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": mailbox.port,
            "MAIL_SUPPRESS_SEND": False,
        }
    )
    yield mail_app
    with mail_app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def mail_client(mail_app):
    return mail_app.test_client()


# --- helpers ------------------------------------------------------------------------------------


def registration(client, **overrides) -> dict:
    data = {
        "email": "Giulia.Bianchi@Example.org ",
        "password": PASSWORD,
        "confirm": PASSWORD,
        "display_name": "  Giulia   Bianchi ",
        "organisation": "Comune di Chieri",
        "category": "comune",
        "zone": "11",
        "language": "it",
        "privacy": "y",
        "csrf_token": csrf_token(client, "/register"),
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def user_by_email(app, address: str) -> User | None:
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == address))
        if user is not None:
            db.session.expunge(user)
        return user


def actions(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def signed_in(client) -> bool:
    """Whether the client is signed in, judged by the account page answering."""
    return client.get("/account").status_code == 200


def post(client, path: str, data: dict | None = None, token_from: str | None = None):
    return client.post(path, data={**(data or {}), "csrf_token": csrf_token(client, token_from or path)})


# --- registration and confirmation ---------------------------------------------------------------


def test_register_page_shows_every_field_and_the_notice(seeded, client):
    response = client.get("/register")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert html.count("<h1") == 1
    for name, autocomplete in [
        ("email", "email"),
        ("password", "new-password"),
        ("confirm", "new-password"),
        ("display_name", "name"),
        ("organisation", "organization"),
    ]:
        tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', html).group(0)
        assert f'autocomplete="{autocomplete}"' in tag, tag
        assert re.search(rf'<label for="{name}"', html), name
    # Categories as managed, in their order; zones by number, and a way to say "none".
    options = re.findall(r'<option[^>]*value="([^"]*)"', html.split('name="category"')[1].split("</select>")[0])
    assert options[:3] == ["", "comune", "ente_pubblico"] and options[-1] == "altro"
    assert "Fuori dalle Zone / non so" in html
    assert ">11 · " in html
    # The full notice is on the page, and linked.
    assert "<details" in html and "Garante per la protezione dei dati personali" in html
    assert 'href="/privacy"' in html
    assert 'name="privacy"' in html and "required" in re.search(r'<input[^>]*name="privacy"[^>]*>', html).group(0)


def test_register_in_english_lists_categories_in_english(seeded, client):
    html = client.get("/register", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Municipality or union of municipalities" in html
    assert "Comune o unione di comuni" not in html
    assert re.search(r'<option[^>]*selected[^>]*value="en"', html)


def test_register_confirm_and_sign_in(mail_app, mail_client, mailbox):
    client = mail_client
    response = client.post("/register", data=registration(client))
    assert response.status_code == 302
    assert response.headers["Location"] == "/account"

    user = user_by_email(mail_app, "giulia.bianchi@example.org")
    assert user.display_name == "Giulia Bianchi"
    assert user.organisation == "Comune di Chieri"
    assert user.role == Role.STAKEHOLDER
    assert user.language == "it"
    assert user.privacy_accepted_at is not None and user.privacy_version == mail_app.config["PRIVACY_VERSION"]
    assert not user.confirmed
    with mail_app.app_context():
        user = db.session.get(User, user.id)
        assert user.category.code == "comune" and user.zone.code == 11
    assert {"user.created", "auth.registered"} <= set(actions(mail_app))

    # Signed in, unconfirmed: the account page says so and offers another email.
    html = client.get("/account").get_data(as_text=True)
    assert 'id="confirm-banner"' in html
    assert 'action="/account/confirm"' in html

    [message] = mailbox.to("giulia.bianchi@example.org")
    assert "Conferma" in message["Subject"]
    link = mailbox.last_link("giulia.bianchi@example.org", "/confirm/")
    response = client.get(link)
    assert response.status_code == 302 and response.headers["Location"] == "/account"
    assert user_by_email(mail_app, "giulia.bianchi@example.org").confirmed
    assert 'id="confirm-banner"' not in client.get("/account").get_data(as_text=True)
    assert "auth.email_confirmed" in actions(mail_app)

    # The link works from another browser too (not signed in): it confirms and sends to sign in.
    response = mail_app.test_client().get(link)
    assert response.status_code == 302 and response.headers["Location"] == "/login"


def test_confirmation_email_is_in_the_chosen_language(mail_app, mail_client, mailbox):
    response = mail_client.post("/register", data=registration(mail_client, language="en"))
    assert response.status_code == 302
    [message] = mailbox.to("giulia.bianchi@example.org")
    assert message["Subject"] == "Confirm your email address"


def test_resend_confirmation(mail_app, mail_client, mailbox):
    mail_client.post("/register", data=registration(mail_client))
    response = post(mail_client, "/account/confirm", token_from="/account")
    assert response.status_code == 302 and response.headers["Location"] == "/account"
    assert len(mailbox.to("giulia.bianchi@example.org")) == 2
    mail_client.get(mailbox.last_link("giulia.bianchi@example.org", "/confirm/"))
    # Confirmed: nothing more is sent.
    post(mail_client, "/account/confirm", token_from="/account")
    assert len(mailbox.to("giulia.bianchi@example.org")) == 2


def test_registration_survives_a_mail_server_that_is_down(app, seeded, database_url):
    down = create_app(
        {
            **_testing(),
            "SQLALCHEMY_DATABASE_URI": database_url,
            "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": free_port(),  # nothing listens there
            "MAIL_SUPPRESS_SEND": False,
        }
    )
    client = down.test_client()
    response = client.post("/register", data=registration(client))
    assert response.status_code == 302
    assert user_by_email(down, "giulia.bianchi@example.org") is not None
    html = client.get("/account").get_data(as_text=True)
    assert "Non siamo riusciti a inviarti l&#39;email di conferma" in html
    with down.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.mark.parametrize("token", ["nonsense", "eyJ1c2VyIjoxfQ.aaaa.bbbb"])
def test_a_bad_confirmation_link_is_explained(seeded, client, token):
    response = client.get(f"/confirm/{token}")
    assert response.status_code == 400
    assert "Questo link non è valido." in response.get_data(as_text=True)
    response = client.get(f"/confirm/{token}", headers={"Accept-Language": "en"})
    assert "This link is not valid." in response.get_data(as_text=True)


def test_an_expired_confirmation_link_is_refused(mail_app, mail_client, mailbox):
    mail_client.post("/register", data=registration(mail_client))
    mail_app.config["CONFIRM_EMAIL_MAX_AGE"] = -1
    response = mail_client.get(mailbox.last_link("giulia.bianchi@example.org", "/confirm/"))
    assert response.status_code == 400
    assert "scaduto" in response.get_data(as_text=True)
    assert not user_by_email(mail_app, "giulia.bianchi@example.org").confirmed


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"email": "not-an-address"}, "email", "Scrivi un indirizzo email valido"),
        ({"email": ""}, "email", "Questo campo è obbligatorio."),
        ({"confirm": "something else entirely 9"}, "confirm", "Le due password non coincidono."),
        ({"password": "short", "confirm": "short"}, "password", "almeno 12 caratteri"),
        ({"password": "passwordpassword", "confirm": "passwordpassword"}, "password", "troppo facile"),
        ({"display_name": " \t "}, "display_name", "Questo campo è obbligatorio."),
        ({"display_name": "x" * 121}, "display_name", "al massimo 120 caratteri"),
        ({"category": ""}, "category", "Scegli una categoria."),
        ({"category": "martians"}, "category", None),
        ({"zone": "99"}, "zone", None),
        ({"language": "fr"}, "language", None),
        ({"privacy": None}, "privacy", "devi dichiarare di aver letto l'informativa"),
    ],
)
def test_register_refuses_bad_input_and_keeps_what_was_typed(seeded, client, overrides, field, message):
    response = client.post("/register", data=registration(client, **overrides))
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    # The error is tied to its field, and listed at the top.
    assert f'id="{field}-error"' in html
    assert re.search(rf'<(input|select)[^>]*aria-describedby="[^"]*{field}-error[^"]*"', html)
    assert 'id="error-summary"' in html
    if message:
        assert message in html
    # What was typed is still there, except the passwords.
    if field != "display_name":
        assert 'value="Giulia Bianchi"' in html
    assert 'value="Comune di Chieri"' in html
    assert PASSWORD not in html
    with seeded.app_context():
        assert db.session.scalar(select(User)) is None


def test_register_refuses_a_taken_address(seeded, personas, client):
    response = client.post("/register", data=registration(client, email="Stakeholder@example.org"))
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Esiste già un account con questo indirizzo email." in html
    assert 'id="email-error"' in html


def test_register_validation_messages_are_translated(seeded, client):
    data = registration(client, email="nope", privacy=None)
    response = client.post("/register", data=data, headers={"Accept-Language": "en"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Enter a valid email address" in html
    assert "Scrivi un indirizzo" not in html


def test_signed_in_people_are_sent_on_from_register_and_login(client_as):
    client = client_as("stakeholder")
    assert client.get("/register").headers["Location"] == "/account"
    assert client.get("/login?next=/zones").headers["Location"] == "/zones"


# --- signing in and out ---------------------------------------------------------------------------


def test_login_signs_in_and_follows_a_local_next(personas, client):
    token = csrf_token(client, "/login?next=/plan/axes/2")
    response = client.post(
        "/login?next=/plan/axes/2",
        data={"email": "  STAKEHOLDER@example.org ", "password": PASSWORD, "csrf_token": token},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/plan/axes/2"
    assert signed_in(client)
    with client.session_transaction() as session:
        assert session.permanent
    # No "remember me": no long-lived cookie.
    assert client.get_cookie("remember_token") is None


def test_remember_me_sets_a_long_lived_cookie(personas, client):
    response = login(client, PERSONAS["stakeholder"].email, remember="y")
    assert response.status_code == 302
    cookie = client.get_cookie("remember_token")
    assert cookie is not None and cookie.http_only


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)"]
)
def test_login_ignores_a_next_to_another_site(personas, client, target):
    token = csrf_token(client, "/login")
    response = client.post(
        "/login",
        query_string={"next": target},
        data={"email": PERSONAS["stakeholder"].email, "password": PASSWORD, "csrf_token": token},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def _without_tokens(html: str) -> str:
    return re.sub(r'value="[^"]*"', "", html)


def test_same_answer_for_unknown_account_and_wrong_password(app, personas, client):
    wrong_password = login(client, PERSONAS["stakeholder"].email, "not the password at all")
    unknown = login(client, "nobody@example.org", "not the password at all")
    assert wrong_password.status_code == unknown.status_code == 400
    assert "Email o password non corretti." in wrong_password.get_data(as_text=True)
    assert _without_tokens(wrong_password.get_data(as_text=True)).replace(
        PERSONAS["stakeholder"].email, "X"
    ) == _without_tokens(unknown.get_data(as_text=True)).replace("nobody@example.org", "X")
    assert not signed_in(client)
    assert actions(app).count("auth.login_failed") == 2


def test_deactivated_and_deleted_accounts_cannot_sign_in(app, personas, client):
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == PERSONAS["stakeholder"].email))
        user.active = False
        db.session.commit()
    response = login(client, PERSONAS["stakeholder"].email)
    assert response.status_code == 400
    assert "Email o password non corretti." in response.get_data(as_text=True)
    assert not signed_in(client)


def test_login_form_keeps_the_email_not_the_password(personas, client):
    response = login(client, "someone@example.org", "a password typed wrong")
    html = response.get_data(as_text=True)
    assert 'value="someone@example.org"' in html
    assert "a password typed wrong" not in html


def test_login_with_empty_fields_is_a_400_with_messages(personas, client):
    response = post(client, "/login", {"email": "", "password": ""})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'id="email-error"' in html and 'id="password-error"' in html


def test_logout_needs_a_post_with_a_csrf_token(app, personas, client_as):
    client = client_as("stakeholder")
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 400
    assert client.post("/logout", data={"csrf_token": "forged"}).status_code == 400
    assert signed_in(client)
    response = post(client, "/logout", token_from="/")
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert not signed_in(client)
    assert "auth.logout" in actions(app)


@pytest.mark.parametrize("path", ["/login", "/register"])
@pytest.mark.parametrize("token", [None, "forged-token", "IjEyMyI.aaaa.bbbb"])
def test_forms_refuse_a_missing_or_forged_csrf_token(seeded, personas, client, path, token):
    data = (
        registration(client, csrf_token=token)
        if path == "/register"
        else {
            "email": PERSONAS["stakeholder"].email,
            "password": PASSWORD,
        }
    )
    if token and path == "/login":
        data["csrf_token"] = token
    response = client.post(path, data=data)
    assert response.status_code == 400
    assert not signed_in(client)
    with seeded.app_context():
        assert db.session.scalar(select(User).where(User.email == "giulia.bianchi@example.org")) is None


def test_a_csrf_token_from_another_session_is_refused(personas, client, app):
    other = app.test_client()
    token = csrf_token(other, "/login")
    response = client.post(
        "/login", data={"email": PERSONAS["stakeholder"].email, "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 400


# --- passwords ------------------------------------------------------------------------------------


def test_forgot_password_answers_the_same_whether_or_not_the_account_exists(mail_app, mail_client, mailbox, personas):
    known = post(mail_client, "/password/forgot", {"email": PERSONAS["stakeholder"].email})
    unknown = post(mail_client, "/password/forgot", {"email": "nobody@example.org"})
    assert known.status_code == unknown.status_code == 302
    assert known.headers["Location"] == unknown.headers["Location"] == "/login"
    flashes = []
    for address in (PERSONAS["stakeholder"].email, "nobody@example.org"):
        post(mail_client, "/password/forgot", {"email": address})
        html = mail_client.get("/login").get_data(as_text=True)
        flashes.append(re.search(r'<div class="alert alert-info"[^>]*>(.*?)</div>', html, re.S).group(1))
    assert flashes[0].replace(PERSONAS["stakeholder"].email, "X") == flashes[1].replace("nobody@example.org", "X")
    assert len(mailbox.to(PERSONAS["stakeholder"].email)) == 2
    assert mailbox.to("nobody@example.org") == []


def test_forgot_password_refuses_a_malformed_address(seeded, client):
    response = post(client, "/password/forgot", {"email": "nobody"})
    assert response.status_code == 400
    assert 'id="email-error"' in response.get_data(as_text=True)


def test_reset_link_works_once(mail_app, mail_client, mailbox, personas):
    address = PERSONAS["stakeholder"].email
    other_device = mail_app.test_client()
    assert login(other_device, address).status_code == 302

    post(mail_client, "/password/forgot", {"email": address})
    link = mailbox.last_link(address, "/password/reset/")
    assert mail_client.get(link).status_code == 200
    response = post(mail_client, link, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] == "/account"
    assert signed_in(mail_client)  # signed in afresh
    assert not signed_in(other_device)  # every other session is over

    # The link was used: a second time it is refused, by GET and by POST.
    fresh = mail_app.test_client()
    response = fresh.get(link)
    assert response.status_code == 400
    assert "già stato usato" in response.get_data(as_text=True)
    response = fresh.post(link, data={"password": PASSWORD, "confirm": PASSWORD, "csrf_token": csrf_token(fresh)})
    assert response.status_code == 400

    assert login(mail_app.test_client(), address).status_code == 400
    assert login(mail_app.test_client(), address, NEW_PASSWORD).status_code == 302


def test_an_expired_reset_link_is_refused(mail_app, mail_client, mailbox, personas):
    address = PERSONAS["stakeholder"].email
    post(mail_client, "/password/forgot", {"email": address})
    mail_app.config["RESET_PASSWORD_MAX_AGE"] = -1
    response = mail_client.get(mailbox.last_link(address, "/password/reset/"))
    assert response.status_code == 400
    assert "Questo link è scaduto: richiedine uno nuovo." in response.get_data(as_text=True)
    assert 'href="/password/forgot"' in response.get_data(as_text=True)


def test_reset_refuses_a_weak_password_and_keeps_the_link_usable(mail_app, mail_client, mailbox, personas):
    address = PERSONAS["stakeholder"].email
    post(mail_client, "/password/forgot", {"email": address})
    link = mailbox.last_link(address, "/password/reset/")
    response = post(mail_client, link, {"password": "short", "confirm": "short"})
    assert response.status_code == 400
    assert 'id="password-error"' in response.get_data(as_text=True)
    assert post(mail_client, link, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}).status_code == 302


def test_reset_confirms_an_unconfirmed_address(mail_app, mail_client, mailbox):
    mail_client.post("/register", data=registration(mail_client))
    post(mail_client, "/logout", token_from="/")
    post(mail_client, "/password/forgot", {"email": "giulia.bianchi@example.org"})
    link = mailbox.last_link("giulia.bianchi@example.org", "/password/reset/")
    post(mail_client, link, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert user_by_email(mail_app, "giulia.bianchi@example.org").confirmed


def test_change_password_signs_out_the_other_sessions(app, personas, client_as):
    client = client_as("stakeholder")
    other_device = client_as("stakeholder")
    remembered = app.test_client()
    login(remembered, PERSONAS["stakeholder"].email, remember="y")
    assert signed_in(other_device) and signed_in(remembered)

    response = post(
        client,
        "/account/password",
        {"current_password": PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )
    assert response.status_code == 302 and response.headers["Location"] == "/account"
    assert signed_in(client)  # this session goes on
    assert not signed_in(other_device)
    # A remember-me cookie no longer brings the session back either.
    with remembered.session_transaction() as session:
        session.clear()
    assert not signed_in(remembered)
    assert "auth.password_changed" in actions(app)
    assert login(app.test_client(), PERSONAS["stakeholder"].email, NEW_PASSWORD).status_code == 302


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"current_password": "wrong password", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD}, "current_password"),
        ({"current_password": PASSWORD, "password": "short", "confirm": "short"}, "password"),
        ({"current_password": PASSWORD, "password": NEW_PASSWORD, "confirm": "other"}, "confirm"),
    ],
)
def test_change_password_refuses_mistakes(app, personas, client_as, data, field):
    client = client_as("stakeholder")
    response = post(client, "/account/password", data)
    assert response.status_code == 400
    assert f'id="{field}-error"' in response.get_data(as_text=True)
    assert login(app.test_client(), PERSONAS["stakeholder"].email).status_code == 302


# --- the account page and the language preference ------------------------------------------------


def test_account_page_shows_the_account(personas, client_as):
    html = client_as("facilitator").get("/account").get_data(as_text=True)
    assert PERSONAS["facilitator"].email in html
    assert "Facilitatore" in html
    assert "Pinerolese" in html  # the zone they run
    for link in ("/account/password", "/account/data.json", "/account/delete", "/privacy"):
        assert f'href="{link}"' in html
    assert 'id="confirm-banner"' not in html  # confirmed
    assert 'value="Facilitator"' in html


def test_account_pages_need_sign_in(seeded, client):
    for path in ("/account", "/account/password", "/account/delete", "/account/data.json"):
        response = client.get(path)
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login?next=")


def test_edit_profile(app, personas, client_as):
    client = client_as("stakeholder")
    response = post(
        client,
        "/account",
        {
            "display_name": " Ada\u202e  Lovelace\x00 ",
            "organisation": "",
            "category": "universita",
            "zone": "",
            "language": "it",
        },
    )
    assert response.status_code == 302
    user = user_by_email(app, PERSONAS["stakeholder"].email)
    assert user.display_name == "Ada Lovelace"
    assert user.organisation is None
    assert user.zone_id is None
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.profile_updated"))
        assert set(event.details["fields"]) == {"display_name", "category", "zone", "language"}
        assert "Ada" not in str(event.details)  # which fields changed, never their values


def test_edit_profile_refuses_bad_input_and_keeps_it(app, personas, client_as):
    client = client_as("stakeholder")
    response = post(
        client,
        "/account",
        {"display_name": "", "organisation": "Pro Loco", "category": "nope", "zone": "3", "language": "it"},
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'id="display_name-error"' in html and 'id="category-error"' in html
    assert 'value="Pro Loco"' in html
    assert re.search(r'<option selected value="3">', html)
    assert user_by_email(app, PERSONAS["stakeholder"].email).display_name == "Stakeholder"


def test_the_language_preference_applies_after_the_cookie(app, personas, client_as):
    client = client_as("stakeholder")
    post(client, "/account", {"display_name": "Stakeholder", "category": "comune", "zone": "1", "language": "en"})
    # No language cookie: the preference wins over the browser's Accept-Language.
    assert '<html lang="en">' in client.get("/", headers={"Accept-Language": "it"}).get_data(as_text=True)
    # The language switch sets the cookie and, for someone signed in, the preference too.
    post(client, "/language/it", {"next": "/"}, token_from="/")
    assert user_by_email(app, PERSONAS["stakeholder"].email).language == "it"
    assert '<html lang="it">' in client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    # Signed out, the browser decides again.
    anonymous = app.test_client()
    assert '<html lang="en">' in anonymous.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)


def test_saving_a_new_language_replaces_the_cookie(app, personas, client_as):
    client = client_as("stakeholder")
    post(client, "/language/it", {"next": "/"}, token_from="/")
    post(client, "/account", {"display_name": "Stakeholder", "category": "comune", "zone": "1", "language": "en"})
    assert client.get_cookie("consult_lang") is None
    assert '<html lang="en">' in client.get("/account").get_data(as_text=True)


AUTH_PAGES = ["/register", "/login", "/password/forgot", "/privacy"]
SIGNED_IN_PAGES = ["/account", "/account/password", "/account/delete"]


def test_account_pages_have_no_inline_scripts_or_styles(personas, client, client_as):
    pages = [(client, path) for path in AUTH_PAGES] + [(client_as("stakeholder"), p) for p in SIGNED_IN_PAGES]
    for visitor, path in pages:
        response = visitor.get(path)
        html = response.get_data(as_text=True)
        assert response.status_code == 200, path
        assert not re.search(r"<script(?![^>]*\bsrc=)", html), path
        assert " style=" not in html and "<style" not in html, path
        assert html.count("<h1") == 1, path
        assert response.headers["Cache-Control"] == "no-store", path


@pytest.mark.parametrize("path", AUTH_PAGES)
def test_account_pages_in_english(seeded, client, path):
    html = client.get(path, headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<html lang="en">' in html
    assert not re.search(r"\b(Registrati|Accedi|Password dimenticata|Informativa)\b", html), path


# --- rate limits ----------------------------------------------------------------------------------


@pytest.fixture
def limited_app(app, personas, database_url):
    """The app with rate limits on (the tests' default is off), on the same database."""
    limited = create_app({**_testing(), "SQLALCHEMY_DATABASE_URI": database_url, "RATELIMIT_ENABLED": True})
    with limited.app_context():
        limiter.reset()
    yield limited
    with limited.app_context():
        limiter.reset()
        db.session.remove()
        db.engine.dispose()


def test_login_is_throttled_per_account_after_repeated_failures(limited_app):
    # Everyone here comes from the same address, as in a workshop room.
    attacker = limited_app.test_client()
    for _attempt in range(5):
        assert login(attacker, PERSONAS["stakeholder"].email, "guessing the password").status_code == 400
    # The sixth try is refused even with the right password, and the page says why.
    response = login(attacker, PERSONAS["stakeholder"].email)
    assert response.status_code == 429
    assert "Troppe richieste" in response.get_data(as_text=True)
    response = login(limited_app.test_client(), PERSONAS["stakeholder"].email.upper())
    assert response.status_code == 429  # the same account, however it is typed

    # Another account, from the same address, still gets in.
    assert login(limited_app.test_client(), PERSONAS["planner"].email).status_code == 302


def test_successful_logins_do_not_count(limited_app):
    for _attempt in range(8):
        assert login(limited_app.test_client(), PERSONAS["planner"].email).status_code == 302


def test_forgot_password_is_limited_per_account(limited_app):
    client = limited_app.test_client()
    for _attempt in range(5):
        assert post(client, "/password/forgot", {"email": "nobody@example.org"}).status_code == 302
    assert post(client, "/password/forgot", {"email": "nobody@example.org"}).status_code == 429
    assert post(client, "/password/forgot", {"email": PERSONAS["planner"].email}).status_code == 302


def test_resending_the_confirmation_is_limited_per_account(limited_app):
    with limited_app.app_context():
        user = db.session.scalar(select(User).where(User.email == PERSONAS["stakeholder"].email))
        user.email_confirmed_at = None
        db.session.commit()
    client = limited_app.test_client()
    login(client, PERSONAS["stakeholder"].email)
    statuses = [post(client, "/account/confirm", token_from="/account").status_code for _n in range(4)]
    assert statuses == [302, 302, 302, 429]


def test_the_rate_limit_page_is_translated(limited_app):
    client = limited_app.test_client()
    for _attempt in range(6):
        response = client.post(
            "/password/forgot",
            headers={"Accept-Language": "en"},
            data={"email": "x@example.org", "csrf_token": csrf_token(client, "/password/forgot")},
        )
    assert response.status_code == 429
    assert "Too many requests" in response.get_data(as_text=True)


# --- models and services used by the views ----------------------------------------------------


def test_categories_and_zones_come_from_the_database(seeded, client):
    with seeded.app_context():
        category = db.session.scalar(select(StakeholderCategory).where(StakeholderCategory.code == "altro"))
        category.active = False
        db.session.commit()
        assert db.session.scalar(select(Zone).where(Zone.code == 1)) is not None
    html = client.get("/register").get_data(as_text=True)
    assert 'value="altro"' not in html
