"""Arbitrary text thrown at the account forms: never a server error, never garbage stored."""

import unicodedata

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from consult.extensions import db
from consult.models import User
from tests.conftest import PASSWORD, PERSONAS, csrf_token, login

SETTINGS = settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

#: Any text: control characters, NUL, bidirectional overrides, and now and then something very long.
anything = st.one_of(
    st.text(),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=40),
    st.text(alphabet=st.characters(categories=["Cc", "Cf", "Zs", "Zl", "Zp"]), max_size=20),
    st.text(min_size=250, max_size=3000),
)


def mostly(valid: st.SearchStrategy) -> st.SearchStrategy:
    """Valid values three times in four, so that enough forms get through for their rows to be checked."""
    return st.sampled_from([valid, valid, valid, anything]).flatmap(lambda strategy: strategy)


addresses = mostly(st.emails())
names = mostly(st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=150))
categories = mostly(st.sampled_from(["comune", "cittadino"]))
zones = mostly(st.sampled_from(["", "1", "11"]))
languages = mostly(st.sampled_from(["it", "en"]))


def assert_clean(text: str | None, max_length: int) -> None:
    if text is None:
        return
    assert text == text.strip() and text
    assert len(text) <= max_length
    assert "  " not in text
    for char in text:
        assert unicodedata.category(char) not in ("Cc", "Cs"), repr(text)
        assert unicodedata.category(char) != "Cf" or char in "\u200c\u200d", repr(text)


def assert_stored_rows_are_clean(app) -> None:
    with app.app_context():
        for user in db.session.scalars(select(User)):
            assert user.email and user.email == user.email.strip().lower() and "@" in user.email
            assert len(user.email) <= 254
            assert_clean(user.display_name, 120)
            assert_clean(user.organisation, 200)
            assert user.language in ("it", "en", None)


@SETTINGS
@given(
    email=addresses,
    display_name=names,
    organisation=names,
    category=categories,
    zone=zones,
    language=languages,
    privacy=st.sampled_from(["y", "", None]),
)
def test_register_with_arbitrary_text(seeded, email, display_name, organisation, category, zone, language, privacy):
    client = seeded.test_client()
    data = {
        "email": email,
        "password": PASSWORD,
        "confirm": PASSWORD,
        "display_name": display_name,
        "organisation": organisation,
        "category": category,
        "zone": zone,
        "language": language,
        "csrf_token": csrf_token(client, "/register"),
    }
    if privacy is not None:
        data["privacy"] = privacy
    with seeded.app_context():
        before = db.session.scalar(select(db.func.count()).select_from(User))
    response = client.post("/register", data=data)
    event(f"register: {response.status_code}")
    assert response.status_code in (302, 400), response.status_code
    with seeded.app_context():
        after = db.session.scalar(select(db.func.count()).select_from(User))
    # A registration refused stores nothing; one accepted stores one clean row.
    assert after == before + (1 if response.status_code == 302 else 0)
    assert_stored_rows_are_clean(seeded)


@SETTINGS
@given(email=addresses, password=anything, remember=st.one_of(st.just("y"), anything))
def test_login_with_arbitrary_text(personas, app, email, password, remember):
    client = app.test_client()
    response = login(client, email, password, remember=remember)
    assert response.status_code in (302, 400), response.status_code
    if response.status_code == 302:  # only the real credentials get in
        assert email.strip().lower() in {p.email for p in PERSONAS.values()} and password == PASSWORD


@SETTINGS
@given(display_name=names, organisation=names, category=categories, zone=zones, language=languages)
def test_profile_with_arbitrary_text(personas, app, client_as, display_name, organisation, category, zone, language):
    client = client_as("stakeholder")
    with app.app_context():
        before = db.session.scalar(select(User.display_name).where(User.email == PERSONAS["stakeholder"].email))
    response = client.post(
        "/account",
        data={
            "display_name": display_name,
            "organisation": organisation,
            "category": category,
            "zone": zone,
            "language": language,
            "csrf_token": csrf_token(client, "/account"),
        },
    )
    event(f"profile: {response.status_code}")
    assert response.status_code in (302, 400), response.status_code
    assert_stored_rows_are_clean(app)
    with app.app_context():
        stakeholder = db.session.scalar(select(User).where(User.email == PERSONAS["stakeholder"].email))
        if response.status_code == 400:  # a refused change changes nothing
            assert stakeholder.display_name == before
        else:
            assert stakeholder.display_name and stakeholder.category is not None
