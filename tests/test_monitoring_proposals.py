"""Participation: a proposal that builds on an activity already under way, and where that shows."""

import csv
import io

from sqlalchemy import select

from consult.extensions import db
from consult.models import MonitoredActivity, ProjectProposal, ProposalActivity
from tests.participation_helpers import make_session
from tests.test_proposals_comments import PROPOSAL, propose, two  # noqa: F401 (fixture)
from tests.test_sheets import base_url, join_and_rank


def ferroviario(app) -> int:
    with app.app_context():
        return db.session.scalar(
            select(MonitoredActivity.id).where(MonitoredActivity.text.like("Completare il Sistema Ferroviario%"))
        )


def test_a_zone_1_participant_links_a_proposal_to_an_activity(app, monitoring, two):  # noqa: F811 (the imported fixture)
    form = two["author"].get(f"{two['base']}/strategies/1.1/proposals/new").get_data(as_text=True)
    activity_id = ferroviario(app)
    assert f'<option value="{activity_id}">Completare il Sistema Ferroviario' in form
    assert 'data-filter-select="monitored_activity"' in form
    proposal_id = propose(two, monitored_activity=str(activity_id))
    with app.app_context():
        assert db.session.get(ProposalActivity, proposal_id).activity_id == activity_id
    page = two["other"].get(f"{two['base']}/proposals/{proposal_id}").get_data(as_text=True)
    assert "Si basa su un’attività già in corso" in page and f"/monitoring/activities/{activity_id}" in page
    # The results page and the download say what the proposal builds on.
    results = two["other"].get(f"{two['base']}/results").get_data(as_text=True)
    assert "Si basa su un’attività già in corso" in results and f"/monitoring/activities/{activity_id}" in results
    download = two["other"].get(f"{two['base']}/results.csv?table=projects").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(download[1:])))
    header = rows[rows.index([]) + 1]
    row = rows[rows.index([]) + 2]
    assert header[-1] == "Attività già in corso su cui si basa"
    assert row[-1].startswith("Città di Torino — Rendiconto 2023, M10.P5: Completare il Sistema Ferroviario")
    # So do the contributions: their page, the results' JSON download and the API, for the synthesis.
    label = "Città di Torino — Rendiconto 2023, M10.P5: Completare il Sistema Ferroviario"
    contributions = two["other"].get(f"{two['base']}/contributions").get_data(as_text=True)
    assert "Attività già in corso su cui si basa" in contributions and label in contributions
    session_id = two["base"].rstrip("/").split("/")[-1]
    for answer in (
        two["other"].get(f"{two['base']}/results.json").get_json()["contributions"],
        two["other"].get(f"/api/v1/sessions/{session_id}/contributions").get_json()["contributions"],
    ):
        [proposal] = [item for item in answer if item["id"] == f"proposal-{proposal_id}"]
        fields = {field["label"]: field["value"] for field in proposal["fields"]}
        assert fields["Attività già in corso su cui si basa"].startswith(label)
    # Editing the proposal keeps the choice shown, and clearing it removes the link.
    edit = two["author"].get(f"{two['base']}/proposals/{proposal_id}/edit").get_data(as_text=True)
    assert f'<option value="{activity_id}" selected>' in edit
    data = {"csrf_token": two["tokens"]["author"], **PROPOSAL, "monitored_activity": ""}
    assert two["author"].post(f"{two['base']}/proposals/{proposal_id}/edit", data=data).status_code == 303
    with app.app_context():
        assert db.session.get(ProposalActivity, proposal_id) is None


def test_an_activity_of_another_zone_is_refused_and_nothing_is_written(app, monitoring, client_as, runner):
    session_id = make_session(runner, zone=2)
    author = client_as("stakeholder")
    token = join_and_rank(author, session_id, zone=2)
    base = base_url(session_id, zone=2)
    form = author.get(f"{base}/strategies/1.1/proposals/new").get_data(as_text=True)
    assert "monitored_activity" not in form  # Torino's report belongs to Zona 1
    data = {"csrf_token": token, **PROPOSAL, "monitored_activity": str(ferroviario(app))}
    response = author.post(f"{base}/strategies/1.1/proposals/new", data=data)
    assert response.status_code == 422
    assert "non riguarda questa zona" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(ProjectProposal)) is None
