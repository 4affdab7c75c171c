"""The strategy sheet, project proposals, supports and comments. Helpers flush; views commit once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

from flask_babel import gettext as _
from sqlalchemy import func, select

from consult import audit
from consult.errors import DomainError
from consult.extensions import db
from consult.models import (
    ActorState,
    Comment,
    CommentReport,
    Competence,
    ConditionTag,
    ConsultationSession,
    Funding,
    Participant,
    ProjectProposal,
    ProjectStatus,
    ProposalReport,
    ProposalSupport,
    RelatedPlan,
    SessionState,
    SheetActor,
    SheetCondition,
    SheetPriorityAction,
    StakeholderCategory,
    Strategy,
    StrategySheet,
)
from consult.models.people import utcnow
from consult.models.plan import code_key
from consult.text import clean

MAX_PRIORITY_ACTIONS = 3
MAX_ACTORS = 20
COMMENT_EDIT_WINDOW = timedelta(minutes=15)
COMMENT_MAX = 4000
TEXT_MAX = 8000


def require_open(participant: Participant) -> None:
    if participant.session.state != SessionState.OPEN:
        raise DomainError(_("La sessione non è aperta: non si possono più inviare contributi."), status=409)


def in_scope(participant: Participant, strategy: Strategy) -> None:
    if strategy not in participant.session.consultation.strategies:
        raise DomainError(
            _("La strategia %(code)s non fa parte di questa consultazione.", code=strategy.code), status=404
        )


# --- the strategy sheet ------------------------------------------------------------------------


@dataclass
class ActorInput:
    name: str
    kind: str
    state: ActorState
    role: str = ""


def sheet_for(participant: Participant, strategy: Strategy) -> StrategySheet | None:
    return db.session.scalar(
        select(StrategySheet).where(
            StrategySheet.participant_id == participant.id, StrategySheet.strategy_id == strategy.id
        )
    )


def save_sheet(
    participant: Participant,
    strategy: Strategy,
    *,
    implementation: str,
    priority_action_codes: list[str],
    actors: list[ActorInput],
    conditions: dict[str, str],
    show_organisation: bool = False,
) -> StrategySheet:
    """Create or replace the participant's sheet for the strategy (questions 1, 3, 4 and priority actions)."""
    require_open(participant)
    in_scope(participant, strategy)
    actions = {action.code: action for action in strategy.actions}
    codes = list(dict.fromkeys(code for code in priority_action_codes if code))
    if len(codes) > MAX_PRIORITY_ACTIONS:
        raise DomainError(_("Scegli al massimo tre azioni prioritarie."), status=422)
    if unknown := [code for code in codes if code not in actions]:
        raise DomainError(
            _(
                "Le azioni %(codes)s non appartengono alla strategia %(strategy)s.",
                codes=", ".join(unknown),
                strategy=strategy.code,
            ),
            status=422,
        )
    if len(actors) > MAX_ACTORS:
        raise DomainError(_("Si possono indicare al massimo %(n)s soggetti.", n=MAX_ACTORS), status=422)
    kinds = set(db.session.scalars(select(StakeholderCategory.code)))
    if unknown := sorted({a.kind for a in actors if clean(a.name, 200)} - kinds):
        raise DomainError(_("Tipi di soggetto sconosciuti: %(codes)s.", codes=", ".join(unknown)), status=422)
    tags = {tag.code: tag for tag in db.session.scalars(select(ConditionTag).where(ConditionTag.active.is_(True)))}
    if unknown := [code for code in conditions if code not in tags]:
        raise DomainError(_("Fattori abilitanti sconosciuti: %(codes)s.", codes=", ".join(unknown)), status=422)

    sheet = sheet_for(participant, strategy)
    if sheet is None:
        sheet = StrategySheet(participant=participant, strategy=strategy)
        db.session.add(sheet)
    sheet.implementation = clean(implementation, TEXT_MAX, multiline=True)
    sheet.show_organisation = show_organisation
    sheet.priority_actions.clear()
    sheet.actors.clear()
    sheet.conditions.clear()
    db.session.flush()
    sheet.priority_actions.extend(
        SheetPriorityAction(action=actions[code], position=n) for n, code in enumerate(codes, start=1)
    )
    sheet.actors.extend(
        SheetActor(name=clean(a.name, 200), kind=a.kind, state=a.state, role=clean(a.role, 1000, multiline=True))
        for a in actors
        if clean(a.name, 200)
    )
    sheet.conditions.extend(
        SheetCondition(condition=tags[code], note=clean(note, 1000, multiline=True))
        for code, note in conditions.items()
    )
    sheet.updated_at = utcnow()
    db.session.flush()
    return sheet


