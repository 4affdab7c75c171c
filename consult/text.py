"""User text: stored as plain text, shown escaped with safe links. Never raw HTML."""

import re
import unicodedata

import bleach
from markupsafe import Markup, escape

#: Zero-width (non-)joiners are format characters that some scripts and emoji need; they stay.
KEEP_FORMAT = frozenset("\u200c\u200d")
#: Kept of the control characters: newline and tab.
KEEP_CONTROL = frozenset("\n\t")


def invisible(char: str) -> bool:
    """Control and format characters (BOM, zero-width space, bidirectional overrides, soft hyphen, tags...):
    invisible on screen, and a way to smuggle text past a reader or a spreadsheet's formula check."""
    if char in KEEP_FORMAT or char in KEEP_CONTROL:
        return False
    return unicodedata.category(char) in ("Cc", "Cf", "Cs")


def clean(value: str | None, max_length: int | None = None, *, multiline: bool = False) -> str:
    """Normalise text as typed: NFC, no control or invisible characters, trimmed, length-limited."""
    text = unicodedata.normalize("NFC", value or "").replace("\r\n", "\n").replace("\r", "\n")
    text = "".join(char for char in text if not invisible(char))
    if not multiline:
        text = " ".join(text.split())
    else:
        text = re.sub(r"\n{3,}", "\n\n", "\n".join(line.rstrip() for line in text.split("\n")))
    text = text.strip()
    return text[:max_length] if max_length else text


#: The largest id or number a URL or form may carry: PostgreSQL's INTEGER, which every id column is.
MAX_INT = 2**31 - 1


def whole_number(value: str | None, maximum: int = MAX_INT) -> int | None:
    """``value`` as a whole number written with ASCII digits, at most ``maximum``; None for anything else.

    ``str.isdigit`` accepts "²" and "١٢", which ``int`` then refuses or reads; a 4,000-digit number is
    refused before it is converted (Python limits that) or sent to the database (which overflows)."""
    value = (value or "").strip()
    if not value or len(value) > len(str(maximum)) or not value.isascii() or not value.isdigit():
        return None
    number = int(value)
    return number if number <= maximum else None


def _link_attributes(attrs, new=False):
    href = attrs.get((None, "href"), "")
    if not href.startswith(("http://", "https://", "mailto:")):
        return None  # not a link we make
    attrs[(None, "rel")] = "nofollow noopener noreferrer ugc"
    return attrs


_linker = bleach.Linker(callbacks=[_link_attributes], parse_email=False)


def render(value: str | None) -> Markup:
    """Plain text to safe HTML: escaped, web addresses made links, paragraphs and line breaks kept."""
    paragraphs = [p for p in (value or "").split("\n\n") if p.strip()]
    html = "".join(
        "<p>" + _linker.linkify(str(escape(paragraph))).replace("\n", "<br>\n") + "</p>" for paragraph in paragraphs
    )
    return Markup(html)  # noqa: S704 - escaped above; linkify adds only <a href> with checked schemes
