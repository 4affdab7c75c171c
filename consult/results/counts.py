"""Reading the ballots for counting: each session's ballots tallied per category, cached by ballots version.

A session's counted ballots are read once per ``ballots_version`` in two integer-only queries (ballots with
their category and channel; their places), turned into arrays and summed into one ``ranking.Tally`` per
stakeholder category. Zones, categories and the whole consultation are then counted by adding tallies, which
are a few kilobytes whatever the number of ballots.

Two caches keep them, both bounded in bytes: one in the process (``RESULTS_CACHE_BYTES``, default 32 MB,
also holding the counted results), and one on disk shared by every worker of the machine
(``RESULTS_CACHE_DIR``, default ``instance/results-cache``, at most ``RESULTS_CACHE_DISK_BYTES``, default
64 MB; an empty ``RESULTS_CACHE_DIR`` turns it off). An entry's key holds the session's id, creation time
and ballots version, and the strategies counted, so a changed ballot or scope is never served stale.
"""

from __future__ import annotations

import hashlib
import io
import os
import threading
import zipfile
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from flask import current_app
from sqlalchemy import select

from consult.config import INSTANCE_DIR
from consult.extensions import db
from consult.models import Channel, ConsultationSession
from consult.ranking import Tally

CHANNELS = tuple(Channel)


@dataclass(frozen=True, eq=False)
class SessionCounts:
    """One session's counted ballots: tallies by category id (None: not stated), ballots by channel."""

    categories: dict[int | None, Tally]
    channels: dict[Channel, int]

    @property
    def ballots(self) -> int:
        return sum(tally.ballots for tally in self.categories.values())

    @property
    def nbytes(self) -> int:
        return sum(tally.nbytes for tally in self.categories.values()) + 200


class ByteBoundedCache:
    """A least-recently-used mapping whose entries' sizes (as given) add up to at most ``limit`` bytes."""

    def __init__(self) -> None:
        self._entries: OrderedDict[tuple, tuple[object, int]] = OrderedDict()
        self._lock = threading.Lock()
        self.used = 0

    def get(self, key: tuple):
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            self._entries.move_to_end(key)
            return entry[0]

    def put(self, key: tuple, value, size: int, limit: int) -> None:
        with self._lock:
            if key in self._entries:
                self.used -= self._entries.pop(key)[1]
            if size > limit:
                return
            self._entries[key] = (value, size)
            self.used += size
            while self.used > limit:
                self.used -= self._entries.popitem(last=False)[1][1]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self.used = 0


MEMORY = ByteBoundedCache()


def memory_limit() -> int:
    return int(current_app.config.get("RESULTS_CACHE_BYTES", 32 * 2**20))


def cached(key: tuple, compute: Callable[[], object], size: Callable[[object], int]):
    """``compute()``, kept in the process cache under ``key`` (with the database's identity added)."""
    key = (_database(), *key)
    value = MEMORY.get(key)
    if value is None:
        value = compute()
        MEMORY.put(key, value, size(value), memory_limit())
    return value


def _database() -> str:
    # Two databases served from one instance folder (tests, a copy) must not share entries.
    return hashlib.sha256(db.engine.url.render_as_string(hide_password=False).encode()).hexdigest()[:16]


def session_key(session: ConsultationSession, codes: tuple[str, ...]) -> str:
    """What a session's tallies depend on, as a file-name-safe string."""
    scope = hashlib.sha256("\n".join(codes).encode()).hexdigest()[:12]
    created = session.created_at.strftime("%Y%m%d%H%M%S%f") if session.created_at else "0"
    return f"{_database()}-s{session.id}-{created}-v{session.ballots_version}-{scope}"


def session_counts(sessions: Iterable[ConsultationSession], codes: tuple[str, ...]) -> dict[int, SessionCounts]:
    """Each session's tallies over ``codes``: from the process cache, the shared disk cache or the database."""
    found: dict[int, SessionCounts] = {}
    missing: dict[int, ConsultationSession] = {}
    for session in sessions:
        key = ("counts", session_key(session, codes))
        counts = MEMORY.get(key)
        if counts is None:
            counts = _disk_read(key[1], len(codes))
            if counts is not None:
                MEMORY.put(key, counts, counts.nbytes, memory_limit())
        if counts is None:
            missing[session.id] = session
        else:
            found[session.id] = counts
    if missing:
        strategy_ids = _strategy_ids(codes)
        for session_id, counts in _read(list(missing), strategy_ids).items():
            key = ("counts", session_key(missing[session_id], codes))
            MEMORY.put(key, counts, counts.nbytes, memory_limit())
            _disk_write(key[1], counts)
            found[session_id] = counts
    return found


