"""The ranking page without JavaScript: numbered selects, posted as ``position-<code>``."""

import re

import pytest
from sqlalchemy import func, select, update

from consult.extensions import db
from consult.models import Ballot, BallotRank, BallotVersion, Channel, ConsultationSession, Participant, SessionState
from tests.conftest import csrf_token
from tests.participation_helpers import make_session

#: A consultation on axis 1 only, depth 3, so the tests can name every place.
AXIS_1 = ("--axes", "1", "--depth", "3")


def rank_path(session_id: int) -> str:
    return f"/zones/1/sessions/{session_id}/ranking"


@pytest.fixture
def ranking(seeded, runner, client):
    """An open session on axis 1 (depth 3) and a participant who joined it with a code in ``client``."""
    session_id = make_session(runner, consultation_args=AXIS_1)
    code = runner.invoke(args=["codes", "generate", str(session_id), "1"]).output.strip()
    token = csrf_token(client, "/")
    response = client.post("/join", data={"code": code, "category": "comune", "csrf_token": token})
    assert response.status_code == 303
    return session_id


def in_scope(app, session_id) -> list[str]:
    from consult.models import ConsultationSession

    with app.app_context():
        return [s.code for s in db.session.get(ConsultationSession, session_id).consultation.strategies_in_order]


def post_ranking(client, session_id, positions: dict[str, object], **extra):
    """Send the form as a browser would: every select, blank for "fuori classifica"."""
    html = client.get(rank_path(session_id)).get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)
    selects = re.findall(r'<select[^>]*name="(position-[^"]+)"', html)
    data = {name: "" for name in selects}
    data.update({f"position-{code}": str(position) for code, position in positions.items()})
    return client.post(rank_path(session_id), data={"csrf_token": token, **data, **extra})


def saved_ranking(app) -> list[str]:
    with app.app_context():
        ballot = db.session.scalar(select(Ballot))
        return [rank.strategy.code for rank in ballot.ranks] if ballot else []


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def test_the_page_works_without_javascript(seeded, client, ranking):
    html = client.get(rank_path(ranking)).get_data(as_text=True)
    codes = in_scope(seeded, ranking)
    assert codes[:2] == ["1.1", "1.2"]
    for code in codes:
        # A labelled select per strategy, with "out of the ranking" and places 1..3.
        assert f'<label for="position-{code}">' in html
        select_html = re.search(rf'<select[^>]*name="position-{re.escape(code)}".*?</select>', html, re.S).group(0)
        assert re.findall(r'<option value="([^"]*)"', select_html) == ["", "1", "2", "3"]
    assert "fuori classifica" in html
    assert '<button type="submit" class="btn btn-primary">Salva la classifica</button>' in html
    assert "Restano 3 posti in classifica." in html
    # The enhancement is loaded from files: nothing inline under the strict CSP.
    assert "/static/js/ranking.js" in html
    assert "/static/css/ranking.css" in html
    assert "<script>" not in html
    assert " style=" not in html


def test_submit_change_and_see_it_on_the_session_page(seeded, client, ranking):
    response = post_ranking(client, ranking, {"1.3": 1, "1.1": 2})
    assert response.status_code == 303
    assert response.headers["Location"] == f"/zones/1/sessions/{ranking}"
    assert saved_ranking(seeded) == ["1.3", "1.1"]
    page = client.get(f"/zones/1/sessions/{ranking}").get_data(as_text=True)
    assert "La tua classifica è stata salvata." in page
    summary = re.search(r'<ol class="consult-ranking-summary">(.*?)</ol>', page, re.S).group(1)
    assert re.findall(r'consult-code">([^<]+)<', summary) == ["1.3", "1.1"]

    # The page now says a ballot was sent, and shows it in the selects.
    html = client.get(rank_path(ranking)).get_data(as_text=True)
    assert "Hai già inviato una classifica: puoi cambiarla fino alla chiusura della sessione." in html
    assert re.search(r'name="position-1.3".*?<option value="1" selected>', html, re.S)
    assert "Resta 1 posto in classifica." in html

    assert post_ranking(client, ranking, {"1.2": 1, "1.1": 2, "1.3": 3}).status_code == 303
    assert saved_ranking(seeded) == ["1.2", "1.1", "1.3"]
    page = client.get(f"/zones/1/sessions/{ranking}").get_data(as_text=True)
    summary = re.search(r'<ol class="consult-ranking-summary">(.*?)</ol>', page, re.S).group(1)
    assert re.findall(r'consult-code">([^<]+)<', summary) == ["1.2", "1.1", "1.3"]
    assert "Hai usato tutti i posti della classifica." in client.get(rank_path(ranking)).get_data(as_text=True)


