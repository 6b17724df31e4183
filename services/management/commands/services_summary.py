"""Check or rebuild the request summary behind the metrics page.

    manage.py services_summary --check      # compare with a recount from the raw requests
    manage.py services_summary --rebuild    # replace it with that recount

Needed after rows were written around the services (a bulk load, a manual UPDATE).
"""

from django.core.management.base import BaseCommand, CommandError

from core.models import Place, PlaceLevel
from services import summary


class Command(BaseCommand):
    help = "Check or rebuild the request summary (services.summary) from the raw requests."

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true")
        parser.add_argument("--rebuild", action="store_true")
        parser.add_argument("--district", help="district code (default: all)")

    def handle(self, *args, check=False, rebuild=False, district=None, **options):
        if not (check or rebuild):
            raise CommandError("--check or --rebuild")
        district_id = None
        if district:
            place = Place.objects.filter(code=district, level=PlaceLevel.DISTRICT).first()
            if place is None:
                raise CommandError(f"没有编码为 {district} 的区。")
            district_id = place.pk
        if rebuild:
            buckets = summary.rebuild(district_id)
            self.stdout.write(f"已重建诉求统计汇总：{buckets} 个分组。")
        if check:
            counted = summary.recount(district_id)
            stored = summary.stored(district_id)
            # The weekly rows are checked against the same recount, rolled up by week.
            stored.update({("week", *k): v for k, v in summary.stored_weeks(district_id).items()})
            counted.update({("week", *k): v for k, v in summary.weeks_of(counted).items()})
            if stored == counted:
                self.stdout.write(f"诉求统计汇总与原始诉求一致（{len(counted)} 个分组）。")
            else:
                wrong = {
                    k for k in stored.keys() | counted.keys() if stored.get(k) != counted.get(k)
                }
                self.stdout.write(
                    f"诉求统计汇总与原始诉求不一致：{len(wrong)} 个分组不同，请用 --rebuild 重建。"
                )
