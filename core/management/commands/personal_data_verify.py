"""manage.py personal_data_verify: every encrypted personal field opens and every lookup hash
matches its value (core.key_rotation.verify); exit status 1 otherwise. Reads only."""

from django.core.management.base import BaseCommand, CommandError

from core import key_rotation


class Command(BaseCommand):
    help = "Prove every encrypted personal field decrypts and every hash matches (reads only)."

    def handle(self, *args, **options):
        checks = key_rotation.verify()
        for check in checks:
            self.stdout.write(
                f"{check.label}: {check.fields} fields, {check.current} under the current key, "
                f"{check.old_key} under an old key, {len(check.undecryptable)} undecryptable, "
                f"{len(check.hash_mismatch)} hash mismatches"
            )
            for kind, pks in (("undecryptable", check.undecryptable),
                              ("hash mismatch", check.hash_mismatch)):  # fmt: skip
                if pks:
                    self.stdout.write(f"  {kind}: ids {', '.join(map(str, pks[:20]))}")
        if not all(check.sound for check in checks):
            raise CommandError("personal data verification FAILED")
