"""gunicorn settings for consult, read from the working directory (`make run`) or with `-c gunicorn.conf.py`.

Command-line options win over these (the Makefile passes --bind and --workers).
"""

import os

import gunicorn.http.wsgi

bind = os.environ.get("BIND", "127.0.0.1:5000")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
# A request's database work is cut short well before this (DATABASE_STATEMENT_TIMEOUT, default 10 s),
# so a worker is only killed when something other than the database hangs.
timeout = 30
graceful_timeout = 30
accesslog = "-"
# Behind a reverse proxy the address comes from X-Forwarded-For, read by the app (PROXY_HOPS), not here.
forwarded_allow_ips = "127.0.0.1"


class _Response(gunicorn.http.wsgi.Response):
    """Responses without gunicorn's "Server" header: which software runs the site is nobody's business."""

    def default_headers(self):
        return [header for header in super().default_headers() if not header.lower().startswith("server:")]


gunicorn.http.wsgi.Response = _Response
