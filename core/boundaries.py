"""Place boundaries (issue #14 item 4): imported from a GeoJSON FeatureCollection keyed by place
code, drawn by the maps as their base layer when no tile server is set (core.csp.map_tiles).

``boundaries_import`` takes the whole file or nothing: every feature is checked first (its code
names a place of the actor's district that the actor may change, its geometry is a Polygon or
MultiPolygon of closed rings of [lng, lat] positions), and one bad feature refuses the file with
each bad row named, in Chinese. ``boundaries_of`` gives what a map draws: a FeatureCollection of
the district's outlines with each place's code, name and level (nothing else)."""

import json
import math

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from core import audit, clock
from core.clock import one_write
from core.models import Place, PlaceBoundary, PlaceLevel, Role
from core.rules import STRUCTURE_ROLES, assignments_of

MAX_FEATURES = 5000
MAX_POSITIONS = 200_000  # in the whole file: a district's grids at survey detail fit well within
MAX_BYTES = 20 * 1024 * 1024
# Drawn bottom to top: the district under its streets, under communities, under grids.
LEVEL_ORDER = [PlaceLevel.DISTRICT, PlaceLevel.STREET, PlaceLevel.COMMUNITY, PlaceLevel.GRID]


def _position(value) -> bool:
    return (
        isinstance(value, list | tuple)
        and len(value) in (2, 3)
        and all(isinstance(n, int | float) and not isinstance(n, bool) for n in value)
        and all(math.isfinite(n) for n in value)
        and -180 <= value[0] <= 180
        and -90 <= value[1] <= 90
    )


def _ring_problem(ring) -> str | None:
    if not isinstance(ring, list) or len(ring) < 4:
        return _("每个环至少要有4个坐标点（首尾相同）")
    if not all(_position(p) for p in ring):
        return _("坐标应为 [经度, 纬度]，经度在 -180～180 之间，纬度在 -90～90 之间")
    if list(ring[0][:2]) != list(ring[-1][:2]):
        return _("环的首尾坐标必须相同（闭合）")
    return None


def _polygon_problem(polygon) -> str | None:
    if not isinstance(polygon, list) or not polygon:
        return _("多边形至少要有一个外环")
    for ring in polygon:
        problem = _ring_problem(ring)
        if problem:
            return problem
    return None


def clean_geometry(geometry) -> tuple[dict, int]:
    """The geometry as stored ([lng, lat] rounded to 6 decimals, about 0.1 m) and its number of
    positions; ValidationError naming the rule it breaks."""
    if not isinstance(geometry, dict) or geometry.get("type") not in ("Polygon", "MultiPolygon"):
        raise ValidationError(_("边界必须是 Polygon 或 MultiPolygon 类型的几何"), code="geometry")
    coordinates = geometry.get("coordinates")
    polygons = [coordinates] if geometry["type"] == "Polygon" else coordinates
    if not isinstance(polygons, list) or not polygons:
        raise ValidationError(_("边界没有坐标"), code="geometry")
    for polygon in polygons:
        problem = _polygon_problem(polygon)
        if problem:
            raise ValidationError(problem, code="geometry")
    rounded = [
        [[[round(p[0], 6), round(p[1], 6)] for p in ring] for ring in polygon]
        for polygon in polygons
    ]
    count = sum(len(ring) for polygon in rounded for ring in polygon)
    if geometry["type"] == "Polygon":
        return {"type": "Polygon", "coordinates": rounded[0]}, count
    return {"type": "MultiPolygon", "coordinates": rounded}, count


