"""A compound with a property company in force for the services tests of 物业 (test_property,
test_permission_matrix): two companies of one community, their staff, a bare compound, the
resident living in the first compound. Import the ``setup`` fixture from here."""

import datetime
from dataclasses import dataclass

from core import clock
from core import services as core_services
from core.models import Role
from core.testing import PASSWORD
from owners.models import PropertyCompany
from owners.services import contract_record
from owners.services.property import staff_grant
from owners.testing import build_compound
from registry.models import House, Residence
from registry.services.residences import residence_set
from services import services as request_services


@dataclass
class Setup:
    compound: object
    bare: object  # a compound of the same community without a contract
    company: PropertyCompany
    other_company: PropertyCompany
    staff: object  # acts for ``company``
    rival: object  # acts for ``other_company``
    unlinked: object  # placed as property staff, acting for no company


def _staff(world, username, community):
    person = core_services.person_register(
        actor=world.d.root, place=community, name=username, username=username,
        password=PASSWORD, password_is_temporary=False, role=Role.PROPERTY_STAFF,
    )  # fmt: skip
    return person.account


def make(world) -> "Setup":
    root, community = world.d.root, world.d.communities[0]
    today = clock.today()
    compound, _parts = build_compound(
        actor=root, community=community, name="桃园小区", street="中华路1号1幢",
        holdings=[("80.00", "developer")],
    )  # fmt: skip
    bare, _parts = build_compound(
        actor=root, community=community, name="无物业小区", street="中华路3号1幢",
        holdings=[("60.00", "developer")],
    )  # fmt: skip
    year = datetime.timedelta(days=365)
    contract = contract_record(
        actor=root, compound=compound, company_name="金陵物业", starts_on=today - year,
        ends_on=today + year, fee=150,
    )  # fmt: skip
    other, _parts = build_compound(
        actor=root, community=community, name="梅园小区", street="中华路5号1幢",
        holdings=[("70.00", "developer")],
    )  # fmt: skip
    other_contract = contract_record(
        actor=root, compound=other, company_name="秦淮物业", starts_on=today - year,
        ends_on=today + year, fee=120,
    )  # fmt: skip
    # The resident lives in 桃园小区 (registry residence → house → building → compound).
    residence_set(actor=root, person=world.resident.person, community=community,
                  grid=world.d.grids[0])  # fmt: skip
    house = House.objects.filter(building__address__contains="中华路1号1幢").first()
    Residence.objects.filter(person=world.resident.person).update(house=house)
    staff = _staff(world, "wy-jinling", community)
    rival = _staff(world, "wy-qinhuai", community)
    unlinked = _staff(world, "wy-none", community)
    granter = world.user("street_officer:own")
    staff_grant(actor=granter, company=contract.company, account=staff)
    staff_grant(actor=granter, company=other_contract.company, account=rival)
    return Setup(compound, bare, contract.company, other_contract.company, staff, rival, unlinked)


def property_item(world):
    item = world.items["CG-007"]
    return request_services.item_update(actor=world.d.root, item=item, handling_level="property")


def file(world, item=None, place=None):
    return request_services.request_submit(
        actor=world.resident, place=place or world.d.grids[0], item=item or world.items["CG-007"],
        description="小区里的路灯坏了", resident=world.resident.person,
    )  # fmt: skip
