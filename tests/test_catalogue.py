"""The PSM catalogue: shipped data, the seed command and its refusal of bad files."""

import copy
import json
import re

import pytest
from sqlalchemy import func, select

from consult.extensions import db
from consult.models import Action, Axis, Strategy, Zone
from consult.seed import CATALOGUE_FILE, shipped


def shipped_catalogue() -> dict:
    return json.loads(shipped(CATALOGUE_FILE).read_text(encoding="utf-8"))


def snapshot(app) -> list[tuple]:
    """Every catalogue and zone row, to compare before and after a command."""
    rows = []
    with app.app_context():
        for model in (Axis, Strategy, Action, Zone):
            for obj in db.session.scalars(select(model).order_by(model.id)):
                rows.append(tuple(getattr(obj, c.key) for c in model.__table__.columns))
    return rows


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def test_api_plan_has_the_whole_catalogue(seeded, client):
    plan = client.get("/api/v1/plan").get_json()
    strategies = [s for axis in plan["axes"] for s in axis["strategies"]]
    actions = [a for s in strategies for a in s["actions"]]
    assert len(plan["axes"]) == 6
    assert len(strategies) == 27
    assert len(actions) == 109
    codes = [x["code"] for x in plan["axes"] + strategies + actions]
    assert len(codes) == len(set(codes))
    assert plan["counts"] == {"axes": 6, "strategies": 27, "actions": 109}


def test_every_code_belongs_to_its_parent(seeded, client):
    plan = client.get("/api/v1/plan").get_json()
    for axis in plan["axes"]:
        for strategy in axis["strategies"]:
            assert strategy["code"].startswith(axis["code"] + ".")
            for action in strategy["actions"]:
                assert re.fullmatch(re.escape(strategy["code"]) + r"\.\d+", action["code"])
                assert action["text"].strip() == action["text"] and "\n" not in action["text"]


def test_strategy_4_3_keeps_its_printed_numbering(seeded, client):
    plan = client.get("/api/v1/plan").get_json()
    strategy = next(s for a in plan["axes"] for s in a["strategies"] if s["code"] == "4.3")
    assert [(a["code"], a["printed_code"]) for a in strategy["actions"]] == [
        ("4.3.1", "4.1.1"),
        ("4.3.2", "4.1.2"),
        ("4.3.3", "4.1.3"),
        ("4.3.4", "4.1.4"),
    ]
    # Only those four carry a printed label; axis 4's own 4.1.x actions are still there.
    printed = [a for ax in plan["axes"] for s in ax["strategies"] for a in s["actions"] if "printed_code" in a]
    assert len(printed) == 4
    axis_4 = next(a for a in plan["axes"] if a["code"] == "4")
    assert [a["code"] for a in axis_4["strategies"][0]["actions"]][:4] == ["4.1.1", "4.1.2", "4.1.3", "4.1.4"]


def test_axes_have_both_names_needs_and_targets(seeded, client):
    axes = client.get("/api/v1/plan").get_json()["axes"]
    assert axes[1]["title"] == "Rivoluzione verde e transizione ecologica"
    assert axes[1]["motto"] == "Torino Metropoli più verde ed ecologica"
    for axis in axes:
        assert axis["motto"].startswith("Torino Metropoli")
        assert axis["needs"] and all(p.strip() for p in axis["needs"])
        assert axis["targets"] and all(t.strip() for t in axis["targets"])


def test_api_zones_are_the_eleven_official_zones(seeded, client):
    zones = client.get("/api/v1/zones").get_json()["zones"]
    assert [z["code"] for z in zones] == list(range(1, 12))
    assert zones[0] == {"code": 1, "name": "Torino", "municipalities": 1, "population_2011": 869312}
    assert sum(z["municipalities"] for z in zones) == 315


def test_seed_twice_changes_nothing(seeded, runner):
    before = snapshot(seeded)
    result = runner.invoke(args=["seed"])
    assert result.exit_code == 0
    assert "catalogue: up to date" in result.output
    assert "zones: up to date" in result.output
    assert snapshot(seeded) == before


def test_seed_updates_an_edited_text_in_place(seeded, runner, tmp_path):
    data = shipped_catalogue()
    data["axes"][0]["strategies"][0]["actions"][0]["text"] = "Testo rivisto."
    path = tmp_path / "catalogue.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    ids_before = snapshot(seeded)

    result = runner.invoke(args=["seed", "--catalogue", str(path)])

    assert result.exit_code == 0, result.output
    assert "catalogue: 0 created, 1 updated" in result.output
    with seeded.app_context():
        assert db.session.scalar(select(Action.text).where(Action.code == "1.1.1")) == "Testo rivisto."
    # Same rows (same ids), one text changed: ballots that point at them stay valid.
    changed = [(a, b) for a, b in zip(ids_before, snapshot(seeded), strict=True) if a != b]
    assert len(changed) == 1 and changed[0][1][-1] == "Testo rivisto."


def _broken(mutate) -> dict:
    data = copy.deepcopy(shipped_catalogue())
    mutate(data)
    return data


def _strategy(data, code):
    return next(s for a in data["axes"] for s in a["strategies"] if s["code"] == code)


