"""Create an Open311 api_key for a district and print it once:

manage.py open311_key 320104 "某某App"
"""

from django.core.management.base import BaseCommand, CommandError

from core.models import Place, PlaceLevel, User
from services import services as request_services


class Command(BaseCommand):
    help = "生成一个 Open311 api_key（只显示一次）"

    def add_arguments(self, parser):
        parser.add_argument("district", help="区划代码，如 320104")
        parser.add_argument("name", help="第三方应用名称")

    def handle(self, *args, district, name, **options):
        place = Place.objects.filter(level=PlaceLevel.DISTRICT, code=district).first()
        if place is None:
            raise CommandError(f"没有区划代码为 {district} 的区。")
        actor = User.objects.filter(is_superuser=True).order_by("pk").first()
        if actor is None:
            raise CommandError("需要一个平台管理员账号来签发密钥。")
        key, raw = request_services.open311_key_create(actor=actor, district=place, name=name)
        self.stdout.write(f"Open311 api_key（{key.name}，{place.name}）：{raw}")
