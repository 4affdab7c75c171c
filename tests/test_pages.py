"""Public pages, languages and request-wide behaviour."""

import re

import pytest

from consult.extensions import db
from tests.conftest import csrf_token

PAGES = ["/", "/plan/", "/plan/axes/1", "/plan/axes/6", "/plan/strategies/1.1", "/plan/strategies/4.3", "/zones"]


@pytest.mark.parametrize("path", PAGES)
@pytest.mark.parametrize("language", ["it", "en"])
def test_public_pages_render_in_both_languages(seeded, client, path, language):
    response = client.get(path, headers={"Accept-Language": language})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert f'<html lang="{language}">' in html
    assert 'id="main-content"' in html
    assert 'href="#main-content"' in html  # the skip link


def test_italian_is_the_default(seeded, client):
    html = client.get("/plan/").get_data(as_text=True)
    assert '<html lang="it">' in html
    assert "Il Piano" in html


def test_english_ui_keeps_the_plan_text_in_italian(seeded, client):
    html = client.get("/plan/strategies/4.3", headers={"Accept-Language": "en-GB,en;q=0.9"}).get_data(as_text=True)
    assert "Actions" in html
    assert "Strategy 4.3" in html
    # The official text is shown as is, and marked as Italian for screen readers.
    assert re.search(r'<p lang="it">[^<]*</p>', html)
    assert "numbered 4.1.1 in the original document" in html


def test_accept_language_picks_the_best_supported_language(seeded, client):
    html = client.get("/", headers={"Accept-Language": "de-DE,en;q=0.8,it;q=0.5"}).get_data(as_text=True)
    assert '<html lang="en">' in html
    html = client.get("/", headers={"Accept-Language": "fr-FR"}).get_data(as_text=True)
    assert '<html lang="it">' in html


def test_language_switch_persists_in_a_cookie(seeded, client):
    token = csrf_token(client, "/plan/")
    response = client.post("/language/en", data={"csrf_token": token, "next": "/plan/axes/2"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/plan/axes/2"
    cookie = client.get_cookie("consult_lang")
    assert cookie.value == "en" and cookie.http_only
    # The cookie wins over the browser's Accept-Language.
    html = client.get("/zones", headers={"Accept-Language": "it"}).get_data(as_text=True)
    assert '<html lang="en">' in html
    assert "Homogeneous zones" in html


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)"]
)
def test_language_switch_never_redirects_off_site(seeded, client, target):
    token = csrf_token(client)
    response = client.post("/language/en", data={"csrf_token": token, "next": target})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_language_switch_needs_a_csrf_token(seeded, client):
    response = client.post("/language/en", data={"next": "/"})
    assert response.status_code == 400
    assert client.get_cookie("consult_lang") is None


def test_unknown_language_is_404(seeded, client):
    token = csrf_token(client)
    assert client.post("/language/de", data={"csrf_token": token}).status_code == 404


@pytest.mark.parametrize("path", ["/plan/axes/7", "/plan/strategies/9.9", "/plan/strategies/1.1.1", "/nowhere"])
def test_unknown_entries_are_404_with_a_translated_page(seeded, client, path):
    response = client.get(path, headers={"Accept-Language": "en"})
    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True)


def test_api_errors_are_json(seeded, client):
    response = client.get("/api/v1/nothing")
    assert response.status_code == 404
    assert response.get_json() == {"error": "Not Found", "status": 404}


def test_pages_before_seeding(app, client):
    # A fresh database: the home explains what to do, the plan is not found rather than broken.
    html = client.get("/").get_data(as_text=True)
    assert "flask --app consult seed" in html
    assert client.get("/plan/").status_code == 404
    assert client.get("/api/v1/plan").status_code == 404
    assert client.get("/api/v1/zones").get_json()["zones"] == []


def test_security_headers_on_every_page(seeded, client):
    response = client.get("/plan/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_no_inline_scripts_or_styles(seeded, client):
    for path in PAGES:
        html = client.get(path).get_data(as_text=True)
        assert not re.search(r"<script(?![^>]*\bsrc=)", html), path
        assert " style=" not in html and "<style" not in html, path


def test_home_lists_axes_and_zones(seeded, client):
    html = client.get("/").get_data(as_text=True)
    assert html.count('href="/plan/axes/') == 6
    assert "Chierese - Carmagnolese" in html


def test_zone_table_totals(seeded, client):
    html = client.get("/zones", headers={"Accept-Language": "it"}).get_data(as_text=True)
    assert "315" in html
    assert "2.243.382" in html  # Italian digit grouping


def test_plan_page_queries_do_not_grow_with_the_catalogue(seeded, client):
    from sqlalchemy import event

    statements = []
    with seeded.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    client.get("/plan/")
    assert len(statements) <= 5, statements


def test_multi_line_translation_blocks_are_translated(seeded, client):
    # {% trans %} blocks spread over several lines are extracted trimmed; rendering must trim them too.
    html = client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "The Metropolitan City of Turin is updating its Metropolitan Strategic Plan" in html
    html = client.get("/zones", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "The homogeneous zones (Zone omogenee) are the 11 areas" in html
