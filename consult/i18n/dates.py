"""Dates and times as people write them: "1 dicembre 2026, 18:00" / "1 December 2026, 18:00".

No seconds and no time-zone names: every moment is shown in the service's time zone (Europe/Rome,
BABEL_DEFAULT_TIMEZONE), which is the one people taking part live in. Machine-readable forms (ISO 8601
in downloads, the API and <time datetime>) keep their full precision.
"""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import format_date, format_datetime

DATE_PATTERN = "d MMMM y"
DATETIME_PATTERN = "d MMMM y, HH:mm"


def when(moment: datetime | date | None, time: bool = True) -> str:
    """``moment`` in words and figures; ``time=False`` for the day only. Empty for None."""
    if moment is None:
        return ""
    if time and isinstance(moment, datetime):
        return format_datetime(moment, DATETIME_PATTERN)
    return format_date(moment, DATE_PATTERN)
