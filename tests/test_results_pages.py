"""What the results pages show: an accessible chart with its table, the breakdowns, the sheets' contributions,
the metropolitan explanation and heatmap; in Italian and English; live refresh only while a session is open."""

import re

import pytest
from sqlalchemy import select

from consult.extensions import db
from consult.models import ActorState, Comment, ConsultationSession, Participant, ProjectProposal, Strategy
from consult.models.people import utcnow
from consult.participation import contributions
from tests.test_results_fixtures import (
    add_session,
    create_consultation,
    import_ballots,
    published_session,
    session_url,
    set_state,
)


@pytest.fixture
def session_with_sheets(app, runner, personas, tmp_path):
    """An open zone-1 session: 4 ballots from three categories and channels, two sheets, two projects (one
    hidden by a moderator), comments (one hidden)."""
    consultation = create_consultation(runner)
    session_id = add_session(runner, consultation, 1)
    import_ballots(
        runner, tmp_path, session_id,
        [["1.1", "1.2"], ["1.1"], ["1.3", "1.1"], ["1.2", "1.3"]],
        categories=["comune", "comune", "impresa", "scuola"],
    )  # fmt: skip
    with app.app_context():
        people = list(
            db.session.scalars(
                select(Participant).where(Participant.session_id == session_id).order_by(Participant.label)
            )
        )
        strategies = {s.code: s for s in db.session.scalars(select(Strategy).where(Strategy.code.in_(["1.1", "1.2"])))}
        s11 = strategies["1.1"]
        for person, actors, conditions in (
            (people[0], [("Unione montana", ActorState.ACTIVE), ("GAL Escartons", ActorState.TO_ACTIVATE)],
             {"tempi": "", "personale_dedicato": ""}),
            (people[1], [("unione  MONTANA", ActorState.ACTIVE)], {"tempi": ""}),
        ):  # fmt: skip
            contributions.save_sheet(
                person, s11, implementation="",
                priority_action_codes=[s11.actions[1].code, s11.actions[0].code],
                actors=[contributions.ActorInput(name, "comune", state) for name, state in actors],
                conditions=conditions,
            )  # fmt: skip
        shown = contributions.propose_project(
            people[0],
            s11,
            contributions.ProposalInput(title="Banda larga nelle valli", promoter="Unione montana Pinerolese"),
        )
        hidden = contributions.propose_project(people[1], s11, contributions.ProposalInput(title="Progetto nascosto"))
        contributions.support(people[2], shown)
        contributions.support(people[3], shown)
        contributions.add_comment(people[2], "Serve davvero.", strategy=s11)
        contributions.add_comment(people[3], "Sul progetto.", proposal=shown)
        gone = contributions.add_comment(people[3], "Fuori tema.", strategy=strategies["1.2"])
        hidden.hidden_at = gone.hidden_at = utcnow()
        db.session.commit()
    return session_id


def test_session_page_shows_chart_table_and_breakdowns(app, client_as, session_with_sheets):
    html = client_as("facilitator").get(session_url(app, session_with_sheets)).get_data(as_text=True)
    assert len(re.findall(r"<h1[ >]", html)) == 1
    # The chart: an image with a title and a description, the data in a table after it.
    svg = re.search(r'<svg class="results-chart-svg"[^>]*>', html).group(0)
    assert 'role="img"' in svg and 'aria-labelledby="ranking-chart-title ranking-chart-desc"' in svg
    assert '<title id="ranking-chart-title">' in html and '<desc id="ranking-chart-desc">' in html
    assert "style=" not in html  # the CSP allows no style attributes, SVG included
    assert html.index("results-chart-svg") < html.index('<table class="table table-sm results-table">')
    # Borda (n=3): 1.1 = 2 + 2 + 1 + 0 (unranked on a ballot of k=2: (3−2−1)/2) = 5 over 4 ballots = 1.25.
    assert "1,25" in html
    # Categories and channels.
    assert "Comune o unione di comuni" in html and "Impresa o associazione di categoria" in html
    assert re.search(r"Scheda cartacea</th><td class=\"text-end\">4<", html)
    # Priority actions, both chosen twice; projects with supports, the hidden one left out.
    assert html.count('<td class="text-end">2</td>') >= 2
    assert "Banda larga nelle valli" in html and "2 sostegni" in html and "Unione montana Pinerolese" in html
    assert "Progetto nascosto" not in html
    # Conditions matrix: "Tempi" twice, "Personale dedicato" once; actors merged across spellings.
    assert "Personale dedicato" in html and "Tempi" in html
    assert "Unione montana (2)" in html and "GAL Escartons (1)" in html
    # Live refresh while the session is open, with its script, and no inline script.
    assert 'data-results-refresh="results-live"' in html and "js/results-refresh.js" in html
    assert "<script>" not in html