def _strategy_ids(codes: tuple[str, ...]) -> list[int]:
    from consult.models import Strategy

    by_code = dict(db.session.execute(select(Strategy.code, Strategy.id).where(Strategy.code.in_(codes))).all())
    return [by_code[code] for code in codes]


# --- reading from the database -------------------------------------------------------------------------------


def _read(session_ids: list[int], strategy_ids: list[int]) -> dict[int, SessionCounts]:
    """The sessions' tallies, read as integer columns and counted with NumPy."""
    ballots, places = _columns(session_ids)
    n = len(strategy_ids)
    index = np.full(max([*strategy_ids, int(places[:, 2].max(initial=0))]) + 1, -1, dtype=np.int64)
    index[strategy_ids] = np.arange(n)
    strategies = index[places[:, 2]]
    if (strategies < 0).any():
        raise ValueError("a ballot ranks a strategy that is not in scope")
    # Places in ballot order, best first: a table scan mostly reads them so already, and then no sort is needed.
    # The n-th place of a ballot goes to column n - 1 whatever its number.
    key = places[:, 0] * (int(places[:, 1].max(initial=0)) + 1) + places[:, 1]
    if len(key) and (np.diff(key) < 0).any():
        order = np.argsort(key, kind="stable")
        places, strategies = places[order], strategies[order]
    starts = np.flatnonzero(np.diff(places[:, 0], prepend=-1))
    ballot_ids = places[starts, 0]
    lengths = np.diff(starts, append=len(places))
    rankings = np.full((len(ballot_ids), int(lengths.max(initial=1))), -1, dtype=np.int64)
    rows = np.repeat(np.arange(len(ballot_ids)), lengths)
    rankings[rows, np.arange(len(places)) - np.repeat(starts, lengths)] = strategies
    # Only ballots with places are counted (and listed by channel), as they always were.
    if len(ballots) and (np.diff(ballots[:, 0]) < 0).any():
        ballots = ballots[np.argsort(ballots[:, 0])]
    ballots = ballots[np.searchsorted(ballots[:, 0], ballot_ids)]
    found = {}
    for session_id in session_ids:
        in_session = ballots[:, 1] == session_id
        categories, of_session = ballots[in_session, 2], rankings[in_session]
        tallies = {
            (int(category) or None): Tally.of(n, of_session[categories == category])
            for category in np.unique(categories)
        }
        per_channel = np.bincount(ballots[in_session, 3], minlength=len(CHANNELS) + 1)
        found[session_id] = SessionCounts(tallies, {c: int(per_channel[i]) for i, c in enumerate(CHANNELS)})
    return found


