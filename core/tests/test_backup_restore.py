"""The restore drill (docs/operations.md): back up a small district with `manage.py backup`,
restore it with `manage.py restore` into a new database and media folder, and prove the copy:
every table's row count, every uploaded file byte for byte, every personal field decrypts
(`personal_data_verify`), the audit chain verifies (`audit_verify`), the time-bank ledger
reconciles. And the refusals: a damaged, cut or edited archive, wrong keys, a database or media
folder in use, each leaving the database and files exactly as they were.

The backup and the restore run as separate processes with their own DATABASE_URL, as an
operator runs them, on the engine the suite runs on (PostgreSQL with DATABASE_URL, else SQLite).
The source is this test's own database, filled through the services. The refusals run the
restore command in this process, pointed at that same (full) database.
"""

import base64
import hashlib
import io
import os
import sqlite3
import subprocess
import sys
import tarfile
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import override_settings
from PIL import Image

from core import audit_chain, backup, key_rotation
from core.testing import build_small_district
from services import services as request_services
from timebank import services as timebank
from timebank.testing import resident, years_ago

pytestmark = pytest.mark.django_db(transaction=True)
ROOT = Path(settings.BASE_DIR)


# ---------------------------------------------------------------- the source district
def png(colour) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (24, 16), colour).save(buffer, "PNG")
    return buffer.getvalue()


def fill_district() -> dict:
    """A district with people (encrypted ID numbers and mobiles), requests with photos, time-bank
    hours moved between accounts, and a sealed audit chain."""
    d = build_small_district()
    people = [
        resident(
            actor=d.root,
            place=d.grids[k % 2],
            name=f"居民{k}",
            birth=years_ago(30 + k),
            mobile=f"1390000{k:04d}",
        )  # fmt: skip
        for k in range(6)
    ]
    accounts = [timebank.member_account_open(actor=d.root, person=p) for p in people]
    worker = d.users["community_worker:own"]
    for k, account in enumerate(accounts):
        timebank.deposit(actor=worker, account=account, minutes=30 + 15 * k, key=f"drill-{k}")
    for k, colour in enumerate([(200, 30, 30), (30, 200, 30), (30, 30, 200)]):
        request_services.request_submit(
            actor=d.users["resident:own"], place=d.grids[0], description=f"楼道灯坏了{k}",
            photo=SimpleUploadedFile(f"p{k}.png", png(colour), content_type="image/png"),
            resident=d.users["resident:own"].person, client_key=f"drill-{k}",
        )  # fmt: skip
    audit_chain.seal_all()
    # The source is sound, so whatever the copy lacks is the backup's doing.
    assert timebank.reconcile()["problems"] == []
    assert all(check.sound for check in key_rotation.verify())
    assert audit_chain.verify().intact and audit_chain.verify().checked > 50
    return {"people": len(people)}


def table_counts(cursor, engine: str) -> dict:
    return backup.pg_counts(cursor) if engine == "postgresql" else backup.sqlite_counts(cursor)


def files_under(root: Path) -> dict:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in root.rglob("*")
        if p.is_file()
    }


# ---------------------------------------------------------------- databases and processes
def pg_url(name: str) -> str:
    db = connection.settings_dict
    auth = quote(db["USER"] or "postgres") + (f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}"


def pg_admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(pg_url("postgres").replace("postgres://", "postgresql://"),
                         autocommit=True) as admin:  # fmt: skip
        admin.execute(sql)


