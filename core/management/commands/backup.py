"""manage.py backup [--output-dir DIR] [--keys-file PATH]: one archive of the database and the
uploaded files, with a manifest (core.backup; docs/operations.md). The keys stay out of it."""

import datetime
import os
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import OperationalError

from core import backup

KEYS_WARNING = (
    "警告：备份不含密钥。没有 LINLI_DATA_KEY / LINLI_HASH_KEY（及旧密钥），备份中的个人信息无法解密，"
    "请把密钥另行保管（不要与备份放在一起）。\n"
    "WARNING: the keys are NOT in this archive. Without LINLI_DATA_KEY and LINLI_HASH_KEY (and any "
    "old data keys) its personal data cannot be opened: keep them safe, apart from the backups."
)


class Command(BaseCommand):
    help = "Back up the database and the media folder into one archive with a manifest."

    def add_arguments(self, parser):
        parser.add_argument(
            "--output-dir",
            default=os.environ.get("LINLI_BACKUP_DIR") or str(Path(settings.VAR_DIR) / "backups"),
            help="folder for the archive (default: LINLI_BACKUP_DIR, else var/backups)",
        )
        parser.add_argument(
            "--keys-file",
            help="also write the keys to this file (mode 600), to keep apart from the archive",
        )

    def handle(self, *args, output_dir, keys_file, **options):
        engine = backup.vendor()
        folder = Path(output_dir)
        folder.mkdir(parents=True, exist_ok=True)
        moment = datetime.datetime.now(datetime.UTC)
        archive = folder / f"linli-backup-{moment:%Y%m%dT%H%M%SZ}.tar"
        if archive.exists():
            raise CommandError(f"{archive} already exists")
        try:
            with tempfile.TemporaryDirectory(dir=folder, prefix=".backup-") as work:
                work = Path(work)
                database = work / backup.DATABASE_MEMBER[engine]
                dump = backup.dump_postgresql if engine == "postgresql" else backup.dump_sqlite
                state = dump(database)
                counts, migrations = state["table_counts"], state["migrations"]
                media = work / backup.MEDIA
                media_files = backup.pack_media(media)
                manifest = {
                    "format": backup.FORMAT,
                    "created_at": moment.isoformat(),
                    "linli": backup.linli_version(),
                    "database": {
                        "engine": engine,
                        "name": Path(str(settings.DATABASES["default"]["NAME"])).name,
                    },  # fmt: skip
                    **state,
                    "media_files": media_files,
                    "members": {
                        path.name: {"size": path.stat().st_size, "sha256": backup.sha256_of(path)}
                        for path in (database, media)
                    },
                    "keys": backup.key_fingerprints(),
                }
                backup.write_archive(archive, manifest, {p.name: p for p in (database, media)})
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from None
        except OperationalError as exc:
            raise CommandError(f"无法连接数据库 / cannot reach the database: {exc}") from None
        if keys_file:
            self.write_keys(Path(keys_file))
        self.stdout.write(f"backup written: {archive} ({archive.stat().st_size:,} bytes)")
        self.stdout.write(
            f"  {engine}, {len(counts)} tables, {sum(counts.values()):,} rows, "
            f"{media_files} media files, {len(migrations)} migrations applied"
        )
        for table in backup.KEY_TABLES:
            if table in counts:
                self.stdout.write(f"  {table}: {counts[table]:,}")
        self.stderr.write(KEYS_WARNING)

    def write_keys(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(backup.keys_file_text())
        os.chmod(path, 0o600)
        self.stderr.write(
            f"keys written to {path}: move it off this machine, never next to the backups"
        )
