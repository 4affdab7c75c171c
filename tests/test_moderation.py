"""Moderation: reports of comments and proposals, the zone's queue, hide / restore / keep with a reason,
and what the room and the author see afterwards."""

import pytest
from sqlalchemy import func, select

from consult.errors import DomainError
from consult.extensions import db
from consult.models import AuditEvent, Comment, CommentReport, ProjectProposal, ProposalReport, User
from tests.conftest import csrf_token
from tests.participation_helpers import make_session
from tests.test_proposals_comments import comment, propose, two  # noqa: F401 (fixture)
from tests.test_sheets import join_and_rank

QUEUE = "/zones/1/moderation"


@pytest.fixture
def moderator(client_as):
    client = client_as("facilitator")
    return {"client": client, "token": csrf_token(client, QUEUE)}


def decide(moderator, kind, item_id, decision, reason="", zone=1):
    return moderator["client"].post(
        f"/zones/{zone}/moderation/{kind}/{item_id}",
        data={"csrf_token": moderator["token"], "decision": decision, "reason": reason},
    )


def reported_comment(app, two, body="Testo offensivo", reason="Linguaggio offensivo") -> int:  # noqa: F811
    comment(two, strategy="1.1", body=body)
    with app.app_context():
        comment_id = db.session.scalar(select(func.max(Comment.id)))
    response = two["other"].post(
        f"{two['base']}/comments/{comment_id}/report", data={"csrf_token": two["tokens"]["other"], "reason": reason}
    )
    assert response.status_code == 303
    return comment_id


def audit_actions(app) -> list[tuple[str, dict]]:
    with app.app_context():
        return [(e.action, e.details) for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))]


def test_a_reported_comment_is_queued_hidden_then_restored(app, two, moderator):  # noqa: F811
    comment_id = reported_comment(app, two)
    discussion = f"{two['base']}/strategies/1.1/discussion"
    # The reporter's button now says so.
    html = two["other"].get(discussion).get_data(as_text=True)
    assert "Segnalato" in html and f"/comments/{comment_id}/report" not in html

    queue = moderator["client"].get(QUEUE).get_data(as_text=True)
    assert "Testo offensivo" in queue and "Linguaggio offensivo" in queue
    assert "Planner" in queue  # who reported (the planner takes part as a participant here)
    assert f"{discussion}#comment-{comment_id}" in queue  # the link to it in context
    # The moderator reads it in context without taking part in the session.
    assert "Testo offensivo" in moderator["client"].get(discussion).get_data(as_text=True)

    response = decide(moderator, "comment", comment_id, "hide", "Offende un altro partecipante")
    assert response.status_code == 303 and response.headers["Location"] == QUEUE + "?show=pending"
    room = two["other"].get(discussion).get_data(as_text=True)
    assert "Commento nascosto dai moderatori" in room and "Testo offensivo" not in room
    author = two["author"].get(discussion).get_data(as_text=True)
    assert "I moderatori hanno nascosto questo tuo commento" in author
    assert "Offende un altro partecipante" in author and "Testo offensivo" in author
    assert "Testo offensivo" not in moderator["client"].get(QUEUE).get_data(as_text=True)  # no longer pending
    hidden_tab = moderator["client"].get(QUEUE + "?show=hidden").get_data(as_text=True)
    assert "Testo offensivo" in hidden_tab and "Offende un altro partecipante" in hidden_tab
    with app.app_context():
        row = db.session.get(Comment, comment_id)
        assert row.is_hidden and row.hidden_by.email == "facilitator@example.org"
        assert db.session.scalar(select(CommentReport.resolved_at)) is not None

    assert decide(moderator, "comment", comment_id, "restore", "Rivisto: era una citazione").status_code == 303
    room = two["other"].get(discussion).get_data(as_text=True)
    assert "Testo offensivo" in room and "Commento nascosto dai moderatori" not in room
    with app.app_context():
        row = db.session.get(Comment, comment_id)
        assert not row.is_hidden and row.hidden_reason == "" and row.hidden_by is None
    assert audit_actions(app)[-3:] == [
        ("comment.reported", {"session": two["id"]}),
        ("comment.hidden", {"session": two["id"], "reason": "Offende un altro partecipante"}),
        ("comment.restored", {"session": two["id"], "reason": "Rivisto: era una citazione"}),
    ]


