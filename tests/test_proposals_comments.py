"""Project proposals, supports and comments in a session."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from consult import create_app
from consult.extensions import db, limiter
from consult.models import (
    Comment,
    CommentReport,
    Competence,
    Funding,
    ProjectProposal,
    ProjectStatus,
    ProposalSupport,
    User,
)
from consult.models.people import utcnow
from tests.conftest import PERSONAS, _testing, csrf_token
from tests.participation_helpers import make_session
from tests.test_sheets import base_url, join_and_rank

PROPOSAL = {
    "title": "Comunità energetica della Val Pellice",
    "description": "Pannelli sui tetti delle scuole.",
    "promoter": "Unione montana",
    "municipalities": "Torre Pellice, Luserna San Giovanni",
    "actions": ["1.1.1", "1.1.2"],
    "funding": "pnrr",
    "status": "in_progettazione",
    "competence": "enti_locali",
    "related_plans": ["ptgm", "altro"],
    "related_plans_other": "Piano clima",
    "link": "https://example.org/cer",
}


@pytest.fixture
def two(client_as, runner):
    """An open session in zone 1 with two participants: the stakeholder (author) and the planner (other)."""
    session_id = make_session(runner)
    author, other = client_as("stakeholder"), client_as("planner")
    tokens = {"author": join_and_rank(author, session_id), "other": join_and_rank(other, session_id)}
    return {"id": session_id, "base": base_url(session_id), "author": author, "other": other, "tokens": tokens}


def propose(two, strategy="1.1", **changes) -> int:
    data = {"csrf_token": two["tokens"]["author"], **PROPOSAL, **changes}
    response = two["author"].post(f"{two['base']}/strategies/{strategy}/proposals/new", data=data)
    assert response.status_code == 303, response.get_data(as_text=True)
    assert response.headers["Location"] == f"{two['base']}/strategies/{strategy}#projects"
    sheet = two["author"].get(response.headers["Location"]).get_data(as_text=True)
    return max(int(found) for found in re.findall(r"/proposals/(\d+)/edit", sheet))  # the newest


def comment(two, who="author", **fields):
    return two[who].post(f"{two['base']}/comments", data={"csrf_token": two["tokens"][who], **fields})


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


# --- proposals -------------------------------------------------------------------------------------


def test_a_proposal_is_created_from_the_sheet_with_every_field(app, two):
    form = two["author"].get(f"{two['base']}/strategies/1.1/proposals/new")
    assert form.status_code == 200
    html = form.get_data(as_text=True)
    assert "Livello di competenza" in html and "altri livelli di governo" in html
    assert 'name="actions" value="1.1.3"' in html
    proposal_id = propose(two)
    with app.app_context():
        proposal = db.session.get(ProjectProposal, proposal_id)
        assert proposal.title == PROPOSAL["title"]
        assert [action.code for action in proposal.actions] == ["1.1.1", "1.1.2"]
        assert proposal.funding == Funding.PNRR
        assert proposal.status == ProjectStatus.DESIGN
        assert proposal.competence == Competence.LOCAL
        assert proposal.related_plans == ["ptgm", "altro"]
        assert proposal.related_plans_other == "Piano clima"
        assert proposal.link == "https://example.org/cer"
    sheet = two["author"].get(f"{two['base']}/strategies/1.1").get_data(as_text=True)
    assert PROPOSAL["title"] in sheet
    assert f"/proposals/{proposal_id}/edit" in sheet
    page = two["other"].get(f"{two['base']}/proposals/{proposal_id}").get_data(as_text=True)
    assert "PTGM, Piano clima" in page
    assert 'href="https://example.org/cer" rel="nofollow' in page
    assert "Degli enti locali" in page


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"title": "  "}, "Scrivi il titolo del progetto."),
        ({"link": "javascript:alert(1)"}, "Il link deve iniziare con https:// o http://."),
        ({"link": "https://"}, "Il link deve iniziare con https:// o http://."),
        ({"actions": ["2.1.1"]}, "Le azioni 2.1.1 non appartengono alla strategia 1.1."),
        ({"funding": "bitcoin"}, "Non è una opzione valida"),  # WTForms' own message, translated
        ({"related_plans": ["piano_segreto"]}, "piano_segreto"),
    ],
)
def test_bad_proposals_are_refused_and_nothing_is_saved(app, two, changes, message):
    data = {"csrf_token": two["tokens"]["author"], **PROPOSAL, **changes}
    response = two["author"].post(f"{two['base']}/strategies/1.1/proposals/new", data=data)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in html, html[html.find("error-summary") :][:600]
    assert "Comunità energetica" in html or changes.get("title")  # what was typed is kept
    assert count(app, ProjectProposal) == 0


def test_only_the_author_edits_a_proposal(app, two):
    proposal_id = propose(two)
    url = f"{two['base']}/proposals/{proposal_id}/edit"
    page = two["author"].get(url)
    assert page.status_code == 200
    assert 'value="Comunità energetica della Val Pellice"' in page.get_data(as_text=True)
    html = page.get_data(as_text=True)
    assert re.search(r'<input checked[^>]*name="competence"[^>]*value="enti_locali"', html)
    assert re.search(r'<option selected value="pnrr">', html)
    assert 'value="1.1.2" id="actions-1" checked' in html
    assert 'value="ptgm" id="related_plans-0" checked' in html
    assert 'value="https://example.org/cer"' in html
    data = {"csrf_token": two["tokens"]["author"], **PROPOSAL, "title": "CER Val Pellice", "actions": ["1.1.3"]}
    response = two["author"].post(url, data=data)
    assert response.status_code == 303
    assert response.headers["Location"] == f"{two['base']}/proposals/{proposal_id}"
    with app.app_context():
        proposal = db.session.get(ProjectProposal, proposal_id)
        assert proposal.title == "CER Val Pellice"
        assert [action.code for action in proposal.actions] == ["1.1.3"]

    assert two["other"].get(url).status_code == 403
    data = {"csrf_token": two["tokens"]["other"], **PROPOSAL, "title": "Rubato"}
    assert two["other"].post(url, data=data).status_code == 403
    with app.app_context():
        assert db.session.get(ProjectProposal, proposal_id).title == "CER Val Pellice"


def test_the_list_groups_visible_proposals_by_strategy(app, two):
    first = propose(two, "1.1")
    propose(two, "2.1", title="Ciclovia del Chisone", actions=["2.1.1"])
    hidden = propose(two, "1.1", title="Proposta nascosta")
    with app.app_context():
        db.session.get(ProjectProposal, hidden).hidden_at = utcnow()
        db.session.commit()
    response = two["other"].get(f"{two['base']}/proposals")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert html.index('id="strategy-1.1"') < html.index(PROPOSAL["title"]) < html.index('id="strategy-2.1"')
    assert html.index('id="strategy-2.1"') < html.index("Ciclovia del Chisone")
    # Hidden: a notice in its place, never a silent deletion; its page says so and shows nothing of it.
    assert "Proposta nascosta" not in html and "Progetto nascosto dai moderatori" in html
    assert f"/proposals/{first}/support" in html
    page = two["other"].get(f"{two['base']}/proposals/{hidden}")
    assert page.status_code == 200
    assert "Proposta nascosta" not in page.get_data(as_text=True)
    assert "nascosto dai moderatori" in page.get_data(as_text=True)
    # The author sees their own proposals without a support button.
    own = two["author"].get(f"{two['base']}/proposals").get_data(as_text=True)
    assert f"/proposals/{first}/support" not in own and "Proposto da te" in own


def test_support_once_never_ones_own_and_withdraw(app, two):
    proposal_id = propose(two)
    url = f"{two['base']}/proposals/{proposal_id}"
    response = two["other"].post(url + "/support", data={"csrf_token": two["tokens"]["other"]})
    assert response.status_code == 303
    assert response.headers["Location"] == f"{two['base']}/proposals#proposal-{proposal_id}"
    assert "1 sostegno" in two["other"].get(f"{two['base']}/proposals").get_data(as_text=True)

    again = two["other"].post(url + "/support", data={"csrf_token": two["tokens"]["other"]})
    assert again.status_code == 409
    assert "Sostieni già questo progetto." in again.get_data(as_text=True)
    own = two["author"].post(url + "/support", data={"csrf_token": two["tokens"]["author"], "back": "proposal"})
    assert own.status_code == 409
    assert "Non puoi sostenere un progetto che hai proposto tu." in own.get_data(as_text=True)
    assert count(app, ProposalSupport) == 1

    response = two["other"].post(url + "/unsupport", data={"csrf_token": two["tokens"]["other"], "back": "proposal"})
    assert response.status_code == 303 and response.headers["Location"] == url
    assert count(app, ProposalSupport) == 0
    assert "0 sostegni" in two["other"].get(url).get_data(as_text=True)


def test_a_closed_session_takes_no_proposals_or_supports(app, two, runner):
    proposal_id = propose(two)
    runner.invoke(args=["sessions", "set-state", str(two["id"]), "closed"])
    data = {"csrf_token": two["tokens"]["author"], **PROPOSAL}
    assert two["author"].post(f"{two['base']}/strategies/1.1/proposals/new", data=data).status_code == 409
    assert two["author"].get(f"{two['base']}/strategies/1.1/proposals/new").status_code == 302
    support = two["other"].post(
        f"{two['base']}/proposals/{proposal_id}/support", data={"csrf_token": two["tokens"]["other"]}
    )
    assert support.status_code == 409
    assert count(app, ProjectProposal) == 1 and count(app, ProposalSupport) == 0


# --- comments --------------------------------------------------------------------------------------


def test_comments_and_one_level_of_replies(app, two):
    response = comment(two, strategy="1.1", body="Serve un coordinamento di zona.")
    assert response.status_code == 303
    with app.app_context():
        first = db.session.scalar(select(Comment.id))
    assert response.headers["Location"] == f"{two['base']}/strategies/1.1/discussion#comment-{first}"

    response = comment(two, "other", parent=str(first), body="D'accordo, con i comuni piccoli.")
    assert response.status_code == 303
    with app.app_context():
        reply = db.session.scalar(select(Comment).where(Comment.parent_id == first))
        assert reply.strategy_id is not None and reply.proposal_id is None
        reply_id = reply.id

    refused = comment(two, parent=str(reply_id), body="Una risposta alla risposta")
    assert refused.status_code == 422
    assert "Si può rispondere solo ai commenti, non alle risposte." in refused.get_data(as_text=True)
    assert count(app, Comment) == 2

    page = two["author"].get(f"{two['base']}/strategies/1.1/discussion")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert html.index("Serve un coordinamento") < html.index("con i comuni piccoli")
    assert "Stakeholder" in html and "Planner" in html  # authors' display names
    # The sheet counts the comments and links to the discussion.
    sheet = two["author"].get(f"{two['base']}/strategies/1.1").get_data(as_text=True)
    assert "2 commenti sulla strategia" in sheet
    assert f'href="{two["base"]}/strategies/1.1/discussion"' in sheet


def test_comments_on_a_proposal(app, two):
    proposal_id = propose(two)
    response = comment(two, "other", proposal=str(proposal_id), body="Quante scuole?")
    assert response.status_code == 303
    assert response.headers["Location"].startswith(f"{two['base']}/proposals/{proposal_id}#comment-")
    page = two["author"].get(f"{two['base']}/proposals/{proposal_id}").get_data(as_text=True)
    assert "Quante scuole?" in page
    # Not shown in the strategy's discussion.
    assert "Quante scuole?" not in two["author"].get(f"{two['base']}/strategies/1.1/discussion").get_data(as_text=True)


def test_an_empty_comment_or_no_target_is_refused(app, two):
    response = comment(two, strategy="1.1", body="   ")
    assert response.status_code == 422
    assert "Il commento è vuoto." in response.get_data(as_text=True)
    assert comment(two, body="Su che cosa?").status_code == 400
    assert comment(two, strategy="9.9", body="x").status_code == 404
    assert comment(two, proposal="abc", body="x").status_code == 404
    assert count(app, Comment) == 0


def test_user_text_is_escaped_and_links_are_nofollow(app, two):
    body = '<script>alert("x")</script> <b>grassetto</b> vedi https://example.org/piano'
    assert comment(two, strategy="1.1", body=body).status_code == 303
    html = two["other"].get(f"{two['base']}/strategies/1.1/discussion").get_data(as_text=True)
    assert "<script>alert" not in html and "<b>grassetto" not in html
    assert "&lt;script&gt;" in html and "&lt;b&gt;grassetto&lt;/b&gt;" in html
    link = re.search(r'<a href="https://example.org/piano"[^>]*>', html)
    assert link and 'rel="nofollow' in link[0]


def test_the_author_edits_within_the_window_only(app, two):
    comment(two, strategy="1.1", body="Prima versione")
    with app.app_context():
        comment_id = db.session.scalar(select(Comment.id))
    url = f"{two['base']}/comments/{comment_id}/edit"
    assert "Prima versione" in two["author"].get(url).get_data(as_text=True)
    discussion = two["author"].get(f"{two['base']}/strategies/1.1/discussion").get_data(as_text=True)
    assert url in discussion
    response = two["author"].post(url, data={"csrf_token": two["tokens"]["author"], "body": "Seconda versione"})
    assert response.status_code == 303
    with app.app_context():
        edited = db.session.get(Comment, comment_id)
        assert edited.body == "Seconda versione" and edited.edited_at is not None

    assert two["other"].get(url).status_code == 403
    assert two["other"].post(url, data={"csrf_token": two["tokens"]["other"], "body": "Mio!"}).status_code == 403

    with app.app_context():
        db.session.get(Comment, comment_id).created_at = utcnow() - timedelta(minutes=16)
        db.session.commit()
    late = two["author"].get(url)
    assert late.status_code == 409
    assert "primi 15 minuti" in late.get_data(as_text=True)
    response = two["author"].post(url, data={"csrf_token": two["tokens"]["author"], "body": "Terza versione"})
    assert response.status_code == 409
    with app.app_context():
        assert db.session.get(Comment, comment_id).body == "Seconda versione"
    discussion = two["author"].get(f"{two['base']}/strategies/1.1/discussion").get_data(as_text=True)
    assert url not in discussion  # no edit link any more


def test_report_a_comment(app, two):
    comment(two, strategy="1.1", body="Testo discutibile")
    with app.app_context():
        comment_id = db.session.scalar(select(Comment.id))
    url = f"{two['base']}/comments/{comment_id}/report"
    response = two["other"].post(url, data={"csrf_token": two["tokens"]["other"], "reason": "Fuori tema"})
    assert response.status_code == 303
    page = two["other"].get(response.headers["Location"]).get_data(as_text=True)
    assert "i moderatori esamineranno il commento" in page
    with app.app_context():
        report = db.session.scalar(select(CommentReport))
        assert report.reason == "Fuori tema" and report.comment_id == comment_id
    # Reporting twice keeps one report; one's own comment cannot be reported.
    assert two["other"].post(url, data={"csrf_token": two["tokens"]["other"]}).status_code == 303
    assert count(app, CommentReport) == 1
    assert two["author"].post(url, data={"csrf_token": two["tokens"]["author"]}).status_code == 409


def test_a_hidden_comment_shows_a_placeholder(app, two):
    comment(two, strategy="1.1", body="Testo offensivo")
    with app.app_context():
        db.session.scalar(select(Comment)).hidden_at = utcnow()
        db.session.commit()
    html = two["other"].get(f"{two['base']}/strategies/1.1/discussion").get_data(as_text=True)
    assert "Commento nascosto dai moderatori" in html
    assert "Testo offensivo" not in html
    # Hidden comments do not count on the sheet.
    assert "0 commenti sulla strategia" in two["other"].get(f"{two['base']}/strategies/1.1").get_data(as_text=True)


def test_how_authors_are_named(app, two, client, runner):
    # A code holder with a name, then one without: their category in the current language.
    for name in ("Anna", ""):
        code = runner.invoke(args=["codes", "generate", str(two["id"]), "1"]).output.strip()
        holder = app.test_client()
        token = csrf_token(holder, two["base"])
        data = {"csrf_token": token, "code": code, "category": "cittadino", "name": name}
        assert holder.post("/join", data=data).status_code == 303
        holder.post(f"{two['base']}/comments", data={"csrf_token": token, "strategy": "1.1", "body": f"Da {name}?"})
    comment(two, strategy="1.1", body="Dallo stakeholder")
    url = f"{two['base']}/strategies/1.1/discussion"
    html = two["other"].get(url).get_data(as_text=True)
    assert ">Anna<" in html
    assert "Partecipante (Cittadina/o)" in html
    assert ">Stakeholder<" in html
    english = two["other"].get(url, headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "(Citizen)" in english
    # A deleted account: anonymous, with the category it had.
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == PERSONAS["stakeholder"].email))
        user.deleted_at = utcnow()
        db.session.commit()
    html = two["other"].get(url).get_data(as_text=True)
    assert "Partecipante anonimo (Comune o unione di comuni)" in html
    assert ">Stakeholder<" not in html


def test_comments_need_the_csrf_token(app, two):
    response = two["author"].post(f"{two['base']}/comments", data={"strategy": "1.1", "body": "Senza token"})
    assert response.status_code == 400
    assert count(app, Comment) == 0


def test_a_participant_of_another_session_cannot_post_here(app, two, client_as, runner):
    """Rows of another session are 404; someone who has not joined this session is sent to join it."""
    proposal_id = propose(two)
    comment(two, strategy="1.1", body="Nella prima sessione")
    with app.app_context():
        comment_id = db.session.scalar(select(Comment.id))
    other_session = make_session(runner, zone=1)
    elsewhere = client_as("admin")
    token = join_and_rank(elsewhere, other_session)
    other_base = base_url(other_session)
    # From their own session, at rows of the first one: 404, nothing saved.
    post = elsewhere.post
    assert (
        post(f"{other_base}/comments", data={"csrf_token": token, "proposal": proposal_id, "body": "x"}).status_code
        == 404
    )
    assert (
        post(f"{other_base}/comments", data={"csrf_token": token, "parent": comment_id, "body": "x"}).status_code == 404
    )
    assert post(f"{other_base}/proposals/{proposal_id}/support", data={"csrf_token": token}).status_code == 404
    assert post(f"{other_base}/comments/{comment_id}/report", data={"csrf_token": token}).status_code == 404
    assert post(f"{other_base}/comments/{comment_id}/edit", data={"csrf_token": token, "body": "x"}).status_code == 404
    assert elsewhere.get(f"{other_base}/proposals/{proposal_id}").status_code == 404
    # At the first session's own addresses: not a participant there, so sent to its page to join.
    response = post(f"{two['base']}/comments", data={"csrf_token": token, "strategy": "1.1", "body": "x"})
    assert response.status_code == 303 and response.headers["Location"] == two["base"]
    response = post(f"{two['base']}/proposals/{proposal_id}/support", data={"csrf_token": token})
    assert response.status_code == 303
    assert count(app, Comment) == 1 and count(app, ProposalSupport) == 0 and count(app, CommentReport) == 0


def test_rate_limits_are_per_participant_not_per_address(database_url, two, runner):
    """Two code holders in the same room (one address): one reaching the limit does not stop the other."""
    limited = create_app({**_testing(), "SQLALCHEMY_DATABASE_URI": database_url, "RATELIMIT_ENABLED": True})
    try:
        clients = []
        for _n in range(2):
            code = runner.invoke(args=["codes", "generate", str(two["id"]), "1"]).output.strip()
            client = limited.test_client()
            token = csrf_token(client, two["base"])
            client.post("/join", data={"csrf_token": token, "code": code, "category": "cittadino"})
            clients.append((client, token))
        (first, first_token), (second, second_token) = clients
        statuses = [
            first.post(
                f"{two['base']}/comments", data={"csrf_token": first_token, "strategy": "1.1", "body": f"n{n}"}
            ).status_code
            for n in range(31)
        ]
        assert statuses[:30] == [303] * 30 and statuses[30] == 429
        response = second.post(
            f"{two['base']}/comments", data={"csrf_token": second_token, "strategy": "1.1", "body": "io"}
        )
        assert response.status_code == 303
    finally:
        limiter.reset()
        with limited.app_context():
            db.engine.dispose()
