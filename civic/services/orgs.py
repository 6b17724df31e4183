"""Writes for social organisations: filing (备案) with the street office, members, revocation,
incubation bases and stays, annual reports."""

import datetime

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from stdnum.cn import uscc as uscc_std
from stdnum.exceptions import ValidationError as StdnumError

from civic import policies
from civic.models import AnnualReport, Incubation, IncubationBase, OrgMember, SocialOrganisation
from civic.services.common import choice, clean_text, count, require
from core import audit, clock
from core.clock import one_write
from core.identifiers import to_halfwidth
from core.models import Place, PlaceLevel, Role
from core.money import fen
from core.rules import holds
from core.validation import clean_name


def clean_uscc(raw: str) -> str:
    """The unified social credit code (GB 32100-2015) checked with its check character, or ""
    when none was given."""
    code = to_halfwidth(raw or "").replace(" ", "").upper()
    if not code:
        return ""
    try:
        return uscc_std.validate(code)
    except StdnumError:
        raise ValidationError(
            _("统一社会信用代码“%(code)s”无效：应为18位，且校验位正确。"),
            params={"code": code[:30]}, code="uscc",
        ) from None  # fmt: skip


def _filing_no(street: Place, year: int) -> str:
    prefix = f"{street.code}-{year}-"
    taken = SocialOrganisation.objects.filter(filing_no__startswith=prefix).count()
    return f"{prefix}{taken + 1:04d}"


@one_write
def org_file(
    *, actor, community: Place, name: str, domain: str, purpose: str, uscc: str = ""
) -> SocialOrganisation:
    """File a community social organisation with the street office. The code is optional (most
    have none); given, it must be valid and not filed before, and the organisation is then a
    registered one."""
    if community is None or community.level != PlaceLevel.COMMUNITY:
        raise ValidationError(_("社会组织在社区备案，请选择社区。"), code="not_a_community")
    require(actor, "civic.file_org", community, _("只有所在街道的工作人员可以为社会组织备案。"))
    name = clean_name(name, _("名称"))
    domain = choice(domain, SocialOrganisation.Domain, _("服务领域"))
    purpose = clean_text(purpose, _("宗旨与活动"), limit=1000)
    code = clean_uscc(uscc)
    if code and SocialOrganisation.objects.filter(uscc=code).exists():
        raise ValidationError(
            _("统一社会信用代码%(code)s已有组织备案。"), params={"code": code}, code="uscc_taken"
        )
    if SocialOrganisation.objects.filter(community=community, name=name).exists():
        raise ValidationError(
            _("本社区已有名为“%(name)s”的社会组织。"), params={"name": name}, code="name_taken"
        )
    street = community.parent
    today = clock.today()
    org = SocialOrganisation.objects.create(
        district=community.district, street=street, community=community, name=name,
        domain=domain, purpose=purpose, uscc=code,
        kind=SocialOrganisation.Kind.REGISTERED if code else SocialOrganisation.Kind.FILED,
        filing_no=_filing_no(street, today.year), filed_on=today, filed_by=actor,
    )  # fmt: skip
    audit.record(actor=actor, action="civic.org_file", obj=org,
                 changes={"name": name, "uscc": code, "filing_no": org.filing_no})  # fmt: skip
    return org


@one_write
def org_member_add(*, actor, organisation: SocialOrganisation, user) -> OrgMember:
    """Let an account act for the organisation; it must hold the 社会组织成员 role where the
    organisation is filed (the street office grants it on the people pages)."""
    require(actor, "civic.manage_org", organisation, _("只有所在街道的工作人员可以添加组织成员。"))
    if user is None or not isinstance(user, get_user_model()) or not user.is_active:
        raise ValidationError(_("请选择一个有效的账号。"), code="user")
    if not holds(user, {Role.SOCIAL_ORG_MEMBER}, organisation.community):
        raise ValidationError(
            _("该账号在%(place)s没有“社会组织成员”角色，请先授予角色。"),
            params={"place": organisation.community.name}, code="no_role",
        )  # fmt: skip
    if organisation.members.filter(user=user).exists():
        raise ValidationError(_("该账号已是本组织成员。"), code="member_twice")
    member = OrgMember.objects.create(organisation=organisation, user=user, added_by=actor)
    audit.record(actor=actor, action="civic.org_member_add", obj=organisation,
                 changes={"user": user.username})  # fmt: skip
    return member


@one_write
def org_revoke(*, actor, organisation: SocialOrganisation, reason: str) -> SocialOrganisation:
    require(actor, "civic.manage_org", organisation, _("只有所在街道的工作人员可以注销备案。"))
    reason = clean_text(reason, _("原因"))
    if organisation.status == SocialOrganisation.Status.REVOKED:
        raise ValidationError(_("该组织已注销。"), code="revoked")
    organisation.status = SocialOrganisation.Status.REVOKED
    organisation.save(update_fields=["status"])
    audit.record(actor=actor, action="civic.org_revoke", obj=organisation,
                 changes={"reason": reason})  # fmt: skip
    return organisation


