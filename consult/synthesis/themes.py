"""Recurring themes: the terms and two-word phrases that come back across contributions, and similar proposals.

Words are reduced to their Italian lemma with simplemma (its dictionaries ship in the package; nothing is
downloaded) and Italian stop words are removed with the maintained ``stop-words`` list, so "piste ciclabili"
and "pista ciclabile" are one theme, and "trasporto a chiamata" is one phrase.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from simplemma import lemmatize, simple_tokenizer
from stop_words import get_stop_words

from consult.synthesis.services import Contribution, Kind, normalise

#: Kinds whose text is the participants' own words (priority actions and condition names are the plan's).
WRITTEN = (Kind.IMPLEMENTATION, Kind.PROPOSAL, Kind.ACTOR, Kind.CONDITION, Kind.COMMENT)
#: Heading written by the participant, for these kinds (a condition's heading is the managed tag's name).
WRITTEN_TITLE = (Kind.PROPOSAL, Kind.ACTOR)
MIN_LENGTH = 3
#: At most this many stop words between the two words of a phrase ("trasporto a chiamata").
GAP = 1
_WORD = re.compile(r"[^\W\d_]", re.UNICODE)
_APOSTROPHES = re.compile(r"['’`]")


@cache
def stop_words() -> frozenset[str]:
    return frozenset(normalise(word) for word in get_stop_words("it"))


@cache
def lemma(word: str) -> str:
    """The word's Italian lemma, normalised (accents and capitals aside)."""
    return normalise(lemmatize(word.casefold(), lang="it"))


@dataclass(frozen=True)
class Token:
    surface: str
    #: Normalised lemma; None for a stop word.
    key: str | None
    #: Punctuation between this token and the previous one breaks phrases.
    after_break: bool


def tokens(text: str) -> list[Token]:
    """Words of ``text`` with their lemmas; stop words kept (key None) so phrases can span them."""
    found: list[Token] = []
    pending_break = False
    # Elisions ("dell'Unione", "l'autobus") are split so the word after the apostrophe stands alone.
    for raw in simple_tokenizer(_APOSTROPHES.sub("' ", text or "")):
        if not _WORD.search(raw):
            pending_break = True
            continue
        word = raw.strip("'’`")
        plain = normalise(word)
        if len(plain) < MIN_LENGTH or plain in stop_words() or any(ch.isdigit() for ch in plain):
            found.append(Token(word, None, pending_break))
        else:
            key = lemma(word)
            found.append(Token(word, None if key in stop_words() else key, pending_break))
        pending_break = False
    return found


def terms(text: str) -> dict[str, str]:
    """Term key → the words as written, for every content word and two-word phrase of ``text``."""
    found: dict[str, str] = {}
    sequence = tokens(text)
    for index, token in enumerate(sequence):
        if token.key is None:
            continue
        found.setdefault(token.key, token.surface.casefold())
        # The next content word, across at most GAP stop words and no punctuation, makes a phrase.
        for step in range(1, GAP + 2):
            if index + step >= len(sequence):
                break
            following = sequence[index + step]
            if following.after_break:
                break
            if following.key is not None:
                words = " ".join(t.surface for t in sequence[index : index + step + 1]).casefold()
                found.setdefault(f"{token.key} {following.key}", words)
                break
    return found


def written_text(item: Contribution) -> str:
    title = item.title if item.kind in WRITTEN_TITLE else ""
    return f"{title}. {item.text}" if title else item.text


@dataclass
class Theme:
    """A term or two-word phrase and the contributions that use it."""

    key: str
    #: How it was most often written, e.g. "pista ciclabile" or "trasporto a chiamata".
    label: str
    items: list[Contribution]

    @property
    def words(self) -> int:
        return len(self.key.split())

    @property
    def zones(self) -> list:
        return sorted({item.zone.id: item.zone for item in self.items}.values(), key=lambda zone: zone.code)


def recurring_themes(items: list[Contribution], *, minimum: int = 2, limit: int = 8) -> list[Theme]:
    """Terms and phrases used by at least ``minimum`` contributions, those used most widely first.

    A word that only ever appears inside a recurring phrase is left out in favour of the phrase.
    """
    users: dict[str, list[Contribution]] = {}
    spellings: dict[str, dict[str, int]] = {}
    for item in items:
        if item.kind not in WRITTEN:
            continue
        for key, words in terms(written_text(item)).items():
            users.setdefault(key, []).append(item)
            forms = spellings.setdefault(key, {})
            forms[words] = forms.get(words, 0) + 1
    recurring = {key: found for key, found in users.items() if len(found) >= minimum}
    phrases = [key for key in recurring if " " in key]
    themes = []
    for key, found in recurring.items():
        if " " not in key and any(key in phrase.split() and len(recurring[phrase]) == len(found) for phrase in phrases):
            continue
        label = max(spellings[key].items(), key=lambda pair: (pair[1], -len(pair[0])))[0]
        themes.append(Theme(key, label, found))
    themes.sort(key=lambda t: (-len(t.items), -len(t.zones), -t.words, t.label))
    return themes[:limit]
