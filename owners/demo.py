"""The demo district's compound: 秀水苑 in the first community, its building and nine houses
held by two residents who log in, six other residents and the developer; the Civil Code art. 278
thresholds; a filed owners' committee, a property contract, a published maintenance-fund vote
and a consultation under way."""

import datetime

from django.utils.translation import gettext as _

from core import clock
from core.models import Person, Place, PlaceLevel
from owners import services
from owners.models import RollEntry
from owners.testing import build_compound, decide

AREAS = ["89.50", "120.00", "76.30", "64.20", "98.75", "110.40", "89.50", "76.30", "143.60"]


def build(*, district, builder, seed, out):
    services.rules_seed(actor=builder, district=district)
    community = (
        Place.objects.filter(district=district, level=PlaceLevel.COMMUNITY).order_by("code").first()
    )
    if community is None:
        return
    in_community = Person.objects.filter(place__path__startswith=community.path)
    with_login = list(in_community.filter(account__isnull=False,
                                          account__role_assignments__role="resident")
                      .order_by("pk")[:2])  # fmt: skip
    others = list(in_community.filter(account__isnull=True).order_by("pk")[:6])
    holders = [*with_login, *others]
    if len(holders) < 4:
        return
    # One part each; parts left over go to the first owner (one owner by number, several parts).
    holdings = [(area, holders[i] if i < len(holders) else holders[0])
                for i, area in enumerate(AREAS[:-1])]  # fmt: skip
    holdings.append((AREAS[-1], "developer"))
    compound, _parts = build_compound(actor=builder, community=community, name="秀水苑",
                                      street="秀水街18号1幢", holdings=holdings)  # fmt: skip
    today = clock.today()
    chair = holders[0]
    committee = services.committee_prepare(
        actor=builder, compound=compound, guidance=_("街道党工委、社区党委"),
        formed_on=today - datetime.timedelta(days=120), leader=chair,
    )  # fmt: skip
    election = decide(actor=builder, compound=compound, matter="committee",
                      title=_("选举第一届业主委员会"))  # fmt: skip
    services.committee_elect(actor=builder, committee=committee, election=election, chair=chair,
                             members=holders[1:3], term_start=today - datetime.timedelta(days=60),
                             term_end=today + datetime.timedelta(days=5 * 365 - 60))  # fmt: skip
    services.committee_file(actor=builder, committee=committee,
                            filed_on=today - datetime.timedelta(days=50))  # fmt: skip
    contract = services.contract_record(
        actor=builder, compound=compound, company_name=_("金陵物业服务有限公司"),
        starts_on=today - datetime.timedelta(days=30),
        ends_on=today + datetime.timedelta(days=3 * 365), fee=180,
    )  # fmt: skip
    _link_property_staff(builder, community, contract.company)
    routed = _property_requests(builder, district, community, with_login, _parts)
    count = len(holdings)
    decide(actor=builder, compound=compound, matter="fund_use",
           title=_("动用维修资金更换1幢电梯"),
           choices=["agree", "disagree"] + ["agree"] * (count - 3) + [None])  # fmt: skip
    open_one = services.decision_create(
        actor=builder, compound=compound, matter="other", kind="consultation",
        title=_("小区停车位划线方案征询"), text=_("拟在东侧空地划设12个停车位，征询业主意见。"),
    )  # fmt: skip
    services.roll_freeze(actor=builder, decision=open_one)
    services.decision_open(actor=builder, decision=open_one)
    last = RollEntry.objects.filter(decision=open_one, owner_key="developer").first()
    if last is not None:
        services.ballot_cast(actor=builder, decision=open_one, entry=last, choice="abstain",
                             channel="paper")  # fmt: skip
    out(_("小区与业主：秀水苑，%(n)d套专有部分，业主委员会已备案，1项表决已公布，1项征询进行中")
        % {"n": count})  # fmt: skip
    if routed:
        out(_("物业诉求：秀水苑业主提出%(n)d件，已转%(company)s办理")
            % {"n": routed, "company": contract.company.name})  # fmt: skip


def _property_requests(builder, district, community, residents, parts) -> int:
    """The residents who log in live in the houses they own (registry residence), so the
    requests they file about the compound's property go to its company (services.demo)."""
    from registry import services as registry_services
    from services.demo import property_history

    for person, part in zip(residents, parts, strict=False):
        grid = person.place if person.place.level == PlaceLevel.GRID else None
        registry_services.residence_set(actor=builder, person=person, community=community,
                                        grid=grid, actual_address=part.house.address)  # fmt: skip
    accounts = [person.account for person in residents]
    return property_history(district=district, builder=builder, residents=accounts)


def _link_property_staff(builder, community, company) -> None:
    """The community's property-staff accounts (qh-wy-c001…) act for the compound's company."""
    from core.models import Role, RoleAssignment
    from owners.services.property import staff_grant

    for assignment in RoleAssignment.objects.active().filter(
        place=community, role=Role.PROPERTY_STAFF
    ):
        staff_grant(actor=builder, company=company, account=assignment.user)