def parse_collection(raw) -> list:
    """The features of a FeatureCollection given as text, bytes or an already parsed dict."""
    if isinstance(raw, bytes | bytearray):
        if len(raw) > MAX_BYTES:
            raise ValidationError(_("文件超过20MB，请分批导入。"), code="too_large")
        try:
            raw = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ValidationError(_("文件不是 UTF-8 编码的 GeoJSON。"), code="encoding") from None
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError as error:
            raise ValidationError(
                _("文件不是有效的 JSON（第%(line)s行附近）。"),
                params={"line": getattr(error, "lineno", "?")}, code="json",
            ) from None  # fmt: skip
    if not isinstance(raw, dict) or raw.get("type") != "FeatureCollection":
        raise ValidationError(_("文件必须是 GeoJSON 的 FeatureCollection。"), code="not_collection")
    features = raw.get("features")
    if not isinstance(features, list) or not features:
        raise ValidationError(_("FeatureCollection 里没有任何要素。"), code="empty")
    if len(features) > MAX_FEATURES:
        raise ValidationError(
            _("一次最多导入%(n)s个边界。"), params={"n": MAX_FEATURES}, code="too_many"
        )
    return features


def _code_of(feature) -> str:
    properties = feature.get("properties") if isinstance(feature, dict) else None
    code = properties.get("code") if isinstance(properties, dict) else None
    return str(code).strip() if isinstance(code, str | int) and not isinstance(code, bool) else ""


def _checked(actor, district: Place, features: list) -> tuple[list, list[str]]:
    """[(place, geometry)] and the row errors (第 n 个要素: ...)."""
    codes = [_code_of(f) for f in features]
    places = Place.objects.in_bulk([c for c in codes if c], field_name="code")
    rows, errors, seen, positions = [], [], set(), 0
    for n, (feature, code) in enumerate(zip(features, codes, strict=True), start=1):
        place = places.get(code)
        try:
            if not code:
                raise ValidationError(_("properties.code（地点代码）缺失"))
            if place is None or (place.district_id or place.pk) != district.pk:
                raise ValidationError(_("地点代码%(code)s不在本区"), params={"code": code})
            if code in seen:
                raise ValidationError(_("地点代码%(code)s重复出现"), params={"code": code})
            if not actor.has_perm("core.change_place", place):
                raise ValidationError(_("您无权修改%(name)s的边界"), params={"name": place.name})
            geometry, count = clean_geometry(feature.get("geometry"))
        except ValidationError as error:
            errors.append(_("第%(n)s个要素：%(why)s") % {"n": n, "why": " ".join(error.messages)})
            continue
        seen.add(code)
        positions += count
        rows.append((place, geometry))
    if positions > MAX_POSITIONS:
        errors.append(_("坐标点总数超过%(n)s，请简化边界后再导入。") % {"n": MAX_POSITIONS})
    return rows, errors


def _may_outline(actor, district: Place) -> bool:
    """Who may import at all: someone who may change some place of the district (the district's
    structure roles, a street officer for its communities and grids); each row is then checked
    against its own place (core.change_place)."""
    if actor.is_superuser:
        return True
    roles = STRUCTURE_ROLES | {Role.STREET_OFFICER}
    return any(a.role in roles and a.place.is_within(district) for a in assignments_of(actor))


@one_write
def boundaries_import(*, actor, district: Place, collection, source: str = "") -> int:
    """Set the outlines of the district's places from a GeoJSON FeatureCollection whose features
    carry ``properties.code`` (the place's code). All or nothing; returns how many were set."""
    if district is None or district.level != PlaceLevel.DISTRICT:
        raise ValidationError(_("请选择要导入边界的区。"), code="district")
    if not _may_outline(actor, district):
        raise PermissionDenied(_("您无权导入本区的地点边界。"))
    source = (source or "").strip()[:200]
    rows, errors = _checked(actor, district, parse_collection(collection))
    if errors:
        raise ValidationError(
            "\n".join([_("边界文件未导入，没有写入任何内容："), *errors[:50]]), code="bad_rows"
        )
    now = clock.now()
    existing = {
        b.place_id: b for b in PlaceBoundary.objects.filter(place__in=[p for p, _g in rows])
    }
    for place, geometry in rows:
        boundary = existing.get(place.pk) or PlaceBoundary(place=place, district=district)
        boundary.geometry, boundary.source = geometry, source
        boundary.imported_by, boundary.imported_at = actor, now
        boundary.save()
    audit.record(
        actor=actor, action="place.boundaries_import", obj=district, place=district,
        changes={"places": sorted(p.code for p, _g in rows), "source": source},
    )  # fmt: skip
    return len(rows)


