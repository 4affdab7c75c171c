"""Metropolitan results by hand: two zones that disagree, counted with each weighting; recounting when a
ballot changes; what the figures shown mean; bad arguments.

The case (Borda, three strategies X = 1.1, Y = 1.2, Z = 1.3; positions earn 2, 1, 0 points):

  Zone 1, Torino (population 869,312), 3 ballots:  X>Y>Z, X>Y>Z, Y>X>Z
      X = 2+2+1 = 5, Y = 1+1+2 = 4, Z = 0          → zone ranking X > Y > Z
  Zone 2, AMT Ovest (population 225,202), 5 ballots: Z>Y>X, Z>Y>X, Y>Z>X, Y>Z>X, Z>X>Y
      Z = 2+2+1+1+2 = 8, Y = 1+1+2+2+0 = 6, X = 0+0+0+0+1 = 1 → zone ranking Z > Y > X

Each zone's ranking becomes one ballot: zone 1's X>Y>Z, zone 2's Z>Y>X.
  equal (1 and 1):               X = 2, Y = 1+1 = 2, Z = 2           → X = Y = Z, all first
  population (869,312; 225,202): X = 2×869,312 = 1,738,624; Y = 869,312+225,202 = 1,094,514;
                                 Z = 2×225,202 = 450,404             → X > Y > Z
  participants (3 and 5):        X = 2×3 = 6, Y = 3+5 = 8, Z = 2×5 = 10 → Z > Y > X
  pooled (all 8 ballots):        X = 5+1 = 6, Y = 4+6 = 10, Z = 0+8 = 8 → Y > Z > X
"""

import pytest
from sqlalchemy import select

from consult.extensions import db
from consult.models import Consultation, ConsultationSession
from consult.results import services
from tests.test_results_fixtures import (
    add_session,
    create_consultation,
    import_ballots,
    open_session,
    order,
    published_session,
    session_url,
)

ZONE_1 = [["1.1", "1.2", "1.3"], ["1.1", "1.2", "1.3"], ["1.2", "1.1", "1.3"]]
ZONE_2 = [
    ["1.3", "1.2", "1.1"],
    ["1.3", "1.2", "1.1"],
    ["1.2", "1.3", "1.1"],
    ["1.2", "1.3", "1.1"],
    ["1.3", "1.1", "1.2"],
]


@pytest.fixture
def disagreeing(app, runner, personas, tmp_path):
    consultation = create_consultation(runner)
    published_session(runner, tmp_path, consultation, 1, ZONE_1)
    published_session(runner, tmp_path, consultation, 2, ZONE_2)
    return consultation


@pytest.mark.parametrize(
    ("weighting", "expected", "scores"),
    [
        ("equal", [("1.1", 1), ("1.2", 1), ("1.3", 1)], [2, 2, 2]),
        ("population", [("1.1", 1), ("1.2", 2), ("1.3", 3)], [1_738_624, 1_094_514, 450_404]),
        ("participants", [("1.3", 1), ("1.2", 2), ("1.1", 3)], [10, 8, 6]),
        ("pooled", [("1.2", 1), ("1.3", 2), ("1.1", 3)], [10, 8, 6]),
    ],
)
def test_each_weighting_gives_its_own_order(client, disagreeing, weighting, expected, scores):
    data = client.get(f"/api/v1/consultations/{disagreeing}/results?method=borda&weighting={weighting}").get_json()
    assert order(data["ranking"]) == expected
    assert [row["score"] for row in data["ranking"]] == pytest.approx(scores)
    assert data["ballots"] == 8 and data["weighting"] == weighting
    zones = {zone["code"]: zone for zone in data["zones"]}
    assert order(zones[1]["ranking"]) == [("1.1", 1), ("1.2", 2), ("1.3", 3)]
    assert [row["score"] for row in zones[1]["ranking"]] == [5, 4, 0]
    assert order(zones[2]["ranking"]) == [("1.3", 1), ("1.2", 2), ("1.1", 3)]
    assert [row["score"] for row in zones[2]["ranking"]] == [8, 6, 1]
    assert (zones[1]["ballots"], zones[2]["ballots"]) == (3, 5)
    weights = {"equal": (1, 1), "population": (869_312, 225_202), "participants": (3, 5), "pooled": (None, None)}
    assert (zones[1]["weight"], zones[2]["weight"]) == weights[weighting]


def test_the_page_shows_average_points_not_population_totals(client, disagreeing):
    # Population weighting: X's 1,738,624 points over a total weight of 1,094,514 = 1.59 points per ballot
    # (the most a strategy can get is n − 1 = 2).
    html = client.get(f"/consultations/{disagreeing}/results?weighting=population").get_data(as_text=True)
    assert "1,59" in html
    assert "1.738.624" not in html and "1738624" not in html
    # Participants: shares of the weight are 3/8 and 5/8.
    html = client.get(f"/consultations/{disagreeing}/results?weighting=participants").get_data(as_text=True)
    assert "37,5%" in html and "62,5%" in html


def test_figures_per_method(app, disagreeing):
    from consult.results import texts

    with app.test_request_context():
        consultation = db.session.get(Consultation, disagreeing)
        pooled = services.ConsultationView(consultation, "top3", "pooled", published_only=True)
        # All 8 ballots rank all three strategies: each is in every ballot's first three.
        assert [f.text for f in texts.figures(pooled.result, {})] == ["100%"] * 3
        mean = services.ConsultationView(consultation, "mean", "pooled", published_only=True)
        # Y: places 2,2,1 in zone 1 and 2,2,1,1,3 in zone 2 = 14/8 = 1.75
        assert texts.figures(mean.result, {})[0].text == "1,75"
        schulze = services.ConsultationView(consultation, "schulze", "pooled", published_only=True)
        assert [f.text for f in texts.figures(schulze.result, {})] == ["2", "1", "0"]


