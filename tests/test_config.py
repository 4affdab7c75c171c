"""Configuration from the environment."""

import importlib
import stat
from concurrent.futures import ThreadPoolExecutor

from consult import config


def test_database_urls_are_normalised():
    assert config.database_url("postgres://u:p@h/db") == "postgresql+psycopg://u:p@h/db"
    assert config.database_url("postgresql://u@h:5433/db") == "postgresql+psycopg://u@h:5433/db"
    assert config.database_url("sqlite:////tmp/x.sqlite3") == "sqlite:////tmp/x.sqlite3"
    assert config.database_url(None).endswith("/consult.sqlite3")


def test_generated_secret_key_is_private_and_shared_by_concurrent_starts(tmp_path, monkeypatch):
    monkeypatch.setenv("CONSULT_INSTANCE", str(tmp_path))
    module = importlib.reload(config)
    try:
        with ThreadPoolExecutor(8) as pool:
            keys = set(pool.map(lambda _n: module.instance_secret_key(), range(16)))
        assert len(keys) == 1 and len(keys.pop()) == 64
        assert stat.S_IMODE((tmp_path / "secret_key").stat().st_mode) == 0o600
        assert sorted(p.name for p in tmp_path.iterdir()) == ["secret_key"]
    finally:
        monkeypatch.undo()
        importlib.reload(config)
