"""Limits slow an attacker down without locking out the people they target (issue 10, items 2 and 3)."""

import pytest

from consult import create_app
from consult.extensions import db, limiter
from tests.conftest import PERSONAS, _testing, csrf_token

EMAIL = PERSONAS["stakeholder"].email


def _app(database_url, **settings):
    app = create_app({**_testing(), "SQLALCHEMY_DATABASE_URI": database_url, "RATELIMIT_ENABLED": True, **settings})
    with app.app_context():
        limiter.reset()
    return app


@pytest.fixture
def limited(app, personas, database_url):
    made = []

    def make(**settings):
        made.append(_app(database_url, **settings))
        return made[-1]

    yield make
    for each in made:
        with each.app_context():
            limiter.reset()
            db.engine.dispose()
    create_app({**_testing(), "SQLALCHEMY_DATABASE_URI": database_url})  # the shared limiter off again


def _login(app, password, address="192.0.2.1", forwarded=None):
    client = app.test_client()
    base = {"REMOTE_ADDR": address}
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    token = csrf_token_from(client, base, headers)
    return client.post(
        "/login",
        data={"email": EMAIL, "password": password, "csrf_token": token},
        environ_base=base,
        headers=headers,
    ).status_code


def csrf_token_from(client, base, headers):
    client.get("/login", environ_base=base, headers=headers)
    return csrf_token(client, "/login")


def test_wrong_passwords_from_one_address_do_not_lock_the_owner_out_elsewhere(limited):
    app = limited()
    statuses = [_login(app, "guess", address="203.0.113.9") for _n in range(7)]
    assert statuses == [400] * 5 + [429] * 2
    assert _login(app, "correct horse battery staple 42", address="198.51.100.7") == 302


def test_an_attacker_with_many_addresses_is_slowed_and_the_owner_still_gets_in(limited):
    app = limited()
    # Thirty failures spread over ten addresses: the account's limit across addresses is reached...
    for n in range(10):
        for _attempt in range(3):
            assert _login(app, "guess", address=f"203.0.113.{n}") == 400
    # ...so an address that already failed three times is refused, even with the right password,
    assert _login(app, "correct horse battery staple 42", address="203.0.113.4") == 429
    # while the owner, from an address that has not been guessing, signs in.
    assert _login(app, "correct horse battery staple 42", address="198.51.100.7") == 302


def test_forwarded_addresses_are_trusted_only_from_the_configured_proxy_hops(limited):
    behind_proxy = limited(PROXY_HOPS=1)
    for _attempt in range(5):
        assert _login(behind_proxy, "guess", address="127.0.0.1", forwarded="203.0.113.9") == 400
    assert _login(behind_proxy, "guess", address="127.0.0.1", forwarded="203.0.113.9") == 429
    # Another person behind the same proxy is another address.
    assert _login(behind_proxy, "correct horse battery staple 42", address="127.0.0.1", forwarded="198.51.100.7") == 302

    # Without a configured proxy, a forged header changes nothing: the guesser stays blocked.
    direct = limited()
    for n in range(5):
        assert _login(direct, "guess", address="203.0.113.9", forwarded=f"10.0.0.{n}") == 400
    assert _login(direct, "guess", address="203.0.113.9", forwarded="10.0.0.99") == 429
