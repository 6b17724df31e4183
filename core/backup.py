"""Backing up a Linli deployment and reading a backup back (manage.py backup / restore).

A backup is one tar archive, ``linli-backup-<UTC time>.tar``, holding:

- ``database.pgdump`` (pg_dump's custom format) or ``database.sqlite3`` (SQLite's online backup
  API): one consistent moment of the whole database;
- ``media.tar.gz``: the uploaded files (request photos, sealed registry import files), taken
  after the database, so every file a row points at is there;
- ``manifest.json``: when, which Linli and which migrations, the row count of every table at the
  database's moment, the size and SHA-256 of the two members, and which keys the data needs (by
  fingerprint: an HMAC of a fixed text under each key, which does not reveal the key).

The keys are not in the archive: a stolen backup without them does not open any personal field.
``--keys-file`` writes them to a separate file, for the operator to keep somewhere else.

Restoring checks everything first (archive intact, same database engine, migrations this code
knows, the same keys, an empty database and media folder) and changes nothing when a check
fails; then it loads the database in one transaction and moves the media folder into place.
docs/operations.md is the operator's side of this.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import io
import json
import os
import sqlite3
import subprocess
import tarfile
import tomllib
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connection

FORMAT = 1
MANIFEST = "manifest.json"
MEDIA = "media.tar.gz"
DATABASE_MEMBER = {"postgresql": "database.pgdump", "sqlite": "database.sqlite3"}
# The keys a backup needs, by the environment variable that holds each (linli/settings.py).
KEY_SETTINGS = {
    "LINLI_SECRET_KEY": "SECRET_KEY",
    "LINLI_DATA_KEY": "DATA_ENCRYPTION_KEY",
    "LINLI_HASH_KEY": "DATA_HASH_KEY",
}
# The tables a restore summary names first: the ones an operator recognises.
KEY_TABLES = (
    "core_person", "core_user", "core_auditevent", "registry_residence", "services_servicerequest",
    "timebank_account", "timebank_transaction", "timebank_posting",
)  # fmt: skip


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why and what to do."""


def fingerprint(key: str) -> str:
    """A key's fingerprint: shows whether two keys are the same without revealing either."""
    return hmac.new(key.encode(), b"linli backup key fingerprint v1", hashlib.sha256).hexdigest()[
        :16
    ]


def key_fingerprints() -> dict:
    """The fingerprints of the keys this process runs with, and where each came from."""
    keys = {}
    for variable, setting in KEY_SETTINGS.items():
        kept_in = "environment" if os.environ.get(variable) else f"var/secrets/{variable}"
        keys[variable] = {
            "fingerprint": fingerprint(getattr(settings, setting)),
            "kept_in": kept_in,
        }
    keys["LINLI_DATA_OLD_KEYS"] = [fingerprint(k) for k in settings.DATA_ENCRYPTION_OLD_KEYS]
    keys["LINLI_FIELD_CIPHER"] = settings.FIELD_CIPHER
    keys["LINLI_HASH_ALGORITHM"] = settings.HASH_ALGORITHM
    return keys


def key_problems(needed: dict) -> list[str]:
    """What is wrong with this process's keys for data backed up under `needed` (empty: none).

    Personal fields need every data key they were sealed under (the current one or an old one);
    lookup hashes and the audit chain need the same hash key. A different LINLI_SECRET_KEY only
    signs everyone out, so it is no reason to refuse (restore warns).
    """
    have = key_fingerprints()
    problems = []
    data_keys = {have["LINLI_DATA_KEY"]["fingerprint"], *have["LINLI_DATA_OLD_KEYS"]}
    wanted = [needed["LINLI_DATA_KEY"]["fingerprint"], *needed["LINLI_DATA_OLD_KEYS"]]
    for fp in wanted:
        if fp not in data_keys:
            problems.append(
                f"数据加密密钥不符：备份需要指纹为 {fp} 的密钥（LINLI_DATA_KEY 或 LINLI_DATA_OLD_KEYS），"
                f"当前没有 / the data key with fingerprint {fp} is missing"
            )
    if have["LINLI_HASH_KEY"]["fingerprint"] != needed["LINLI_HASH_KEY"]["fingerprint"]:
        problems.append(
            f"哈希密钥不符：备份需要指纹为 {needed['LINLI_HASH_KEY']['fingerprint']} 的 "
            f"LINLI_HASH_KEY，当前为 {have['LINLI_HASH_KEY']['fingerprint']} / wrong LINLI_HASH_KEY"
        )
    for variable in ("LINLI_FIELD_CIPHER", "LINLI_HASH_ALGORITHM"):
        if have[variable] != needed[variable]:
            problems.append(
                f"{variable} 应为 {needed[variable]}，当前为 {have[variable]} / "
                f"set {variable}={needed[variable]}"
            )
    return problems


