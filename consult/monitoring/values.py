"""Reading the values of a report's indicator cells: original text kept, quantity parsed when it is one.

Pure code (no Flask, no database): the converter, the importer and the tests share it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: Texts that say "no value" in the reports.
NO_VALUE = {"n.d.", "nd", "n.d", "-", "--", "---", "/", "–"}

_UNITS = {
    "€": "EUR",
    "euro": "EUR",
    "eur": "EUR",
    "gg": "days",
    "giorni": "days",
    "%": "%",
    "km": "km",
    "mq": "m²",
}

#: An Italian-formatted number: thousands with dots, decimals with a comma (or a plain integer).
_NUMBER = r"[+-]?(?:\d{1,3}(?:\.\d{3})+|\d+)(?:,\d+)?"
_QUANTITY = re.compile(
    rf"^(?P<pre>€\s*)?(?P<num>{_NUMBER})\s*(?P<unit>€|euro|eur|gg|giorni|%|km|mq)?$",
    re.IGNORECASE,
)
_RATIO = re.compile(rf"^(?P<num>{_NUMBER})\s*/\s*(?P<den>{_NUMBER})$")
#: A stray space inside a number: an incomplete thousands group ("219.54 4") or decimals ("378,2 2").
_SPLIT_DIGITS = re.compile(r"(\d\.\d{1,2}|,\d+) (\d{1,2})\b")


@dataclass(frozen=True)
class Value:
    """One cell: the text as printed, and the quantity when the text is one."""

    text: str
    number: float | None = None
    unit: str | None = None
    #: For ratios ("187/455"): the denominator; ``number`` holds the numerator.
    denominator: float | None = None
    #: Set when reading the text needed a decision (e.g. a stray space joined), for the converter's report.
    note: str | None = None

    @property
    def is_missing(self) -> bool:
        return self.text.strip().lower() in NO_VALUE or not self.text.strip()


def italian_number(text: str) -> float:
    """``1.983`` → 1983, ``4.087.653,45`` → 4087653.45."""
    return float(text.replace(".", "").replace(",", "."))


def _join_split_digits(text: str) -> str:
    def join(match: re.Match) -> str:
        return match.group(1) + match.group(2)

    return _SPLIT_DIGITS.sub(join, text)


def parse_value(text: str | None) -> Value:
    """Parse a cell; anything that is not clearly a quantity keeps its text and no number."""
    original = (text or "").strip()
    if not original or original.lower() in NO_VALUE:
        return Value(original)
    candidate = original
    note = None
    joined = _join_split_digits(candidate)
    if joined != candidate and (_QUANTITY.match(joined) or _RATIO.match(joined)):
        note = f"stray space in a number: {original!r} read as {joined!r}"
        candidate = joined
    match = _RATIO.match(candidate)
    if match:
        return Value(
            original,
            italian_number(match["num"]),
            "ratio",
            italian_number(match["den"]),
            note,
        )
    match = _QUANTITY.match(candidate)
    if match:
        unit_text = (match["unit"] or ("€" if match["pre"] else "")).lower()
        unit = _UNITS.get(unit_text)
        return Value(original, italian_number(match["num"]), unit, None, note)
    return Value(original)