def test_gaps_in_the_positions_close_up(seeded, client, ranking):
    assert post_ranking(client, ranking, {"1.1": 3, "1.2": 1}).status_code == 303
    assert saved_ranking(seeded) == ["1.2", "1.1"]


def test_earlier_versions_are_kept_and_only_the_latest_counts(seeded, client, ranking):
    post_ranking(client, ranking, {"1.1": 1})
    post_ranking(client, ranking, {"1.2": 1, "1.3": 2})
    post_ranking(client, ranking, {"1.3": 1})
    with seeded.app_context():
        versions = db.session.scalars(select(BallotVersion).order_by(BallotVersion.version)).all()
        assert [(v.version, v.ranking) for v in versions] == [(1, ["1.1"]), (2, ["1.2", "1.3"]), (3, ["1.3"])]
        assert db.session.scalar(select(func.count()).select_from(Ballot)) == 1
        assert db.session.scalar(select(Ballot)).version == 3
    assert saved_ranking(seeded) == ["1.3"]
    assert count(seeded, BallotRank) == 1


def test_two_strategies_in_the_same_place_are_refused(seeded, client, ranking):
    post_ranking(client, ranking, {"1.1": 1})
    response = post_ranking(client, ranking, {"1.2": 1, "1.3": 1})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Le strategie 1.2, 1.3 hanno la stessa posizione 1." in html
    # What the person chose comes back, both of them, so they can fix it.
    assert re.search(r'name="position-1.2".*?<option value="1" selected>', html, re.S)
    assert re.search(r'name="position-1.3".*?<option value="1" selected>', html, re.S)
    assert saved_ranking(seeded) == ["1.1"]
    assert count(seeded, BallotVersion) == 1


@pytest.mark.parametrize("position", ["4", "0", "-1", "uno", "1.5"])
def test_a_position_out_of_range_is_refused(seeded, client, ranking, position):
    response = post_ranking(client, ranking, {"1.1": 1, "1.2": position})
    assert response.status_code == 422
    assert "Posizione non valida per la strategia 1.2." in response.get_data(as_text=True)
    assert count(seeded, Ballot) == 0


def test_more_places_than_the_depth_are_refused(seeded, client, ranking):
    codes = in_scope(seeded, ranking)
    assert len(codes) > 3
    response = post_ranking(client, ranking, {code: n for n, code in enumerate(codes[:4], start=1)})
    assert response.status_code == 422
    assert f"Posizione non valida per la strategia {codes[3]}." in response.get_data(as_text=True)
    assert count(seeded, Ballot) == 0


def test_an_empty_ranking_is_refused(seeded, client, ranking):
    response = post_ranking(client, ranking, {})
    assert response.status_code == 422
    assert "Metti in ordine almeno una strategia." in response.get_data(as_text=True)
    assert count(seeded, Ballot) == 0


def test_unknown_and_out_of_scope_fields_are_ignored(seeded, client, ranking):
    assert "2.1" not in in_scope(seeded, ranking)
    response = post_ranking(
        client, ranking, {"1.1": 1}, **{"position-2.1": "2", "position-9.9": "3", "position-": "2", "other": "x"}
    )
    assert response.status_code == 303
    assert saved_ranking(seeded) == ["1.1"]


def test_a_missing_csrf_token_is_a_400(seeded, client, ranking):
    assert client.post(rank_path(ranking), data={"position-1.1": "1"}).status_code == 400
    assert count(seeded, Ballot) == 0


def test_a_closed_session_shows_the_ballot_read_only_and_refuses_changes(seeded, runner, client, ranking):
    post_ranking(client, ranking, {"1.2": 1})
    token = csrf_token(client, rank_path(ranking))
    assert runner.invoke(args=["sessions", "set-state", str(ranking), "closed"]).exit_code == 0

    html = client.get(rank_path(ranking)).get_data(as_text=True)
    assert "La sessione non è aperta: la classifica non si può più inviare né cambiare." in html
    assert 'id="ranking-form"' not in html
    assert "<select" not in html
    assert "ranking.js" not in html
    assert re.search(r'<ol class="consult-ranking-summary">\s*<li><span class="consult-code">1.2</span>', html)

    # Also with a ranking that has problems of its own: the closed session is what the person needs to know.
    for data in ({"position-1.1": "1"}, {"position-1.1": "1", "position-1.3": "1"}):
        response = client.post(rank_path(ranking), data={"csrf_token": token, **data})
        assert response.status_code == 409
        html = response.get_data(as_text=True)
        assert "La sessione non è aperta: non si possono inviare o cambiare classifiche." in html
        assert 'id="ranking-form"' not in html
    assert saved_ranking(seeded) == ["1.2"]
    assert count(seeded, BallotVersion) == 1