def boundaries_of(district: Place, levels=None) -> dict:
    """The district's outlines as a GeoJSON FeatureCollection for a map: each place's code, name
    and level, lower levels last (drawn on top). Active places only."""
    rows = (
        PlaceBoundary.objects.filter(district=district, place__is_active=True)
        .select_related("place")
        .only("geometry", "place__code", "place__name", "place__level")
    )
    if levels:
        rows = rows.filter(place__level__in=levels)
    features = [
        {
            "type": "Feature",
            "properties": {
                "code": b.place.code,
                "name": b.place.name,
                "level": b.place.level,
            },
            "geometry": b.geometry,
        }  # fmt: skip
        for b in rows
    ]
    features.sort(
        key=lambda f: (LEVEL_ORDER.index(f["properties"]["level"]), f["properties"]["code"])
    )
    return {"type": "FeatureCollection", "features": features}


def _box(west, south, east, north) -> dict:
    ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
    return {"type": "Polygon", "coordinates": [[[round(x, 6), round(y, 6)] for x, y in ring]]}


def _split(box, parts: int, *, across: bool) -> list[tuple]:
    """``box`` (west, south, east, north) cut into ``parts`` strips, west to east or north to
    south."""
    west, south, east, north = box
    if across:
        step = (east - west) / parts
        return [(west + i * step, south, west + (i + 1) * step, north) for i in range(parts)]
    step = (north - south) / parts
    return [(west, north - (i + 1) * step, east, north - i * step) for i in range(parts)]


def _cells(box, parts: int) -> list[tuple]:
    """``box`` cut into a near-square lattice of at least ``parts`` cells, row by row."""
    columns = max(1, math.ceil(math.sqrt(parts)))
    rows = max(1, math.ceil(parts / columns))
    return [
        cell
        for row in _split(box, rows, across=False)
        for cell in _split(row, columns, across=True)
    ][:parts]


def demo_collection(district: Place, center: tuple[float, float]) -> dict:
    """Plausible outlines for a demo district (no survey data): the district a box around
    ``center``, its streets side by side, each street's communities stacked, each community's
    grids a lattice — a FeatureCollection keyed by place code, for ``boundaries_import``."""
    lat, lng = center
    district_box = (lng - 0.045, lat - 0.03, lng + 0.045, lat + 0.03)
    children: dict[int, list[Place]] = {}
    for place in Place.objects.filter(district=district, is_active=True).order_by("code"):
        children.setdefault(place.parent_id, []).append(place)
    features = [_feature(district, district_box)]

    def outline(parent: Place, box, depth: int) -> None:
        kids = children.get(parent.pk, [])
        if not kids:
            return
        boxes = (
            _split(box, len(kids), across=True) if depth == 0
            else _split(box, len(kids), across=False) if depth == 1
            else _cells(box, len(kids))
        )  # fmt: skip
        for kid, kid_box in zip(kids, boxes, strict=True):
            features.append(_feature(kid, kid_box))
            outline(kid, kid_box, depth + 1)

    outline(district, district_box, 0)
    return {"type": "FeatureCollection", "features": features}


def _feature(place: Place, box) -> dict:
    return {"type": "Feature", "properties": {"code": place.code}, "geometry": _box(*box)}


def point_in(geometry: dict, rng) -> tuple[float, float]:
    """A random (lat, lng) inside the bounding box of ``geometry``'s outer ring, kept off its
    edges (demo coordinates for a request filed in that place)."""
    ring = (
        geometry["coordinates"][0]
        if geometry["type"] == "Polygon"
        else geometry["coordinates"][0][0]
    )
    xs, ys = [p[0] for p in ring], [p[1] for p in ring]
    return (
        round(
            rng.uniform(min(ys) + 0.15 * (max(ys) - min(ys)), max(ys) - 0.15 * (max(ys) - min(ys))),
            6,
        ),
        round(
            rng.uniform(min(xs) + 0.15 * (max(xs) - min(xs)), max(xs) - 0.15 * (max(xs) - min(xs))),
            6,
        ),
    )
