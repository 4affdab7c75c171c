"""Gathering every contribution: the strategy sheets' answers, proposals, actor networks, enabling conditions,
priority actions and comments, each attributed to a stakeholder category, zone and channel.

Attribution never names a person: the organisation is shown only where the participant ticked the box when
writing (``show_organisation``), and never for a deleted account. Content hidden by moderators is left out
everywhere by ``_not_hidden`` — the one filter every page, download and the API go through.
"""

from __future__ import annotations

import enum
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from consult.extensions import db
from consult.models import (
    Channel,
    Comment,
    Consultation,
    ConsultationSession,
    Participant,
    ProjectProposal,
    ProposalSupport,
    RelatedPlan,
    SessionState,
    SheetCondition,
    SheetPriorityAction,
    StakeholderCategory,
    Strategy,
    StrategySheet,
    Zone,
)
from consult.models.plan import code_key
from consult.monitoring.services import activities_by_proposal, activity_label
from consult.results import services as results


class Kind(enum.StrEnum):
    """What a contribution is; the order is the order of the workshop's questions."""

    IMPLEMENTATION = "implementation"
    PROPOSAL = "proposal"
    ACTOR = "actor"
    CONDITION = "condition"
    ACTION = "action"
    COMMENT = "comment"

    @property
    def label(self):
        return KIND_LABELS[self]

    @property
    def plural(self):
        return KIND_PLURALS[self]


KIND_LABELS = {
    Kind.IMPLEMENTATION: _l("Come attuarla sul territorio"),
    Kind.PROPOSAL: _l("Progetto proposto"),
    Kind.ACTOR: _l("Soggetto della rete"),
    Kind.CONDITION: _l("Fattore abilitante"),
    Kind.ACTION: _l("Azione prioritaria"),
    Kind.COMMENT: _l("Commento"),
}
KIND_PLURALS = {
    Kind.IMPLEMENTATION: _l("Come attuarla sul territorio"),
    Kind.PROPOSAL: _l("Progetti proposti"),
    Kind.ACTOR: _l("Reti di attori"),
    Kind.CONDITION: _l("Fattori abilitanti"),
    Kind.ACTION: _l("Azioni prioritarie"),
    Kind.COMMENT: _l("Commenti"),
}


def normalise(text: str) -> str:
    """Text as the search compares it: accents removed, case folded, spaces collapsed (``Città`` → ``citta``)."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.casefold().split())


@dataclass
class Contribution:
    """One thing a participant wrote, attributed without naming them."""

    #: Unique across kinds, e.g. ``proposal-12``; also the anchor on the contributions page.
    key: str
    kind: Kind
    strategy: Strategy
    session: ConsultationSession
    zone: Zone
    category: StakeholderCategory | None
    #: Only where the participant agreed when writing, and never for a deleted account.
    organisation: str | None
    channel: Channel
    #: A heading where the kind has one (a proposal's title, an actor's name, a condition), else None.
    title: str | None
    #: The text as written, whole.
    text: str
    #: Further fields, as (label, value), e.g. a proposal's promoter, funding and status.
    fields: list[tuple[object, str]]
    date: datetime
    supports: int | None = None
    proposal: ProjectProposal | None = None
    comment: Comment | None = None
    #: Normalised text of everything above, for the search.
    search: str = ""

    @property
    def full_text(self) -> str:
        """Heading and text together, as one cell of a download."""
        return " — ".join(part for part in (self.title, self.text) if part)

    def category_name(self, locale: str) -> str:
        return self.category.name(locale) if self.category else ""

    def details(self) -> str:
        """The further fields on one line, for a download."""
        return "; ".join(f"{label}: {value}" for label, value in self.fields if value)


def channel_of(participant: Participant) -> Channel:
    """How the participant took part: their ballot's channel, else how they joined."""
    if participant.ballot is not None:
        return participant.ballot.channel
    if participant.code_id is not None:
        return Channel.CODE
    if participant.label is not None:
        return Channel.PAPER
    return Channel.ONLINE


def organisation_shown(participant: Participant, consented: bool) -> str | None:
    """The organisation to print beside a contribution, or None."""
    if not consented or not participant.organisation:
        return None
    if participant.user is not None and participant.user.deleted_at is not None:
        return None
    return participant.organisation


