"""manage.py audit_verify: recompute the audit log's hash chain; exit status 1 if it is broken."""

from django.core.management.base import BaseCommand, CommandError

from core import audit_chain


class Command(BaseCommand):
    help = "Verify the audit log's hash chain (core.audit_chain); --seal links new events first."

    def add_arguments(self, parser):
        parser.add_argument(
            "--seal", action="store_true", help="seal the events not yet linked before verifying"
        )

    def handle(self, *args, seal=False, **options):
        if seal:
            self.stdout.write(f"sealed {audit_chain.seal_all()} new events")
        verdict = audit_chain.verify(anchor=audit_chain.latest_anchor())
        if not verdict.intact:
            raise CommandError(
                f"audit chain BROKEN at seal_seq {verdict.broken_at} (event id "
                f"{verdict.event_id}): {verdict.reason}; {verdict.checked} events verified before it"
            )
        self.stdout.write(
            f"audit chain intact: {verdict.checked} events verified, "
            f"{verdict.unsealed} not sealed yet"
        )
