"""Every route, tried by every persona: the status each one must get is written down here.

A route with no entry in EXPECTATIONS fails the test, so a new route fails until someone has decided,
persona by persona, who may use it.
"""

from pathlib import Path

import pytest
from flask import Flask, url_for
from sqlalchemy import func, select

from consult import create_app, web
from consult.extensions import db
from consult.models import MonitoredActivity, StakeholderCategory, User
from consult.permissions import PUBLIC as PUBLIC_PERMISSION
from consult.permissions import check_declared, public, requires
from tests.conftest import PERSONAS, csrf_token


def everyone(status: int) -> dict[str, int]:
    return dict.fromkeys(PERSONAS, status)


#: Open to all, signed in or not.
PUBLIC = everyone(200)
#: Any active account; anonymous visitors are sent to the sign-in page.
SIGNED_IN = {**everyone(200), "anonymous": 302}
#: Forms for people not signed in yet: whoever is signed in already is sent on.
SIGNED_OUT = {**everyone(302), "anonymous": 200}
ADMIN_ONLY = {**everyone(403), "anonymous": 302, "admin": 200}
PLANNERS = {**ADMIN_ONLY, "planner": 200}
#: A draft session of zone 1: only who runs zone 1 (its facilitator, planners, admins) may see it; for everyone
#: else it does not exist.
ZONE_1_FACILITATORS = {**everyone(404), "facilitator": 200, "planner": 200, "admin": 200}

#: A page for the session's participants: who may see the draft but has not joined is sent to the session page.
NOT_JOINED = {**ZONE_1_FACILITATORS, "facilitator": 302, "planner": 302, "admin": 302}
NOT_JOINED_POST = {**ZONE_1_FACILITATORS, "facilitator": 303, "planner": 303, "admin": 303}
#: The facilitator console: staff only.
CONSOLE = {**everyone(200), "anonymous": 302, "stakeholder": 403}
#: Staff pages of zone 1 (console, paper, projection, moderation): its facilitators, planners and admins;
#: a facilitator of another zone is refused.
ZONE_1_STAFF = {**CONSOLE, "other_facilitator": 403}


def zone_1_staff(status: int) -> dict[str, int]:
    """ZONE_1_STAFF where the request is let in but answers ``status`` (e.g. a POST with nothing to act on)."""
    return {**ZONE_1_STAFF, "facilitator": status, "planner": status, "admin": status}