# --- project proposals -------------------------------------------------------------------------


@dataclass
class ProposalInput:
    title: str
    description: str = ""
    promoter: str = ""
    municipalities: str = ""
    action_codes: tuple[str, ...] = ()
    funding: Funding | None = None
    status: ProjectStatus | None = None
    competence: Competence | None = None
    related_plans: tuple[RelatedPlan, ...] = ()
    related_plans_other: str = ""
    link: str | None = None
    #: The author agrees to have their organisation shown beside the proposal.
    show_organisation: bool = False


def is_web_link(text: str) -> bool:
    """An http(s) address with a host and no spaces: nothing else becomes a link on a proposal."""
    parts = urlsplit(text)
    return parts.scheme in ("http", "https") and bool(parts.hostname) and not any(ch.isspace() for ch in text)


def _apply_proposal(proposal: ProjectProposal, strategy: Strategy, data: ProposalInput) -> None:
    title = clean(data.title, 200)
    if not title:
        raise DomainError(_("Il titolo del progetto è obbligatorio."), status=422)
    actions = {action.code: action for action in strategy.actions}
    if unknown := [code for code in data.action_codes if code not in actions]:
        raise DomainError(
            _(
                "Le azioni %(codes)s non appartengono alla strategia %(strategy)s.",
                codes=", ".join(unknown),
                strategy=strategy.code,
            ),
            status=422,
        )
    link = clean(data.link, 500) or None
    if link and not is_web_link(link):
        raise DomainError(_("Il link deve iniziare con https:// o http://."), status=422)
    proposal.title = title
    proposal.description = clean(data.description, TEXT_MAX, multiline=True)
    proposal.promoter = clean(data.promoter, 200)
    proposal.municipalities = clean(data.municipalities, 2000, multiline=True)
    proposal.actions = [actions[code] for code in dict.fromkeys(data.action_codes)]
    proposal.funding = data.funding
    proposal.status = data.status
    proposal.competence = data.competence
    proposal.related_plans = [plan.value for plan in dict.fromkeys(data.related_plans)]
    proposal.related_plans_other = clean(data.related_plans_other, 200)
    proposal.link = link
    proposal.show_organisation = data.show_organisation


def propose_project(participant: Participant, strategy: Strategy, data: ProposalInput) -> ProjectProposal:
    require_open(participant)
    in_scope(participant, strategy)
    proposal = ProjectProposal(session=participant.session, participant=participant, strategy=strategy)
    _apply_proposal(proposal, strategy, data)
    db.session.add(proposal)
    db.session.flush()
    return proposal


def edit_project(participant: Participant, proposal: ProjectProposal, data: ProposalInput) -> None:
    require_open(participant)
    if proposal.participant_id != participant.id:
        raise DomainError(_("Puoi modificare solo i progetti che hai proposto tu."), status=403)
    _apply_proposal(proposal, proposal.strategy, data)
    db.session.flush()


def support(participant: Participant, proposal: ProjectProposal) -> ProposalSupport:
    """Support someone else's proposal, once."""
    require_open(participant)
    if proposal.session_id != participant.session_id or proposal.hidden_at is not None:
        raise DomainError(_("Progetto non trovato."), status=404)
    if proposal.participant_id == participant.id:
        raise DomainError(_("Non puoi sostenere un progetto che hai proposto tu."), status=409)
    existing = db.session.scalar(
        select(ProposalSupport).where(
            ProposalSupport.proposal_id == proposal.id, ProposalSupport.participant_id == participant.id
        )
    )
    if existing is not None:
        raise DomainError(_("Sostieni già questo progetto."), status=409)
    entry = ProposalSupport(proposal_id=proposal.id, participant_id=participant.id)
    db.session.add(entry)
    db.session.flush()
    return entry


def withdraw_support(participant: Participant, proposal: ProjectProposal) -> None:
    require_open(participant)
    entry = db.session.scalar(
        select(ProposalSupport).where(
            ProposalSupport.proposal_id == proposal.id, ProposalSupport.participant_id == participant.id
        )
    )
    if entry is not None:
        db.session.delete(entry)
        db.session.flush()


# --- comments ----------------------------------------------------------------------------------


