"""Compounds (小区), the owners of their exclusive parts, owners' committees, property companies,
and owners' joint decisions counted twice (Civil Code art. 278).

A compound lies below a community; the registry's buildings belong to it through
``CompoundBuilding`` (the registry keeps the buildings and houses, this app only links them).
Each registry house in the compound is an exclusive part (``Part``, 专有部分) with its floor area
in hundredths of a square metre (an integer: areas add up exactly) and its holder: a person, or the
developer (unsold or undelivered parts count as one owner together, 法释〔2009〕7号 art. 9).

A vote (``Decision``) copies the compound's parts into a frozen roll (``RollEntry``) before it may
open; ballots, proxies and the tally all refer to that roll, so later changes to the parts do not
change a vote under way. The thresholds come from ``DecisionRule``, an editable table per matter
with its policy source and start date, copied onto the vote when it opens.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.clock import MomentField
from core.models import Person
from core.records import CommunityRecord, DistrictRecord, SourcedRule


class Compound(CommunityRecord):
    """A residential compound (小区) in a community."""

    name = models.CharField(_("小区名称"), max_length=100)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    created_at = MomentField(auto_now_add=True)

    class Meta:
        verbose_name = _("小区")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["community", "name"], name="owners_compound_unique")
        ]

    def __str__(self):
        return self.name


class CompoundBuilding(models.Model):
    """A registry building that belongs to a compound (one compound per building)."""

    compound = models.ForeignKey(Compound, on_delete=models.PROTECT, related_name="buildings")
    building = models.OneToOneField("registry.Building", on_delete=models.PROTECT, related_name="+")
    added_at = MomentField(auto_now_add=True)

    def __str__(self):
        return str(self.building_id)


class AreaBasis(models.TextChoices):
    """Which area counts (法释〔2009〕7号 art. 8): registered, else surveyed, else by contract."""

    REGISTERED = "registered", _("不动产登记面积")
    SURVEYED = "surveyed", _("实测面积")
    CONTRACT = "contract", _("合同约定面积")


class Part(CommunityRecord):
    """An exclusive part (专有部分): a registry house of the compound, its area and its holder."""

    compound = models.ForeignKey(Compound, on_delete=models.PROTECT, related_name="parts")
    house = models.OneToOneField("registry.House", on_delete=models.PROTECT, related_name="+")
    area = models.PositiveIntegerField(_("专有部分面积（0.01平方米）"))
    area_basis = models.CharField(_("面积依据"), max_length=12, choices=AreaBasis.choices)
    owner = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    developer_held = models.BooleanField(_("建设单位未售出或未交付"), default=False)
    updated_at = MomentField(auto_now=True)

    class Meta:
        verbose_name = _("专有部分")
        constraints = [
            models.CheckConstraint(
                condition=Q(developer_held=True, owner__isnull=True)
                | Q(developer_held=False, owner__isnull=False),
                name="owners_part_one_holder",
            ),
            models.CheckConstraint(condition=Q(area__gt=0), name="owners_part_area_positive"),
        ]

    def __str__(self):
        return str(self.house)

    @property
    def area_m2(self) -> str:
        """The area in square metres with two decimals, as text (exact)."""
        return f"{self.area // 100}.{self.area % 100:02d}"


class Matter(models.TextChoices):
    """The matters of Civil Code art. 278 (1)–(9); (6)–(8) need three quarters."""

    PROCEDURE = "procedure", _("制定和修改业主大会议事规则")
    MANAGEMENT_RULES = "management_rules", _("制定和修改管理规约")
    COMMITTEE = "committee", _("选举业主委员会或者更换业主委员会成员")
    PROPERTY = "property", _("选聘和解聘物业服务企业或者其他管理人")
    FUND_USE = "fund_use", _("使用建筑物及其附属设施的维修资金")
    FUND_RAISE = "fund_raise", _("筹集建筑物及其附属设施的维修资金")
    REBUILD = "rebuild", _("改建、重建建筑物及其附属设施")
    COMMON_USE = "common_use", _("改变共有部分的用途或者利用共有部分从事经营活动")
    OTHER = "other", _("有关共有和共同管理权利的其他重大事项")


class DecisionRule(SourcedRule):
    """The thresholds for one matter from a date, with their source. Participation is measured
    against the whole roll, approval against those who took part; each is a fraction that must
    be met on both counts (area and owners). "以上" includes the fraction, "过半数" does not."""

    matter = models.CharField(_("表决事项"), max_length=20, choices=Matter.choices)
    turnout_num = models.PositiveSmallIntegerField(_("参与表决比例（分子）"))
    turnout_den = models.PositiveSmallIntegerField(_("参与表决比例（分母）"))
    turnout_inclusive = models.BooleanField(_("参与比例含本数（以上）"), default=True)
    approval_num = models.PositiveSmallIntegerField(_("同意比例（分子）"))
    approval_den = models.PositiveSmallIntegerField(_("同意比例（分母）"))
    approval_inclusive = models.BooleanField(_("同意比例含本数（以上）"), default=False)

    class Meta:
        verbose_name = _("业主共同决定表决规则")
        ordering = ["matter", "-effective_from", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["district", "matter", "effective_from"], name="owners_rule_one_per_start"
            ),
            models.CheckConstraint(
                condition=Q(turnout_num__gt=0, approval_num__gt=0)
                & Q(turnout_num__lte=models.F("turnout_den"))
                & Q(approval_num__lte=models.F("approval_den")),
                name="owners_rule_fractions",
            ),
        ]

    def __str__(self):
        return f"{self.get_matter_display()} {self.effective_from}"


class Decision(CommunityRecord):
    """A consultation (征询) or vote (表决) among a compound's owners."""

    class Kind(models.TextChoices):
        VOTE = "vote", _("表决")
        CONSULTATION = "consultation", _("征询")

    class State(models.TextChoices):
        DRAFT = "draft", _("草拟")
        FROZEN = "frozen", _("名册已冻结")
        OPEN = "open", _("表决中")
        CLOSED = "closed", _("已计票")
        PUBLISHED = "published", _("已公布")

    compound = models.ForeignKey(Compound, on_delete=models.PROTECT, related_name="decisions")
    kind = models.CharField(_("类型"), max_length=12, choices=Kind.choices, default=Kind.VOTE)
    matter = models.CharField(_("表决事项"), max_length=20, choices=Matter.choices)
    title = models.CharField(_("标题"), max_length=100)
    text = models.TextField(_("表决内容"), max_length=4000)
    state = models.CharField(max_length=10, choices=State.choices, default=State.DRAFT)
    rule = models.ForeignKey(
        DecisionRule, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    thresholds = models.JSONField(default=dict, blank=True)  # the rule's fractions, at opening
    tally = models.JSONField(default=dict, blank=True)  # the published data and the result
    tally_digest = models.CharField(max_length=64, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = MomentField(auto_now_add=True)
    frozen_at = models.DateTimeField(null=True, blank=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("业主共同决定")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.title


class RollEntry(models.Model):
    """One part on a decision's frozen owners' roll (业主名册), as it stood when frozen."""

    decision = models.ForeignKey(Decision, on_delete=models.PROTECT, related_name="roll")
    part = models.ForeignKey(Part, on_delete=models.PROTECT, related_name="+")
    area = models.PositiveIntegerField()  # hundredths of a square metre
    owner = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    owner_key = models.CharField(max_length=20)  # "p<person id>" or "developer": one owner
    label = models.CharField(max_length=200)  # the house's address, for staff only

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["decision", "part"], name="owners_roll_part_once")
        ]
        indexes = [models.Index(fields=["decision", "owner_key"])]

    def __str__(self):
        return self.label

    @property
    def area_m2(self) -> str:
        """The area in square metres with two decimals, as text (exact)."""
        return f"{self.area // 100}.{self.area % 100:02d}"


class Proxy(models.Model):
    """A written authorisation (授权委托书) for someone to vote for an owner in one decision."""

    decision = models.ForeignKey(Decision, on_delete=models.PROTECT, related_name="proxies")
    owner_key = models.CharField(max_length=20)
    agent_name = models.CharField(_("受托人"), max_length=50)
    document_no = models.CharField(_("委托书编号"), max_length=40)
    signed_on = models.DateField(_("委托日期"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = MomentField(auto_now_add=True)

    class Meta:
        verbose_name = _("表决委托")
        constraints = [
            models.UniqueConstraint(fields=["decision", "owner_key"], name="owners_proxy_once")
        ]

    def __str__(self):
        return self.document_no


class Choice(models.TextChoices):
    AGREE = "agree", _("同意")
    DISAGREE = "disagree", _("反对")
    ABSTAIN = "abstain", _("弃权")


class Ballot(models.Model):
    """One part's vote. A part votes once (the database refuses a second ballot)."""

    class Channel(models.TextChoices):
        ONLINE = "online", _("业主本人网上表决")
        PAPER = "paper", _("书面表决票")
        PROXY = "proxy", _("委托代理人表决")

    decision = models.ForeignKey(Decision, on_delete=models.PROTECT, related_name="ballots")
    entry = models.ForeignKey(RollEntry, on_delete=models.PROTECT, related_name="+")
    choice = models.CharField(_("表决意见"), max_length=10, choices=Choice.choices)
    channel = models.CharField(_("表决方式"), max_length=10, choices=Channel.choices)
    proxy = models.ForeignKey(
        Proxy, null=True, blank=True, on_delete=models.PROTECT, related_name="ballots"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    cast_at = MomentField(auto_now_add=True)

    class Meta:
        verbose_name = _("表决票")
        constraints = [
            models.UniqueConstraint(fields=["decision", "entry"], name="owners_ballot_part_once"),
            models.CheckConstraint(
                condition=Q(channel="proxy", proxy__isnull=False)
                | (~Q(channel="proxy") & Q(proxy__isnull=True)),
                name="owners_ballot_proxy_iff_proxy",
            ),
        ]

    def __str__(self):
        return f"{self.entry_id}:{self.choice}"


class Committee(CommunityRecord):
    """An owners' committee (业主委员会) of a compound, from its preparatory group (筹备组, under
    the guidance of the street office and the community Party organisation) through its
    election and filing (备案) with the street office, for one term."""

    class Stage(models.TextChoices):
        PREPARING = "preparing", _("筹备组成立")
        ELECTED = "elected", _("已选举")
        FILED = "filed", _("已备案")
        ENDED = "ended", _("任期届满")

    compound = models.ForeignKey(Compound, on_delete=models.PROTECT, related_name="committees")
    stage = models.CharField(_("阶段"), max_length=10, choices=Stage.choices)
    guidance = models.CharField(_("指导单位"), max_length=100)
    formed_on = models.DateField(_("筹备组成立日期"))
    election = models.ForeignKey(
        Decision, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    term_start = models.DateField(_("任期开始"), null=True, blank=True)
    term_end = models.DateField(_("任期届满"), null=True, blank=True)
    filed_on = models.DateField(_("备案日期"), null=True, blank=True)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    created_at = MomentField(auto_now_add=True)

    class Meta:
        verbose_name = _("业主委员会")
        ordering = ["-formed_on", "-id"]

    def __str__(self):
        return f"{self.compound} {self.get_stage_display()}"


class CommitteeMember(models.Model):
    class Position(models.TextChoices):
        LEADER = "leader", _("筹备组组长")
        PREPARER = "preparer", _("筹备组成员")
        CHAIR = "chair", _("主任")
        VICE_CHAIR = "vice_chair", _("副主任")
        MEMBER = "member", _("委员")

    committee = models.ForeignKey(Committee, on_delete=models.PROTECT, related_name="members")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    position = models.CharField(_("职务"), max_length=12, choices=Position.choices)
    added_at = MomentField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["committee", "person", "position"], name="owners_member_once"
            )
        ]

    def __str__(self):
        return f"{self.person_id}:{self.position}"


class PropertyCompany(DistrictRecord):
    """A property-management company (物业服务企业) working in the district."""

    name = models.CharField(_("企业名称"), max_length=100)
    uscc = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    created_at = MomentField(auto_now_add=True)

    class Meta:
        verbose_name = _("物业服务企业")
        constraints = [
            models.UniqueConstraint(fields=["district", "name"], name="owners_company_unique")
        ]

    def __str__(self):
        return self.name


class PropertyContract(CommunityRecord):
    """A property-service contract between a compound's owners and a company, for a term."""

    compound = models.ForeignKey(Compound, on_delete=models.PROTECT, related_name="contracts")
    company = models.ForeignKey(PropertyCompany, on_delete=models.PROTECT, related_name="contracts")
    starts_on = models.DateField(_("合同开始"))
    ends_on = models.DateField(_("合同届满"))
    fee = models.PositiveIntegerField(_("物业费（分/平方米·月）"))
    decision = models.ForeignKey(
        Decision, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = MomentField(auto_now_add=True)

    class Meta:
        verbose_name = _("物业服务合同")
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gt=models.F("starts_on")), name="owners_contract_term"
            )
        ]

    def __str__(self):
        return f"{self.compound} · {self.company}"


class CompanyStaff(models.Model):
    """An account acting for a property company (物业服务企业工作人员). The account's
    PROPERTY_STAFF role assignment is only its place; this link, granted by a street officer
    or the district's coordinators, says for which company it handles routed requests."""

    company = models.ForeignKey(PropertyCompany, on_delete=models.PROTECT, related_name="staff")
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    granted_at = MomentField()
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("物业企业工作人员")
        ordering = ["company", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "account"], condition=Q(ended_at__isnull=True),
                name="owners_company_staff_once",
            )
        ]  # fmt: skip

    def __str__(self):
        return f"{self.company_id}:{self.account_id}"


class PropertyRule(SourcedRule):
    """Working days a property company has to accept (签收) and to finish (办结) a request routed
    to it, for one catalogue item (its code) or, with a blank code, every other item."""

    item_code = models.CharField(_("事项编码（空为默认）"), max_length=32, blank=True)
    accept_days = models.PositiveSmallIntegerField(_("签收时限（工作日）"))
    finish_days = models.PositiveSmallIntegerField(_("办结时限（工作日）"))

    class Meta:
        verbose_name = _("物业诉求办理时限")
        ordering = ["item_code", "-effective_from", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["district", "item_code", "effective_from"],
                name="owners_property_rule_one_per_start",
            ),
            models.CheckConstraint(
                condition=Q(accept_days__gte=1, finish_days__gte=1)
                & Q(accept_days__lte=models.F("finish_days")),
                name="owners_property_rule_days",
            ),
        ]

    def __str__(self):
        return f"{self.item_code or '*'} {self.effective_from}"
