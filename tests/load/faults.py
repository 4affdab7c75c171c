"""Faults during a burst of submissions: what people see, how long recovery takes, whether anything is lost.

    .venv/bin/python tests/load/faults.py            # as root (it mounts a small tmpfs and runs PostgreSQL)

1. PostgreSQL stopped for 30 s while a room submits (a throwaway server this script starts).
2. A full disk under the SQLite database (an 8 MB tmpfs filled up, then freed).
3. The SQLite database files read-only (immutable) for 10 s, its workers killed and restarted by gunicorn
   meanwhile so that they open the file read-only, then writable again.

The three run at the same time, each with its own server, files and gunicorn (4 workers, never restarted).
People whose submission gets the 503 page press "Send again" every second, as the page invites them to.
For each fault the script prints the failed requests, what people saw (status and language of the page),
the seconds from the end of the fault to the next acknowledged submission (must be under 10 s, with at most
1 in 20 people left without a saved ranking), the log written meanwhile, and acknowledged ballots lost (must be 0).
"""

import http.client
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from production import BIN, ROOT, Browser, flask, free_port, token

PG_BIN = Path("/usr/lib/postgresql/15/bin")


def as_postgres(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["runuser", "-u", "postgres", "--", *args], capture_output=True, text=True, check=True)  # noqa: S603, S607


def prepare(env: dict, people: int) -> tuple[str, list[str], int]:
    flask(env, "db", "upgrade")
    flask(env, "seed")
    consultation = flask(env, "consultations", "create", "--title", "Guasti").strip()
    session_id = flask(env, "sessions", "create", consultation, "--zone", "1").strip()
    flask(env, "sessions", "set-state", session_id, "open")
    return session_id, flask(env, "codes", "generate", session_id, str(people)).split(), 5


