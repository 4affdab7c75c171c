"""Dates read as people write them, in the service's time zone, without seconds or time-zone names."""

import re
from datetime import UTC, date, datetime

from flask import render_template_string

from consult.i18n.dates import when

# 17:00 UTC on 1 December is 18:00 in Rome (CET, UTC+1); in July Rome is UTC+2.
WINTER = datetime(2026, 12, 1, 17, 0, 42, tzinfo=UTC)
SUMMER = datetime(2026, 7, 15, 7, 5, tzinfo=UTC)


def _in(app, language: str, template: str, **values) -> str:
    with app.test_request_context(headers={"Accept-Language": language}):
        return render_template_string(template, **values)


def test_the_filter_writes_dates_as_people_do(app):
    assert _in(app, "it", "{{ moment | when }}", moment=WINTER) == "1 dicembre 2026, 18:00"
    assert _in(app, "en", "{{ moment | when }}", moment=WINTER) == "1 December 2026, 18:00"
    assert _in(app, "it", "{{ moment | when }}", moment=SUMMER) == "15 luglio 2026, 09:05"
    assert _in(app, "it", "{{ moment | when(time=False) }}", moment=WINTER) == "1 dicembre 2026"
    assert _in(app, "en", "{{ day | when }}", day=date(2026, 12, 1)) == "1 December 2026"
    assert _in(app, "it", "{{ nothing | when }}", nothing=None) == ""
    with app.test_request_context():
        assert when(WINTER) == "1 dicembre 2026, 18:00"


def test_templates_show_dates_only_through_the_filter():
    """No template formats a date another way (seconds or zone names would come back with it)."""
    from pathlib import Path

    templates = Path(__file__).resolve().parents[1] / "templates"
    offenders = [
        f"{path.relative_to(templates)}: {match.group(0)}"
        for path in templates.rglob("*.html")
        for match in re.finditer(r"datetimeformat|dateformat|timeformat|strftime|format_datetime", path.read_text())
    ]
    assert offenders == []
