"""Deployment configuration: a malformed DATABASE_URL says what is wrong."""

import subprocess
import sys
from pathlib import Path

import pytest

from linli.envconfig import database_from_url, env_bool


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("mysql://root@localhost/linli", "scheme 'mysql' is not supported"),
        ("postgres://", "has no host"),
        ("postgres://u@db:notaport/linli", "invalid port"),
        ("postgres://u@db:5432", "names no database"),
        ("sqlite://", "needs a file path"),
        ("127.0.0.1:5432/linli", "is not supported"),
    ],
)
def test_malformed_database_url_is_explained(url, message, tmp_path):
    with pytest.raises(ValueError, match=message):
        database_from_url(url, sqlite_path=tmp_path / "x.sqlite3")


def test_good_urls(tmp_path):
    config = database_from_url(
        "postgres://linli:pw@10.0.0.5:5433/linli", sqlite_path=tmp_path / "x"
    )
    assert (config["ENGINE"], config["HOST"], config["PORT"], config["NAME"]) == (
        "django.db.backends.postgresql",
        "10.0.0.5",
        5433,
        "linli",
    )
    sqlite = database_from_url("", sqlite_path=tmp_path / "db.sqlite3")
    assert sqlite["ENGINE"].endswith("sqlite3") and "WAL" in sqlite["OPTIONS"]["init_command"]


def test_env_bool_refuses_nonsense(monkeypatch):
    monkeypatch.setenv("LINLI_X", "perhaps")
    with pytest.raises(ValueError, match="not a yes/no value"):
        env_bool("LINLI_X", default=False)


def test_manage_py_reports_a_bad_url_without_a_traceback_wall(tmp_path):
    root = Path(__file__).resolve().parent.parent
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=root,
        env={"DATABASE_URL": "mysql://x@y/z", "LINLI_VAR_DIR": str(tmp_path), "PATH": ""},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "DATABASE_URL scheme 'mysql' is not supported" in result.stderr
