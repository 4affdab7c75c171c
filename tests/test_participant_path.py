"""The participant's path: one zone per consultation, the session page's ways in, the zone asked at joining."""

from sqlalchemy import func, select

from consult.extensions import db
from consult.models import Participant, User
from tests.conftest import csrf_token


def _consultation(runner, *args: str) -> str:
    result = runner.invoke(args=["consultations", "create", "--title", "Dalle strategie alle azioni", *args])
    assert result.exit_code == 0, result.output
    return result.output.strip()


def _open_session(runner, consultation: str, zone: int) -> int:
    result = runner.invoke(args=["sessions", "create", consultation, "--zone", str(zone)])
    assert result.exit_code == 0, result.output
    session_id = int(result.output.strip())
    assert runner.invoke(args=["sessions", "set-state", str(session_id), "open"]).exit_code == 0
    return session_id


def _join(client, zone_code: int, session_id: int, headers=None, **data):
    path = f"/zones/{zone_code}/sessions/{session_id}"
    return client.post(path + "/join", data={"csrf_token": csrf_token(client, path), **data}, headers=headers)


def _participations(app, email: str) -> int:
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        return db.session.scalar(select(func.count()).select_from(Participant).where(Participant.user_id == user.id))


def test_a_second_zone_of_the_same_consultation_is_refused(seeded, runner, client_as, personas):
    consultation = _consultation(runner)
    first, second = _open_session(runner, consultation, 1), _open_session(runner, consultation, 5)
    client = client_as("stakeholder")
    assert _join(client, 1, first).status_code == 303

    # The second zone's page says so before anyone clicks, and points back to the person's session.
    page = client.get(f"/zones/5/sessions/{second}").get_data(as_text=True)
    assert "partecipi già nella zona 1" in page
    assert f'href="/zones/1/sessions/{first}"' in page

    response = _join(client, 5, second)
    assert response.status_code == 409
    assert "la classifica di ognuno conta in una sola zona" in response.get_data(as_text=True)
    assert _participations(seeded, personas["stakeholder"].email) == 1
    # Refused in English too.
    response = _join(client, 5, second, headers={"Accept-Language": "en"})
    assert response.status_code == 409
    assert "each person's ranking counts in one zone only" in response.get_data(as_text=True)

    # Another consultation is another matter; so is a second session of the same zone.
    other = _consultation(runner)
    assert _join(client, 5, _open_session(runner, other, 5)).status_code == 303
    assert _join(client, 1, _open_session(runner, consultation, 1)).status_code == 303


def test_the_planner_can_allow_several_zones_and_the_method_says_how_they_count(seeded, runner, client_as, personas):
    consultation = _consultation(runner, "--allow-multiple-zones")
    listed = runner.invoke(args=["consultations", "list"])
    assert "several zones per account" in listed.output
    client = client_as("stakeholder")
    for zone in (1, 5, 7):
        assert _join(client, zone, _open_session(runner, consultation, zone)).status_code == 303
    assert _participations(seeded, personas["stakeholder"].email) == 3

    planner = client_as("planner")
    page = planner.get(f"/consultations/{consultation}/results").get_data(as_text=True)
    assert "conta quindi una volta per ogni zona" in page
    assert "una sola zona per consultazione" not in page
    # The downloads carry the same explanation.
    download = planner.get(f"/consultations/{consultation}/results.json", headers={"Accept-Language": "en"})
    how = " ".join(download.get_json()["metadata"]["how_counted"])
    assert "they therefore count once for each zone" in how
    strict = _consultation(runner)
    page = planner.get(f"/consultations/{strict}/results").get_data(as_text=True)
    assert "partecipa in una sola zona per consultazione" in page


def test_code_participants_are_not_bound_to_a_zone(seeded, runner, client):
    """Room codes are anonymous and per session: the rule is about accounts."""
    consultation = _consultation(runner)
    for zone in (1, 5):
        session_id = _open_session(runner, consultation, zone)
        code = runner.invoke(args=["codes", "generate", str(session_id), "1"]).output.strip()
        token = csrf_token(client, "/join")
        response = client.post("/join", data={"code": code, "category": "comune", "csrf_token": token})
        assert response.status_code == 303