def ballots_of(env: dict, session_id: str) -> set[str]:
    out = subprocess.run(  # noqa: S603
        [sys.executable, "-c", "import json; from consult import create_app; from consult.extensions import db\n"
         "from consult.models import Ballot, Participant, ParticipantCode\napp = create_app()\n"
         "with app.app_context():\n    print(json.dumps([c for (c,) in db.session.query(ParticipantCode.code)"
         ".join(Participant, Participant.code_id == ParticipantCode.id)"
         f".join(Ballot, Ballot.participant_id == Participant.id).filter(Ballot.session_id == {session_id})]))"],
        env=env, cwd=ROOT, capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    return set(json.loads(out))


def start_gunicorn(env: dict, log: Path, *user: str) -> tuple[subprocess.Popen, int]:
    port = free_port()
    server = subprocess.Popen(  # noqa: S603
        [str(BIN / "gunicorn"), "-c", "gunicorn.conf.py", "--workers", "4", "--bind", f"127.0.0.1:{port}",
         "--access-logfile", "/dev/null", *user, "consult:create_app()"],
        env=env, cwd=ROOT, stdout=log.open("w"), stderr=subprocess.STDOUT,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if Browser(port, [], []).request("GET", "/healthz", retries=0)[0] == 200:
                return server, port
        except OSError:
            pass
        time.sleep(0.3)
    raise SystemExit(f"gunicorn did not start: {log.read_text()[-2000:]}")


class Room:
    """People joining with codes and ranking over ``spread`` seconds; each resends after a 503 until saved."""

    def __init__(self, port: int, session_id: str, codes: list[str], spread: float):
        self.port, self.session_id, self.codes, self.spread = port, session_id, codes, spread
        self.acknowledged: dict[str, float] = {}
        self.seen: Counter = Counter()
        self.failed = 0
        self.lock = threading.Lock()

    #: How long a person keeps pressing "Send again" before giving up (counted among those left without a ranking).
    PATIENCE = 120

    def _send(self, browser: Browser, method: str, path: str, form=None) -> tuple[int, str]:
        give_up = time.monotonic() + self.PATIENCE
        while True:
            try:
                status, page = browser.request(method, path, form, retries=0)
            except (OSError, http.client.HTTPException):  # the worker was killed mid-answer
                status, page = 0, ""
            if status not in (0, 500, 502, 503) or time.monotonic() > give_up:
                return status, page
            with self.lock:
                self.failed += 1
                language = re.search(r'<html lang="(\w+)"', page)
                title = "momentaneamente non disponibile" in page or "temporarily unavailable" in page
                self.seen[(status, language.group(1) if language else "-", "503 page" if title else "other")] += 1
            time.sleep(1)  # "Send again", a second later

    def person(self, code: str, delay: float) -> None:
        time.sleep(delay)
        browser = Browser(self.port, [], [])
        _status, page = self._send(browser, "GET", "/join")
        status, page = self._send(
            browser, "POST", "/join", {"csrf_token": token(page), "code": code, "category": "comune"}
        )
        if status != 303:  # counted, and shown in the figures with the page's message
            found = re.findall(r'invalid-feedback[^>]*>([^<]{0,80})|role="alert">([^<]{0,80})', page)
            message = " ".join(found[0]) if found else ""
            with self.lock:
                self.seen[(status, "-", f"join refused: {message.strip()}")] += 1
            return
        path = f"/zones/1/sessions/{self.session_id}/ranking"
        _status, page = self._send(browser, "GET", path)
        fields = re.findall(r'name="(position-[^"]+)"', page)[:5]
        form = {"csrf_token": token(page), **{field: str(n) for n, field in enumerate(fields, start=1)}}
        status, _page = self._send(browser, "POST", path, form)
        if status == 303:
            with self.lock:
                self.acknowledged[code] = time.monotonic()

    def run(self) -> list[threading.Thread]:
        rng = random.Random(13)
        threads = [
            threading.Thread(target=self.person, args=(code, rng.uniform(0, self.spread))) for code in self.codes
        ]
        for thread in threads:
            thread.start()
        return threads


#: Seconds from the end of a fault within which submissions must be acknowledged again.
RECOVERY_LIMIT = 10


def report(name: str, room: Room, fault_end: float, stored: set[str], log_bytes: int) -> tuple[bool, str]:
    """Whether the room recovered with nothing lost, and the figures to print (the faults run side by side)."""
    after = [at for at in room.acknowledged.values() if at >= fault_end]
    recovery = (min(after) - fault_end) if after else float("nan")
    lost = set(room.acknowledged) - stored
    lines = [f"== {name}"]
    lines.append(f"   submissions acknowledged: {len(room.acknowledged)}/{len(room.codes)}; "
                 f"failed requests (then resent): {room.failed}")  # fmt: skip
    for (status, language, kind), count in sorted(room.seen.items()):
        lines.append(f"   people saw: {count} x HTTP {status}, lang={language}, {kind}")
    lines.append(f"   seconds from the end of the fault to the next acknowledged submission: {recovery:.1f}")
    lines.append(f"   log written during the run: {log_bytes:,} bytes")
    lines.append(f"   acknowledged ballots lost: {len(lost)}")
    # A join whose answer was cut off by a killed worker may have used up the code: that person needs a
    # new code from the facilitator (a single-use code cannot tell a resend from a second person).
    left = len(room.codes) - len(room.acknowledged)
    lines.append(f"   people left without a saved ranking: {left}")
    # Recovery is part of passing: the room must be able to submit again soon after the fault, without
    # restarting gunicorn (a person or two may lose a join answered by a killed worker, nobody more).
    recovered = recovery < RECOVERY_LIMIT and left <= len(room.codes) // 20
    if not recovered:
        lines.append(f"   FAILED: did not recover within {RECOVERY_LIMIT} s for everybody")
    return recovered and not lost, "\n".join(lines)


def postgres_outage(work: Path) -> tuple[bool, str]:
    data, port = work / "pg", free_port()
    shutil.chown(work, "postgres")
    as_postgres(
        str(PG_BIN / "initdb"), "-D", str(data), "--auth=trust", "-U", "postgres", "--locale=C", "--encoding=UTF8"
    )
    options = f"-k {work} -h 127.0.0.1 -p {port}"

    def pg(*args):
        as_postgres(str(PG_BIN / "pg_ctl"), "-D", str(data), "-l", str(work / "pg.log"), "-o", options, "-w", *args)

    pg("start")
    try:
        as_postgres(str(PG_BIN / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "consult")
        env = {**os.environ, "DATABASE_URL": f"postgresql://postgres@127.0.0.1:{port}/consult",
               "SECRET_KEY": "faults-" + "x" * 32, "CONSULT_INSTANCE": str(work)}  # fmt: skip
        session_id, codes, _depth = prepare(env, 150)
        log = work / "gunicorn-pg.log"
        server, http_port = start_gunicorn(env, log)
        try:
            room = Room(http_port, session_id, codes, spread=40)
            threads = room.run()
            time.sleep(3)
            pg("stop", "-m", "fast")
            time.sleep(30)
            pg("start")
            fault_end = time.monotonic()
            for thread in threads:
                thread.join()
            return report(
                "PostgreSQL stopped for 30 s", room, fault_end, ballots_of(env, session_id), log.stat().st_size
            )
        finally:
            server.terminate()
            server.wait(timeout=30)
    finally:
        pg("stop", "-m", "immediate")


def sqlite_fault(work: Path, name: str, break_it, mend_it, *, restart_workers: bool = False) -> tuple[bool, str]:
    mount = work / "disk"
    mount.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(mount)], check=True)  # noqa: S603, S607
    try:
        env = {**os.environ, "DATABASE_URL": f"sqlite:///{mount / 'consult.sqlite3'}",
               "SECRET_KEY": "faults-" + "x" * 32, "CONSULT_INSTANCE": str(work)}  # fmt: skip
        session_id, codes, _depth = prepare(env, 60)
        log = work / f"gunicorn-{mount.name}.log"
        server, port = start_gunicorn(env, log)
        try:
            room = Room(port, session_id, codes, spread=15)
            threads = room.run()
            time.sleep(2)
            break_it(mount)
            if restart_workers:
                # Workers started while the file cannot be written: as after a deploy with a permissions mistake.
                for worker in Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split():
                    os.kill(int(worker), signal.SIGKILL)
            time.sleep(10)
            mend_it(mount)
            fault_end = time.monotonic()
            for thread in threads:
                thread.join()
            return report(name, room, fault_end, ballots_of(env, session_id), log.stat().st_size)
        finally:
            server.terminate()
            server.wait(timeout=30)
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)  # noqa: S603, S607