def test_hiding_needs_a_reason_and_nothing_changes_without_one(app, two, moderator):  # noqa: F811
    comment_id = reported_comment(app, two)
    response = decide(moderator, "comment", comment_id, "hide", "   ")
    assert response.status_code == 422
    assert "Scrivi il motivo" in response.get_data(as_text=True)
    assert decide(moderator, "comment", comment_id, "restore", "x").status_code == 409  # not hidden
    assert decide(moderator, "comment", comment_id, "delete", "x").status_code == 422  # no such decision
    with app.app_context():
        assert not db.session.get(Comment, comment_id).is_hidden
    assert [action for action, _ in audit_actions(app)].count("comment.hidden") == 0


def test_keeping_a_comment_closes_its_reports(app, two, moderator):  # noqa: F811
    comment_id = reported_comment(app, two, body="Critica dura ma legittima")
    assert decide(moderator, "comment", comment_id, "keep", "Critica legittima").status_code == 303
    assert "Critica dura" not in moderator["client"].get(QUEUE).get_data(as_text=True)
    assert "Critica dura" in moderator["client"].get(QUEUE + "?show=reviewed").get_data(as_text=True)
    assert "Critica dura" in two["other"].get(f"{two['base']}/strategies/1.1/discussion").get_data(as_text=True)
    assert decide(moderator, "comment", comment_id, "keep").status_code == 409  # nothing left to review
    assert audit_actions(app)[-1] == ("comment.kept", {"session": two["id"], "reason": "Critica legittima"})


def test_a_person_reports_a_comment_once(app, two):  # noqa: F811
    comment_id = reported_comment(app, two)
    again = two["other"].post(
        f"{two['base']}/comments/{comment_id}/report", data={"csrf_token": two["tokens"]["other"]}
    )
    assert again.status_code == 303
    assert "Avevi già segnalato questo commento" in two["other"].get(again.headers["Location"]).get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(CommentReport.id))) == 1


def test_proposals_are_reported_hidden_and_restored(app, two, moderator):  # noqa: F811
    proposal_id = propose(two)
    page = f"{two['base']}/proposals/{proposal_id}"
    report = f"{page}/report"
    assert (
        two["other"].post(report, data={"csrf_token": two["tokens"]["other"], "reason": "Pubblicità"}).status_code
        == 303
    )
    assert "Segnalato" in two["other"].get(page).get_data(as_text=True)
    assert two["other"].post(report, data={"csrf_token": two["tokens"]["other"]}).status_code == 303
    assert two["author"].post(report, data={"csrf_token": two["tokens"]["author"]}).status_code == 409  # one's own
    with app.app_context():
        assert db.session.scalar(select(func.count(ProposalReport.id))) == 1

    queue = moderator["client"].get(QUEUE).get_data(as_text=True)
    assert "Comunità energetica della Val Pellice" in queue and "Pubblicità" in queue and page in queue

    assert decide(moderator, "proposal", proposal_id, "hide", "Promozione commerciale").status_code == 303
    listing = two["other"].get(f"{two['base']}/proposals").get_data(as_text=True)
    assert "Progetto nascosto dai moderatori" in listing and "Val Pellice" not in listing
    others_view = two["other"].get(page)
    assert others_view.status_code == 200
    assert "nascosto dai moderatori" in others_view.get_data(as_text=True)
    assert "Val Pellice" not in others_view.get_data(as_text=True)
    authors_view = two["author"].get(page).get_data(as_text=True)
    assert "Val Pellice" in authors_view and "Promozione commerciale" in authors_view
    sheet = two["author"].get(f"{two['base']}/strategies/1.1").get_data(as_text=True)
    assert "nascosto dai moderatori: Promozione commerciale" in sheet
    # Nobody can support or comment on a hidden proposal.
    support = two["other"].post(f"{page}/support", data={"csrf_token": two["tokens"]["other"]})
    assert support.status_code == 404

    assert decide(moderator, "proposal", proposal_id, "restore", "Chiarito con il proponente").status_code == 303
    assert "Val Pellice" in two["other"].get(f"{two['base']}/proposals").get_data(as_text=True)
    assert [a for a, _ in audit_actions(app)][-3:] == ["proposal.reported", "proposal.hidden", "proposal.restored"]