def test_comment_counts_leave_hidden_comments_out(app, session_with_sheets):
    from consult.results import services

    with app.app_context():
        session = db.session.get(ConsultationSession, session_with_sheets)
        # 1.1: one comment on the strategy, one on its project; 1.2: its only comment was hidden.
        assert services.comment_counts([session]) == {"1.1": 2}
        actions = services.priority_actions([session])
        assert [(s.code, [n for _action, n in pairs]) for s, pairs in actions] == [("1.1", [2, 2])]
        tags, matrix = services.conditions_matrix([session])
        assert [tag.code for tag in tags] == ["personale_dedicato", "tempi"]
        assert [(s.code, counts) for s, counts in matrix] == [("1.1", [1, 2])]
        assert [(len(rows), rows[0].supports) for _s, rows in services.proposals([session])] == [(1, 2)]
        assert db.session.scalar(select(ProjectProposal).where(ProjectProposal.hidden_at.is_not(None))) is not None
        assert db.session.scalar(select(Comment).where(Comment.hidden_at.is_not(None))) is not None


def test_no_live_refresh_once_the_session_is_closed(app, client_as, runner, session_with_sheets):
    set_state(runner, session_with_sheets, "closed")
    html = client_as("planner").get(session_url(app, session_with_sheets)).get_data(as_text=True)
    assert "results-refresh.js" not in html and "Risultati provvisori" in html


def test_method_switcher_marks_the_current_method(app, client_as, session_with_sheets):
    html = (
        client_as("planner").get(session_url(app, session_with_sheets, "/results?method=top3")).get_data(as_text=True)
    )
    current = re.findall(r'<a class="btn btn-primary btn-sm" href="([^"]+)" aria-current="page">([^<]+)</a>', html)
    assert current == [(f"{session_url(app, session_with_sheets)}?method=top3", "Quota tra le prime tre")]
    assert "75%" in html  # 1.1 is in the first three of 3 of the 4 ballots


@pytest.mark.parametrize("language", ["it", "en"])
def test_metropolitan_page_explains_itself(app, client, runner, seeded, tmp_path, language):
    consultation = create_consultation(runner)
    published_session(runner, tmp_path, consultation, 1, [["1.1", "1.2"], ["1.2"]])
    published_session(runner, tmp_path, consultation, 5, [["1.3", "1.1"]])
    html = client.get(f"/consultations/{consultation}/results?weighting=participants",
                      headers={"Accept-Language": language}).get_data(as_text=True)  # fmt: skip
    assert f'<html lang="{language}">' in html
    assert len(re.findall(r"<h1[ >]", html)) == 1
    words = {
        "it": ["Come è stato contato", "Prima si conta ogni Zona omogenea", "Zone alla pari", "Per partecipanti",
               "Mappa delle posizioni per zona", "Legenda dei colori", "Le prime cinque strategie di ogni zona"],
        "en": ["How it was counted", "First each homogeneous zone is counted", "Zones on an equal footing",
               "By participants", "Map of positions by zone", "Colour key", "Each zone's top five strategies"],
    }[language]  # fmt: skip
    for word in words:
        assert word in html, word
    # The heatmap: every cell has its number and a colour class; zone 1 puts 1.1 first.
    assert re.search(r'<td class="text-center heat-1">1</td>', html)
    assert "metro-chart-title" in html and "style=" not in html


def test_empty_metropolitan_page(client, runner, seeded):
    consultation = create_consultation(runner)
    html = client.get(f"/consultations/{consultation}/results").get_data(as_text=True)
    assert "Non ci sono ancora risultati da mostrare" in html
    assert client.get(f"/api/v1/consultations/{consultation}/results").get_json()["ranking"][0]["rank"] == 1
