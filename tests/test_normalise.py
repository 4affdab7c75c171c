"""User text is normalised on the way in, and formulas are neutralised after normalising (issue 10, item 9)."""

import csv
import io

import pytest
from sqlalchemy import select

from consult.exports import neutralise, write_csv
from consult.extensions import db
from consult.models import Comment
from consult.text import clean
from tests.conftest import csrf_token
from tests.participation_helpers import make_session

INVISIBLE_PREFIXES = [
    "\ufeff",
    "\u200b",
    "\u2060",
    "\u00ad",
    "\u202e",
    "\U000e0041",
    " ",
    "\u00a0",
    "\u3000",
    "\ufeff ",
]


@pytest.mark.parametrize("prefix", INVISIBLE_PREFIXES)
@pytest.mark.parametrize("formula", ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)"])
def test_a_formula_behind_invisible_characters_is_still_neutralised(prefix, formula):
    value = prefix + formula
    assert neutralise(value).startswith("'")
    [_header, [cell]] = list(csv.reader(io.StringIO(write_csv(["a"], [[value]]).removeprefix("\ufeff"))))
    assert cell == "'" + value


def test_ordinary_text_and_numbers_are_left_alone():
    assert neutralise("Mobilità sostenibile") == "Mobilità sostenibile"
    assert neutralise("\u200dEmoji joiner first") == "\u200dEmoji joiner first"
    assert neutralise(-3) == -3


def test_clean_strips_boms_and_invisible_characters_but_keeps_joiners_and_lines():
    assert clean("\ufeff=1+1") == "=1+1"
    assert clean("a\u200bb\u2060c\u00add\u202ee\U000e0041") == "abcde"
    assert clean("👩\u200d💻 ok") == "👩\u200d💻 ok"
    assert clean("uno\r\ndue\x00\x07", multiline=True) == "uno\ndue"


def test_a_comment_is_stored_without_its_bom(personas, runner, app, client_as):
    session_id = make_session(runner)
    base = f"/zones/1/sessions/{session_id}"
    client = client_as("stakeholder")
    assert client.post(f"{base}/join", data={"csrf_token": csrf_token(client)}).status_code == 303
    response = client.post(
        f"{base}/comments",
        data={"csrf_token": csrf_token(client, base), "body": '\ufeff\u200b=HYPERLINK("http://x")', "strategy": "1.1"},
    )
    assert response.status_code in (302, 303), response.get_data(as_text=True)[:300]
    with app.app_context():
        assert db.session.scalar(select(Comment.body)) == '=HYPERLINK("http://x")'
