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


def test_concurrent_joins_in_two_zones_leave_one(seeded, runner, client_as):
    """Two tabs joining two zones' sessions of one consultation at once: one gets in, the other is refused."""
    consultation = runner.invoke(args=["consultations", "create", "--title", "Dalle strategie alle azioni"])
    paths = []
    for zone in (1, 5):
        created = runner.invoke(args=["sessions", "create", consultation.output.strip(), "--zone", str(zone)])
        session_id = created.output.strip()
        assert runner.invoke(args=["sessions", "set-state", session_id, "open"]).exit_code == 0
        paths.append(f"/zones/{zone}/sessions/{session_id}")
    clients = [client_as("stakeholder") for _path in paths]
    tokens = [csrf_token(client, path) for client, path in zip(clients, paths, strict=True)]
    barrier = threading.Barrier(len(paths))
    statuses: list[int] = []
    errors: list[BaseException] = []

    def click(n: int) -> None:
        try:
            barrier.wait(timeout=10)
            statuses.append(clients[n].post(paths[n] + "/join", data={"csrf_token": tokens[n]}).status_code)
        except BaseException as error:  # reported by the assertion below
            errors.append(error)

    threads = [threading.Thread(target=click, args=(n,)) for n in range(len(paths))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert sorted(statuses) == [303, 409]
    with seeded.app_context():
        assert db.session.scalar(select(func.count()).select_from(Participant)) == 1