def test_a_changed_ballot_is_counted_again(app, client_as, runner, tmp_path):
    consultation = create_consultation(runner)
    session_id = open_session(runner, tmp_path, consultation, 1, [["1.1", "1.2"], ["1.1"], ["1.2"]])
    planner = client_as("planner")
    api = f"/api/v1/sessions/{session_id}/results?method=borda"
    assert order(planner.get(api).get_json()["ranking"])[0] == ("1.1", 1)
    metro = f"/api/v1/consultations/{consultation}/results"
    assert order(planner.get(metro).get_json()["ranking"])[0] == ("1.1", 1)
    # The same labels again: P1 and P2 now put 1.3 first. Cached results must not survive the change.
    import_ballots(runner, tmp_path, session_id, [["1.3", "1.2"], ["1.3"]])
    with app.app_context():
        # Once per import, not once per ballot (a big import holds the session row only for a moment).
        assert db.session.get(ConsultationSession, session_id).ballots_version == 2
    assert order(planner.get(api).get_json()["ranking"])[0] == ("1.3", 1)
    assert order(planner.get(metro).get_json()["ranking"])[0] == ("1.3", 1)
    html = planner.get(session_url(app, session_id)).get_data(as_text=True)
    assert html.index('class="results-chart-code">1.3<') < html.index('class="results-chart-code">1.1<')


def test_cached_zone_facts_outlive_the_request_that_counted_them(app, client_as, disagreeing):
    # The cache holds zone facts, not database rows: a row from a finished request (expired by its commit,
    # here the audit log of a download) would fail to load in the next one.
    planner = client_as("planner")
    assert planner.get(f"/consultations/{disagreeing}/results.json").status_code == 200
    assert planner.get(f"/consultations/{disagreeing}/results").status_code == 200
    data = planner.get(f"/api/v1/consultations/{disagreeing}/results").get_json()
    assert [zone["name"] for zone in data["zones"]] == ["Torino", "AMT Ovest (Area metropolitana Torino Ovest)"]


def test_a_reused_session_id_does_not_get_stale_results(app, client, runner, seeded, tmp_path):
    # SQLite hands out id 1 again once a table is emptied (as between tests, or a database reset): a new
    # session with the old one's id and ballots_version must not be served the old one's cached results.
    def fresh_session(codes):
        consultation = create_consultation(runner)
        session_id = published_session(runner, tmp_path, consultation, 1, [codes])
        return session_id, client.get(f"/api/v1/sessions/{session_id}/results").get_json()

    first_id, first = fresh_session(["1.1"])
    assert order(first["ranking"])[0] == ("1.1", 1)
    with app.app_context():
        db.session.remove()
        with db.engine.begin() as connection:
            for table in reversed(db.metadata.sorted_tables):
                connection.execute(table.delete())
    runner.invoke(args=["seed"])
    second_id, second = fresh_session(["1.3"])
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        assert second_id == first_id  # the case this test is about
    assert order(second["ranking"])[0] == ("1.3", 1)


def test_category_filter(app, client_as, runner, tmp_path):
    consultation = create_consultation(runner)
    session_id = add_session(runner, consultation, 1)
    import_ballots(
        runner, tmp_path, session_id, [["1.1"], ["1.1", "1.2"], ["1.3"]], categories=["comune", "scuola", "impresa"]
    )
    planner = client_as("planner")
    data = planner.get(f"/api/v1/sessions/{session_id}/results?category=impresa").get_json()
    assert data["ballots"] == 1 and data["category"] == "impresa"
    assert order(data["ranking"])[0] == ("1.3", 1)
    data = planner.get(f"/api/v1/sessions/{session_id}/results").get_json()
    assert data["ballots"] == 3 and order(data["ranking"])[0] == ("1.1", 1)
    html = planner.get(session_url(app, session_id, "/results?category=impresa")).get_data(as_text=True)
    assert "Solo la categoria" in html


@pytest.mark.parametrize(
    "query",
    ["method=plurality", "weighting=area", "method=", "method=borda&weighting=Equal"],
)
def test_unknown_method_or_weighting_is_400(client, disagreeing, query):
    api = client.get(f"/api/v1/consultations/{disagreeing}/results?{query}")
    assert api.status_code == 400
    message = api.get_json()["message"]
    assert "Valori ammessi" in message
    assert client.get(f"/consultations/{disagreeing}/results?{query}").status_code == 400
    assert client.get(f"/consultations/{disagreeing}/results.csv?{query}").status_code == 400


def test_unknown_category_table_or_separator_is_400(app, client, disagreeing):
    with app.app_context():
        session_id = db.session.scalar(select(ConsultationSession.id).limit(1))
    assert client.get(f"/api/v1/sessions/{session_id}/results?category=marziani").status_code == 400
    assert client.get(f"/api/v1/sessions/{session_id}/results?method=irv").status_code == 400
    url = session_url(app, session_id)
    assert client.get(url + "?category=marziani").status_code == 400
    assert client.get(url.replace("/results", "/results.csv") + "?table=nothing").status_code == 400
    assert client.get(url.replace("/results", "/results.csv") + "?sep=tab").status_code == 400
    assert client.get(url.replace("/results", "/results.docx")).status_code == 404
