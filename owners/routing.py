"""The owners app's answers to services.property_hooks: which property company handles a
request of a compound (the one whose contract is in force on the day), with what deadlines
(owners.PropertyRule), and which companies an account acts for (owners.CompanyStaff)."""

import datetime

from django.db.models import QuerySet

from core.selectors import subtrees
from owners import defaults
from owners.models import (
    CompanyStaff,
    Compound,
    CompoundBuilding,
    PropertyCompany,
    PropertyContract,
    PropertyRule,
)


def company_in_force(compound: Compound | int, day: datetime.date):
    """The company whose contract for the compound is in force on ``day`` (the latest started
    if two overlap), or None."""
    compound_id = compound if isinstance(compound, int) else compound.pk
    contract = (
        PropertyContract.objects.filter(
            compound_id=compound_id, starts_on__lte=day, ends_on__gte=day
        )
        .select_related("company")
        .order_by("-starts_on", "-id")
        .first()
    )
    return contract.company if contract else None


def companies_serving(places, day: datetime.date) -> QuerySet[PropertyCompany]:
    """The companies whose contract for a compound within ``places`` has not ended by ``day``
    (in force, or signed to start later): those whose staff a street officer may register."""
    contracts = PropertyContract.objects.filter(subtrees(places, "community__path"),
                                                ends_on__gte=day)  # fmt: skip
    return PropertyCompany.objects.filter(pk__in=contracts.values("company_id")).order_by("name")


def property_days(district_id: int, item_code: str, day: datetime.date) -> tuple[int, int, str]:
    """(days to sign, days to finish, source): the district's rule for the item in force on the
    day, else its default row, else the code's default."""
    for code in dict.fromkeys([item_code or "", ""]):
        rule = PropertyRule.objects.in_force(day, district_id=district_id, item_code=code)
        if rule is not None:
            return rule.accept_days, rule.finish_days, rule.source
    return defaults.PROPERTY_ACCEPT_DAYS, defaults.PROPERTY_FINISH_DAYS, defaults.PROPERTY_SOURCE


def home_compound_id(person_id: int) -> int | None:
    """The compound of the person's home building (registry residence → house → building)."""
    from registry.models import Residence

    building_id = (
        Residence.objects.filter(person_id=person_id, house__isnull=False)
        .values_list("house__building_id", flat=True)
        .first()
    )
    if building_id is None:
        return None
    return (
        CompoundBuilding.objects.filter(building_id=building_id)
        .values_list("compound_id", flat=True)
        .first()
    )


class Provider:
    """Registered in services.property_hooks by OwnersConfig.ready()."""

    def handler(
        self, *, community_id, compound_id=None, person_id=None, item_code="", day
    ):  # fmt: skip
        from services.property_hooks import Handler

        if compound_id is None and person_id:
            compound_id = home_compound_id(person_id)
        compound = Compound.objects.filter(pk=compound_id, community_id=community_id).first()
        company = company_in_force(compound, day) if compound else None
        if company is None:
            return None
        accept, finish, source = property_days(compound.district_id, item_code, day)
        return Handler(company.pk, company.name, compound.pk, accept, finish, source)

    def compounds(self, community_id, day):
        found = PropertyContract.objects.filter(
            community_id=community_id, starts_on__lte=day, ends_on__gte=day
        ).select_related("compound", "company")
        return sorted(
            {(c.compound_id, f"{c.compound.name}（{c.company.name}）") for c in found},
            key=lambda pair: pair[1],
        )

    def companies_of(self, user):
        return set(
            CompanyStaff.objects.filter(account=user, ended_at__isnull=True).values_list(
                "company_id", flat=True
            )
        )
