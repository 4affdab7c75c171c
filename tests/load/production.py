"""Load and faults on the production profile: PostgreSQL, Redis, gunicorn -w 4 behind one proxy hop.

    .venv/bin/python tests/load/production.py --database-url postgresql://postgres@127.0.0.1:5432/consult_load

The database named is emptied and rebuilt. Redis is the one at --redis-url, or a throwaway redis-server.
250 people from one address join with room codes and rank, while a 20,000-row paper import runs in the same
session (the CLI), one worker is killed, and someone hammers wrong codes from the same address. Then the
sign-in limit is checked across the four workers. Prints its figures; exits non-zero when a check fails.
"""

import argparse
import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def flask(env: dict, *args: str) -> str:
    result = subprocess.run(  # noqa: S603 - our own command line
        [str(BIN / "flask"), "--app", "consult", *args], env=env, cwd=ROOT, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        sys.exit(f"flask {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def proxy(upstream_port: int) -> ThreadingHTTPServer:
    """One reverse-proxy hop, as nginx would be: forwards each request and appends X-Forwarded-For."""

    class Hop(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *_args):
            pass

        def _forward(self):
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            headers = {k: v for k, v in self.headers.items() if k.lower() not in ("connection", "x-forwarded-for")}
            headers["X-Forwarded-For"] = self.client_address[0]
            headers["X-Forwarded-Proto"] = "http"
            try:
                upstream = http.client.HTTPConnection("127.0.0.1", upstream_port, timeout=60)
                upstream.request(self.command, self.path, body=body, headers=headers)
                answer = upstream.getresponse()
                payload = answer.read()
                status, answer_headers = answer.status, answer.getheaders()
                upstream.close()
            except (OSError, http.client.HTTPException):
                # The worker died mid-answer (a cut-off body is an HTTPException, not an OSError): 502, as nginx.
                status, answer_headers, payload = 502, [], b"bad gateway"
            self.send_response(status)
            for name, value in answer_headers:
                if name.lower() not in ("connection", "transfer-encoding", "content-length", "date"):
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_POST = _forward

    server = ThreadingHTTPServer(("127.0.0.1", free_port()), Hop)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


class Browser:
    """One person's browser: its own cookies, no redirects followed, every request timed."""

    def __init__(self, port: int, timings: list, statuses: list):
        self.port, self.cookies, self.timings, self.statuses = port, {}, timings, statuses

    def request(self, method: str, path: str, form: dict | None = None, retries: int = 2) -> tuple[int, str]:
        body = urllib.parse.urlencode(form).encode() if form is not None else None
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.monotonic()
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        text = response.read().decode(errors="replace")
        connection.close()
        self.timings.append(time.monotonic() - started)
        self.statuses.append(response.status)
        for value in response.headers.get_all("Set-Cookie") or []:
            name, _sep, rest = value.partition("=")
            self.cookies[name] = rest.split(";", 1)[0]
        if response.status == 502 and retries:  # the worker serving it was killed: a person presses again
            return self.request(method, path, form, retries - 1)
        return response.status, text


def token(page: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--redis-url")
    parser.add_argument("--participants", type=int, default=250)
    parser.add_argument("--import-rows", type=int, default=20_000)
    parser.add_argument("--workers", type=int, default=4)
    options = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="consult-load-"))
    children: list[subprocess.Popen] = []
    failures: list[str] = []
    try:
        redis_url = options.redis_url
        if not redis_url:
            redis_port = free_port()
            children.append(
                subprocess.Popen(  # noqa: S603
                    [shutil.which("redis-server"), "--port", str(redis_port), "--save", "", "--dir", str(work)],
                    stdout=subprocess.DEVNULL,
                )
            )
            redis_url = f"redis://127.0.0.1:{redis_port}/0"
        env = {
            **os.environ,
            "DATABASE_URL": options.database_url,
            "SECRET_KEY": "load-test-" + "x" * 32,
            "RATELIMIT_STORAGE_URI": redis_url,
            "PROXY_HOPS": "1",
            "CONSULT_INSTANCE": str(work),
        }
        # An empty database, built by the migrations, with one open session in zone 1 and its room codes.
        subprocess.run(
            [sys.executable, "-c", "from consult import create_app; from consult.extensions import db;\n"
             "app = create_app()\nwith app.app_context():\n    db.drop_all()\n"
             "    db.session.execute(db.text('DROP TABLE IF EXISTS alembic_version')); db.session.commit()"],
            env=env, cwd=ROOT, check=True,
        )  # fmt: skip
        flask(env, "db", "upgrade")
        flask(env, "seed")
        consultation = flask(env, "consultations", "create", "--title", "Carico").strip()
        session_id = flask(env, "sessions", "create", consultation, "--zone", "1").strip()
        flask(env, "sessions", "set-state", session_id, "open")
        codes = flask(env, "codes", "generate", session_id, str(options.participants)).split()
        scope = json.loads(
            subprocess.run(  # noqa: S603
                [sys.executable, "-c", "import json; from consult import create_app;\n"
                 "from consult.extensions import db\n"
                 "from consult.models import Consultation\napp = create_app()\nwith app.app_context():\n"
                 f"    c = db.session.get(Consultation, {consultation})\n"
                 "    print(json.dumps([[s.code for s in c.strategies_in_order], c.depth]))"],
                env=env, cwd=ROOT, capture_output=True, text=True, check=True,
            ).stdout
        )  # fmt: skip
        strategies, depth = scope
        paper = work / "schede.csv"
        with paper.open("w") as out:
            out.write("participant;" + ";".join(str(n) for n in range(1, depth + 1)) + "\n")
            for n in range(options.import_rows):
                ranking = [strategies[(n + k) % len(strategies)] for k in range(depth)]
                out.write(f"P{n:05d};" + ";".join(ranking) + "\n")

        port = free_port()
        gunicorn = subprocess.Popen(  # noqa: S603
            [str(BIN / "gunicorn"), "-c", "gunicorn.conf.py", "--workers", str(options.workers),
             "--bind", f"127.0.0.1:{port}", "--access-logfile", str(work / "access.log"), "consult:create_app()"],
            env=env, cwd=ROOT, stderr=open(work / "gunicorn.log", "w"),  # noqa: SIM115
        )  # fmt: skip
        children.append(gunicorn)
        hop = proxy(port)
        front = hop.server_address[1]
        deadline = time.monotonic() + 60
        while True:
            try:
                if Browser(front, [], []).request("GET", "/healthz", retries=0)[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                sys.exit("gunicorn did not start; see " + str(work / "gunicorn.log"))
            time.sleep(0.3)

        timings: list[float] = []
        statuses: list[int] = []
        ranked: list[str] = []
        attacker_statuses: list[int] = []
        stop = threading.Event()

        def participant(code: str) -> None:
            browser = Browser(front, timings, statuses)
            _status, page = browser.request("GET", "/join")
            status, _page = browser.request(
                "POST", "/join", {"csrf_token": token(page), "code": code, "category": "comune"}
            )
            if status != 303:
                failures.append(f"join {code}: {status}")
                return
            path = f"/zones/1/sessions/{session_id}/ranking"
            _status, page = browser.request("GET", path)
            fields = re.findall(r'name="(position-[^"]+)"', page)[:depth]
            form = {"csrf_token": token(page), **{field: str(n) for n, field in enumerate(fields, start=1)}}
            status, _page = browser.request("POST", path, form)
            if status == 303:
                ranked.append(code)
            else:
                failures.append(f"ranking {code}: {status}")

        def attacker() -> None:
            browser = Browser(front, [], attacker_statuses)
            _status, page = browser.request("GET", "/join")
            n = 0
            while not stop.is_set():
                n += 1
                wrong = f"{n:08d}".translate(str.maketrans("0123456789", "BCDFGHJKLM"))
                browser.request("POST", "/join", {"csrf_token": token(page), "code": wrong, "category": "comune"})

        started = time.monotonic()
        importer = subprocess.Popen(  # noqa: S603
            [str(BIN / "flask"), "--app", "consult", "ballots", "import", session_id, str(paper)],
            env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )  # fmt: skip
        hammer = threading.Thread(target=attacker)
        hammer.start()
        killed = None
        with ThreadPoolExecutor(max_workers=16) as pool:
            futures = [pool.submit(participant, code) for code in codes]
            for n, future in enumerate(futures):
                future.result()
                if n == len(codes) // 3 and killed is None:
                    # The master's children are its workers.
                    workers = Path(f"/proc/{gunicorn.pid}/task/{gunicorn.pid}/children").read_text().split()
                    killed = int(workers[0])
                    os.kill(killed, signal.SIGKILL)
        room_seconds = time.monotonic() - started
        stop.set()
        hammer.join()
        import_output, _ = importer.communicate(timeout=600)
        import_seconds = time.monotonic() - started

        ballots = subprocess.run(  # noqa: S603
            [sys.executable, "-c", "from consult import create_app; from consult.extensions import db;\n"
             "from consult.models import Ballot\napp = create_app()\nwith app.app_context():\n"
             f"    print(db.session.query(Ballot).filter_by(session_id={session_id}).count())"],
            env=env, cwd=ROOT, capture_output=True, text=True, check=True,
        ).stdout.strip()  # fmt: skip

        # Sign-in failures for one account from one address, spread over four workers by the proxy.
        flask_env = {**env}
        subprocess.run(  # noqa: S603
            [str(BIN / "flask"), "--app", "consult", "users", "create", "load@example.org", "--role", "stakeholder"],
            input="correct horse battery staple 42\ncorrect horse battery staple 42\n",
            env=flask_env, cwd=ROOT, capture_output=True, text=True, check=False,
        )  # fmt: skip
        login_statuses = []
        for _attempt in range(8):
            browser = Browser(front, [], [])
            _status, page = browser.request("GET", "/login")
            status, _page = browser.request(
                "POST", "/login", {"csrf_token": token(page), "email": "load@example.org", "password": "wrong"}
            )
            login_statuses.append(status)

        timings.sort()
        p50 = timings[len(timings) // 2]
        p99 = timings[min(len(timings) - 1, int(len(timings) * 0.99))]
        server_errors = sum(1 for status in statuses if status >= 500 and status != 502)
        unavailable = sum(1 for status in statuses if status == 503)
        gateway_errors = sum(1 for status in statuses if status == 502)
        attacker_429 = sum(1 for status in attacker_statuses if status == 429)
        expected = options.participants + options.import_rows
        print("== production profile: PostgreSQL, Redis, gunicorn -w", options.workers, "behind one proxy hop")
        print(f"room: {len(ranked)}/{options.participants} ranked in {room_seconds:.1f} s; {len(timings)} requests, "
              f"p50 {p50 * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms, max {timings[-1] * 1000:.0f} ms")  # fmt: skip
        print(f"5xx from the app: {server_errors} (503 'try again in a moment': {unavailable}); "
              f"502 while the killed worker (pid {killed}) was replaced, pressed again: {gateway_errors}")  # fmt: skip
        print(f"import ({options.import_rows:,} rows, CLI): exit {importer.returncode} after {import_seconds:.1f} s: "
              f"{import_output.strip().splitlines()[-1] if import_output.strip() else ''}")  # fmt: skip
        print(f"ballots in the session: {ballots} (expected {expected})")
        print(f"attacker: {len(attacker_statuses)} wrong codes from the room's address, {attacker_429} refused (429)")
        print(f"sign-in failures for one account from one address across workers: {login_statuses}")

        checks = {
            "every participant ranked": len(ranked) == options.participants,
            "within a minute": room_seconds < 60,
            "p99 under 1 s": p99 < 1.0,
            "no 5xx from the app": server_errors == 0,
            "import succeeded": importer.returncode == 0,
            "exact ballot count": ballots == str(expected),
            "limit exact across workers": login_statuses == [400] * 5 + [429] * 3,
        }
        for name, ok in checks.items():
            print(f"  {'ok ' if ok else 'FAIL'} {name}")
        for failure in failures[:10]:
            print("  ", failure)
        return 0 if all(checks.values()) else 1
    finally:
        for child in children:
            child.send_signal(signal.SIGTERM)
        for child in children:
            try:
                child.wait(timeout=30)
            except subprocess.TimeoutExpired:
                child.kill()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
