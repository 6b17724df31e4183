"""manage.py restore ARCHIVE [--check] [--skip-checks]: load a backup (manage.py backup) into an
empty database and media folder, then prove it: every table's row count as in the manifest,
every personal field decrypts, the audit chain verifies, the time-bank ledger reconciles.

Every refusal (a damaged archive, other keys, another database engine, migrations this code does
not know, a database or media folder that is not empty) comes before anything is written.
"""

import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import OperationalError
from django.db.migrations.loader import MigrationLoader

from core import audit_chain, backup, key_rotation


class Command(BaseCommand):
    help = "Restore a backup archive into an empty database and media folder, then verify it."

    def add_arguments(self, parser):
        parser.add_argument("archive", help="a linli-backup-….tar written by manage.py backup")
        parser.add_argument(
            "--check",
            action="store_true",
            help="only prove the archive is intact and the keys fit; change nothing",
        )
        parser.add_argument(
            "--no-verify",
            action="store_true",
            help="do not verify the restored data (counts, personal data, audit chain, ledger)",
        )

    def handle(self, *args, archive, check, no_verify, **options):
        archive = Path(archive)
        media_root = backup.media_root()
        media_root.parent.mkdir(parents=True, exist_ok=True)
        # The work folder sits beside the media folder, so the restored files move into place
        # with one rename.
        try:
            with tempfile.TemporaryDirectory(dir=media_root.parent, prefix=".restore-") as work:
                work = Path(work)
                opened = backup.open_archive(archive, work)
                self.refuse_unless_fitting(opened.manifest, check=check)
                if check:
                    self.stdout.write(
                        f"archive intact and the keys fit: {archive} "
                        f"({opened.manifest['created_at']}); nothing changed"
                    )
                    return
                self.load(opened, work, media_root)
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from None
        except OperationalError as exc:
            raise CommandError(
                f"无法连接数据库 / cannot reach the database ({exc}); create it first (createdb)"
            ) from None
        manifest = opened.manifest
        self.stdout.write(
            f"restored {archive} ({manifest['created_at']}, Linli {manifest['linli']['version']})"
        )
        missing = self.unapplied_migrations(manifest)
        if missing:
            self.stdout.write(
                f"this code has {len(missing)} migrations the backup predates: run "
                "`manage.py migrate`, then the checks (docs/operations.md)"
            )
            return
        if not no_verify:
            self.verify(manifest)

    def refuse_unless_fitting(self, manifest: dict, *, check: bool) -> None:
        engine = backup.vendor()
        problems = []
        if manifest["database"]["engine"] != engine:
            problems.append(
                f"备份来自 {manifest['database']['engine']}，当前数据库为 {engine} / the archive "
                f"is a {manifest['database']['engine']} backup, this database is {engine}"
            )
        unknown = sorted(set(manifest["migrations"]) - self.known_migrations())
        if unknown:
            problems.append(
                f"备份来自更新的 Linli 版本（{len(unknown)} 个未知迁移，如 {unknown[0]}）/ the backup "
                f"comes from a newer Linli ({manifest['linli']['version']}): install it first"
            )
        problems += backup.key_problems(manifest["keys"])
        if not check:
            if not backup.database_is_empty():
                problems.append(
                    "目标数据库不是空的 / the database is not empty: restore into a new database "
                    "(createdb, or a new DATABASE_URL / SQLite file)"
                )
            if not backup.media_is_empty():
                problems.append(
                    f"媒体目录不是空的 / the media folder {backup.media_root()} is not empty: "
                    "move it away first"
                )
        if problems:
            raise backup.BackupError("拒绝恢复，未作任何改动 / restore refused, nothing changed:\n  " +
                                     "\n  ".join(problems))  # fmt: skip
        if backup.secret_key_differs(manifest["keys"]):
            self.stderr.write(
                "note: LINLI_SECRET_KEY differs from the backup's: everyone signs in again"
            )

    def load(self, opened: backup.OpenedArchive, work: Path, media_root: Path) -> None:
        # Unpack the files first (the step most likely to fail on a full disk), then the
        # database in one transaction, then one rename puts the files in place.
        staged = work / "media"
        staged.mkdir()
        files = backup.unpack_media(opened.media, staged)
        if opened.manifest["database"]["engine"] == "postgresql":
            backup.restore_postgresql(opened.database)
        else:
            backup.restore_sqlite(opened.database)
        if media_root.exists():
            media_root.rmdir()  # empty: refuse_unless_fitting made sure
        staged.rename(media_root)
        self.stdout.write(f"database loaded; {files} media files in {media_root}")

    @staticmethod
    def known_migrations() -> set[str]:
        loader = MigrationLoader(None, ignore_no_migrations=True)
        return {f"{app}.{name}" for app, name in loader.disk_migrations}

    def unapplied_migrations(self, manifest: dict) -> list[str]:
        return sorted(self.known_migrations() - set(manifest["migrations"]))

    def verify(self, manifest: dict) -> None:
        """The restore drill's checks, on the restored database."""
        from timebank import services as timebank

        failures = []
        counts = backup.current_counts()
        differing = {
            t: (n, counts.get(t)) for t, n in manifest["table_counts"].items() if counts.get(t) != n
        }
        if differing:
            failures.append(f"row counts differ (table: backup, restored): {differing}")
        self.stdout.write(
            f"row counts: {len(counts)} tables, {sum(counts.values()):,} rows"
            + ("" if differing else ", all as in the manifest")
        )
        checks = key_rotation.verify()
        fields = sum(c.fields for c in checks)
        if all(c.sound for c in checks):
            self.stdout.write(f"personal data: {fields:,} encrypted fields decrypt, hashes match")
        else:
            failures.append("personal data does not decrypt (run manage.py personal_data_verify)")
        head = manifest.get("audit_chain_head")
        verdict = audit_chain.verify(anchor=tuple(head) if head else audit_chain.latest_anchor())
        if verdict.intact:
            self.stdout.write(f"audit chain: {verdict.checked:,} events verified")
        else:
            failures.append(f"audit chain broken at seal_seq {verdict.broken_at}: {verdict.reason}")
        ledger = timebank.reconcile()
        if ledger["problem_count"]:
            failures.append(f"time-bank ledger: {ledger['problem_count']} problems")
        else:
            self.stdout.write(
                f"time-bank ledger reconciles: {ledger['accounts']} accounts, "
                f"{ledger['transactions']} transactions"
            )
        if failures:
            raise CommandError("restored, but the checks FAILED:\n  " + "\n  ".join(failures))
        self.stdout.write("restore verified")