def secret_key_differs(needed: dict) -> bool:
    return (
        key_fingerprints()["LINLI_SECRET_KEY"]["fingerprint"]
        != (needed["LINLI_SECRET_KEY"]["fingerprint"])
    )


def keys_file_text() -> str:
    """The keys as an environment file (KEY=value lines), for --keys-file."""
    lines = [
        "# Linli keys. Keep this file apart from the backups, readable by the operator only:",
        "# with it, a backup's personal data opens; without it, nobody can open it, you neither.",
    ]
    for variable, setting in KEY_SETTINGS.items():
        lines.append(f"{variable}={getattr(settings, setting)}")
    if settings.DATA_ENCRYPTION_OLD_KEYS:
        lines.append(f"LINLI_DATA_OLD_KEYS={','.join(settings.DATA_ENCRYPTION_OLD_KEYS)}")
    lines.append(f"LINLI_FIELD_CIPHER={settings.FIELD_CIPHER}")
    lines.append(f"LINLI_HASH_ALGORITHM={settings.HASH_ALGORITHM}")
    return "\n".join(lines) + "\n"


def linli_version() -> dict:
    """The version in pyproject.toml and, in a git checkout, the commit."""
    version = {"version": "unknown", "commit": None}
    pyproject = Path(settings.BASE_DIR) / "pyproject.toml"
    if pyproject.exists():
        version["version"] = tomllib.loads(pyproject.read_text())["project"]["version"]
    try:
        version["commit"] = subprocess.run(  # noqa: S603 - a fixed command
            ["git", "rev-parse", "HEAD"],  # noqa: S607 - git from the PATH, if there is one
            cwd=settings.BASE_DIR, capture_output=True, text=True, timeout=10, check=True,
        ).stdout.strip()  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        pass
    return version


def vendor() -> str:
    if connection.vendor not in DATABASE_MEMBER:
        raise BackupError(f"database engine {connection.vendor} is not supported")
    return connection.vendor


# ---------------------------------------------------------------- PostgreSQL
def pg_environment() -> tuple[list[str], dict]:
    """libpq arguments and environment for pg_dump / pg_restore on the default database."""
    db = connection.settings_dict
    args = ["--dbname", db["NAME"]]
    if db.get("HOST"):
        args += ["--host", db["HOST"]]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", db["USER"]]
    env = {**os.environ, "PGCONNECT_TIMEOUT": "20"}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    sslmode = (db.get("OPTIONS") or {}).get("sslmode")
    if sslmode:
        env["PGSSLMODE"] = sslmode
    return args, env


def run_pg_tool(argv: list[str], env: dict) -> None:
    done = subprocess.run(argv, env=env, capture_output=True, text=True)  # noqa: S603 - our argv
    if done.returncode != 0:
        raise BackupError(f"{Path(argv[0]).name} failed: {done.stderr.strip()[-2000:]}")


def pg_tool(name: str) -> str:
    """pg_dump / pg_restore: from LINLI_PG_BIN if set, else the PATH."""
    folder = os.environ.get("LINLI_PG_BIN", "")
    return str(Path(folder) / name) if folder else name


def dump_postgresql(path: Path) -> dict:
    """pg_dump the database into `path`; the table counts, migrations and audit chain head of
    the same moment.

    The counts are read in a REPEATABLE READ transaction whose snapshot pg_dump is told to use,
    so they are exactly what the dump holds even while the site keeps writing.
    """
    args, env = pg_environment()
    connection.ensure_connection()
    previous = connection.get_autocommit()
    connection.set_autocommit(False)
    with connection.cursor() as cursor:
        try:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            state = moment_state(cursor, pg_counts)
            run_pg_tool(
                [pg_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges",
                 f"--snapshot={snapshot}", "--file", str(path), *args],
                env,
            )  # fmt: skip
        finally:
            connection.rollback()
            connection.set_autocommit(previous)
    return state


