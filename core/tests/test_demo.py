"""The demo district generator: counts, valid identifiers, every role, determinism, idempotency."""

import hashlib
import io
from itertools import islice

import pytest
from django.core.management import call_command
from stdnum.cn import ric

from core.demo import DEMO_PASSWORD, build_demo, demo_logins, generate
from core.identifiers import normalize_id_number, normalize_mobile, validate_place_code
from core.models import AuditEvent, Person, Place, PlaceLevel, Role, RoleAssignment
from core.personal_data import decrypt, id_number_hash


def _digest(seed: int, total: int) -> str:
    plan = generate.plan_district(seed)
    tree = [(g.name, g.code, g.population, g.households) for g in plan.grids()]
    people = [
        tuple(map(str, r.__dict__.values())) for r in generate.all_residents(seed, plan, total)
    ]
    return hashlib.sha256(repr((tree, people)).encode()).hexdigest()


def test_generators_are_deterministic_and_depend_on_the_seed():
    assert _digest(7, 500) == _digest(7, 500)
    assert _digest(7, 500) != _digest(8, 500)


def test_plan_matches_qinhuai():
    plan = generate.plan_district(2026)
    assert len(plan.streets) == 12
    assert len(plan.communities()) == 104
    assert 900 <= len(plan.grids()) <= 1100
    assert plan.population == 1_032_000
    assert sum(g.population for g in plan.grids()) == plan.population
    assert all(g.households <= g.population for g in plan.grids())
    codes = [p.code for s in plan.streets for p in [s, *s.communities]] + [
        g.code for g in plan.grids()
    ]
    assert len(codes) == len(set(codes))


def test_generated_identifiers_are_valid_and_unique():
    plan = generate.plan_district(2026)
    sample = list(islice(generate.all_residents(2026, plan, None), 20_000))
    ids = [r.id_number for r in sample]
    assert len(set(ids)) == len(ids)
    assert all(ric.is_valid(n) for n in ids)
    assert {n[:6] for n in ids} >= {"320104", "320103"}
    mobiles = [r.mobile for r in sample if r.mobile]
    assert len(set(mobiles)) == len(mobiles)
    assert all(normalize_mobile(m) == m for m in mobiles[:2000])
    assert all(2 <= len(r.name) <= 4 and "号" in r.address for r in sample)
    staff = [generate.staff_id_number(k, k % 2 == 0) for k in range(500)]
    assert len(set(staff) | set(ids)) == len(staff) + len(ids)
    assert all(ric.is_valid(n) for n in staff)


@pytest.mark.django_db(transaction=False)
def test_small_demo_builds_every_role_and_is_idempotent():
    out = io.StringIO()
    result = build_demo("small", 2026, out)
    assert result["created"]
    district = Place.objects.get(level=PlaceLevel.DISTRICT, code="320104")
    places = Place.objects.filter(district=district)
    _assert_the_place_tree_and_its_codes(places)
    assert district.population == 1_032_000

    active = RoleAssignment.objects.active().filter(user__is_active=True)
    assert set(active.values_list("role", flat=True)) == set(Role.values)
    # People without an account are the residents, and the community workers workforce's demo
    # puts on file without one.
    residents = Person.objects.filter(account__isnull=True, community_worker__isnull=True)
    assert residents.count() == generate.SMALL_RESIDENTS
    _assert_id_numbers_stored_encrypted_hashed_and_masked()
    assert AuditEvent.objects.filter(action="demo.residents_import").count() == 1
    assert AuditEvent.objects.filter(action="place.create").count() == places.count()
    _assert_a_login_for_every_role()

    counts = (Place.objects.count(), Person.objects.count(), AuditEvent.objects.count())
    again = io.StringIO()
    call_command("demo", "--no-logins", stdout=again)
    assert "已存在" in again.getvalue()
    assert (Place.objects.count(), Person.objects.count(), AuditEvent.objects.count()) == counts


def _assert_the_place_tree_and_its_codes(places):
    """12 streets, 104 communities, about a thousand grids; every code valid under its parent."""
    assert places.filter(level=PlaceLevel.STREET).count() == 12
    assert places.filter(level=PlaceLevel.COMMUNITY).count() == 104
    grids = places.filter(level=PlaceLevel.GRID)
    assert 900 <= grids.count() <= 1100
    by_id = {p.pk: p for p in places}
    for grid in grids:
        parent = by_id[grid.parent_id]
        assert validate_place_code(level="grid", code=grid.code, parent_code=parent.code)
    for level in (PlaceLevel.STREET, PlaceLevel.COMMUNITY):
        for place in places.filter(level=level):
            parent = by_id[place.parent_id]
            validate_place_code(level=level, code=place.code, parent_code=parent.code)


def _assert_id_numbers_stored_encrypted_hashed_and_masked():
    """Every stored ID number decrypts to a valid GB 11643 number matching its hash and mask."""
    for person in Person.objects.exclude(id_number_enc=""):
        number = decrypt(person.id_number_enc)
        assert normalize_id_number(number) == number
        assert person.id_number_hash == id_number_hash(number)
        assert person.id_number_masked == number[:6] + "********" + number[-4:]


def _assert_a_login_for_every_role():
    logins = demo_logins()
    assert {item["role"] for item in logins} == set(Role.values)
    assert all(item["password"] == DEMO_PASSWORD for item in logins)
    resident = next(item for item in logins if item["role"] == Role.RESIDENT)
    assert normalize_mobile(resident["login"]) == resident["login"]


@pytest.mark.django_db
def test_demo_command_prints_logins_and_warning(client, tmp_path):
    out = io.StringIO()
    # linli.sh keeps the logins in a file, to show them on the runs that skip this command.
    logins_file = tmp_path / "logins.txt"
    call_command("demo", "--scale", "tiny", "--logins-file", str(logins_file), stdout=out)
    text = out.getvalue()
    assert DEMO_PASSWORD in text and "WARNING" in text and "qh-admin" in text
    kept = logins_file.read_text(encoding="utf-8")
    assert DEMO_PASSWORD in kept and "qh-admin" in kept and text.endswith(kept)
    assert Place.objects.filter(level=PlaceLevel.COMMUNITY).count() == 12
    assert client.login(username="qh-coordinator", password=DEMO_PASSWORD)
