"""At 390 px (a common phone) no page is wider than the screen: wide tables scroll inside their own box.

The pages are visited on the demo data (every zone, published results with the heatmap, an open round),
anonymously, as a participant and as an administrator, in Italian and English.
"""

import re

import pytest
from sqlalchemy import select

from consult import demo
from consult.extensions import db
from consult.models import Consultation, ConsultationSession, ProjectProposal, SessionState, User
from tests.e2e.conftest import SCREENSHOTS, serving

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}

#: What sticks out past the right edge of the screen, for the failure message.
OVERFLOWING = """() => {
  const width = document.documentElement.clientWidth;
  const out = [];
  for (const el of document.querySelectorAll("body *")) {
    const box = el.getBoundingClientRect();
    if (box.right > width + 0.5 && box.width > 0) {
      let scrolled = false;
      for (let parent = el.parentElement; parent; parent = parent.parentElement) {
        const overflow = getComputedStyle(parent).overflowX;
        if (overflow === "auto" || overflow === "scroll" || overflow === "hidden") { scrolled = true; break; }
      }
      const name = `${el.tagName.toLowerCase()}.${[...el.classList].join(".")}`;
      if (!scrolled) out.push(`${name} right=${Math.round(box.right)}`);
    }
  }
  return out.slice(0, 8);
}"""


@pytest.fixture(scope="module")
def demo_site(tmp_path_factory):
    """A consult server with the demo loaded; the demo accounts' password and a few ids to visit."""
    with serving(tmp_path_factory.mktemp("e2e-narrow-db") / "consult-e2e-narrow.sqlite3") as server:
        with server.app.app_context():
            credentials = demo.create_demo()
            db.session.commit()
            published = db.session.scalar(
                select(ConsultationSession)
                .where(ConsultationSession.state == SessionState.PUBLISHED)
                .order_by(ConsultationSession.id)
            )
            open_session = db.session.scalar(
                select(ConsultationSession)
                .join(ConsultationSession.zone)
                .where(ConsultationSession.state == SessionState.OPEN)
                .order_by(ConsultationSession.id)
                .offset(4)  # zone 5's, the demo participant's zone
            )
            proposal = db.session.scalar(select(ProjectProposal).order_by(ProjectProposal.id))
            ids = {
                "consultation": db.session.scalar(select(Consultation.id).order_by(Consultation.id)),
                "published": f"/zones/{published.zone.code}/sessions/{published.id}",
                "open": f"/zones/{open_session.zone.code}/sessions/{open_session.id}",
                "proposal": f"/zones/{proposal.session.zone.code}/sessions/{proposal.session_id}"
                f"/proposals/{proposal.id}",
                "participant": db.session.scalar(select(User.id).where(User.email == "partecipante@demo.example.org")),
            }
        yield server, credentials, ids


@pytest.fixture(scope="module")
def live_server(demo_site):
    return demo_site[0].url


def pages_for(who: str, ids: dict) -> list[str]:
    c, published, open_ = ids["consultation"], ids["published"], ids["open"]
    if who == "anonymous":
        return [
            "/", "/plan/", "/plan/axes/1", "/plan/strategies/3.2", "/zones", "/results", f"/consultations/{c}",
            f"/consultations/{c}/results", f"/consultations/{c}/results?weighting=population",
            published, f"{published}/results", open_, "/join", "/login", "/register", "/password/forgot",
            "/privacy",
        ]  # fmt: skip
    if who == "participant":
        return [
            "/", "/account", open_, f"{open_}/ranking", f"{open_}/strategies/1.1", f"{open_}/proposals",
            f"{open_}/strategies/1.1/discussion", f"{open_}/strategies/1.1/proposals/new",
        ]  # fmt: skip
    return [
        "/", "/admin/users", f"/admin/users/{ids['participant']}", "/admin/audit", "/admin/lists",
        f"{published}/results", ids["proposal"], f"{published}/proposals", f"{published}/strategies/1.1/discussion",
    ]  # fmt: skip


def sign_in(page, email: str, password: str) -> None:
    page.goto("/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(password)
    page.locator("#password").press("Enter")
    page.wait_for_url(re.compile(r"^(?!.*/login)"))


@pytest.mark.parametrize("language", ["it", "en"])
@pytest.mark.parametrize("who", ["anonymous", "participant", "admin"])
def test_no_page_is_wider_than_a_phone(demo_site, page, visit, language, who):
    _server, credentials, ids = demo_site
    page.set_viewport_size(PHONE)
    if who != "anonymous":
        email = {"participant": "partecipante@demo.example.org", "admin": "admin@demo.example.org"}[who]
        sign_in(page, email, credentials[email])
    too_wide = {}
    for path in pages_for(who, ids):
        visit(path)
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        if scroll_width > PHONE["width"]:
            too_wide[path] = (scroll_width, page.evaluate(OVERFLOWING))
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    assert too_wide == {}, "\n".join(f"{path}: {width}px {what}" for path, (width, what) in too_wide.items())
