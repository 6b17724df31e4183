"""manage.py personal_data_rotate: re-encrypt stored personal data under the current key and
cipher (core.key_rotation); --rehash recomputes the lookup hashes too; --background queues it."""

from django.core.management.base import BaseCommand

from core import key_rotation


class Command(BaseCommand):
    help = (
        "Re-encrypt every stored personal field under LINLI_DATA_KEY and LINLI_FIELD_CIPHER. "
        "--rehash: also recompute lookup hashes (after changing LINLI_HASH_ALGORITHM or "
        "LINLI_HASH_KEY; run it before serving). --background: queue it for the workers."
    )

    def add_arguments(self, parser):
        parser.add_argument("--rehash", action="store_true")
        parser.add_argument("--background", action="store_true")

    def handle(self, *args, rehash=False, background=False, **options):
        labels = list(key_rotation.TARGETS)
        if background:
            key_rotation.rotate_in_background.enqueue(labels[0], 0, rehash)
            self.stdout.write(
                f"queued: {', '.join(labels)} (a chunk of {key_rotation.CHUNK} rows per task); "
                "check with manage.py personal_data_verify"
            )
            return
        for label, changed in key_rotation.rotate_all(rehash=rehash).items():
            self.stdout.write(f"{label}: {changed} rows re-encrypted{' and re-hashed' * rehash}")