# GET for routes that answer GET; POST-only routes get a valid CSRF token and nothing else.
EXPECTATIONS: dict[str, dict[str, int]] = {
    "public.home": PUBLIC,
    "public.zones": PUBLIC,
    "plan.index": PUBLIC,
    "plan.axis": PUBLIC,
    "plan.strategy": PUBLIC,
    "api.plan": PUBLIC,
    "api.zones": PUBLIC,
    "api.openapi": PUBLIC,
    "ops.health": PUBLIC,  # the health check: a status word, nothing personal
    "i18n.set_language": everyone(302),  # back to the page the person came from
    # accounts
    "auth.register": SIGNED_OUT,  # signed in: to the account page
    "auth.login": SIGNED_OUT,  # signed in: to ``next`` or the home page
    "auth.logout": everyone(302),  # to the home page, signed in or not
    "auth.confirm_email": everyone(400),  # a bad link, explained
    "auth.resend_confirmation": everyone(302),  # anonymous to sign in; the others back to their account
    "auth.forgot_password": PUBLIC,
    "auth.reset_password": everyone(400),  # a bad link, explained
    "auth.account": SIGNED_IN,
    "auth.sign_out_everywhere": {**everyone(303), "anonymous": 302},  # every device signed out, to the home page
    "auth.change_password": SIGNED_IN,
    "auth.export_data": SIGNED_IN,
    "auth.delete_account": SIGNED_IN,
    "auth.privacy": PUBLIC,
    "api.consultations": PUBLIC,
    "api.consultation": PUBLIC,
    # taking part (the sample session is a draft of zone 1)
    "participation.consultation": PUBLIC,
    "participation.code": PUBLIC,
    "participation.session": ZONE_1_FACILITATORS,
    # a draft: not open yet
    "participation.join": {**ZONE_1_FACILITATORS, "facilitator": 409, "planner": 409, "admin": 409},
    "participation.rank": NOT_JOINED,
    "participation.sheet": NOT_JOINED,
    "participation.new_proposal": NOT_JOINED,
    # staff read the proposals and discussions without joining (proposal 1 does not exist: 404)
    "participation.proposals": ZONE_1_FACILITATORS,
    "participation.proposal": everyone(404),
    "participation.edit_proposal": NOT_JOINED,
    "participation.discussion": ZONE_1_FACILITATORS,
    "participation.edit_comment": NOT_JOINED,
    "participation.support": NOT_JOINED_POST,
    "participation.unsupport": NOT_JOINED_POST,
    "participation.comment": NOT_JOINED_POST,
    "participation.report_comment": NOT_JOINED_POST,
    "participation.report_proposal": NOT_JOINED_POST,
    # results: the sample session is a draft, so only who runs zone 1 sees its (unpublished) results
    "results.index": PUBLIC,
    "results.consultation": PUBLIC,  # counts published sessions only, for the public
    "results.consultation_download": PUBLIC,
    "api.consultation_results": PUBLIC,
    "results.session": ZONE_1_FACILITATORS,
    "results.session_download": ZONE_1_FACILITATORS,
    "api.session_results": ZONE_1_FACILITATORS,
    # contributions (synthesis): the same visibility as the results
    "synthesis.consultation": PUBLIC,
    "synthesis.consultation_download": PUBLIC,
    "synthesis.session": ZONE_1_FACILITATORS,
    "synthesis.session_download": ZONE_1_FACILITATORS,
    "api.consultation_contributions": PUBLIC,
    "api.session_contributions": ZONE_1_FACILITATORS,
    "synthesis.similar_proposals": PLANNERS,
    "synthesis.decide_group": {**PLANNERS, "planner": 400, "admin": 400},  # no proposals named
    "synthesis.reopen_group": {**PLANNERS, "planner": 404, "admin": 404},  # no such group
    "synthesis.toggle_quote": {**PLANNERS, "planner": 404, "admin": 404},  # no such contribution
    # paper ballots (the sample session is a draft: the pages show it takes no paper yet; saving is refused)
    "paper.entry": ZONE_1_STAFF,
    "paper.save": zone_1_staff(409),
    "paper.check": ZONE_1_STAFF,
    "paper.forms": ZONE_1_STAFF,
    "paper.upload": ZONE_1_STAFF,
    "paper.receive": zone_1_staff(422),  # no file sent
    "paper.preview": zone_1_staff(404),  # no such upload
    "paper.confirm": zone_1_staff(404),
    "paper.discard": zone_1_staff(404),
    # administration
    "admin.users": ADMIN_ONLY,
    "admin.user": ADMIN_ONLY,
    "admin.deactivate_user": {**ADMIN_ONLY, "admin": 303},  # back to the account page
    "admin.reactivate_user": {**ADMIN_ONLY, "admin": 303},  # (refused, it is active: a flash says why)
    "admin.audit": ADMIN_ONLY,
    "admin.audit_csv": ADMIN_ONLY,
    "admin.lists": ADMIN_ONLY,
    "admin.list_entry": ADMIN_ONLY,
    "admin.new_list_entry": ADMIN_ONLY,
    "admin.invite": ADMIN_ONLY,
    "admin.reinvite": {**ADMIN_ONLY, "admin": 303},  # (refused, the stakeholder has a password: a flash says why)
    "auth.accept_invitation": everyone(400),  # a bad link, explained
    # the facilitator console (the sample session is a draft of zone 1)
    "facilitate.index": CONSOLE,
    "facilitate.new_consultation": PLANNERS,
    "facilitate.edit_consultation": PLANNERS,
    "facilitate.new_session": CONSOLE,  # each person picks among their own zones
    "facilitate.session": ZONE_1_STAFF,
    "facilitate.edit_session": ZONE_1_STAFF,
    "facilitate.counters": ZONE_1_STAFF,
    "facilitate.change_state": zone_1_staff(400),  # no target state sent
    "facilitate.publish": ZONE_1_STAFF,  # the confirm step
    "facilitate.codes": ZONE_1_STAFF,
    "facilitate.revoke_code": zone_1_staff(404),  # no such code in the session
    "facilitate.print_codes": ZONE_1_STAFF,
    "facilitate.print_codes_pdf": ZONE_1_STAFF,
    # the room's projection: through its link's key (a wrong key opens nothing, for anyone) ...
    "projection.screen": everyone(404),
    "projection.state": everyone(404),
    # ... and its control page, for who runs zone 1 (planners too, even on a draft)
    "projection.manage": ZONE_1_STAFF,
    "projection.reveal": zone_1_staff(303),
    "projection.hide": zone_1_staff(303),
    "projection.new_link": zone_1_staff(303),
    "projection.revoke_link": zone_1_staff(303),
    # moderation of zone 1 (the sample comment does not exist: 404 once allowed)
    "moderation.queue": ZONE_1_STAFF,
    "moderation.decide": zone_1_staff(404),
    # monitoring: public reading, planners link activities to the plan
    "monitoring.index": PUBLIC,
    "monitoring.activities": PUBLIC,
    "monitoring.activity": PUBLIC,
    "api.monitoring_summary": PUBLIC,
    "api.monitoring_activities": PUBLIC,
    "monitoring.add_link": {**PLANNERS, "planner": 303, "admin": 303},  # no strategy chosen: back, with a message
    "monitoring.remove_link": {**PLANNERS, "planner": 303, "admin": 303},  # no such link: back, with a message
    "monitoring.suggestions_index": {**PLANNERS, "planner": 303, "admin": 303},  # to the first axis
    "monitoring.suggestions": PLANNERS,
    "monitoring.decide": {**PLANNERS, "planner": 400, "admin": 400},  # no decision given
    "monitoring.targets": PLANNERS,
    "monitoring.save_target": {**PLANNERS, "planner": 422, "admin": 422},  # an empty form, explained
    "monitoring.delete_target": {**PLANNERS, "planner": 303, "admin": 303},  # not measured yet: back, with a message
}

