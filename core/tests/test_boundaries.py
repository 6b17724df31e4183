"""Place boundaries (issue #14 item 4): imported from a GeoJSON FeatureCollection keyed by place
code, through one service (and a management command on it), all or nothing. A bad file is refused
in Chinese naming each bad feature, and nothing is written."""

import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command

from core import boundaries
from core.models import AuditEvent, PlaceBoundary
from core.tests.refused import refused

pytestmark = pytest.mark.django_db
SQUARE = [[118.79, 32.04], [118.80, 32.04], [118.80, 32.05], [118.79, 32.05], [118.79, 32.04]]


def feature(code, coordinates=None, kind="Polygon"):
    return {
        "type": "Feature", "properties": {"code": code},
        "geometry": {"type": kind, "coordinates": coordinates or [SQUARE]},
    }  # fmt: skip


def collection(*features):
    return {"type": "FeatureCollection", "features": list(features)}


def rows():
    return (PlaceBoundary.objects.count(), AuditEvent.objects.count())


def test_a_good_file_sets_each_outline_once_and_is_audited(d):
    grid, street = d.grids[0], d.streets[0]
    multi = [[SQUARE], [[[p[0] + 0.02, p[1]] for p in SQUARE]]]
    count = boundaries.boundaries_import(
        actor=d.root, district=d.district, source="测绘院2026版",
        collection=json.dumps(collection(feature(grid.code), feature(street.code, multi, "MultiPolygon"))),
    )  # fmt: skip
    assert count == 2
    assert PlaceBoundary.objects.get(place=grid).geometry == {
        "type": "Polygon",
        "coordinates": [SQUARE],
    }
    assert PlaceBoundary.objects.get(place=street).geometry["type"] == "MultiPolygon"
    event = AuditEvent.objects.filter(action="place.boundaries_import").get()
    assert event.changes["places"] == sorted([grid.code, street.code])
    # Importing again replaces, never duplicates.
    boundaries.boundaries_import(
        actor=d.root, district=d.district, collection=collection(feature(grid.code))
    )
    assert PlaceBoundary.objects.filter(place=grid).count() == 1
    drawn = boundaries.boundaries_of(d.district)
    assert [f["properties"]["level"] for f in drawn["features"]] == ["street", "grid"]


@pytest.mark.parametrize(
    ("raw", "why"),
    [
        ("{not json", "不是有效的 JSON"),
        (json.dumps({"type": "Feature"}), "FeatureCollection"),
        (json.dumps(collection()), "没有任何要素"),
        (collection({"type": "Feature", "properties": {}, "geometry": None}), "地点代码）缺失"),
        (collection(feature("999999999999")), "不在本区"),
        (collection(feature("GRID"), feature("GRID")), "重复出现"),
        (
            collection(feature("GRID", kind="Point", coordinates=[118.7, 32.0])),
            "Polygon 或 MultiPolygon",
        ),
        (collection(feature("GRID", [SQUARE[:3]])), "至少要有4个坐标点"),
        (collection(feature("GRID", [[*SQUARE[:4], [118.0, 32.0]]])), "首尾坐标必须相同"),
        (collection(feature("GRID", [[[p[1], 190.0] for p in SQUARE]])), "经度在 -180～180"),
        (collection(feature("GRID", [[[float("nan"), 32.0] for _p in SQUARE]])), "坐标应为"),
        ("\ufffe".encode("utf-16"), "UTF-8"),
    ],
)
def test_a_bad_file_is_refused_in_chinese_and_nothing_is_written(d, raw, why):
    if isinstance(raw, dict):
        raw = json.loads(
            json.dumps(raw).replace('"GRID"', json.dumps(d.grids[0].code)).replace("NaN", "NaN")
        )
        raw = json.dumps(collection(feature(d.grids[1].code), *raw["features"]), allow_nan=True)
    before = rows()
    with pytest.raises(ValidationError, match=why):
        boundaries.boundaries_import(actor=d.root, district=d.district, collection=raw)
    assert rows() == before  # the good feature beside the bad one is not written either


def test_the_other_street_cannot_outline_our_grids(d):
    other = d.users["street_officer:other"]
    before = rows()
    with refused("bad_rows", match="无权修改"):
        boundaries.boundaries_import(
            actor=other, district=d.district, collection=collection(feature(d.grids[0].code))
        )
    with pytest.raises(PermissionDenied):
        boundaries.boundaries_import(
            actor=d.users["resident:own"],
            district=d.district,
            collection=collection(feature(d.grids[0].code)),
        )
    assert rows() == before
    # Its own grid it may outline.
    own = d.users["street_officer:own"]
    assert (
        boundaries.boundaries_import(
            actor=own, district=d.district, collection=collection(feature(d.grids[0].code))
        )
        == 1
    )


def test_the_command_imports_through_the_service(d, tmp_path):
    good, bad = tmp_path / "good.geojson", tmp_path / "bad.geojson"
    good.write_text(json.dumps(collection(feature(d.grids[0].code))), encoding="utf-8")
    bad.write_text(json.dumps(collection(feature("nowhere"))), encoding="utf-8")
    call_command("import_boundaries", str(good), district=d.district.code, user=d.root.username)
    assert PlaceBoundary.objects.get(place=d.grids[0]).source == "good.geojson"
    before = rows()
    with pytest.raises(CommandError, match="不在本区"):
        call_command("import_boundaries", str(bad), district=d.district.code, user=d.root.username)
    assert rows() == before


def test_the_demo_outlines_nest_and_import(d):
    made = boundaries.demo_collection(d.district, (32.04, 118.79))
    assert len(made["features"]) == 1 + len(d.streets) + len(d.communities) + len(d.grids)
    assert boundaries.boundaries_import(actor=d.root, district=d.district, collection=made) == len(
        made["features"]
    )
