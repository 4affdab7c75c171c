"""Route fuzz with a fixed budget: every route, every form field, hostile values; no answer may be a 5xx.

The demo dataset gives every route something real to point at; each persona's pages give the forms, and
each field of each form is sent with hostile values (one field at a time, the others as the page filled
them, with a valid CSRF token), so the request reaches the view's own checks rather than stopping at CSRF.
"""

import random
from html.parser import HTMLParser
from urllib.parse import urlencode, urlsplit

from flask import got_request_exception
from sqlalchemy import select

from consult.extensions import db
from consult.models import Consultation, ConsultationSession, SessionState
from tests.conftest import csrf_token

#: Values that broke views before: huge and Unicode numbers, broken links, NULs, extreme dates, formulas.
HOSTILE = [
    "",
    "   ",
    "\u00a0\u2003",
    "²",
    "١٢",
    "9" * 4000,
    str(2**31),
    str(2**63),
    "-1",
    "0",
    "1e309",
    "NaN",
    "http://[",
    "https://[::1",
    "javascript:alert(1)",
    "\x00",
    "a\x00b",
    '\ufeff=HYPERLINK("http://x")',
    "<script>alert(1)</script>",
    "0001-01-01",
    "9999-12-31",
    "10000-01-01",
    "2026-02-30",
    "x" * 20000,
    "../../etc/passwd",
    "' OR 1=1 --",
    "\ud7ff\ue000\U0010ffff",
]
#: Values for integers in URLs: past 32 and 64 bits, and far past.
BIG_IDS = [2**31, 2**63, 10**30]
#: At most this many requests in all (the suite runs on two databases).
BUDGET = 1500
#: Hostile values tried per form field (a fixed, seeded choice among HOSTILE).
PER_FIELD = 5
#: Never submitted: they end the persona's session or account, which would stop the fuzz early.
SKIPPED_ACTIONS = ("/logout", "/account/delete", "/language/", "/deactivate")


class _Forms(HTMLParser):
    """The forms of a page: method, action and fields with the value the page gave them."""

    def __init__(self):
        super().__init__()
        self.forms, self._form, self._select = [], None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._form = {"method": (attrs.get("method") or "get").lower(), "action": attrs.get("action"), "fields": {}}
            self.forms.append(self._form)
        elif self._form is None or not attrs.get("name"):
            return
        elif tag == "input":
            kind = attrs.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                self._form["fields"].setdefault(attrs["name"], None)
                return
            if kind not in ("submit", "button", "file"):
                self._form["fields"][attrs["name"]] = attrs.get("value", "")
        elif tag == "textarea":
            self._form["fields"][attrs["name"]] = ""
        elif tag == "select":
            self._select = attrs["name"]
            self._form["fields"][self._select] = None
        elif tag == "option" and self._select and (self._form["fields"][self._select] is None or "selected" in attrs):
            self._form["fields"][self._select] = attrs.get("value", "")

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None


def _forms(html: str) -> list[dict]:
    parser = _Forms()
    parser.feed(html)
    return parser.forms


class Fuzz:
    def __init__(self):
        self.sent, self.failures, self.rng = 0, [], random.Random(20261130)

    def request(self, client, method: str, url: str, data=None):
        if self.sent >= BUDGET:
            return None
        self.sent += 1
        response = client.open(url, method=method, data=data)
        if response.status_code >= 500:
            self.failures.append((response.status_code, method, url, {k: v[:40] for k, v in (data or {}).items()}))
        return response

    def values(self) -> list[str]:
        return self.rng.sample(HOSTILE, PER_FIELD)

    def page(self, client, url: str) -> None:
        """GET ``url``, then send every form it shows, one hostile field at a time."""
        response = self.request(client, "GET", url)
        if response is None or response.status_code != 200 or "html" not in response.content_type:
            return
        for form in _forms(response.get_data(as_text=True)):
            action = form["action"] or urlsplit(url).path
            if any(skipped in action for skipped in SKIPPED_ACTIONS) or not action.startswith("/"):
                continue
            base = {name: value for name, value in form["fields"].items() if value is not None}
            for name in [name for name in form["fields"] if name != "csrf_token"]:
                for value in self.values():
                    data = {**base, name: value}
                    if form["method"] == "get":
                        self.request(client, "GET", f"{action}?{urlencode(data)}")
                    else:
                        data["csrf_token"] = base.get("csrf_token") or csrf_token(client)
                        self.request(client, "POST", action, data)


def test_no_route_answers_a_server_error(personas, runner, app, client_as):
    assert runner.invoke(args=["demo"]).exit_code == 0
    with app.app_context():
        open_session = db.session.scalars(
            select(ConsultationSession).where(ConsultationSession.state == SessionState.OPEN)
        ).first()
        zone, session_id = open_session.zone.code, open_session.id
        consultation_id = db.session.scalars(select(Consultation)).first().id
    app.config["PROPAGATE_EXCEPTIONS"] = False  # as in production: a bug is a 500 page, counted here
    fuzz = Fuzz()
    errors = []

    def record(_sender, exception, **_extra):
        errors.append(f"{type(exception).__name__}: {str(exception)[:150]}")

    got_request_exception.connect(record, app)
    stakeholder, admin, anonymous = client_as("stakeholder"), client_as("admin"), client_as("anonymous")
    base = f"/zones/{zone}/sessions/{session_id}"
    assert stakeholder.post(f"{base}/join", data={"csrf_token": csrf_token(stakeholder)}).status_code == 303

    # URLs with ids and values past what the database can hold.
    for rule in app.url_map.iter_rules():
        if "int" not in str(rule) and "<" in rule.rule:
            continue
        for big in BIG_IDS:
            url = rule.rule
            for argument in rule.arguments:
                url = url.replace(f"<int:{argument}>", str(big))
            if "<" not in url:
                for client in (anonymous, admin):
                    fuzz.request(client, "GET", url)
                    if "POST" in rule.methods:
                        fuzz.request(client, "POST", url, {"csrf_token": csrf_token(client)})

    # Every page each persona reaches, with its forms and its filters.
    pages = [
        "/",
        "/zones",
        "/plan/",
        "/results",
        f"/consultations/{consultation_id}",
        f"/consultations/{consultation_id}/results",
        base,
        f"{base}/ranking",
        f"{base}/proposals",
        f"{base}/results",
        f"{base}/strategies/1.1",
        f"{base}/strategies/1.1/discussion",
        f"{base}/strategies/1.1/proposals/new",
        "/join",
        "/login",
        "/register",
        "/password/forgot",
        "/account",
        "/account/password",
        "/admin/users",
        "/admin/audit",
        "/admin/lists",
        "/api/v1/consultations",
    ]
    for client in (stakeholder, admin, anonymous):
        for url in pages:
            fuzz.page(client, url)
    # Query strings the pages do not offer as forms, but people and scripts type.
    for url in (f"/consultations/{consultation_id}/results", f"{base}/results", "/admin/audit", "/admin/audit.csv"):
        for parameter in (
            "method",
            "category",
            "weighting",
            "rows",
            "page",
            "sep",
            "date_from",
            "date_to",
            "actor",
            "q",
        ):
            for value in fuzz.values():
                fuzz.request(admin, "GET", f"{url}?{urlencode({parameter: value})}")

    print(f"route fuzz: {fuzz.sent} requests, {len(fuzz.failures)} server errors")
    assert fuzz.failures == [], sorted(set(errors))
    assert fuzz.sent > 800  # the fuzz reached the forms, not only the front pages