def _columns(session_ids: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """(ballot id, session id, category id or 0, channel number) of the sessions' ballots, and (ballot id,
    position, strategy id) of their places: integers only, read without a Python object per row."""
    sessions = ", ".join(str(int(session_id)) for session_id in session_ids)
    channel = " ".join(f"WHEN '{c.value}' THEN {i}" for i, c in enumerate(CHANNELS))
    ballot = [
        "b.id",
        "b.session_id",
        "coalesce(p.category_id, 0)",
        f"CASE b.channel {channel} ELSE {len(CHANNELS)} END",
    ]
    place = ["r.ballot_id", "r.position", "r.strategy_id"]
    connection = db.session.connection()
    driver = connection.connection.driver_connection
    if connection.dialect.name == "postgresql":
        sources = (
            f"FROM ballot b JOIN participant p ON p.id = b.participant_id WHERE b.session_id IN ({sessions})",
            f"FROM ballot_rank r JOIN ballot b ON b.id = r.ballot_id WHERE b.session_id IN ({sessions})",
        )
        return _packed(driver, sources[0], ballot), _packed(driver, sources[1], place)
    # SQLite: one row holding each column as a comma-separated list, which NumPy parses in C.
    ballots = _concatenated(
        driver,
        f"FROM ballot b CROSS JOIN participant p ON p.id = b.participant_id WHERE b.session_id IN ({sessions})",
        ballot,
    )
    # Many ballots are read fastest by scanning the table in its order; a few, through the index.
    size = driver.execute("SELECT max(rowid) FROM ballot_rank").fetchone()[0] or 0
    scan = "NOT INDEXED" if len(ballots) * 8 > size else ""
    places = _concatenated(
        driver,
        f"FROM ballot_rank r {scan} CROSS JOIN ballot b ON b.id = r.ballot_id WHERE b.session_id IN ({sessions})",
        place,
    )
    return ballots, places


def _concatenated(driver, source: str, columns: list[str]) -> np.ndarray:
    aggregates = ", ".join(f"group_concat({column})" for column in columns)
    # Every aggregate of one query sees the rows in the same order, so the lists line up.
    lists = driver.execute(f"SELECT {aggregates} {source}").fetchone()
    if lists[0] is None:
        return np.zeros((0, len(columns)), dtype=np.int64)
    return np.column_stack([np.fromstring(text, dtype=np.int64, sep=",") for text in lists])


def _packed(driver, source: str, columns: list[str]) -> np.ndarray:
    """PostgreSQL: one value holding every row's 4-byte integers back to back, which NumPy reads as it is
    (a row per value, or COPY, would cost a Python call per row)."""
    packed = " || ".join(f"int4send({column})" for column in columns)
    sql = f"SELECT string_agg({packed}, ''::bytea) {source}"
    with driver.cursor(binary=True) as cursor:
        blob = cursor.execute(sql).fetchone()[0]
    if blob is None:
        return np.zeros((0, len(columns)), dtype=np.int64)
    return np.frombuffer(blob, dtype=">i4").reshape(-1, len(columns)).astype(np.int64)


# --- the cache shared on disk ------------------------------------------------------------------------------------


def _folder() -> Path | None:
    configured = current_app.config.get("RESULTS_CACHE_DIR")
    if configured == "":
        return None
    return Path(configured) if configured else INSTANCE_DIR / "results-cache"


def _disk_read(name: str, n: int) -> SessionCounts | None:
    folder = _folder()
    if folder is None:
        return None
    try:
        with np.load(folder / f"{name}.npz", allow_pickle=False) as stored:
            arrays = dict(stored)
        per_channel = arrays.pop("channels")
        channels = {c: int(per_channel[i]) for i, c in enumerate(CHANNELS)}
        groups: dict[str, dict] = {}
        for field, array in arrays.items():
            category, _sep, part = field.partition("_")
            groups.setdefault(category, {})[part] = array
        tallies = {(int(c[1:]) or None): Tally.from_arrays(parts) for c, parts in groups.items()}
        if any(tally.n != n for tally in tallies.values()):
            return None
        return SessionCounts(tallies, channels)
    except (OSError, ValueError, KeyError, zipfile.BadZipFile):
        return None  # absent, or half-written by a worker that crashed: counted again


def _disk_write(name: str, counts: SessionCounts) -> None:
    folder = _folder()
    if folder is None:
        return
    arrays = {"channels": np.array([counts.channels[c] for c in CHANNELS])}
    for category, tally in counts.categories.items():
        for part, array in tally.arrays().items():
            arrays[f"c{category or 0}_{part}"] = array
    try:
        folder.mkdir(parents=True, exist_ok=True)
        data = io.BytesIO()
        np.savez(data, **arrays)
        draft = folder / f".{name}.{os.getpid()}.{threading.get_ident()}"
        draft.write_bytes(data.getvalue())
        os.replace(draft, folder / f"{name}.npz")  # readers see the whole file or none
        _prune(folder, name)
    except OSError:
        current_app.logger.warning("results cache: cannot write to %s", folder, exc_info=True)


def _prune(folder: Path, written: str) -> None:
    """Drop the session's older versions, then the least recently written files beyond the size limit."""
    database, session = written.split("-")[:2]
    limit = int(current_app.config.get("RESULTS_CACHE_DISK_BYTES", 64 * 2**20))
    entries = []
    for path in folder.glob("*.npz"):
        try:
            stat = path.stat()
        except OSError:
            continue
        if path.stem != written and path.stem.startswith(f"{database}-{session}-"):
            path.unlink(missing_ok=True)
        else:
            entries.append((stat.st_mtime, stat.st_size, path))
    total = sum(size for _mtime, size, _path in entries)
    for _mtime, size, path in sorted(entries):
        if total <= limit:
            break
        path.unlink(missing_ok=True)
        total -= size