def add_comment(
    participant: Participant,
    body: str,
    *,
    strategy: Strategy | None = None,
    proposal: ProjectProposal | None = None,
    parent: Comment | None = None,
    show_organisation: bool = False,
) -> Comment:
    """A comment on a strategy or a proposal, or a reply to one (replies go one level deep)."""
    require_open(participant)
    text = clean(body, COMMENT_MAX, multiline=True)
    if not text:
        raise DomainError(_("Il commento è vuoto."), status=422)
    if parent is not None:
        if parent.session_id != participant.session_id or parent.hidden_at is not None:
            raise DomainError(_("Commento non trovato."), status=404)
        if parent.parent_id is not None:
            raise DomainError(_("Si può rispondere solo ai commenti, non alle risposte."), status=422)
        strategy_id, proposal_id = parent.strategy_id, parent.proposal_id
    elif proposal is not None:
        if proposal.session_id != participant.session_id or proposal.hidden_at is not None:
            raise DomainError(_("Progetto non trovato."), status=404)
        strategy_id, proposal_id = None, proposal.id
    elif strategy is not None:
        in_scope(participant, strategy)
        strategy_id, proposal_id = strategy.id, None
    else:
        raise DomainError(_("Indica su che cosa stai commentando."), status=422)
    comment = Comment(
        session_id=participant.session_id,
        participant=participant,
        strategy_id=strategy_id,
        proposal_id=proposal_id,
        parent=parent,
        body=text,
        show_organisation=show_organisation,
    )
    db.session.add(comment)
    db.session.flush()
    return comment


def check_comment_editable(participant: Participant, comment: Comment) -> None:
    """Raise unless the participant may still edit the comment: their own, shown, within the window."""
    require_open(participant)
    if comment.participant_id != participant.id:
        raise DomainError(_("Puoi modificare solo i tuoi commenti."), status=403)
    if comment.hidden_at is not None:
        raise DomainError(_("Il commento è stato nascosto dai moderatori e non si può più modificare."), status=409)
    if utcnow() - comment.created_at > COMMENT_EDIT_WINDOW:
        raise DomainError(_("Un commento si può modificare solo nei primi 15 minuti."), status=409)


def can_edit_comment(participant: Participant | None, comment: Comment) -> bool:
    """Whether to offer the edit link (the edit itself checks again)."""
    if participant is None:
        return False
    try:
        check_comment_editable(participant, comment)
    except DomainError:
        return False
    return True


def edit_comment(participant: Participant, comment: Comment, body: str) -> None:
    check_comment_editable(participant, comment)
    text = clean(body, COMMENT_MAX, multiline=True)
    if not text:
        raise DomainError(_("Il commento è vuoto."), status=422)
    comment.body = text
    comment.edited_at = utcnow()
    db.session.flush()


def report_comment(participant: Participant, comment: Comment, reason: str = "") -> tuple[CommentReport, bool]:
    """Flag a comment to the moderators, once per participant; returns the report and whether it is new."""
    return _report(
        participant,
        comment,
        reason,
        CommentReport,
        "comment_id",
        missing=_("Commento non trovato."),
        own=_("Non puoi segnalare un tuo commento."),
        hidden=_("Il commento è già stato nascosto dai moderatori."),
    )


def report_proposal(
    participant: Participant, proposal: ProjectProposal, reason: str = ""
) -> tuple[ProposalReport, bool]:
    """Flag a proposal to the moderators, once per participant; returns the report and whether it is new."""
    return _report(
        participant,
        proposal,
        reason,
        ProposalReport,
        "proposal_id",
        missing=_("Progetto non trovato."),
        own=_("Non puoi segnalare un progetto che hai proposto tu."),
        hidden=_("Il progetto è già stato nascosto dai moderatori."),
    )


def _report(participant, item, reason, report_model, item_column: str, *, missing: str, own: str, hidden: str):
    """One report of ``item`` (a comment or a proposal) by ``participant``: a second one finds the first."""
    if item.session_id != participant.session_id:
        raise DomainError(missing, status=404)
    if item.participant_id == participant.id:
        raise DomainError(own, status=409)
    existing = db.session.scalar(
        select(report_model).where(
            getattr(report_model, item_column) == item.id, report_model.participant_id == participant.id
        )
    )
    if existing is not None:
        return existing, False
    if item.is_hidden:
        raise DomainError(hidden, status=409)
    report = report_model(
        **{item_column: item.id}, participant_id=participant.id, reason=clean(reason, 1000, multiline=True)
    )
    db.session.add(report)
    db.session.flush()
    kind = "comment" if report_model is CommentReport else "proposal"
    audit.record(f"{kind}.reported", item, session=item.session_id)
    return report, True


