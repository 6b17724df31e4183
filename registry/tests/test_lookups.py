"""registry.lookups.AnyOf finds what Django's IN finds (one array parameter on PostgreSQL)."""

import datetime

import pytest
from django.db.models import F

from core.models import Person
from registry.lookups import AnyOf
from registry.models import Household

pytestmark = pytest.mark.django_db


def _people(world):
    district = world.district
    made = [
        Person.objects.create(name=name, district=district, birth_date=born, id_number_hash=h)
        for name, born, h in [
            ("甲", datetime.date(1980, 1, 2), "h1"),
            ("乙", datetime.date(1980, 1, 3), "h2"),
            ("丙", datetime.date(1990, 5, 6), ""),
        ]
    ]
    return district, made


def test_any_of_matches_in_for_text_dates_keys_and_nothing(world):
    district, (a, b, c) = _people(world)
    mine = Person.objects.filter(district=district)

    def found(lookup):
        return set(mine.filter(lookup).values_list("pk", flat=True))

    assert found(AnyOf(F("id_number_hash"), ["h1", "h2", "h9"])) == {a.pk, b.pk}
    assert found(AnyOf(F("birth_date"), ["1980-01-03", "1990-05-06"])) == {b.pk, c.pk}
    assert found(AnyOf(F("pk"), [a.pk, c.pk, 0])) == {a.pk, c.pk}
    assert found(AnyOf(F("pk"), iter({b.pk}))) == {b.pk}  # any iterable, taken once
    assert found(AnyOf(F("id_number_hash"), [])) == set()
    for values in (["h1"], ["1980-01-02"]):
        key = "id_number_hash" if values[0].startswith("h") else "birth_date"
        assert found(AnyOf(F(key), values)) == set(
            mine.filter(**{f"{key}__in": values}).values_list("pk", flat=True)
        )


def test_any_of_beside_other_filters(world):
    district, community = world.district, world.communities[0]
    numbers = {"3200000000001", "3200000000002"}
    assert not Household.objects.filter(AnyOf(F("number"), numbers), district=district).exists()
    Household.objects.create(district=district, community=community, number="3200000000001")
    Household.objects.create(district=district, community=community, number="3200000000009")
    found = Household.objects.filter(AnyOf(F("number"), numbers), district=district)
    assert [h.number for h in found] == ["3200000000001"]
