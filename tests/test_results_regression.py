"""The public results stay exactly as they were counted before the tallies: the JSON API's answers for a fixed
set of ballots (every method × weighting, and each session by category) against a stored copy.

The copy, tests/fixtures/results_api.json, was written by the counting code that read every ballot as an
object (commit a27a763), with ``REGENERATE_RESULTS_FIXTURE=1``. Ids and times are left out: they differ
between databases and runs. bench/results_snapshot.py makes the same comparison on the demo data and on a
generated consultation of 25,000 ballots, byte for byte.
"""

import json
import os
from pathlib import Path

from tests.test_results_fixtures import add_session, create_consultation, import_ballots, set_state

FIXTURE = Path(__file__).parent / "fixtures" / "results_api.json"
CODES = ["1.1", "1.2", "2.1", "3.1", "4.1", "5.1"]
METHODS = ("borda", "schulze", "mean", "top3")
WEIGHTINGS = ("equal", "population", "participants", "pooled")
CATEGORIES = ("", "comune", "impresa", "scuola")


def _ballots(zone: int) -> tuple[list[list[str]], list[str]]:
    """A fixed, varied set: rankings of 1 to 5 places, some leaning to each zone's favourite."""
    ballots, categories = [], []
    for n in range(7 + 3 * zone):
        start = (n * (zone + 2)) % len(CODES)
        order = CODES[start:] + CODES[:start]
        if n % 3 == 0:
            order = [CODES[zone % len(CODES)]] + [c for c in order if c != CODES[zone % len(CODES)]]
        ballots.append(order[: 1 + (n * 7 + zone) % 5])
        categories.append(("comune", "impresa", "comune", "terzo_settore")[n % 4])
    return ballots, categories


def _strip(value):
    if isinstance(value, dict):
        return {k: _strip(v) for k, v in value.items() if k not in ("id", "generated_at")}
    if isinstance(value, list):
        return [_strip(v) for v in value]
    return value


def _answers(client, runner, tmp_path) -> dict:
    consultation_id = create_consultation(runner, "--strategies", ",".join(CODES))
    sessions = []
    for zone in (1, 2, 3, 5):
        session_id = add_session(runner, consultation_id, zone)
        ballots, categories = _ballots(zone)
        import_ballots(runner, tmp_path, session_id, ballots, categories=categories)
        if zone != 5:  # zone 5 stays open: the public's count leaves it out
            set_state(runner, session_id, "closed", "published")
        sessions.append(session_id)
    found = {}
    for method in METHODS:
        for weighting in WEIGHTINGS:
            url = f"/api/v1/consultations/{consultation_id}/results?method={method}&weighting={weighting}"
            found[f"metro-{method}-{weighting}"] = _strip(client.get(url).get_json())
        for number, session_id in enumerate(sessions[:3], start=1):
            for category in CATEGORIES:
                url = f"/api/v1/sessions/{session_id}/results?method={method}" + (
                    f"&category={category}" if category else ""
                )
                found[f"session{number}-{method}-{category or 'all'}"] = _strip(client.get(url).get_json())
    return found


def test_the_api_answers_exactly_as_before(seeded, client, runner, tmp_path):
    found = _answers(client, runner, tmp_path)
    if os.environ.get("REGENERATE_RESULTS_FIXTURE") == "1":
        FIXTURE.write_text(json.dumps(found, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    expected = json.loads(FIXTURE.read_text(encoding="utf-8"))
    assert sorted(found) == sorted(expected)
    for name in expected:
        assert found[name] == expected[name], name