def moment_state(cursor, count) -> dict:
    return {
        "table_counts": count(cursor),
        "migrations": applied_migrations(cursor),
        "audit_chain_head": audit_chain_head(cursor),
    }


def pg_tables(cursor) -> list[str]:
    cursor.execute(
        "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename"
    )
    return [row[0] for row in cursor.fetchall()]


def row_counts(cursor, tables: list[str]) -> dict:
    """{table: rows} for the tables named (by the database's own catalogue)."""
    counts = {}
    for table in tables:
        cursor.execute(f'SELECT COUNT(*) FROM "{table}"')  # noqa: S608 - names from the catalogue
        counts[table] = cursor.fetchone()[0]
    return counts


def pg_counts(cursor) -> dict:
    return row_counts(cursor, pg_tables(cursor))


def restore_postgresql(path: Path) -> None:
    """pg_restore into the (empty) default database, in one transaction: all or nothing."""
    args, env = pg_environment()
    connection.close()
    run_pg_tool(
        [pg_tool("pg_restore"), "--no-owner", "--no-privileges", "--single-transaction",
         "--exit-on-error", *args, str(path)],
        env,
    )  # fmt: skip


# ---------------------------------------------------------------- SQLite
def sqlite_path() -> Path:
    return Path(connection.settings_dict["NAME"])


def dump_sqlite(path: Path) -> dict:
    """Copy the database into `path` with SQLite's online backup API (one consistent moment,
    while others keep writing); the counts and migrations are read from the copy."""
    source = sqlite3.connect(sqlite_path(), timeout=60)
    copy = sqlite3.connect(path)
    try:
        source.backup(copy)
        state = moment_state(copy.cursor(), sqlite_counts)
    finally:
        copy.close()
        source.close()
    return state


def sqlite_tables(cursor) -> list[str]:
    cursor.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "ORDER BY name"
    )
    return [row[0] for row in cursor.fetchall()]


def sqlite_counts(cursor) -> dict:
    return row_counts(cursor, sqlite_tables(cursor))


def restore_sqlite(path: Path) -> None:
    """Copy the backed-up database into the configured file with the backup API (one
    transaction on the target: a failure leaves it as it was)."""
    connection.close()
    target = sqlite_path()
    target.parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(path)
    destination = sqlite3.connect(target, timeout=60)
    try:
        source.backup(destination)
    finally:
        destination.close()
        source.close()


def audit_chain_head(cursor) -> list | None:
    """The newest sealed audit event's (seal_seq, chain_hash): a restore's chain must reach it."""
    cursor.execute(
        "SELECT seal_seq, chain_hash FROM core_auditevent WHERE seal_seq IS NOT NULL "
        "ORDER BY seal_seq DESC LIMIT 1"
    )
    row = cursor.fetchone()
    return list(row) if row else None


def applied_migrations(cursor) -> list[str]:
    cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
    return [f"{app}.{name}" for app, name in cursor.fetchall()]


def current_counts() -> dict:
    """Every table's row count in the configured database now (after a restore)."""
    connection.close()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            return pg_counts(cursor)
        return sqlite_counts(cursor)


def database_is_empty() -> bool:
    """No table at all in the configured database (a new database, or one never migrated)."""
    if vendor() == "sqlite" and not str(connection.settings_dict["NAME"]).startswith("file:"):
        path = sqlite_path()
        if not path.exists() or path.stat().st_size == 0:
            return True  # looked at without connecting, which would create the file
    return not connection.introspection.table_names()


# ---------------------------------------------------------------- media
def media_root() -> Path:
    return Path(settings.MEDIA_ROOT)


def pack_media(path: Path) -> int:
    """tar.gz the media folder (regular files only); how many files."""
    root = media_root()
    files = 0
    with tarfile.open(path, "w:gz") as archive:
        if root.is_dir():
            for file in sorted(root.rglob("*")):
                if file.is_file() and not file.is_symlink():
                    archive.add(file, arcname=str(file.relative_to(root)), recursive=False)
                    files += 1
    return files


