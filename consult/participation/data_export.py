"""The participation section of "download my data": sessions joined, ballots and contributions."""

from sqlalchemy import select

from consult.account_data import section
from consult.extensions import db
from consult.models import Comment, Participant, ProjectProposal, ProposalSupport, StrategySheet, User


def _iso(moment):
    return moment.isoformat() if moment is not None else None


@section("participation")
def participation(user: User) -> list[dict]:
    """One entry per session the account took part in (room codes are anonymous and not linked)."""
    entries = []
    for participant in db.session.scalars(
        select(Participant).where(Participant.user_id == user.id).order_by(Participant.id)
    ):
        session = participant.session
        ballot = participant.ballot
        sheets = db.session.scalars(select(StrategySheet).where(StrategySheet.participant_id == participant.id))
        proposals = db.session.scalars(select(ProjectProposal).where(ProjectProposal.participant_id == participant.id))
        comments = db.session.scalars(select(Comment).where(Comment.participant_id == participant.id))
        supports = db.session.scalars(
            select(ProposalSupport.proposal_id).where(ProposalSupport.participant_id == participant.id)
        )
        entries.append(
            {
                "session": {"id": session.id, "title": session.title, "zone": session.zone.code},
                "joined_at": _iso(participant.joined_at),
                "category": participant.category.code if participant.category else None,
                "organisation": participant.organisation,
                "ballot": None
                if ballot is None
                else {
                    "ranking": [rank.strategy.code for rank in ballot.ranks],
                    "channel": ballot.channel.value,
                    "version": ballot.version,
                    "updated_at": _iso(ballot.updated_at),
                    "earlier_versions": [
                        {"version": v.version, "ranking": v.ranking, "at": _iso(v.created_at)}
                        for v in ballot.versions[:-1]
                    ],
                },
                "strategy_sheets": [
                    {
                        "strategy": sheet.strategy.code,
                        "implementation": sheet.implementation,
                        "priority_actions": [item.action.code for item in sheet.priority_actions],
                        "actors": [
                            {"name": a.name, "kind": a.kind, "state": a.state.value, "role": a.role}
                            for a in sheet.actors
                        ],
                        "conditions": [{"condition": c.condition.code, "note": c.note} for c in sheet.conditions],
                    }
                    for sheet in sheets
                ],
                "project_proposals": [
                    {
                        "id": p.id,
                        "strategy": p.strategy.code,
                        "title": p.title,
                        "description": p.description,
                        "promoter": p.promoter,
                        "created_at": _iso(p.created_at),
                    }
                    for p in proposals
                ],
                "comments": [
                    {"id": c.id, "body": c.body, "created_at": _iso(c.created_at), "reply_to": c.parent_id}
                    for c in comments
                ],
                "supported_proposals": list(supports),
            }
        )
    return entries
