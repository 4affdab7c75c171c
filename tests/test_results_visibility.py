"""Who sees which results, persona by persona, on the pages, the downloads and the API.

Published results are everyone's; before publication only planners, admins and the zone's facilitators see
them, and everyone else gets a 404, as if the results did not exist. The public's metropolitan results count
published sessions only.
"""

import pytest

from tests.conftest import PERSONAS
from tests.test_results_fixtures import (
    add_session,
    create_consultation,
    import_ballots,
    open_session,
    published_session,
    session_url,
)

#: Personas who may see a zone's results before they are published, by zone.
BEFORE_PUBLICATION = {1: {"facilitator", "planner", "admin"}, 2: {"other_facilitator", "planner", "admin"}}


@pytest.fixture
def sessions(app, runner, personas, tmp_path):
    """A consultation with a published session in zone 1 (2 ballots), an open one in zone 1 (3 ballots)
    and an open one in zone 2 (1 ballot)."""
    consultation = create_consultation(runner)
    published = published_session(runner, tmp_path, consultation, 1, [["1.1", "1.2"], ["1.1"]])
    open_1 = open_session(runner, tmp_path, consultation, 1, [["1.3"], ["1.3", "1.1"], ["1.2"]])
    open_2 = open_session(runner, tmp_path, consultation, 2, [["1.2", "1.3"]])
    return {"consultation": consultation, "published": published, "open_1": open_1, "open_2": open_2}


def expected(which: str) -> dict[str, int]:
    if which == "published":
        return dict.fromkeys(PERSONAS, 200)
    allowed = BEFORE_PUBLICATION[1 if which == "open_1" else 2]
    return {key: 200 if key in allowed else 404 for key in PERSONAS}


def statuses(client_as, path: str) -> dict[str, int]:
    return {key: client_as(key).get(path).status_code for key in PERSONAS}


@pytest.mark.parametrize("which", ["published", "open_1", "open_2"])
def test_session_page_downloads_and_api(app, client_as, sessions, which):
    session_id = sessions[which]
    clients = {key: client_as(key) for key in PERSONAS}
    paths = [
        session_url(app, session_id),
        session_url(app, session_id, "/results?method=schulze"),
        session_url(app, session_id, "/results.csv"),
        session_url(app, session_id, "/results.json?method=mean"),
        session_url(app, session_id, "/results.xlsx"),
        f"/api/v1/sessions/{session_id}/results",
    ]
    for path in paths:
        got = {key: client.get(path).status_code for key, client in clients.items()}
        assert got == expected(which), path


def test_the_pdf_follows_the_same_rule(app, client_as, sessions):
    path = session_url(app, sessions["open_2"], "/results.pdf")
    assert statuses(client_as, path) == expected("open_2")


def test_a_session_of_another_zone_in_the_url_is_404(app, client_as, sessions):
    # Session open_2 is in zone 2: asked for under zone 1, it does not exist, even for the planner.
    assert client_as("planner").get(f"/zones/1/sessions/{sessions['open_2']}/results").status_code == 404


def test_a_draft_session_is_seen_by_the_zone_facilitator_planners_and_admins_only(app, runner, client_as, personas):
    consultation = create_consultation(runner)
    draft = add_session(runner, consultation, 1, state=None)
    for suffix in ("/results", "/results.json"):
        got = statuses(client_as, session_url(app, draft, suffix))
        assert got == {**dict.fromkeys(PERSONAS, 404), "facilitator": 200, "planner": 200, "admin": 200}, suffix
    got = statuses(client_as, f"/api/v1/sessions/{draft}/results")
    assert got == {**dict.fromkeys(PERSONAS, 404), "facilitator": 200, "planner": 200, "admin": 200}


def test_unknown_session_and_consultation_are_404(client_as, personas):
    client = client_as("planner")
    assert client.get("/zones/1/sessions/999/results").status_code == 404
    assert client.get("/consultations/999/results").status_code == 404
    assert client.get("/consultations/999/results.csv").status_code == 404
    assert client.get("/api/v1/sessions/999/results").get_json()["status"] == 404
    assert client.get("/api/v1/consultations/999/results").status_code == 404


def test_the_public_counts_published_sessions_only(client_as, sessions):
    api = f"/api/v1/consultations/{sessions['consultation']}/results"
    for key in PERSONAS:
        data = client_as(key).get(api).get_json()
        staff = key in ("planner", "admin")
        # Facilitators see their zone's unpublished session on its own, not in the metropolitan count.
        assert data["ballots"] == (6 if staff else 2), key
        assert data["provisional"] is staff, key
        assert [zone["code"] for zone in data["zones"]] == ([1, 2] if staff else [1]), key
        assert data["published_only"] is not staff


def test_the_metropolitan_page_says_when_it_includes_unpublished_sessions(client_as, sessions):
    path = f"/consultations/{sessions['consultation']}/results"
    planner = client_as("planner").get(path).get_data(as_text=True)
    assert "include sessioni non ancora pubblicate" in planner
    public = client_as("anonymous").get(path).get_data(as_text=True)
    assert "include sessioni non ancora pubblicate" not in public
    assert "Contano solo le sessioni con i risultati pubblicati" in public
    # Downloads state it too.
    csv_text = client_as("planner").get(path + ".csv").get_data(as_text=True)
    assert "Dati provvisori" in csv_text
    assert "Dati provvisori" not in client_as("anonymous").get(path + ".csv").get_data(as_text=True)


def test_the_index_lists_what_each_persona_may_see(app, client_as, sessions):
    links = {which: session_url(app, sessions[which]) for which in ("published", "open_1", "open_2")}
    for key in PERSONAS:
        html = client_as(key).get("/results").get_data(as_text=True)
        for which, link in links.items():
            assert (f'href="{link}"' in html) == (expected(which)[key] == 200), (key, which)
        assert f'href="/consultations/{sessions["consultation"]}/results"' in html


def test_the_index_hides_consultations_still_in_draft_and_says_when_nothing_is_published(
    app, runner, client_as, personas, tmp_path
):
    draft_only = create_consultation(runner, title="Solo bozze")
    add_session(runner, draft_only, 1, state=None)
    running = create_consultation(runner, title="In corso")
    session_id = add_session(runner, running, 3)
    import_ballots(runner, tmp_path, session_id, [["1.1"]])
    html = client_as("anonymous").get("/results").get_data(as_text=True)
    assert "Solo bozze" not in html
    assert "In corso" in html and "I risultati non sono ancora pubblicati" in html
    assert f'href="/consultations/{running}/results"' not in html
    assert f'href="/consultations/{running}/results"' in client_as("planner").get("/results").get_data(as_text=True)


def test_session_pages_link_to_their_results(app, client_as, sessions):
    html = client_as("anonymous").get(session_url(app, sessions["published"], "")).get_data(as_text=True)
    assert f'href="{session_url(app, sessions["published"])}"' in html
    html = client_as("anonymous").get(f"/consultations/{sessions['consultation']}").get_data(as_text=True)
    assert f'href="/consultations/{sessions["consultation"]}/results"' in html
