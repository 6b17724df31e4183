"""manage.py import_boundaries FILE --district CODE --user NAME: set the outlines of a district's
places from a GeoJSON FeatureCollection keyed by place code (properties.code), all or nothing,
through core.boundaries.boundaries_import (the same checks and audit as any other write)."""

from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from core import boundaries
from core.models import Place, PlaceLevel, User


class Command(BaseCommand):
    help = "Import place boundaries (GeoJSON FeatureCollection keyed by properties.code)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="a GeoJSON FeatureCollection, UTF-8")
        parser.add_argument("--district", required=True, help="the district's GB/T 2260 code")
        parser.add_argument("--user", required=True, help="the account doing the import")
        parser.add_argument("--source", default="", help="where the outlines come from")

    def handle(self, *args, file, district, user, source, **options):
        found = Place.objects.filter(level=PlaceLevel.DISTRICT, code=district).first()
        if found is None:
            raise CommandError(f"没有代码为 {district} 的区。")
        actor = User.objects.filter(username=user, is_active=True).first()
        if actor is None:
            raise CommandError(f"没有用户名为 {user} 的有效账号。")
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"找不到文件 {file}。")
        try:
            count = boundaries.boundaries_import(
                actor=actor, district=found, collection=path.read_bytes(),
                source=source or path.name,
            )  # fmt: skip
        except (ValidationError, PermissionDenied) as error:
            messages = getattr(error, "messages", None) or [str(error)]
            raise CommandError("\n".join(messages)) from None
        self.stdout.write(f"已导入 {count} 个地点边界。")