def reported_ids(participant: Participant | None) -> dict[str, set[int]]:
    """Ids of the comments and proposals the participant has reported: their report buttons say so."""
    if participant is None:
        return {"comment": set(), "proposal": set()}
    return {
        "comment": set(
            db.session.scalars(select(CommentReport.comment_id).where(CommentReport.participant_id == participant.id))
        ),
        "proposal": set(
            db.session.scalars(
                select(ProposalReport.proposal_id).where(ProposalReport.participant_id == participant.id)
            )
        ),
    }


# --- reading -----------------------------------------------------------------------------------


def strategy_in_session(session: ConsultationSession, code: str) -> Strategy | None:
    """The in-scope strategy with that code, or None."""
    return next((s for s in session.consultation.strategies if s.code == code), None)


def ranked_strategies(participant: Participant) -> list[Strategy]:
    return [rank.strategy for rank in participant.ballot.ranks] if participant.ballot else []


def next_strategy(participant: Participant, strategy: Strategy) -> Strategy | None:
    """The strategy after this one in the participant's ranking; the first ranked one if this is unranked."""
    ranking = ranked_strategies(participant)
    if strategy not in ranking:
        return ranking[0] if ranking else None
    position = ranking.index(strategy)
    return ranking[position + 1] if position + 1 < len(ranking) else None


def proposals_by(participant: Participant, strategy: Strategy) -> list[ProjectProposal]:
    return list(
        db.session.scalars(
            select(ProjectProposal)
            .where(ProjectProposal.participant_id == participant.id, ProjectProposal.strategy_id == strategy.id)
            .order_by(ProjectProposal.id)
        )
    )


def visible_proposals(session: ConsultationSession) -> list[tuple[Strategy, list[ProjectProposal]]]:
    """The session's proposals not hidden by moderators, grouped by strategy in plan order."""
    proposals = db.session.scalars(
        select(ProjectProposal)
        .where(ProjectProposal.session_id == session.id, ProjectProposal.hidden_at.is_(None))
        .order_by(ProjectProposal.id)
    )
    groups: dict[int, tuple[Strategy, list[ProjectProposal]]] = {}
    for proposal in proposals:
        groups.setdefault(proposal.strategy_id, (proposal.strategy, []))[1].append(proposal)
    return sorted(groups.values(), key=lambda group: code_key(group[0].code))


def session_proposals(session: ConsultationSession) -> list[tuple[Strategy, list[ProjectProposal]]]:
    """Every proposal of the session, hidden ones too (the list shows a notice in their place), by strategy."""
    proposals = db.session.scalars(
        select(ProjectProposal).where(ProjectProposal.session_id == session.id).order_by(ProjectProposal.id)
    )
    groups: dict[int, tuple[Strategy, list[ProjectProposal]]] = {}
    for proposal in proposals:
        groups.setdefault(proposal.strategy_id, (proposal.strategy, []))[1].append(proposal)
    return sorted(groups.values(), key=lambda group: code_key(group[0].code))


def supported_ids(participant: Participant) -> set[int]:
    """Ids of the proposals the participant supports."""
    return set(
        db.session.scalars(select(ProposalSupport.proposal_id).where(ProposalSupport.participant_id == participant.id))
    )


def comments_on(
    session: ConsultationSession, *, strategy: Strategy | None = None, proposal: ProjectProposal | None = None
) -> list[Comment]:
    """Top-level comments on a strategy (within the session) or on a proposal, oldest first; replies hang off them."""
    query = select(Comment).where(Comment.session_id == session.id, Comment.parent_id.is_(None))
    if proposal is not None:
        query = query.where(Comment.proposal_id == proposal.id)
    else:
        query = query.where(Comment.strategy_id == strategy.id, Comment.proposal_id.is_(None))
    return list(db.session.scalars(query.order_by(Comment.id)))


def comment_count(session: ConsultationSession, strategy: Strategy) -> int:
    """Comments and replies on the strategy in the session that moderators have not hidden."""
    return db.session.scalar(
        select(func.count(Comment.id)).where(
            Comment.session_id == session.id,
            Comment.strategy_id == strategy.id,
            Comment.proposal_id.is_(None),
            Comment.hidden_at.is_(None),
        )
    )


def author_name(participant: Participant, locale: str) -> str:
    """How a contribution's author is shown: their name, else a label with their category."""
    category = participant.category.name(locale) if participant.category else None
    if participant.user is not None and participant.user.deleted_at is not None:
        if category:
            return _("Partecipante anonimo (%(category)s)", category=category)
        return _("Partecipante anonimo")
    if participant.name:
        return participant.name
    if participant.user is not None and participant.user.display_name:
        return participant.user.display_name
    if category:
        return _("Partecipante (%(category)s)", category=category)
    return _("Partecipante")