def unpack_media(path: Path, into: Path) -> int:
    """Extract the media archive into `into` (refusing links, devices and paths that leave it)."""
    with tarfile.open(path, "r:gz") as archive:
        members = archive.getmembers()
        for member in members:
            if not (member.isfile() or member.isdir()):
                raise BackupError(f"media archive holds a non-file entry: {member.name}")
        archive.extractall(into, filter="data")
    return sum(1 for m in members if m.isfile())


def media_is_empty() -> bool:
    root = media_root()
    return not root.exists() or not any(root.iterdir())


# ---------------------------------------------------------------- the archive
def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def seal_manifest(manifest: dict) -> bytes:
    """The manifest as JSON, with the SHA-256 of its own content (without that field)."""
    body = {k: v for k, v in manifest.items() if k != "manifest_sha256"}
    canonical = json.dumps(body, sort_keys=True, ensure_ascii=False).encode()
    sealed = {**body, "manifest_sha256": hashlib.sha256(canonical).hexdigest()}
    return json.dumps(sealed, sort_keys=True, ensure_ascii=False, indent=2).encode()


def open_manifest(data: bytes) -> dict:
    try:
        manifest = json.loads(data)
        claimed = manifest.pop("manifest_sha256")
    except (ValueError, KeyError, AttributeError, TypeError):
        raise BackupError(
            "备份清单损坏 / the manifest is damaged (not the JSON Linli wrote)"
        ) from None
    canonical = json.dumps(manifest, sort_keys=True, ensure_ascii=False).encode()
    if hashlib.sha256(canonical).hexdigest() != claimed:
        raise BackupError("备份清单校验和不符 / the manifest does not match its checksum")
    if manifest.get("format") != FORMAT:
        raise BackupError(
            f"unknown backup format {manifest.get('format')!r} (this Linli: {FORMAT})"
        )
    if manifest.get("database", {}).get("engine") not in DATABASE_MEMBER:
        raise BackupError("备份清单未写明数据库类型 / the manifest names no known database engine")
    return manifest


def write_archive(archive: Path, manifest: dict, members: dict[str, Path]) -> None:
    """The archive, written beside its final name and renamed: no half archive under it."""
    partial = archive.with_name(archive.name + ".partial")
    with tarfile.open(partial, "w") as tar:
        data = seal_manifest(manifest)
        info = tarfile.TarInfo(MANIFEST)
        info.size = len(data)
        info.mtime = int(datetime.datetime.now(datetime.UTC).timestamp())
        tar.addfile(info, io.BytesIO(data))
        for name, path in members.items():
            tar.add(path, arcname=name, recursive=False)
    os.chmod(partial, 0o600)
    partial.rename(archive)


@dataclass
class OpenedArchive:
    manifest: dict
    database: Path
    media: Path


def open_archive(archive: Path, workdir: Path) -> OpenedArchive:
    """Read the archive into `workdir` and prove every member matches the manifest."""
    try:
        tar = tarfile.open(archive, "r:")
    except (OSError, tarfile.TarError) as exc:
        raise BackupError(f"无法读取备份文件 / cannot read the archive {archive}: {exc}") from None
    with tar:
        try:
            names = {m.name: m for m in tar.getmembers()}
            if MANIFEST not in names:
                raise BackupError("备份中没有清单 / the archive has no manifest.json")
            manifest = open_manifest(tar.extractfile(names[MANIFEST]).read())
            paths = {}
            for name in manifest["members"]:
                member = names.get(name)
                if member is None or not member.isfile() or "/" in name:
                    raise BackupError(f"备份缺少 {name} / the archive lacks {name}")
                paths[name] = workdir / name
                with tar.extractfile(member) as source, open(paths[name], "wb") as out:
                    while block := source.read(1 << 20):
                        out.write(block)
        except (OSError, tarfile.TarError, EOFError) as exc:
            raise BackupError(f"备份文件损坏 / the archive is damaged: {exc}") from None
    for name, expected in manifest["members"].items():
        if (
            paths[name].stat().st_size != expected["size"]
            or sha256_of(paths[name]) != (expected["sha256"])
        ):
            raise BackupError(
                f"备份文件损坏：{name} 的校验和与清单不符 / the archive is damaged: "
                f"{name} does not match its checksum"
            )
    return OpenedArchive(
        manifest=manifest,
        database=paths[DATABASE_MEMBER[manifest["database"]["engine"]]],
        media=paths[MEDIA],
    )
