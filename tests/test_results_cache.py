"""The tallies behind the results: kept per ballots version in the process and on disk (shared by workers),
both bounded in bytes, never served stale, and recounted when the disk copy is unreadable."""

import pytest

from consult.extensions import db
from consult.models import ConsultationSession
from consult.results import counts
from consult.results import services as results
from tests.test_results_fixtures import add_session, create_consultation, import_ballots

X, Y, Z = "1.1", "1.2", "1.3"


@pytest.fixture
def cache_dir(app, tmp_path):
    app.config["RESULTS_CACHE_DIR"] = str(tmp_path / "cache")
    counts.MEMORY.clear()
    yield tmp_path / "cache"
    counts.MEMORY.clear()


def _session(app, runner, tmp_path):
    consultation_id = create_consultation(runner)
    session_id = add_session(runner, consultation_id, 1)
    import_ballots(runner, tmp_path, session_id, [[X, Y], [Y, X, Z], [Y]], categories=["comune", "impresa", "comune"])
    return session_id


def _borda(app, session_id, category=None):
    with app.app_context():
        session = db.session.get(ConsultationSession, session_id)
        return [(row.code, row.score) for row in results.session_result(session, "borda", category).rows]


def test_another_worker_reads_the_tallies_from_disk(app, seeded, runner, tmp_path, cache_dir):
    session_id = _session(app, runner, tmp_path)
    first = _borda(app, session_id)
    assert first == [(Y, 5.0), (X, 3.5), (Z, 0.5)]
    assert len(list(cache_dir.glob("*.npz"))) == 1
    counts.MEMORY.clear()  # as a second worker would start: nothing in its memory
    with app.app_context():
        session = db.session.get(ConsultationSession, session_id)
        codes = tuple(results.scope_codes(session.consultation))
        stored = counts._disk_read(counts.session_key(session, codes), len(codes))
    assert stored is not None and stored.ballots == 3
    assert _borda(app, session_id) == first
    assert _borda(app, session_id, "impresa") == [(Y, 2.0), (X, 1.0), (Z, 0.0)]


def test_a_changed_ballot_is_counted_and_the_old_tallies_are_dropped(app, seeded, runner, tmp_path, cache_dir):
    session_id = _session(app, runner, tmp_path)
    _borda(app, session_id)
    before = {path.name for path in cache_dir.glob("*.npz")}
    import_ballots(runner, tmp_path, session_id, [[Z, X]] * 4)
    assert _borda(app, session_id)[0][0] == Z
    after = {path.name for path in cache_dir.glob("*.npz")}
    assert len(after) == 1 and after != before


def test_an_unreadable_disk_copy_is_counted_again(app, seeded, runner, tmp_path, cache_dir):
    session_id = _session(app, runner, tmp_path)
    first = _borda(app, session_id)
    (stored,) = cache_dir.glob("*.npz")
    stored.write_bytes(b"half a file")
    counts.MEMORY.clear()
    assert _borda(app, session_id) == first


def test_the_disk_cache_can_be_turned_off(app, seeded, runner, tmp_path, cache_dir):
    app.config["RESULTS_CACHE_DIR"] = ""
    session_id = _session(app, runner, tmp_path)
    assert _borda(app, session_id) == [(Y, 5.0), (X, 3.5), (Z, 0.5)]
    assert not cache_dir.exists()


def test_the_memory_cache_is_bounded_in_bytes():
    cache = counts.ByteBoundedCache()
    for n in range(10):
        cache.put(("entry", n), n, 300, limit=1_000)
    assert cache.used <= 1_000
    assert cache.get(("entry", 9)) == 9 and cache.get(("entry", 0)) is None
    cache.put(("huge",), "too big", 5_000, limit=1_000)
    assert cache.get(("huge",)) is None