#: A value for each URL argument, by name; SAMPLE_BY_ENDPOINT wins for the endpoints it names.
#: ``None`` means "filled in by the test" (ids of rows the fixtures create).
SAMPLE_VALUES = {
    "code": "1",
    "token": "bad-token",
    "user_id": None,  # the stakeholder
    "consultation_id": None,  # a consultation on the whole plan
    "zone_code": 1,
    "session_id": None,  # its session in zone 1, still a draft
    "proposal_id": 1,
    "comment_id": 1,
    "kind": "categories",
    "entry_id": None,  # the seeded "comune" category
    "group_id": 1,
    "key": "sheet-1",
    "fmt": "csv",
    "code_id": 1,
    "item_type": "comment",
    "item_id": 1,
    "activity_id": None,  # the first activity of the example monitoring report
    "index": 0,  # the first target of the axis
}
SAMPLE_BY_ENDPOINT = {
    "projection.screen": {"key": "not-the-key"},
    "projection.state": {"key": "not-the-key"},
    "i18n.set_language": {"code": "en"},
    "plan.strategy": {"code": "1.1"},
    "participation.discussion": {"code": "1.1"},
    "api.monitoring_activities": {"strategy": "2.3"},
}


def _endpoints() -> list[str]:
    # The app is built once at collection time only to read its routes; no database is opened.
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "collect-routes"})
    return sorted({rule.endpoint for rule in app.url_map.iter_rules() if rule.endpoint != "static"})


ENDPOINTS = _endpoints()


def test_every_route_has_an_expectation():
    missing = [endpoint for endpoint in ENDPOINTS if endpoint not in EXPECTATIONS]
    assert not missing, (
        "new routes fail the test until their expectation is written down: add "
        + ", ".join(missing)
        + " to EXPECTATIONS in tests/test_permissions.py (one status per persona)"
    )


def test_no_expectation_for_a_route_that_is_gone():
    assert sorted(set(EXPECTATIONS) - set(ENDPOINTS)) == []


