"""Owners' committees (筹备组 → election → filing → term) and property-service contracts."""

import datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core import audit
from core.clock import one_write
from core.models import Person
from core.validation import clean_name
from core.validation import require_perm as _require
from owners.models import (
    Committee,
    CommitteeMember,
    Compound,
    Decision,
    Matter,
    Part,
    PropertyCompany,
    PropertyContract,
)
from owners.services.common import locked_compound, required_date

ST = Committee.Stage
MAX_FEE = 100_000  # 1,000 yuan per m² a month, in fen: beyond any real fee


def _owners_only(compound: Compound, people) -> list[Person]:
    people = list(people)
    if not people:
        raise ValidationError(_("请至少选择一名成员。"), code="members")
    owners = set(
        Part.objects.filter(compound=compound, owner__in=people).values_list("owner_id", flat=True)
    )
    strangers = [p.name for p in people if p.pk not in owners]
    if strangers:
        raise ValidationError(
            _("只有本小区业主可以担任：%(names)s不是本小区业主。"),
            params={"names": "、".join(strangers)}, code="not_owner",
        )  # fmt: skip
    return people


@one_write
def committee_prepare(
    *, actor, compound: Compound, guidance: str, formed_on: datetime.date, leader: Person,
    members=(),
) -> Committee:  # fmt: skip
    """Form the preparatory group (筹备组) under the guidance of the street office and the
    community Party organisation; its leader and members are owners of the compound."""
    compound = locked_compound(compound)
    _require(actor, "owners.keep_compound", compound, _("只有本社区的工作人员可以组建筹备组。"))
    if compound.committees.exclude(stage=ST.ENDED).exists():
        raise ValidationError(_("本小区已有筹备组或在任的业主委员会。"), code="exists")
    required_date(formed_on, _("筹备组成立日期"))
    people = _owners_only(compound, [leader, *[m for m in members if m != leader]])
    committee = Committee.objects.create(
        district_id=compound.district_id, community_id=compound.community_id, compound=compound,
        stage=ST.PREPARING, guidance=clean_name(guidance, _("指导单位")), formed_on=formed_on,
    )  # fmt: skip
    CommitteeMember.objects.bulk_create(
        CommitteeMember(committee=committee, person=p,
                        position="leader" if p == leader else "preparer")
        for p in people
    )  # fmt: skip
    audit.record(actor=actor, action="owners.committee_prepare", obj=committee,
                 changes={"members": len(people)})  # fmt: skip
    return committee


@one_write
def committee_elect(
    *, actor, committee: Committee, election: Decision, chair: Person, members=(),
    term_start: datetime.date, term_end: datetime.date,
) -> Committee:  # fmt: skip
    """Record the election: a published, passed owners' vote on electing the committee."""
    committee = Committee.objects.select_for_update().get(pk=committee.pk)
    _require(actor, "owners.keep_compound", committee.compound)
    if committee.stage != ST.PREPARING:
        raise ValidationError(_("只有筹备阶段的业主委员会可以登记选举结果。"), code="state")
    if (
        election is None
        or election.compound_id != committee.compound_id
        or election.matter != Matter.COMMITTEE
        or election.state != Decision.State.PUBLISHED
        or not election.tally.get("result", {}).get("passed")
    ):
        raise ValidationError(
            _("请选择本小区已公布且通过的“选举业主委员会”表决。"), code="election"
        )  # fmt: skip
    required_date(term_start, _("任期开始"))
    required_date(term_end, _("任期届满"))
    if not term_start < term_end <= term_start.replace(year=term_start.year + 5):
        raise ValidationError(_("任期届满日期应在开始之后，且任期不超过五年。"), code="term")
    people = _owners_only(committee.compound, [chair, *[m for m in members if m != chair]])
    CommitteeMember.objects.bulk_create(
        CommitteeMember(committee=committee, person=p, position="chair" if p == chair else "member")
        for p in people
    )  # fmt: skip
    committee.stage, committee.election = ST.ELECTED, election
    committee.term_start, committee.term_end = term_start, term_end
    committee.save(update_fields=["stage", "election", "term_start", "term_end"])
    audit.record(actor=actor, action="owners.committee_elect", obj=committee,
                 changes={"election": election.pk, "members": len(people)})  # fmt: skip
    return committee


@one_write
def committee_file(*, actor, committee: Committee, filed_on: datetime.date) -> Committee:
    """The street office files (备案) an elected committee."""
    committee = Committee.objects.select_for_update().get(pk=committee.pk)
    _require(actor, "owners.file_committee", committee.compound,
             _("业主委员会向街道办事处备案，只有街道工作人员可以办理。"))  # fmt: skip
    if committee.stage != ST.ELECTED:
        raise ValidationError(_("选举产生后才能备案。"), code="state")
    required_date(filed_on, _("备案日期"))
    if filed_on < committee.term_start - datetime.timedelta(days=60):
        raise ValidationError(_("备案日期不合理，请核对。"), code="filed_on")
    committee.stage, committee.filed_on, committee.filed_by = ST.FILED, filed_on, actor
    committee.save(update_fields=["stage", "filed_on", "filed_by"])
    audit.record(actor=actor, action="owners.committee_file", obj=committee,
                 changes={"filed_on": filed_on.isoformat()})  # fmt: skip
    return committee


def _uscc(raw: str) -> str:
    from stdnum.cn import uscc

    raw = (raw or "").strip().upper()
    if raw and not uscc.is_valid(raw):
        raise ValidationError(_("统一社会信用代码不正确，请核对。"), code="uscc")
    return raw


@one_write
def contract_record(
    *, actor, compound: Compound, company_name: str, uscc: str = "",
    starts_on: datetime.date, ends_on: datetime.date, fee: int, decision: Decision | None = None,
) -> PropertyContract:  # fmt: skip
    """A property-service contract of the compound with a company (registered once per
    district), its term and its fee in fen per m² a month; the hiring vote when there was one."""
    compound = locked_compound(compound)
    _require(actor, "owners.keep_compound", compound, _("只有本社区的工作人员可以登记物业合同。"))
    name = clean_name(company_name, _("企业名称"))
    code = _uscc(uscc)
    required_date(starts_on, _("合同开始"))
    required_date(ends_on, _("合同届满"))
    if ends_on <= starts_on:
        raise ValidationError(_("合同届满日期应在开始之后。"), code="term")
    if isinstance(fee, bool) or not isinstance(fee, int) or not 0 < fee <= MAX_FEE:
        raise ValidationError(_("物业费应为每平方米每月的分数，大于0。"), code="fee")
    if decision is not None and (
        decision.compound_id != compound.pk or decision.matter != Matter.PROPERTY
    ):
        raise ValidationError(_("所选表决不是本小区选聘物业的表决。"), code="decision")
    company, _new = PropertyCompany.objects.get_or_create(
        district_id=compound.district_id, name=name, defaults={"uscc": code}
    )
    if code and company.uscc and company.uscc != code:
        raise ValidationError(_("该企业已登记了不同的统一社会信用代码。"), code="uscc")
    contract = PropertyContract.objects.create(
        district_id=compound.district_id, community_id=compound.community_id, compound=compound,
        company=company, starts_on=starts_on, ends_on=ends_on, fee=fee, decision=decision,
        created_by=actor,
    )  # fmt: skip
    audit.record(actor=actor, action="owners.contract_record", obj=contract,
                 changes={"company": name, "starts_on": starts_on.isoformat(),
                          "ends_on": ends_on.isoformat(), "fee": fee})  # fmt: skip
    return contract
