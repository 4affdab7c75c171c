"""A double click on "Partecipa": concurrent joins of one account give the one participation."""

import threading

from sqlalchemy import func, select

from consult.extensions import db
from consult.models import Participant
from tests.conftest import csrf_token
from tests.participation_helpers import make_session

CLICKS = 4


def test_concurrent_joins_of_one_account_give_one_participation(seeded, runner, client_as):
    session_id = make_session(runner)
    path = f"/zones/1/sessions/{session_id}"
    # One browser tab per click, each signed in as the same person, each with its own CSRF token.
    clients = [client_as("stakeholder") for _click in range(CLICKS)]
    tokens = [csrf_token(client, path) for client in clients]
    barrier = threading.Barrier(CLICKS)
    statuses: list[int] = []
    errors: list[BaseException] = []

    def click(n: int) -> None:
        try:
            barrier.wait(timeout=10)
            response = clients[n].post(path + "/join", data={"csrf_token": tokens[n]})
            statuses.append(response.status_code)
            assert response.headers["Location"] == path + "/ranking"
        except BaseException as error:  # reported by the assertion below
            errors.append(error)

    threads = [threading.Thread(target=click, args=(n,)) for n in range(CLICKS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert statuses == [303] * CLICKS
    with seeded.app_context():
        count = select(func.count()).select_from(Participant).where(Participant.session_id == session_id)
        assert db.session.scalar(count) == 1
