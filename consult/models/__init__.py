"""The domain model, one module per domain; importing this package registers every table."""

from consult.models.audit import AuditEvent
from consult.models.ballots import Ballot, BallotRank, BallotVersion, Channel, Participant, ParticipantCode
from consult.models.contributions import (
    ActorState,
    Comment,
    CommentReport,
    Competence,
    ConditionTag,
    Funding,
    ProjectProposal,
    ProjectStatus,
    ProposalSupport,
    RelatedPlan,
    SheetActor,
    SheetCondition,
    SheetPriorityAction,
    StrategySheet,
)
from consult.models.people import Role, SignIn, StakeholderCategory, User
from consult.models.plan import Action, Axis, Plan, Strategy
from consult.models.sessions import Consultation, ConsultationSession, Mode, Scope, SessionState
from consult.models.territory import Zone

__all__ = [
    "Action",
    "ActorState",
    "AuditEvent",
    "Axis",
    "Ballot",
    "BallotRank",
    "BallotVersion",
    "Channel",
    "Comment",
    "CommentReport",
    "Competence",
    "ConditionTag",
    "Consultation",
    "ConsultationSession",
    "Funding",
    "Mode",
    "Participant",
    "ParticipantCode",
    "Plan",
    "ProjectProposal",
    "ProjectStatus",
    "ProposalSupport",
    "RelatedPlan",
    "Role",
    "Scope",
    "SessionState",
    "SheetActor",
    "SheetCondition",
    "SheetPriorityAction",
    "SignIn",
    "StakeholderCategory",
    "Strategy",
    "StrategySheet",
    "User",
    "Zone",
]
