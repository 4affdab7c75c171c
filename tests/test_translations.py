"""Every UI string is translated into English, and both catalogues compile cleanly."""

from io import BytesIO
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
METHODS = [("consult/**.py", "python"), ("templates/**.html", "jinja2")]
OPTIONS = {"templates/**.html": {"trimmed": "true"}}


def extracted() -> set[str]:
    ids = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(ROOT),
        METHODS,
        OPTIONS,
        keywords={"_": None, "_l": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None},
    ):
        ids.add(message if isinstance(message, str) else message[0])
    return ids


def catalogue(locale: str) -> Catalog:
    with (ROOT / "translations" / locale / "LC_MESSAGES" / "messages.po").open("rb") as file:
        return read_po(file, locale=locale)


def test_babel_extraction_finds_the_ui_strings():
    # Guards the completeness test below against an extraction that silently finds nothing.
    ids = extracted()
    assert "Vai al contenuto principale" in ids  # base template
    assert "Percorso di navigazione" in ids  # macros
    assert "Pagina non trovata" in ids  # lazy strings in Python


@pytest.mark.parametrize("locale", ["it", "en"])
def test_catalogue_is_complete(locale):
    translations = catalogue(locale)
    problems = []
    for message_id in sorted(extracted()):
        message = translations.get(message_id)
        if message is None:
            problems.append(f"missing: {message_id!r}")
        elif message.fuzzy:
            problems.append(f"fuzzy: {message_id!r}")
        elif not all(message.string if isinstance(message.string, tuple) else [message.string]):
            problems.append(f"untranslated: {message_id!r}")
    assert not problems, "run `make messages`, then translate:\n" + "\n".join(problems)


@pytest.mark.parametrize("locale", ["it", "en"])
def test_catalogue_compiles_with_matching_placeholders(locale):
    translations = catalogue(locale)
    errors = [f"{message.id!r}: {error}" for message, errs in translations.check() for error in errs]
    assert not errors, "\n".join(errors)
    write_mo(BytesIO(), translations)
