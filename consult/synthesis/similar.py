"""Similar proposals across zones: candidates for "the same project proposed in several zones".

Each proposal's title and description become a TF-IDF vector over lemmas and their four-letter pieces (the
same lemmas as the recurring themes); proposals from different zones whose cosine similarity reaches ``THRESHOLD`` are
linked, and linked proposals form a candidate group. A planner confirms or dismisses each candidate; the
decision is stored (``ProposalGroup``) and a confirmed group reads as one project, zones and supports added up.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from sqlalchemy import select

from consult import audit
from consult.errors import DomainError
from consult.extensions import db
from consult.models import Consultation, GroupDecision, ProjectProposal, ProposalGroup
from consult.models.people import utcnow
from consult.synthesis.services import Contribution, Kind, gather
from consult.synthesis.themes import tokens

#: Cosine similarity from which two proposals of different zones are proposed as one project.
THRESHOLD = 0.25


def _text(item: Contribution) -> str:
    # The title says what the project is: it counts twice.
    return f"{item.title}. {item.title}. {item.text}"


def features(text: str) -> dict[str, float]:
    """Lemmas, and the four-letter pieces of each lemma, so "ciclovia" and "ciclabile" have something in common."""
    found: dict[str, float] = {}
    for token in tokens(text):
        if token.key is None:
            continue
        found["w:" + token.key] = found.get("w:" + token.key, 0) + 1
        word = f"<{token.key}>"
        for start in range(len(word) - 3):
            piece = "c:" + word[start : start + 4]
            found[piece] = found.get(piece, 0) + 1
    return found


def similarity(items: list[Contribution]) -> np.ndarray:
    """Cosine similarity of the items' TF-IDF vectors (sublinear counts), as a square matrix."""
    bags = [features(_text(item)) for item in items]
    vocabulary = {key: index for index, key in enumerate(sorted({key for bag in bags for key in bag}))}
    if not vocabulary:
        return np.zeros((len(items), len(items)))
    counts = np.zeros((len(items), len(vocabulary)))
    for row, bag in enumerate(bags):
        for key, count in bag.items():
            counts[row, vocabulary[key]] = 1.0 + math.log(count)
    documents = (counts > 0).sum(axis=0)
    idf = np.log((1 + len(items)) / (1 + documents)) + 1.0
    vectors = counts * idf
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    vectors = vectors / norms
    return vectors @ vectors.T


@dataclass
class Candidate:
    """Proposals that may be one project; ``group`` is the planner's decision, if any."""

    items: list[Contribution]
    score: float
    group: ProposalGroup | None = None

    @property
    def proposal_ids(self) -> list[int]:
        return sorted(item.proposal.id for item in self.items)

    @property
    def zones(self) -> list:
        return sorted({item.zone.id: item.zone for item in self.items}.values(), key=lambda zone: zone.code)

    @property
    def supports(self) -> int:
        return sum(item.supports or 0 for item in self.items)

    @property
    def title(self) -> str:
        """The most supported proposal's title names the project."""
        return max(self.items, key=lambda item: (item.supports or 0, -item.proposal.id)).title or ""


def clusters(matrix: np.ndarray, threshold: float) -> list[list[int]]:
    """Average-linkage clustering: merge the two most similar clusters while their average similarity reaches
    ``threshold``. Unlike linking any similar pair, this does not chain unrelated projects through one word."""
    size = len(matrix)
    members = [[i] for i in range(size)]
    similar = matrix.astype(float).copy()
    np.fill_diagonal(similar, -np.inf)
    alive = np.ones(size, dtype=bool)
    while alive.sum() > 1:
        masked = np.where(np.outer(alive, alive), similar, -np.inf)
        a, b = np.unravel_index(np.argmax(masked), masked.shape)
        if masked[a, b] < threshold:
            break
        na, nb = len(members[a]), len(members[b])
        # Lance–Williams update for average linkage.
        merged = (na * similar[a] + nb * similar[b]) / (na + nb)
        similar[a, :], similar[:, a] = merged, merged
        similar[a, a] = -np.inf
        alive[b] = False
        members[a] += members[b]
        members[b] = []
    return [sorted(group) for group, live in zip(members, alive, strict=True) if live]