class Drill:
    """The two sides of the drill: this test's database (source) and a new one (target)."""

    def __init__(self, tmp_path: Path):
        self.engine = connection.vendor
        self.tmp = tmp_path
        self.source_var = tmp_path / "source-var"
        self.target_var = tmp_path / "target-var"
        self.archives = tmp_path / "backups"
        if self.engine == "postgresql":
            self.target_name = f"linli_bk_drill_{os.getpid()}"
            pg_admin(f'DROP DATABASE IF EXISTS "{self.target_name}" WITH (FORCE)')
            pg_admin(f'CREATE DATABASE "{self.target_name}"')
            self.source_url = pg_url(connection.settings_dict["NAME"])
            self.target_url = pg_url(self.target_name)
        else:
            self.target_file = tmp_path / "target.sqlite3"
            self.source_url = f"sqlite:///{tmp_path / 'source.sqlite3'}"
            self.target_url = f"sqlite:///{self.target_file}"

    def publish_source(self) -> None:
        """SQLite's test database lives in this process's memory: copy it into a file for the
        backup process (with the same backup API the command uses)."""
        if self.engine == "sqlite":
            connection.ensure_connection()
            copy = sqlite3.connect(self.tmp / "source.sqlite3")
            connection.connection.backup(copy)
            copy.close()

    def keys(self, **changed) -> dict:
        keys = {
            "LINLI_SECRET_KEY": settings.SECRET_KEY,
            "LINLI_DATA_KEY": settings.DATA_ENCRYPTION_KEY,
            "LINLI_HASH_KEY": settings.DATA_HASH_KEY,
            "LINLI_DATA_OLD_KEYS": ",".join(settings.DATA_ENCRYPTION_OLD_KEYS),
            "LINLI_FIELD_CIPHER": settings.FIELD_CIPHER,
            "LINLI_HASH_ALGORITHM": settings.HASH_ALGORITHM,
        }
        return {**keys, **changed}

    def manage(self, side: str, *args, **changed_keys) -> subprocess.CompletedProcess:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("LINLI_", "REDIS_URL"))}
        env.update(self.keys(**changed_keys))
        env["DATABASE_URL"] = self.source_url if side == "source" else self.target_url
        env["LINLI_VAR_DIR"] = str(self.source_var if side == "source" else self.target_var)
        return subprocess.run(  # noqa: S603 - this interpreter and manage.py
            [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True,
            text=True, timeout=300,
        )  # fmt: skip

    def target_counts(self) -> dict:
        if self.engine == "postgresql":
            import psycopg

            with psycopg.connect(self.target_url.replace("postgres://", "postgresql://")) as db:
                return backup.pg_counts(db.cursor())
        if not self.target_file.exists():
            return {}
        with sqlite3.connect(self.target_file) as db:
            return backup.sqlite_counts(db.cursor())

    def target_media(self) -> dict:
        media = self.target_var / "media"
        return files_under(media) if media.exists() else {}

    def drop(self) -> None:
        if self.engine == "postgresql":
            pg_admin(f'DROP DATABASE IF EXISTS "{self.target_name}" WITH (FORCE)')


@pytest.fixture
def drill(tmp_path, settings):
    # Uploads land where the backup process (LINLI_VAR_DIR=source-var) looks for them.
    settings.MEDIA_ROOT = str(tmp_path / "source-var" / "media")
    side = Drill(tmp_path)
    yield side
    side.drop()


def ok(done: subprocess.CompletedProcess) -> str:
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout + done.stderr


def damaged_copy(archive: Path, into: Path) -> Path:
    """The archive with one byte of the database member changed, as a bad disk would."""
    with tarfile.open(archive) as tar:
        member = tar.getmember(backup.DATABASE_MEMBER[connection.vendor])
        at = member.offset_data + member.size // 2
    data = bytearray(archive.read_bytes())
    data[at] ^= 0xFF
    into.write_bytes(bytes(data))
    return into


# ---------------------------------------------------------------- the drill
def test_restore_drill_recovers_every_table_file_field_chain_and_ledger(drill):
    fill_district()
    source_media = files_under(Path(settings.MEDIA_ROOT))
    assert len(source_media) == 3  # the three photos
    with connection.cursor() as cursor:
        source_counts = table_counts(cursor, drill.engine)
    drill.publish_source()

    said = ok(drill.manage("source", "backup", "--output-dir", str(drill.archives),
                           "--keys-file", str(drill.tmp / "keys.env")))  # fmt: skip
    assert "keys are NOT in this archive" in said
    (archive,) = drill.archives.glob("linli-backup-*.tar")
    with tarfile.open(archive) as tar:
        assert sorted(tar.getnames()) == sorted(
            ["manifest.json", "media.tar.gz", backup.DATABASE_MEMBER[drill.engine]]
        )
        manifest = backup.open_manifest(tar.extractfile("manifest.json").read())
        everything = b"".join(tar.extractfile(m).read() for m in tar.getmembers())
    assert manifest["table_counts"] == source_counts
    assert manifest["media_files"] == 3
    assert manifest["keys"]["LINLI_DATA_KEY"]["fingerprint"] == backup.fingerprint(
        settings.DATA_ENCRYPTION_KEY
    )
    assert "core.0001_initial" in manifest["migrations"]
    assert manifest["audit_chain_head"][0] == audit_chain.last_sealed()[0]
    # No key in the archive; the keys file holds them, readable by its owner only.
    for key in (settings.DATA_ENCRYPTION_KEY, settings.DATA_HASH_KEY, settings.SECRET_KEY):
        assert key.encode() not in everything
    keys_file = drill.tmp / "keys.env"
    assert oct(keys_file.stat().st_mode & 0o777) == "0o600"
    assert f"LINLI_DATA_KEY={settings.DATA_ENCRYPTION_KEY}" in keys_file.read_text()

    # The restore, into the new database and media folder, with its own checks.
    said = ok(drill.manage("target", "restore", str(archive)))
    assert "all as in the manifest" in said and "restore verified" in said
    assert "time-bank ledger reconciles: " in said
    # The drill's checks, counted again here and by the operator's own commands.
    assert drill.target_counts() == source_counts
    assert drill.target_media() == source_media
    said = ok(drill.manage("target", "shell", "-c", OPERATOR_CHECKS))
    assert "core.person:" in said and " 0 undecryptable, 0 hash mismatches" in said
    assert f"audit chain intact: {audit_chain.last_sealed()[0]} events verified" in said
    assert "problems=0 " in said and f"accounts={source_counts['timebank_account']}" in said


def refusal(*args, **settings_changes) -> str:
    """`manage.py restore ARGS` in this process (its database: the test database, not empty)."""
    with override_settings(**settings_changes), pytest.raises(CommandError) as refused:
        call_command("restore", *args, stdout=io.StringIO(), stderr=io.StringIO())
    return str(refused.value)


def test_a_restore_refuses_damage_wrong_keys_and_a_database_in_use_and_changes_nothing(drill):
    """Every refusal comes before any write: here `restore` is pointed at this test's own
    database and media folder, full of the district, and each refusal leaves them as they were."""
    fill_district()
    drill.publish_source()
    ok(drill.manage("source", "backup", "--output-dir", str(drill.archives)))
    (archive,) = drill.archives.glob("linli-backup-*.tar")
    with connection.cursor() as cursor:
        before = table_counts(cursor, drill.engine)
    media_before = files_under(Path(settings.MEDIA_ROOT))

    # The archive and the keys are sound: --check says so and changes nothing.
    out = io.StringIO()
    call_command("restore", "--check", str(archive), stdout=out)
    assert "archive intact and the keys fit" in out.getvalue()

    wrong_key = base64.urlsafe_b64encode(os.urandom(32)).decode()
    said = refusal(str(archive), DATA_ENCRYPTION_KEY=wrong_key, DATA_HASH_KEY="another")
    assert "nothing changed" in said and "数据加密密钥不符" in said and "LINLI_HASH_KEY" in said
    # The old key still open what it sealed: a rotated key is no reason to refuse.
    rotated = refusal(str(archive), DATA_ENCRYPTION_KEY=wrong_key,
                      DATA_ENCRYPTION_OLD_KEYS=[settings.DATA_ENCRYPTION_KEY])  # fmt: skip
    assert "数据加密密钥不符" not in rotated and "database is not empty" in rotated
    said = refusal(str(archive), FIELD_CIPHER="sm4")
    assert "LINLI_FIELD_CIPHER" in said
    # Restoring over a database and media folder in use.
    assert "database is not empty" in rotated and "media folder" in rotated

    damaged = damaged_copy(archive, drill.tmp / "damaged.tar")
    said = refusal(str(damaged))
    assert "备份文件损坏" in said and "does not match its checksum" in said
    truncated = drill.tmp / "truncated.tar"
    truncated.write_bytes(archive.read_bytes()[: archive.stat().st_size // 3])
    assert "备份" in refusal(str(truncated))
    not_a_backup = drill.tmp / "photo.tar"
    not_a_backup.write_bytes(png((1, 2, 3)))
    assert "无法读取备份文件" in refusal(str(not_a_backup))
    with tarfile.open(archive) as tar:
        manifest = tar.extractfile("manifest.json").read()
    edited = drill.tmp / "edited.tar"
    with tarfile.open(archive) as tar, tarfile.open(edited, "w") as out_tar:
        for member in tar.getmembers():
            data = tar.extractfile(member).read()
            if member.name == "manifest.json":  # one table's count changed, checksum kept
                data = data.replace(b'"core_person": ', b'"core_person": 1', 1)
                member.size = len(data)
            out_tar.addfile(member, io.BytesIO(data))
    assert manifest != edited.read_bytes()
    assert "checksum" in refusal(str(edited))

    with connection.cursor() as cursor:
        assert table_counts(cursor, drill.engine) == before
    assert files_under(Path(settings.MEDIA_ROOT)) == media_before


# The operator's own checks (docs/operations.md), in one process: each command exits 1 on a
# failure, and the nightly reconciliation job's service counts the ledger's problems.
OPERATOR_CHECKS = (
    "from django.core.management import call_command; from timebank import services; "
    "call_command('personal_data_verify'); call_command('audit_verify'); "
    "r = services.reconcile(); "
    "print(f\"problems={r['problem_count']} accounts={r['accounts']} \")"
)