def fill(mount: Path) -> None:
    try:
        with (mount / "filler").open("wb") as filler:
            while True:
                filler.write(b"\0" * 65536)
                filler.flush()
    except OSError:  # full: what was wanted (even creating the file can fail once the burst has filled it)
        pass


def read_only(mount: Path) -> None:
    # Immutable, which binds root too (permission bits do not): SQLite then opens the file read-only.
    subprocess.run(["chattr", "+i", *map(str, mount.iterdir())], check=True)  # noqa: S603, S607


def writable(mount: Path) -> None:
    subprocess.run(["chattr", "-i", *map(str, mount.iterdir())], check=True)  # noqa: S603, S607


def run(scenario: str) -> tuple[bool, str]:
    work = Path(tempfile.mkdtemp(prefix=f"consult-faults-{scenario}-"))
    try:
        if scenario == "postgres":
            return postgres_outage(work)
        if scenario == "full":
            return sqlite_fault(
                work, "SQLite disk full for 10 s", fill, lambda m: (m / "filler").unlink(missing_ok=True)
            )
        return sqlite_fault(work, "SQLite file read-only for 10 s, workers restarted meanwhile", read_only, writable,
                            restart_workers=True)  # fmt: skip
    except (Exception, SystemExit) as error:  # reported with the others: one fault does not hide the rest
        return False, f"== {scenario}\n   FAILED: {error!r}"
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main() -> int:
    if os.geteuid() != 0:
        sys.exit("run as root: the script mounts a tmpfs and runs PostgreSQL as the postgres user")
    only = sys.argv[1:] or ("postgres", "full", "readonly")
    # The faults are independent (a PostgreSQL server, a tmpfs and a gunicorn each, on their own ports), and
    # mostly waiting (the outage, the people's pauses): they run at the same time, their figures in this order.
    with ThreadPoolExecutor(max_workers=len(only)) as pool:
        results = list(pool.map(run, only))
    for _ok, figures in results:
        print(figures)
    passed = all(ok for ok, _figures in results)
    print("all faults: " + ("ok: recovered, nothing acknowledged was lost" if passed else "FAILED"))
    return 0 if passed else 1


if __name__ == "__main__":
    http.client.HTTPConnection.debuglevel = 0
    sys.exit(main())