def _not_hidden(query, model):
    """Leave out what moderators hid: the one filter for hidden content (proposals and comments today)."""
    return query.where(model.hidden_at.is_(None))


def related_plan_labels(proposal: ProjectProposal) -> list[str]:
    """The related plans' names, with the participant's own words for "other"."""
    labels = [str(RelatedPlan(value).label) for value in proposal.related_plans if value != RelatedPlan.OTHER]
    if proposal.related_plans_other:
        labels.append(proposal.related_plans_other)
    elif RelatedPlan.OTHER in proposal.related_plans:
        labels.append(str(RelatedPlan.OTHER.label))
    return labels


def proposal_fields(proposal: ProjectProposal, locale: str, builds_on: str = "") -> list[tuple[object, str]]:
    """A proposal's fields besides its title and description, as (label, value); empty ones left out.
    ``builds_on`` names the activity already under way it builds on (``monitoring.activity_label``)."""
    fields = [
        (_l("Promotore"), proposal.promoter),
        (_l("Comuni interessati"), proposal.municipalities),
        (
            _l("Azioni della strategia a cui si collega"),
            ", ".join(action.printed_code or action.code for action in proposal.actions),
        ),
        (_l("Fonte di finanziamento"), str(proposal.funding.label) if proposal.funding else ""),
        (_l("Stato"), str(proposal.status.label) if proposal.status else ""),
        (_l("Livello di competenza"), str(proposal.competence.label) if proposal.competence else ""),
        (_l("Piani collegati"), ", ".join(related_plan_labels(proposal))),
        (_l("Link"), proposal.link or ""),
        (_l("Attività già in corso su cui si basa"), builds_on),
    ]
    return [(label, value) for label, value in fields if value]


#: Ids per IN (…) list: SQLite limits the parameters of one statement.
_CHUNK = 5_000


def _participants(ids: set[int]) -> dict[int, Participant]:
    """The authors of the contributions only: a session's other participants (most, with a large room) are
    not loaded."""
    found: dict[int, Participant] = {}
    ordered = sorted(ids)
    for start in range(0, len(ordered), _CHUNK):
        rows = db.session.scalars(
            select(Participant)
            .where(Participant.id.in_(ordered[start : start + _CHUNK]))
            .options(
                selectinload(Participant.category),
                selectinload(Participant.user),
                selectinload(Participant.ballot),
            )
        )
        found.update((participant.id, participant) for participant in rows)
    return found