def test_moderation_is_for_the_zone_staff(app, client_as, runner, two, moderator):  # noqa: F811
    comment_id = reported_comment(app, two)
    intruder = client_as("other_facilitator")
    assert intruder.get(QUEUE).status_code == 403
    token = csrf_token(intruder, "/")
    response = intruder.post(
        f"{QUEUE}/comment/{comment_id}", data={"csrf_token": token, "decision": "hide", "reason": "x"}
    )
    assert response.status_code == 403
    # Through its own zone's URL the item of zone 1 does not exist.
    zone_2 = client_as("other_facilitator")
    response = zone_2.post(
        f"/zones/2/moderation/comment/{comment_id}", data={"csrf_token": token, "decision": "hide", "reason": "x"}
    )
    assert response.status_code in (400, 404)
    planner = client_as("planner")
    assert "Testo offensivo" in planner.get(QUEUE).get_data(as_text=True)
    with app.app_context():
        assert not db.session.get(Comment, comment_id).is_hidden
    # Another zone's queue holds only its own items.
    other_session = make_session(runner, zone=2)
    join_and_rank(client_as("stakeholder"), other_session, zone=2)
    assert "Testo offensivo" not in client_as("admin").get("/zones/2/moderation").get_data(as_text=True)
    assert client_as("admin").get("/zones/99/moderation").status_code == 404


def test_the_model_api(app, two):  # noqa: F811
    comment(two, strategy="1.1", body="Da nascondere")
    with app.app_context():
        row = db.session.scalar(select(Comment))
        moderator = db.session.scalar(select(User).where(User.email == "facilitator@example.org"))
        row.hide(moderator, "Motivo")
        assert row.is_hidden and row.hidden_reason == "Motivo"
        with pytest.raises(DomainError):
            row.hide(moderator, "Di nuovo")
        row.restore(moderator, "Ripristino")
        assert not row.is_hidden
        with pytest.raises(DomainError):
            row.restore(moderator)
        proposal = ProjectProposal(hidden_at=None)
        with pytest.raises(DomainError):
            proposal.hide(moderator, "")
        db.session.rollback()


def test_the_audit_log_shows_decisions_translated(app, two, moderator, client_as):  # noqa: F811
    comment_id = reported_comment(app, two)
    decide(moderator, "comment", comment_id, "hide", "Offensivo")
    admin = client_as("admin")
    html = admin.get("/admin/audit").get_data(as_text=True)
    assert "Commento nascosto dai moderatori" in html and "Commento segnalato" in html
    assert ">comment.hidden<" not in html  # the key is only an option's value, never shown


def test_pending_counts_by_zone_and_session(app, two, moderator, runner):  # noqa: F811
    from consult.models import ConsultationSession
    from consult.moderation import services

    comment_id = reported_comment(app, two)
    other = make_session(runner, zone=1)
    with app.app_context():
        session = db.session.get(ConsultationSession, two["id"])
        assert services.pending_count(session.zone) == 1
        assert services.pending_count(session.zone, session) == 1
        assert services.pending_count(session.zone, db.session.get(ConsultationSession, other)) == 0
    decide(moderator, "comment", comment_id, "keep")
    with app.app_context():
        session = db.session.get(ConsultationSession, two["id"])
        assert services.pending_count(session.zone, session) == 0


def test_moderators_hide_unreported_content_where_it_is_shown(app, two, moderator):  # noqa: F811
    comment(two, strategy="1.1", body="Nessuno l'ha segnalato")
    with app.app_context():
        comment_id = db.session.scalar(select(func.max(Comment.id)))
    discussion = f"{two['base']}/strategies/1.1/discussion"
    page = moderator["client"].get(discussion).get_data(as_text=True)
    assert f"/zones/1/moderation/comment/{comment_id}" in page
    # Participants get no such form (the author is a stakeholder; the other participant is a planner).
    assert "/moderation/" not in two["author"].get(discussion).get_data(as_text=True)
    assert decide(moderator, "comment", comment_id, "hide", "Dati personali di terzi").status_code == 303
    assert "Commento nascosto dai moderatori" in two["other"].get(discussion).get_data(as_text=True)
    assert "Nessuno l" in moderator["client"].get(QUEUE + "?show=hidden").get_data(as_text=True)
    proposal_id = propose(two)
    page = moderator["client"].get(f"{two['base']}/proposals/{proposal_id}").get_data(as_text=True)
    assert f"/zones/1/moderation/proposal/{proposal_id}" in page