def test_a_signed_in_person_is_offered_to_take_part_not_to_sign_in(seeded, runner, client_as):
    consultation = _consultation(runner)
    session_id = _open_session(runner, consultation, 1)
    path = f"/zones/1/sessions/{session_id}"
    page = client_as("stakeholder").get(path).get_data(as_text=True)
    assert ">Partecipa</button>" in page
    assert "Accedi e partecipa" not in page
    assert "accedi con il tuo account" not in page
    # Not joined yet: no links that would only send the person back here.
    assert f"{path}/proposals" not in page
    anonymous = client_as("anonymous").get(path).get_data(as_text=True)
    assert "Accedi e partecipa" in anonymous


def test_the_session_page_links_to_the_proposals_and_each_discussion(seeded, runner, client_as):
    consultation = _consultation(runner, "--axes", "1")
    session_id = _open_session(runner, consultation, 1)
    path = f"/zones/1/sessions/{session_id}"
    client = client_as("stakeholder")
    assert _join(client, 1, session_id).status_code == 303
    page = client.get(path).get_data(as_text=True)
    assert f'href="{path}/proposals"' in page
    for code in ("1.1", "1.2", "1.3", "1.4"):
        assert f'href="{path}/strategies/{code}/discussion"' in page
        assert client.get(f"{path}/strategies/{code}/discussion").status_code == 200
    assert client.get(f"{path}/proposals").status_code == 200
    # Staff who follow the zone get the links too.
    assert f'href="{path}/proposals"' in client_as("facilitator").get(path).get_data(as_text=True)
    assert f'href="{path}/proposals"' not in client_as("other_facilitator").get(path).get_data(as_text=True)


def test_the_zone_is_asked_at_the_first_join_when_the_profile_has_none(seeded, runner, client_as, personas):
    consultation = _consultation(runner)
    session_id = _open_session(runner, consultation, 5)
    with seeded.app_context():
        user = db.session.scalar(select(User).where(User.email == personas["stakeholder"].email))
        user.zone = None
        db.session.commit()
    client = client_as("stakeholder")
    page = client.get(f"/zones/5/sessions/{session_id}").get_data(as_text=True)
    assert 'name="zone"' in page
    assert '<option selected value="5">' in page or '<option value="5" selected>' in page
    assert _join(client, 5, session_id, zone="bogus").status_code == 400
    assert _join(client, 5, session_id, zone="5").status_code == 303
    with seeded.app_context():
        user = db.session.scalar(select(User).where(User.email == personas["stakeholder"].email))
        assert user.zone.code == 5
    # Asked once: the page no longer shows the question.
    other = _open_session(runner, _consultation(runner), 5)
    assert 'name="zone"' not in client.get(f"/zones/5/sessions/{other}").get_data(as_text=True)


def test_the_home_page_leads_a_signed_in_person_to_their_zone_and_what_they_did(seeded, runner, client_as):
    consultation = _consultation(runner, "--axes", "1", "--depth", "2")
    mine, joined = _open_session(runner, consultation, 1), _open_session(runner, _consultation(runner), 1)
    elsewhere = _open_session(runner, _consultation(runner), 5)
    client = client_as("stakeholder")
    assert _join(client, 1, joined).status_code == 303
    path = f"/zones/1/sessions/{joined}"
    token = csrf_token(client, path + "/ranking")
    assert client.post(path + "/ranking", data={"csrf_token": token, "position-1.1": "1"}).status_code == 303

    page = client.get("/").get_data(as_text=True)
    section = page[page.index('id="mine-title"') : page.index('id="intro-title"')]
    assert "Le sessioni aperte nella tua zona" in section
    assert f'href="/zones/1/sessions/{mine}"' in section  # not joined yet: offered
    assert "classifica inviata (1 strategia)" in section  # joined and ranked
    assert f"/zones/5/sessions/{elsewhere}" not in section  # another zone's session
    # The anonymous home page has no such section.
    assert 'id="mine-title"' not in client_as("anonymous").get("/").get_data(as_text=True)