def gather(sessions: list[ConsultationSession], locale: str = "it") -> list[Contribution]:
    """Every contribution to ``sessions`` that moderators have not hidden, oldest first within each kind."""
    session_ids = [s.id for s in sessions]
    if not session_ids:
        return []
    by_id = {s.id: s for s in sessions}
    found: list[Contribution] = []

    def make(key, kind, participant_id, strategy, consented, title, text, fields, date, **extra) -> Contribution:
        participant = participants[participant_id]
        session = by_id[participant.session_id]
        return Contribution(
            key=key,
            kind=kind,
            strategy=strategy,
            session=session,
            zone=session.zone,
            category=participant.category,
            organisation=organisation_shown(participant, consented),
            channel=channel_of(participant),
            title=title,
            text=text,
            fields=fields,
            date=date,
            **extra,
        )

    sheets = db.session.scalars(
        select(StrategySheet)
        .join(Participant, Participant.id == StrategySheet.participant_id)
        .where(Participant.session_id.in_(session_ids))
        .options(
            selectinload(StrategySheet.strategy),
            selectinload(StrategySheet.priority_actions).selectinload(SheetPriorityAction.action),
            selectinload(StrategySheet.actors),
            selectinload(StrategySheet.conditions).selectinload(SheetCondition.condition),
        )
        .order_by(StrategySheet.id)
    ).all()
    supports = (
        select(ProposalSupport.proposal_id, func.count(ProposalSupport.id).label("n"))
        .group_by(ProposalSupport.proposal_id)
        .subquery()
    )
    proposals = db.session.execute(
        _not_hidden(
            select(ProjectProposal, func.coalesce(supports.c.n, 0))
            .outerjoin(supports, supports.c.proposal_id == ProjectProposal.id)
            .where(ProjectProposal.session_id.in_(session_ids))
            .options(selectinload(ProjectProposal.strategy), selectinload(ProjectProposal.actions))
            .order_by(ProjectProposal.id),
            ProjectProposal,
        )
    ).all()
    comments = db.session.scalars(
        _not_hidden(select(Comment).where(Comment.session_id.in_(session_ids)).order_by(Comment.id), Comment)
    ).all()
    authors = {sheet.participant_id for sheet in sheets} | {proposal.participant_id for proposal, _n in proposals}
    participants = _participants(authors | {comment.participant_id for comment in comments})
    kinds = {c.code: c for c in db.session.scalars(select(StakeholderCategory))}
    for sheet in sheets:
        common = (sheet.participant_id, sheet.strategy, sheet.show_organisation)
        if sheet.implementation:
            found.append(
                make(
                    f"sheet-{sheet.id}", Kind.IMPLEMENTATION, *common, None, sheet.implementation, [], sheet.updated_at
                )
            )
        for actor in sheet.actors:
            kind = kinds.get(actor.kind)
            fields = [
                (_l("Tipo di soggetto"), kind.name(locale) if kind else actor.kind),
                (_l("Stato"), str(actor.state.label)),
            ]
            found.append(
                make(f"actor-{actor.id}", Kind.ACTOR, *common, actor.name, actor.role, fields, sheet.updated_at)
            )
        for condition in sheet.conditions:
            found.append(
                make(
                    f"condition-{condition.id}",
                    Kind.CONDITION,
                    *common,
                    condition.condition.name(locale),
                    condition.note,
                    [],
                    sheet.updated_at,
                )
            )
        for chosen in sheet.priority_actions:
            action = chosen.action
            title = f"{action.printed_code or action.code} {action.text}"
            fields = [(_l("Posizione"), str(chosen.position))]
            found.append(make(f"action-{chosen.id}", Kind.ACTION, *common, title, "", fields, sheet.updated_at))

    builds_on = activities_by_proposal([proposal.id for proposal, _n in proposals])
    shown_proposals = {}
    for proposal, count in proposals:
        shown_proposals[proposal.id] = proposal
        found.append(
            make(
                f"proposal-{proposal.id}",
                Kind.PROPOSAL,
                proposal.participant_id,
                proposal.strategy,
                proposal.show_organisation,
                proposal.title,
                proposal.description,
                proposal_fields(proposal, locale, activity_label(builds_on.get(proposal.id))),
                proposal.created_at,
                supports=int(count),
                proposal=proposal,
            )
        )

    strategies = {s.id: s for s in db.session.scalars(select(Strategy))}
    for comment in comments:
        fields = []
        if comment.proposal_id is not None:
            proposal = shown_proposals.get(comment.proposal_id)
            if proposal is None:
                continue  # on a hidden proposal: hidden with it
            strategy = proposal.strategy
            fields.append((_l("Sul progetto"), proposal.title))
        else:
            strategy = strategies[comment.strategy_id]
        if comment.parent_id is not None:
            fields.append((_l("Risposta a un commento"), "✓"))
        found.append(
            make(
                f"comment-{comment.id}",
                Kind.COMMENT,
                comment.participant_id,
                strategy,
                comment.show_organisation,
                None,
                comment.body,
                fields,
                comment.created_at,
                comment=comment,
            )
        )
    for item in found:
        item.search = normalise(
            " ".join(
                [item.title or "", item.text, item.organisation or "", item.zone.name]
                + [value for _label, value in item.fields]
                + ([item.category.name_it, item.category.name_en] if item.category else [])
            )
        )
    return found


# --- which sessions, in which order, filtered -------------------------------------------------------


def visible_sessions(user, consultation: Consultation) -> list[ConsultationSession]:
    """The consultation's sessions whose contributions the person may read: the same rule as their results
    (published for everyone; before that planners, admins and the zone's facilitators; never drafts)."""
    return [
        s for s in consultation.sessions if s.state != SessionState.DRAFT and results.can_see_session_results(user, s)
    ]