def test_every_expectation_names_every_persona():
    for endpoint, statuses in EXPECTATIONS.items():
        assert set(statuses) == set(PERSONAS), endpoint


@pytest.fixture
def sample_values(app, runner, personas) -> dict:
    """SAMPLE_VALUES with the ids of rows made here, through the real commands."""
    created = runner.invoke(args=["consultations", "create", "--title", "Consultazione di prova"])
    assert created.exit_code == 0, created.output
    consultation_id = int(created.output.strip())
    created = runner.invoke(args=["sessions", "create", str(consultation_id), "--zone", "1"])
    assert created.exit_code == 0, created.output
    example = Path(__file__).resolve().parents[1] / "docs" / "examples" / "monitoring_report.csv"
    imported = runner.invoke(args=["monitoring", "import", str(example), "--source", "Esempio", "--zone", "1"])
    assert imported.exit_code == 0, imported.output
    with app.app_context():
        stakeholder = db.session.scalar(select(User).where(User.email == personas["stakeholder"].email))
        return {
            **SAMPLE_VALUES,
            "user_id": stakeholder.id,
            "consultation_id": consultation_id,
            "session_id": int(created.output.strip()),
            "entry_id": db.session.scalar(select(StakeholderCategory.id).where(StakeholderCategory.code == "comune")),
            "activity_id": db.session.scalar(select(func.min(MonitoredActivity.id))),
        }


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_route_answers_each_persona_as_written_down(app, client_as, sample_values, endpoint):
    if endpoint not in EXPECTATIONS:
        pytest.fail(
            f"{endpoint} has no expectation: add it to EXPECTATIONS in tests/test_permissions.py "
            "(new routes fail the test until their expectation is written down)"
        )
    rule = next(rule for rule in app.url_map.iter_rules() if rule.endpoint == endpoint)
    values = {name: sample_values[name] for name in rule.arguments if name in sample_values}
    values.update(SAMPLE_BY_ENDPOINT.get(endpoint, {}))
    assert set(values) >= rule.arguments, f"add a sample value for {rule.arguments - set(values)}"
    with app.test_request_context():
        path = url_for(endpoint, **values)
    declared = app.view_functions[endpoint].permission

    statuses = {}
    # Personas in their fixed order, the admin last: an admin's POST (deactivating the stakeholder)
    # must not change what the others see.
    for key in PERSONAS:
        client = client_as(key)
        if "GET" in rule.methods:
            response = client.get(path)
        else:
            response = client.post(path, data={"csrf_token": csrf_token(client)})
        statuses[key] = response.status_code
        if key == "anonymous" and declared != PUBLIC_PERMISSION and response.status_code == 302:
            assert response.headers["Location"].startswith("/login?next="), (endpoint, response.location)
    assert statuses == EXPECTATIONS[endpoint], f"{path}: got {statuses}"


def test_anonymous_visitors_are_sent_to_sign_in_and_back(client_as):
    from tests.conftest import PASSWORD

    client = client_as("anonymous")
    response = client.get("/admin/users?q=rossi")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=%2Fadmin%2Fusers%3Fq%3Drossi"
    token = csrf_token(client, response.headers["Location"])
    response = client.post(
        response.headers["Location"],
        data={"email": PERSONAS["admin"].email, "password": PASSWORD, "csrf_token": token},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/users?q=rossi"


def test_a_view_without_a_declared_permission_stops_the_app_from_starting():
    app = Flask(__name__)
    app.add_url_rule("/open", "open", public(lambda: "open"))
    app.add_url_rule("/admin-only", "admin_only", requires("admin.users")(lambda: "admin"))
    check_declared(app)  # every view declared: fine

    app.add_url_rule("/forgotten", "forgotten", lambda: "oops")
    with pytest.raises(RuntimeError, match="views without a declared permission: forgotten"):
        check_declared(app)
    # create_app calls this at start-up, through web.init_app.
    with pytest.raises(RuntimeError, match="forgotten"):
        web.init_app(app)


def test_requires_refuses_an_unknown_permission():
    with pytest.raises(ValueError, match="unknown permission"):
        requires("admin.everything")
