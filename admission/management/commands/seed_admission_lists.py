"""manage.py seed_admission_lists --district 320104: load the default lists (idempotent)."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from admission import services
from core.models import Place, PlaceLevel

SYSTEM_USERNAME = "linli-admission-seed"


class Command(BaseCommand):
    help = "为一个区载入默认的社区工作事项清单（已有的清单不变）。Load the default admission lists."

    def add_arguments(self, parser):
        parser.add_argument("--district", required=True, help="区的行政区划代码，如 320104")

    def handle(self, *args, district, **options):
        place = Place.objects.filter(level=PlaceLevel.DISTRICT, code=district).first()
        if place is None:
            raise CommandError(f"没有代码为 {district} 的区。")
        actor = get_user_model().objects.filter(username=SYSTEM_USERNAME).first()
        if actor is None:
            actor = get_user_model()(username=SYSTEM_USERNAME, is_superuser=True)
            actor.set_unusable_password()  # a system actor for the audit log; it cannot log in
            actor.save()
        loaded = services.lists_seed(actor=actor, district=place)
        if not loaded:
            self.stdout.write(f"{place.name}的清单均已存在，未作改动。")
        for kind, count in loaded.items():
            self.stdout.write(f"{place.name}：已载入 {kind} {count} 项。")