def test_the_participant_of_another_session_cannot_rank_this_one(seeded, runner, client, ranking):
    other_session = make_session(runner, consultation_args=AXIS_1)
    response = client.get(rank_path(other_session))
    assert response.status_code == 302
    assert response.headers["Location"] == f"/zones/1/sessions/{other_session}"
    with seeded.app_context():
        assert db.session.scalar(select(func.count()).select_from(Participant)) == 1


def test_a_ranking_sent_to_another_session_or_zone_records_nothing(seeded, runner, client, ranking):
    # A ranking is recorded without loading the session's objects (access.ballot_box); these are the cases it
    # must hand over to the page path, which answers as on every other page.
    token = csrf_token(client, rank_path(ranking))
    other_session = make_session(runner, consultation_args=AXIS_1)
    response = client.post(rank_path(other_session), data={"csrf_token": token, "position-1.1": "1"})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/zones/1/sessions/{other_session}"
    # The right session under another zone's address is unknown there.
    response = client.post(f"/zones/2/sessions/{ranking}/ranking", data={"csrf_token": token, "position-1.1": "1"})
    assert response.status_code == 404
    assert count(seeded, Ballot) == 0
    assert count(seeded, BallotVersion) == 0


def test_an_account_taking_part_in_one_session_cannot_rank_another(seeded, runner, client_as):
    client = client_as("stakeholder")
    joined, other = (make_session(runner, consultation_args=AXIS_1) for _n in range(2))
    path = f"/zones/1/sessions/{joined}"
    assert client.post(path + "/join", data={"csrf_token": csrf_token(client, path)}).status_code == 303
    token = csrf_token(client, rank_path(joined))
    response = client.post(rank_path(other), data={"csrf_token": token, "position-1.1": "1"})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/zones/1/sessions/{other}"
    assert count(seeded, Ballot) == 0


def test_a_draft_session_records_nothing(seeded, runner, client, ranking):
    token = csrf_token(client, rank_path(ranking))
    with seeded.app_context():
        db.session.execute(update(ConsultationSession).values(state=SessionState.DRAFT))
        db.session.commit()
    response = client.post(rank_path(ranking), data={"csrf_token": token, "position-1.1": "1"})
    assert response.status_code == 404
    assert count(seeded, Ballot) == 0


def test_a_signed_in_person_ranks_as_their_account_once_it_takes_part_else_with_their_code(seeded, runner, client_as):
    # Signed in, then joined with a room code in the same browser: as on the page, the code's participation
    # ranks until the account takes part, then the account's does.
    session_id = make_session(runner, consultation_args=AXIS_1)
    client = client_as("stakeholder")
    code = runner.invoke(args=["codes", "generate", str(session_id), "1"]).output.strip()
    data = {"code": code, "category": "comune", "csrf_token": csrf_token(client, "/join")}
    assert client.post("/join", data=data).status_code == 303
    assert post_ranking(client, session_id, {"1.1": 1}).status_code == 303
    path = f"/zones/1/sessions/{session_id}"
    assert client.post(path + "/join", data={"csrf_token": csrf_token(client, path)}).status_code == 303
    assert post_ranking(client, session_id, {"1.2": 1, "1.3": 2}).status_code == 303
    with seeded.app_context():
        people = {p.code_id is None: p for p in db.session.scalars(select(Participant))}
        assert people[True].user.email == "stakeholder@example.org"
        assert [rank.strategy.code for rank in people[True].ballot.ranks] == ["1.2", "1.3"]
        assert people[True].ballot.channel == Channel.ONLINE
        assert [rank.strategy.code for rank in people[False].ballot.ranks] == ["1.1"]
        assert people[False].ballot.channel == Channel.CODE


def test_the_page_in_english(seeded, client, ranking):
    html = client.get(rank_path(ranking), headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<html lang="en">' in html
    assert "Save the ranking" in html
    assert "3 places left in the ranking." in html
    assert "Add to the ranking" in html
