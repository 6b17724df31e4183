"""Reading configuration from the environment, with errors a deployer can act on."""

import base64
import os
import secrets
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off", ""}


def env_bool(name: str, *, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    word = raw.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ValueError(f"{name}={raw!r} is not a yes/no value (use 1/0, true/false, yes/no)")


def env_int(name: str, *, default: int, minimum: int = 0) -> int:
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        value = int(raw.strip())
    except ValueError:
        raise ValueError(f"{name}={raw!r} is not a whole number") from None
    if value < minimum:
        raise ValueError(f"{name}={raw!r} must be at least {minimum}")
    return value


def env_choice(name: str, *, default: str, choices: tuple[str, ...]) -> str:
    """One of `choices`; anything else stops start-up with a message naming them."""
    value = (os.environ.get(name) or default).strip().lower()
    if value not in choices:
        raise ImproperlyConfigured(f"{name} must be one of {', '.join(choices)}, not {value!r}")
    return value


def env_list(name: str, *, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def secret_from_env(name: str, var_dir: Path, *, fernet: bool = False) -> str:
    """The secret from the environment; else one generated once and kept under var/secrets.

    The file fallback lets the demo run with nothing configured; a deployment sets the
    variable so that every app process shares the same key.
    """
    value = os.environ.get(name)
    if value:
        return value
    path = Path(var_dir) / "secrets" / name
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    raw = secrets.token_bytes(32)
    value = base64.urlsafe_b64encode(raw).decode() if fernet else secrets.token_urlsafe(48)
    # Create with owner-only permissions; a race with another process keeps the first file.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(value)
    return value


SUPPORTED_SCHEMES = {"postgres", "postgresql", "pgsql", "sqlite"}


def database_from_url(url: str, *, sqlite_path: Path) -> dict:
    """Django DATABASES entry for DATABASE_URL; embedded SQLite (WAL) when it is empty.

    Raises ValueError naming the problem when the URL is malformed.
    """
    url = url.strip()
    if not url:
        Path(sqlite_path).parent.mkdir(parents=True, exist_ok=True)
        return sqlite_config(str(sqlite_path))
    parts = urlsplit(url)
    if parts.scheme not in SUPPORTED_SCHEMES:
        raise ValueError(
            f"DATABASE_URL scheme {parts.scheme or '(none)'!r} is not supported; "
            "use postgres://user:password@host:5432/dbname or sqlite:///path/to/file.sqlite3"
        )
    if parts.scheme == "sqlite":
        path = parts.path[1:] if parts.path.startswith("//") else parts.path
        if not path:
            raise ValueError(
                "DATABASE_URL sqlite:/// needs a file path, e.g. sqlite:////srv/linli.db"
            )
        return sqlite_config(path)
    if not parts.hostname and "host=" not in (parts.query or ""):
        raise ValueError("DATABASE_URL has no host, e.g. postgres://linli@127.0.0.1:5432/linli")
    try:
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError as exc:
        raise ValueError(f"DATABASE_URL has an invalid port: {exc}") from exc
    if not parts.path.strip("/"):
        raise ValueError("DATABASE_URL names no database, e.g. postgres://linli@127.0.0.1/linli")
    config = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
    config["ENGINE"] = "django.db.backends.postgresql"
    config.setdefault("TEST", {})
    return config


def sqlite_config(path: str) -> dict:
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": path,
        "OPTIONS": {
            # WAL lets the worker and web processes read while one writes; IMMEDIATE takes the
            # write lock at BEGIN so concurrent writers queue instead of failing mid-transaction.
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        },
    }