@one_write
def base_create(*, actor, street: Place, name: str, address: str, spaces: int) -> IncubationBase:
    if street is None or street.level != PlaceLevel.STREET:
        raise ValidationError(_("孵化基地由街道设立，请选择街道。"), code="not_a_street")
    if not (actor.is_superuser or policies.runs_bases_in(actor, street)):
        raise PermissionDenied(_("只有本街道的工作人员可以设立孵化基地。"))
    base = IncubationBase.objects.create(
        district=street.district, street=street, name=clean_name(name, _("名称")),
        address=clean_text(address, _("地址")), spaces=count(spaces, _("工位或场地数"), 1000),
    )  # fmt: skip
    audit.record(actor=actor, action="civic.base_create", obj=base, changes={"name": base.name})
    return base


@one_write
def incubation_start(
    *, actor, base: IncubationBase, organisation: SocialOrganisation, mentor: str, space: str,
    rent_support_fen: int, started_on: datetime.date,
) -> Incubation:  # fmt: skip
    require(actor, "civic.run_base", base, _("只有本街道的工作人员可以安排入驻孵化基地。"))
    if organisation.street_id != base.street_id:
        raise ValidationError(_("只有本街道备案的组织可以入驻本街道的孵化基地。"), code="street")
    if organisation.status != SocialOrganisation.Status.ACTIVE:
        raise ValidationError(_("该组织已注销，不能入驻。"), code="revoked")
    if organisation.incubations.filter(ended_on__isnull=True).exists():
        raise ValidationError(_("该组织正在孵化中，不能重复入驻。"), code="twice")
    if base.stays.filter(ended_on__isnull=True).count() >= base.spaces:
        raise ValidationError(_("孵化基地的场地已满。"), code="full")
    if not isinstance(started_on, datetime.date):
        raise ValidationError(_("请填写入驻日期。"), code="started_on")
    stay = Incubation.objects.create(
        base=base, organisation=organisation, mentor=clean_name(mentor, _("导师"), limit=50),
        space=clean_text(space, _("场地"), limit=100), started_on=started_on,
        rent_support_fen=fen(rent_support_fen, _("每月房租补贴"), low=0, high=10_000_000),
    )  # fmt: skip
    audit.record(actor=actor, action="civic.incubation_start", obj=stay,
                 changes={"base": base.name, "organisation": organisation.name})  # fmt: skip
    return stay


ENDING = {Incubation.Stage.GRADUATED, Incubation.Stage.LEFT}


@one_write
def incubation_stage(*, actor, incubation: Incubation, stage: str) -> Incubation:
    """Move a stay on: 入驻 → 孵化中 → 出壳 (or 退出 at any time); an ended stay stays ended."""
    require(actor, "civic.run_base", incubation.base, _("只有本街道的工作人员可以更新孵化阶段。"))
    stage = choice(stage, Incubation.Stage, _("阶段"))
    if incubation.ended_on is not None:
        raise ValidationError(_("该孵化已结束。"), code="ended")
    order = list(Incubation.Stage.values)
    if stage not in ENDING and order.index(stage) <= order.index(incubation.stage):
        raise ValidationError(_("孵化阶段只能向前推进。"), code="backwards")
    before = incubation.stage
    incubation.stage = stage
    if stage in ENDING:
        incubation.ended_on = clock.today()
    incubation.save(update_fields=["stage", "ended_on", "updated_at"])
    audit.record(actor=actor, action="civic.incubation_stage", obj=incubation,
                 changes={"stage": [before, stage]})  # fmt: skip
    return incubation


@one_write
def report_submit(
    *, actor, organisation: SocialOrganisation, year: int, activities: str,
    activity_count: int, people_served: int, income_fen: int, expense_fen: int,
) -> AnnualReport:  # fmt: skip
    """The organisation's annual report, by one of its members, once a year."""
    require(actor, "civic.act_for_org", organisation, _("只有本组织的成员可以提交年度报告。"))
    this_year = clock.today().year
    if (
        isinstance(year, bool)
        or not isinstance(year, int)
        or not (organisation.filed_on.year <= year <= this_year)
    ):
        raise ValidationError(
            _("年度应在%(low)d至%(high)d之间。"),
            params={"low": organisation.filed_on.year, "high": this_year}, code="year",
        )  # fmt: skip
    if organisation.reports.filter(year=year).exists():
        raise ValidationError(_("%(year)d年度报告已提交。"), params={"year": year}, code="twice")
    report = AnnualReport.objects.create(
        organisation=organisation, year=year, submitted_by=actor,
        activities=clean_text(activities, _("年度活动"), limit=2000),
        activity_count=count(activity_count, _("活动次数")),
        people_served=count(people_served, _("服务人次")),
        income_fen=fen(income_fen, _("收入"), low=0), expense_fen=fen(expense_fen, _("支出"), low=0),
    )  # fmt: skip
    audit.record(actor=actor, action="civic.report_submit", obj=report,
                 changes={"organisation": organisation.name, "year": year})  # fmt: skip
    return report