def candidates(proposals: list[Contribution], *, threshold: float = THRESHOLD) -> list[Candidate]:
    """Groups of similar proposals that come from at least two zones, best score first."""
    proposals = [item for item in proposals if item.kind == Kind.PROPOSAL]
    matrix = similarity(proposals)
    found = []
    for group in clusters(matrix, threshold):
        pairs = [
            matrix[i, j]
            for n, i in enumerate(group)
            for j in group[n + 1 :]
            if proposals[i].zone.code != proposals[j].zone.code
        ]
        if not pairs:
            continue  # one zone only: not the same project across zones
        found.append(Candidate([proposals[i] for i in group], round(float(sum(pairs) / len(pairs)), 2)))
    found.sort(key=lambda c: (-c.score, c.proposal_ids))
    return found


def groups_of(consultation: Consultation) -> list[ProposalGroup]:
    return list(
        db.session.scalars(
            select(ProposalGroup).where(ProposalGroup.consultation_id == consultation.id).order_by(ProposalGroup.id)
        )
    )


@dataclass
class Review:
    """What the similar-proposals page shows: candidates still to decide, and the decided groups."""

    open: list[Candidate]
    confirmed: list[Candidate]
    dismissed: list[Candidate]


def review(consultation: Consultation, sessions, locale: str = "it") -> Review:
    """Candidates over the sessions' (shown) proposals, matched with the decisions already taken."""
    proposals = [item for item in gather(sessions, locale) if item.kind == Kind.PROPOSAL]
    by_id = {item.proposal.id: item for item in proposals}
    decided = {tuple(sorted(p.id for p in group.proposals)): group for group in groups_of(consultation)}
    result = Review([], [], [])
    seen = set()
    for candidate in candidates(proposals):
        key = tuple(candidate.proposal_ids)
        candidate.group = decided.get(key)
        seen.add(key)
        if candidate.group is None:
            result.open.append(candidate)
    # Decided groups read from what was decided, even if today's similarity would group them differently.
    for key, group in decided.items():
        items = [by_id[pid] for pid in key if pid in by_id]
        if len(items) < 2:
            continue  # proposals hidden since, or not visible to this reader
        entry = Candidate(items, group.score, group)
        (result.confirmed if group.decision == GroupDecision.CONFIRMED else result.dismissed).append(entry)
    return result


def confirmed_groups(consultation: Consultation, items: list[Contribution]) -> list[Candidate]:
    """The confirmed groups, each read as one project, over the proposals among ``items`` (at least two)."""
    by_id = {item.proposal.id: item for item in items if item.kind == Kind.PROPOSAL}
    found = []
    for group in groups_of(consultation):
        if group.decision != GroupDecision.CONFIRMED:
            continue
        members = [by_id[p.id] for p in group.proposals if p.id in by_id]
        if len(members) >= 2:
            found.append(Candidate(members, group.score, group))
    return found


def decide(consultation: Consultation, proposal_ids: list[int], decision: GroupDecision, user, score: float):
    """Record a planner's decision on a candidate group (replacing an earlier one on the same proposals)."""
    ids = sorted(set(proposal_ids))
    if len(ids) < 2:
        raise DomainError("", status=400)
    proposals = list(db.session.scalars(select(ProjectProposal).where(ProjectProposal.id.in_(ids))))
    if len(proposals) != len(ids) or any(
        p.session.consultation_id != consultation.id or p.hidden_at is not None for p in proposals
    ):
        raise DomainError("", status=404)
    for group in groups_of(consultation):
        if sorted(p.id for p in group.proposals) == ids:
            db.session.delete(group)
    if not math.isfinite(score) or not 0 <= score <= 1:
        score = 0.0
    group = ProposalGroup(
        consultation_id=consultation.id, decision=decision, score=score, decided_by_id=user.id, decided_at=utcnow()
    )
    group.proposals = proposals
    db.session.add(group)
    db.session.flush()
    audit.record(f"proposal_group.{decision.value}", group, consultation=consultation.id, proposals=ids)
    return group


def reopen(consultation: Consultation, group: ProposalGroup) -> None:
    """Take a decision back: the grouping is a candidate again."""
    if group.consultation_id != consultation.id:
        raise DomainError("", status=404)
    audit.record("proposal_group.reopened", group, consultation=consultation.id)
    db.session.delete(group)
    db.session.flush()
