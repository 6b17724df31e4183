"""manage.py demo [--scale tiny|small|full] [--seed N] [--workers N]: build the demo district."""

import io
import os
from pathlib import Path

from django.core.management.base import BaseCommand

from core.demo import DEFAULT_SEED, SCALES, build_demo, print_logins


class Command(BaseCommand):
    help = (
        "生成秦淮区演示数据（幂等：演示区已存在时不做任何改动）。Build the Qinhuai demo district."
    )

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=list(SCALES), default="small")
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
        parser.add_argument(
            "--workers",
            type=int,
            default=None,
            help="processes that generate and encrypt resident rows (default: 2 at full scale)",
        )
        parser.add_argument("--no-logins", action="store_true", help="do not print the logins")
        parser.add_argument(
            "--logins-file",
            help="also write the logins to this file (linli.sh shows it when it skips this command)",
        )

    def handle(self, *args, scale, seed, workers, no_logins, logins_file, **options):
        if workers is None:
            workers = min(2, os.cpu_count() or 1) if scale == "full" else 0
        result = build_demo(scale=scale, seed=seed, stdout=self.stdout, workers=workers)
        if result.get("created"):
            self.stdout.write(
                f"完成：{result['streets']} 街道 / {result['communities']} 社区 / "
                f"{result['grids']} 网格 / {result['staff_accounts']} 个账号 / "
                f"{result['residents']:,} 名居民，共 {result['total_seconds']} 秒"
            )
        if no_logins and not logins_file:
            return
        logins = io.StringIO()
        print_logins(logins)
        if not no_logins:
            self.stdout.write(logins.getvalue(), ending="")
        if logins_file:
            Path(logins_file).write_text(logins.getvalue(), encoding="utf-8")
