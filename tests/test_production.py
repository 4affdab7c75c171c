"""What production needs around the pages: a health check, cache headers, no server banner."""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from tests.conftest import PERSONAS, csrf_token, login
from tests.participation_helpers import make_session
from tests.test_join import generate_codes
from tests.test_outages import down_app  # noqa: F401 - fixture

ROOT = Path(__file__).resolve().parents[1]


def test_healthz_says_ok_when_the_database_answers(app, client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json["status"] == "ok"
    assert set(response.json) == {"status", "database", "database_ms"}  # nothing personal, no versions
    assert "no-store" in response.headers["Cache-Control"]


def test_healthz_is_503_when_the_database_is_down(down_app):  # noqa: F811
    response = down_app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json == {"status": "unavailable", "database": "unavailable"}
    assert response.headers["Retry-After"].isdigit()


def test_pages_for_someone_identified_are_never_cached(seeded, personas, runner, client, client_as):
    planner = client_as("planner")
    for path in ("/", "/plan/", "/results"):
        assert planner.get(path).headers.get("Cache-Control") == "private, no-store", path
    # Someone taking part with a room code: the ranking page is theirs.
    session_id = make_session(runner)
    [code] = generate_codes(runner, session_id)
    token = csrf_token(client, "/join")
    assert client.post("/join", data={"csrf_token": token, "code": code, "category": "comune"}).status_code == 303
    ranking = client.get(f"/zones/1/sessions/{session_id}/ranking")
    assert ranking.headers["Cache-Control"] == "private, no-store"
    # Provisional results, seen by the facilitator while the session is open.
    facilitator = client_as("facilitator")
    results = facilitator.get(f"/zones/1/sessions/{session_id}/results")
    assert results.status_code == 200
    assert results.headers["Cache-Control"] == "private, no-store"


def test_public_pages_for_anonymous_visitors_may_be_cached(seeded, app):
    response = app.test_client().get("/plan/")
    assert "no-store" not in response.headers.get("Cache-Control", "")


def test_signing_in_is_not_cached_either(personas, client):
    assert login(client, PERSONAS["planner"].email).status_code == 302
    assert "no-store" in client.get("/account").headers["Cache-Control"]


def test_gunicorn_does_not_announce_itself(tmp_path):
    """gunicorn, started as `make run` starts it (gunicorn.conf.py read from the working directory)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {
        **os.environ,
        "CONSULT_INSTANCE": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'consult.sqlite3'}",
        "SECRET_KEY": "x" * 32,
    }
    gunicorn = Path(sys.executable).with_name("gunicorn")
    server = subprocess.Popen(  # noqa: S603 - our own command line
        [str(gunicorn), "--bind", f"127.0.0.1:{port}", "--workers", "1", "consult:create_app()"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as response:
                    headers = response.headers
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.2)
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert "Server" not in headers
    assert "gunicorn" not in str(headers).lower()
