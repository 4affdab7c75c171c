"""Signing out ends the session server-side; "sign out of every device" ends them all (issue 10, item 8)."""

from sqlalchemy import select

from consult.extensions import db
from consult.models import AuditEvent
from tests.conftest import PERSONAS, csrf_token, login

EMAIL = PERSONAS["stakeholder"].email


def _copy(source, target) -> None:
    """What someone who captured the browser's cookies would hold."""
    for name in ("session", "remember_token"):
        if (cookie := source.get_cookie(name)) is not None:
            target.set_cookie(name, cookie.value)


def _signed_in(client) -> bool:
    return client.get("/account").status_code == 200


def test_a_session_cookie_captured_before_sign_out_opens_nothing_after(personas, app, client):
    assert login(client, EMAIL).status_code == 302
    thief = app.test_client()
    _copy(client, thief)
    assert _signed_in(thief)

    assert client.post("/logout", data={"csrf_token": csrf_token(client)}).status_code == 302

    assert not _signed_in(client)
    assert not _signed_in(thief)


def test_a_remember_me_cookie_captured_before_sign_out_opens_nothing_after(personas, app, client):
    assert login(client, EMAIL, remember="y").status_code == 302
    assert client.get_cookie("remember_token") is not None
    thief = app.test_client()
    thief.set_cookie("remember_token", client.get_cookie("remember_token").value)
    assert _signed_in(thief)  # the cookie alone signs in...

    assert client.post("/logout", data={"csrf_token": csrf_token(client)}).status_code == 302

    fresh = app.test_client()
    fresh.set_cookie("remember_token", thief.get_cookie("remember_token").value)
    assert not _signed_in(fresh)  # ...until its owner signs out


def test_signing_out_on_one_device_keeps_the_others(personas, app):
    laptop, phone = app.test_client(), app.test_client()
    assert login(laptop, EMAIL).status_code == 302
    assert login(phone, EMAIL).status_code == 302
    assert phone.post("/logout", data={"csrf_token": csrf_token(phone)}).status_code == 302
    assert not _signed_in(phone)
    assert _signed_in(laptop)


def test_signing_out_of_every_device_from_the_account_page(personas, app):
    laptop, phone, remembered = app.test_client(), app.test_client(), app.test_client()
    assert login(laptop, EMAIL).status_code == 302
    assert login(phone, EMAIL).status_code == 302
    assert login(remembered, EMAIL, remember="y").status_code == 302
    cookie = remembered.get_cookie("remember_token").value
    page = laptop.get("/account").get_data(as_text=True)
    assert "/account/sign-out-everywhere" in page

    response = laptop.post("/account/sign-out-everywhere", data={"csrf_token": csrf_token(laptop, "/account")})

    assert response.status_code == 303
    stolen = app.test_client()
    stolen.set_cookie("remember_token", cookie)
    assert not any(_signed_in(client) for client in (laptop, phone, remembered, stolen))
    with app.app_context():
        assert db.session.scalar(select(AuditEvent.action).where(AuditEvent.action == "auth.signed_out_everywhere"))
    # Signing in again works as before.
    assert login(phone, EMAIL).status_code == 302
    assert _signed_in(phone)


def test_signing_out_everywhere_needs_the_form_token(personas, app, client):
    assert login(client, EMAIL).status_code == 302
    assert client.post("/account/sign-out-everywhere").status_code == 400
    assert _signed_in(client)
