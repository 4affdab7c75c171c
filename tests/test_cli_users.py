"""``flask users``: the first admin of a fresh install, and a look at who has an account."""

from sqlalchemy import func, select

from consult.extensions import db
from consult.models import AuditEvent, Role, User, Zone
from consult.passwords import verify_password
from consult.permissions import can
from tests.conftest import PASSWORD


def create(runner, *args, password=PASSWORD):
    return runner.invoke(args=["users", "create", *args], input=f"{password}\n")


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def test_create_an_admin_with_the_password_from_stdin(seeded, runner):
    result = create(runner, "Anna.Admin@Example.org", "--role", "admin", "--name", "Anna")
    assert result.exit_code == 0, result.output
    assert "created anna.admin@example.org (admin)" in result.output
    assert PASSWORD not in result.output
    with seeded.app_context():
        user = db.session.scalar(select(User).where(User.email == "anna.admin@example.org"))
        assert user.role == Role.ADMIN and user.display_name == "Anna"
        assert user.confirmed and user.is_active
        assert verify_password(user.password_hash, PASSWORD)
        assert can(user, "admin.users")
        assert db.session.scalar(select(AuditEvent.action).where(AuditEvent.target_id == user.id)) == "user.created"


def test_the_password_is_never_an_option(seeded, runner):
    result = runner.invoke(args=["users", "create", "--help"])
    assert "password" in result.output.lower() and "--password" not in result.output
    result = runner.invoke(args=["users", "create", "x@example.org", "--password", PASSWORD])
    assert result.exit_code != 0
    assert count(seeded, User) == 0


def test_a_facilitator_of_two_zones(seeded, runner):
    result = create(runner, "fac@example.org", "--role", "facilitator", "--zone", "1", "--zone", "3", "--zone", "3")
    assert result.exit_code == 0, result.output
    with seeded.app_context():
        user = db.session.scalar(select(User).where(User.email == "fac@example.org"))
        assert [zone.code for zone in user.facilitated_zones] == [1, 3]
        zones = {zone.code: zone for zone in db.session.scalars(select(Zone))}
        assert can(user, "zone.facilitate", zones[3])
        assert not can(user, "zone.facilitate", zones[2])


def test_unknown_zone_is_refused(seeded, runner):
    result = create(runner, "fac@example.org", "--role", "facilitator", "--zone", "1", "--zone", "12")
    assert result.exit_code != 0
    assert "unknown zone(s): 12" in result.output
    assert count(seeded, User) == 0


def test_zones_are_for_facilitators_only(seeded, runner):
    result = create(runner, "planner@example.org", "--role", "planner", "--zone", "1")
    assert result.exit_code != 0
    assert "--zone is for facilitators only" in result.output
    assert count(seeded, User) == 0


def test_a_weak_password_is_refused_and_nothing_is_written(seeded, runner):
    for weak in ["short", "", "password1234"]:
        result = create(runner, "weak@example.org", "--role", "admin", password=weak)
        assert result.exit_code != 0, weak
        assert "nothing was written" in result.output
        assert "password" in result.output.lower()
        assert "Traceback" not in result.output
    assert "12" in create(runner, "weak@example.org", password="short").output  # says how long
    assert count(seeded, User) == 0
    assert count(seeded, AuditEvent) == 0


def test_a_taken_email_is_refused(seeded, runner):
    assert create(runner, "someone@example.org").exit_code == 0
    result = create(runner, "SOMEONE@example.org", "--role", "admin")
    assert result.exit_code != 0
    assert "nothing was written" in result.output
    assert count(seeded, User) == 1


def test_a_malformed_email_is_refused(seeded, runner):
    result = create(runner, "not-an-email")
    assert result.exit_code != 0
    assert "not a valid email address" in result.output
    assert count(seeded, User) == 0


def test_users_list(seeded, runner):
    create(runner, "admin@example.org", "--role", "admin")
    create(runner, "fac@example.org", "--role", "facilitator", "--zone", "2", "--zone", "5")
    create(runner, "gone@example.org")
    with seeded.app_context():
        db.session.scalar(select(User).where(User.email == "gone@example.org")).active = False
        db.session.commit()
    result = runner.invoke(args=["users", "list"])
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert len(lines) == 3
    assert lines[0].split("\t")[1:] == ["admin@example.org", "admin"]
    assert lines[1].split("\t")[1:] == ["fac@example.org", "facilitator zones 2,5"]
    assert lines[2].split("\t")[1:] == ["gone@example.org", "stakeholder (deactivated)"]