BROKEN_CATALOGUES = {
    "duplicate action": (
        lambda d: _strategy(d, "2.1")["actions"].append(dict(_strategy(d, "2.1")["actions"][0])),
        "action 2.1.1: duplicate code",
    ),
    "duplicate strategy": (
        lambda d: d["axes"][2]["strategies"].append(copy.deepcopy(d["axes"][2]["strategies"][0])),
        "strategy 3.1: duplicate code",
    ),
    "action of another strategy": (
        lambda d: _strategy(d, "1.2")["actions"][0].update(code="1.3.9"),
        "action 1.3.9: code does not belong to strategy 1.2",
    ),
    "empty action text": (
        lambda d: _strategy(d, "5.1")["actions"][1].update(text="   "),
        "action 5.1.2: text is empty",
    ),
    "empty strategy title": (
        lambda d: _strategy(d, "6.2").update(title=""),
        "strategy 6.2: title is empty",
    ),
    "unknown axis for a strategy": (
        lambda d: d["axes"][0]["strategies"][0].update(code="7.1"),
        "strategy 7.1: code does not belong to axis 1",
    ),
    "unknown axis code": (
        lambda d: d["axes"][5].update(code="VI"),
        "axis VI: unknown axis code 'VI'",
    ),
}


@pytest.mark.parametrize("case", BROKEN_CATALOGUES)
def test_broken_catalogue_is_refused_whole(app, runner, tmp_path, case):
    mutate, message = BROKEN_CATALOGUES[case]
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(_broken(mutate), ensure_ascii=False), encoding="utf-8")

    result = runner.invoke(args=["seed", "--catalogue", str(path)])

    assert result.exit_code != 0
    assert f"{path}: {message}" in result.output
    assert "nothing was loaded" in result.output
    # Zones come from a good file, yet nothing at all is written.
    assert count(app, Zone) == 0
    assert count(app, Action) == 0


def test_broken_catalogue_leaves_a_loaded_plan_untouched(seeded, runner, tmp_path):
    before = snapshot(seeded)
    data = _broken(lambda d: _strategy(d, "3.2")["actions"][0].update(text=""))
    data["axes"][0]["title"] = "Titolo cambiato"  # a valid change that must not land either
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(data), encoding="utf-8")

    result = runner.invoke(args=["seed", "--catalogue", str(path)])

    assert result.exit_code != 0
    assert "action 3.2.1: text is empty" in result.output
    assert snapshot(seeded) == before


def test_every_problem_is_reported_at_once(app, runner, tmp_path):
    def mutate(d):
        _strategy(d, "1.1")["actions"][0]["text"] = ""
        _strategy(d, "6.4")["actions"][0]["code"] = "6.1.1"

    path = tmp_path / "broken.json"
    path.write_text(json.dumps(_broken(mutate)), encoding="utf-8")
    result = runner.invoke(args=["seed", "--catalogue", str(path)])
    assert "action 1.1.1: text is empty" in result.output
    assert "action 6.1.1: code does not belong to strategy 6.4" in result.output
    assert "action 6.1.1: duplicate code" in result.output


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "not valid UTF-8 JSON"),
        ("[]", "the file must hold one JSON object"),
        ('{"code": "X", "title": "T", "axes": []}', "plan: axes must be a non-empty list"),
    ],
)
def test_malformed_catalogue_file(app, runner, tmp_path, content, message):
    path = tmp_path / "bad.json"
    path.write_text(content, encoding="utf-8")
    result = runner.invoke(args=["seed", "--catalogue", str(path)])
    assert result.exit_code != 0
    assert message in result.output


def test_missing_catalogue_file(app, runner, tmp_path):
    path = tmp_path / "missing.json"
    result = runner.invoke(args=["seed", "--catalogue", str(path)])
    assert result.exit_code != 0
    assert f"{path}: file not found" in result.output


def test_bad_zones_file_names_every_bad_line(app, runner, tmp_path):
    path = tmp_path / "zones.csv"
    path.write_text(
        "code,name,comuni,population_2011\n1,Torino,1,869312\n2,,11,225202\nx,Nord,7,1\n1,Doppia,3,5\n",
        encoding="utf-8",
    )
    result = runner.invoke(args=["seed", "--zones", str(path)])
    assert result.exit_code != 0
    assert f"{path}: line 3: name is empty" in result.output
    assert f"{path}: line 4: code, comuni and population_2011 must be whole numbers" in result.output
    assert f"{path}: line 5: duplicate zone code 1" in result.output
    assert count(app, Axis) == 0


def test_zones_file_with_missing_column(app, runner, tmp_path):
    path = tmp_path / "zones.csv"
    path.write_text("code,name\n1,Torino\n", encoding="utf-8")
    result = runner.invoke(args=["seed", "--zones", str(path)])
    assert result.exit_code != 0
    assert "line 1: missing columns comuni, population_2011" in result.output


def test_shipped_zones_match_the_reference_data():
    from tests.conftest import SHARED

    reference = SHARED / "data" / "zone-omogenee.csv"
    if not reference.exists():
        pytest.skip("shared/ reference data is not beside this checkout")
    assert shipped("zone_omogenee.csv").read_text(encoding="utf-8") == reference.read_text(encoding="utf-8")