@dataclass(frozen=True)
class Filters:
    """What the reader narrowed the contributions to; empty means everything."""

    zone: int | None = None
    strategy: str | None = None
    category: str | None = None
    kind: Kind | None = None
    q: str = ""

    @property
    def terms(self) -> list[str]:
        return normalise(self.q).split()

    @property
    def active(self) -> bool:
        return any((self.zone, self.strategy, self.category, self.kind, self.q.strip()))

    def admits(self, item: Contribution) -> bool:
        if self.zone is not None and item.zone.code != self.zone:
            return False
        if self.strategy and item.strategy.code != self.strategy:
            return False
        if self.category and (item.category.code if item.category else "") != self.category:
            return False
        if self.kind is not None and item.kind != self.kind:
            return False
        # Every word must appear, in any order, accents and capitals aside.
        return all(term in item.search for term in self.terms)

    def as_args(self) -> dict[str, str]:
        args = {
            "zone": str(self.zone) if self.zone is not None else "",
            "strategy": self.strategy or "",
            "category": self.category or "",
            "kind": self.kind.value if self.kind else "",
            "q": self.q.strip(),
        }
        return {key: value for key, value in args.items() if value}


@dataclass
class StrategyBlock:
    """One strategy's contributions, by kind, with its place in the ranking."""

    strategy: Strategy
    #: Rank under the stated method (ties share a rank); None when the ranking does not place it.
    rank: int | None
    by_kind: dict[Kind, list[Contribution]] = field(default_factory=dict)

    @property
    def count(self) -> int:
        return sum(len(items) for items in self.by_kind.values())

    def items(self) -> list[Contribution]:
        return [item for kind in Kind for item in self.by_kind.get(kind, [])]


@dataclass
class Synthesis:
    """The contributions of a set of sessions, per strategy in the order of the ranking."""

    sessions: list[ConsultationSession]
    filters: Filters
    method: str
    #: Every contribution of the sessions, before the filters (for counts and the zone list).
    everything: list[Contribution]
    blocks: list[StrategyBlock]

    @property
    def shown(self) -> list[Contribution]:
        return [item for block in self.blocks for item in block.items()]

    @property
    def zones(self) -> list[Zone]:
        return sorted({s.zone.id: s.zone for s in self.sessions}.values(), key=lambda zone: zone.code)

    def kind_counts(self) -> list[tuple[Kind, int]]:
        shown = self.shown
        return [(kind, sum(1 for item in shown if item.kind == kind)) for kind in Kind]


def ranking_order(sessions: list[ConsultationSession], consultation: Consultation, method: str, zone: int | None):
    """Strategy code → rank: the session's ranking, the zone's, or the metropolitan one (published sessions
    only unless unpublished ones are among ``sessions``)."""
    if not sessions:
        return {}
    if len(sessions) == 1:
        result = results.session_result(sessions[0], method)
        return {row.code: row.rank for row in result.rows}
    published_only = all(s.state == SessionState.PUBLISHED for s in sessions)
    metro = results.metro_result(consultation, method, "equal", published_only=published_only)
    if zone is not None:
        for zone_result in metro.zones:
            if zone_result.zone.code == zone:
                return {row.code: row.rank for row in zone_result.result.rows}
        return {}
    return {row.code: row.rank for row in metro.result.rows}


def synthesis(
    sessions: list[ConsultationSession],
    consultation: Consultation,
    filters: Filters = Filters(),
    *,
    method: str = "borda",
    locale: str = "it",
) -> Synthesis:
    """The contributions of ``sessions`` matching ``filters``, per strategy in the order of the ranking."""
    everything = gather(sessions, locale)
    ranks = ranking_order(sessions, consultation, method, filters.zone)
    blocks: dict[str, StrategyBlock] = {}
    for item in everything:
        if filters.admits(item):
            block = blocks.setdefault(item.strategy.code, StrategyBlock(item.strategy, ranks.get(item.strategy.code)))
            block.by_kind.setdefault(item.kind, []).append(item)
    for block in blocks.values():
        # Proposals with more supports first; the rest as written.
        if Kind.PROPOSAL in block.by_kind:
            block.by_kind[Kind.PROPOSAL].sort(key=lambda item: -(item.supports or 0))
    ordered = sorted(
        blocks.values(),
        key=lambda b: (b.rank is None, b.rank or 0, code_key(b.strategy.code)),
    )
    return Synthesis(sessions, filters, method, everything, ordered)


def in_order(items: Iterable[Contribution]) -> list[Contribution]:
    """Contributions in reading order: zone, session, strategy, kind, then as written."""
    kinds = list(Kind)
    return sorted(
        items,
        key=lambda i: (i.zone.code, i.session.id, code_key(i.strategy.code), kinds.index(i.kind), i.date, i.key),
    )
