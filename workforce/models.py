"""Staffing standards: how many community workers a community should have, by rule.

A rule is a row with its policy source and the date it takes effect; the rule in force for a
district on a day is the one with the latest start on or before it. Two kinds of rule:
per 10,000 residents (国办发〔2021〕56号: 18), or household bands with a step above the last band
and a cap (a local choice such as Taiyuan's). Nothing is hard-coded: the defaults are rows.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.clock import MomentField
from core.records import CommunityRecord, DistrictRecord, SourcedRule


class StaffingRule(SourcedRule):
    class Kind(models.TextChoices):
        PER_RESIDENTS = "per_residents", _("按常住人口")
        HOUSEHOLD_BANDS = "household_bands", _("按户数分档")

    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("计算方式"), max_length=16, choices=Kind.choices)
    per_10k_residents = models.PositiveSmallIntegerField(_("每万名居民配备人数"), default=0)
    # [[households below which, staff], …] ascending; above the last: +1 per `step_households`.
    bands = models.JSONField(_("户数分档"), default=list, blank=True)
    step_households = models.PositiveIntegerField(_("超出最高档后每增加户数"), default=0)
    cap = models.PositiveSmallIntegerField(_("上限（0为不设）"), default=0)

    class Meta:
        ordering = ["-effective_from", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["district", "effective_from"], name="workforce_one_rule_per_start"
            )
        ]

    def __str__(self):
        return self.name


# ---------------------------------------------------------------- workers (issue #16 item 2)


class Education(models.TextChoices):
    HIGH_SCHOOL = "high_school", _("高中（中专）及以下")
    COLLEGE = "college", _("大专")
    BACHELOR = "bachelor", _("大学本科")
    MASTER = "master", _("硕士研究生")
    DOCTORATE = "doctorate", _("博士研究生")


class SocialWorkLevel(models.TextChoices):
    ASSISTANT = "assistant", _("助理社会工作师")
    SOCIAL_WORKER = "social_worker", _("社会工作师")
    SENIOR = "senior", _("高级社会工作师")


class Post(models.TextChoices):
    """Posts of the grade scale. 三岗十八级 uses chief, deputy and other; a variant such as
    四岗二十四级 also gives 委员 a range in its scheme."""

    CHIEF = "chief", _("正职")
    DEPUTY = "deputy", _("副职")
    MEMBER = "member", _("委员")
    OTHER = "other", _("其他")


class Worker(CommunityRecord):
    """A community worker: a core person working for one community, hired staff (聘用) or an
    elected member of the 两委 (选任). Whether they are in post on a day comes from their
    contracts (hired) or terms (elected)."""

    class Kind(models.TextChoices):
        HIRED = "hired", _("聘用社区工作者")
        ELECTED = "elected", _("两委成员（选任）")

    person = models.OneToOneField(
        "core.Person", on_delete=models.PROTECT, related_name="community_worker"
    )
    kind = models.CharField(_("类别"), max_length=8, choices=Kind.choices)
    education = models.CharField(_("学历"), max_length=12, choices=Education.choices)
    service_start = models.DateField(_("参加社区工作时间"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = MomentField(auto_now_add=True)

    class Meta:
        ordering = ["community", "id"]

    def __str__(self):
        return self.person.name


class WorkerRecord(CommunityRecord):
    """A row in a worker's file, kept in the worker's community's books."""

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = MomentField(auto_now_add=True)

    class Meta:
        abstract = True


class Contract(WorkerRecord):
    """A hired worker's contract: its dates, probation, and its exit if it ended early.
    A worker's contracts never overlap (refused by the service)."""

    class Exit(models.TextChoices):
        RESIGNED = "resigned", _("辞职")
        DISMISSED = "dismissed", _("解除聘用")
        NOT_RENEWED = "not_renewed", _("期满不再续聘")
        RETIRED = "retired", _("退休")
        OTHER = "other", _("其他")

    worker = models.ForeignKey(Worker, on_delete=models.PROTECT, related_name="contracts")
    starts_on = models.DateField(_("起始日期"))
    ends_on = models.DateField(_("终止日期"), null=True, blank=True)  # None: 无固定期限
    probation_ends_on = models.DateField(_("试用期至"), null=True, blank=True)
    exited_on = models.DateField(_("离职日期"), null=True, blank=True)
    exit_reason = models.CharField(_("离职原因"), max_length=12, choices=Exit.choices, blank=True)
    exit_note = models.CharField(_("离职说明"), max_length=200, blank=True)

    class Meta:
        ordering = ["-starts_on", "-id"]

    @property
    def last_day(self):
        """The contract's last day (None: open-ended and not left)."""
        days = [d for d in (self.ends_on, self.exited_on) if d]
        return min(days) if days else None


class Term(WorkerRecord):
    """An elected member's term in the community Party organisation or the residents'
    committee (five years by default), ended early if they left."""

    class Body(models.TextChoices):
        PARTY = "party", _("社区党组织")
        COMMITTEE = "committee", _("社区居民委员会")

    worker = models.ForeignKey(Worker, on_delete=models.PROTECT, related_name="terms")
    body = models.CharField(_("组织"), max_length=10, choices=Body.choices)
    office = models.CharField(_("职务"), max_length=30)
    starts_on = models.DateField(_("任期开始"))
    ends_on = models.DateField(_("任期届满"))
    ended_on = models.DateField(_("提前离任日期"), null=True, blank=True)

    class Meta:
        ordering = ["-starts_on", "-id"]

    @property
    def last_day(self):
        return min(d for d in (self.ends_on, self.ended_on) if d)


class Leave(WorkerRecord):
    class Kind(models.TextChoices):
        SICK = "sick", _("病假")
        MATERNITY = "maternity", _("产假")
        PERSONAL = "personal", _("事假")
        STUDY = "study", _("脱产学习")
        OTHER = "other", _("其他")

    worker = models.ForeignKey(Worker, on_delete=models.PROTECT, related_name="leaves")
    kind = models.CharField(_("假别"), max_length=10, choices=Kind.choices)
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        ordering = ["-starts_on", "-id"]


class Qualification(WorkerRecord):
    """A social-work qualification certificate (社会工作者职业资格) with its number."""

    worker = models.ForeignKey(Worker, on_delete=models.PROTECT, related_name="qualifications")
    level = models.CharField(_("等级"), max_length=16, choices=SocialWorkLevel.choices)
    certificate_number = models.CharField(_("证书编号"), max_length=40)
    obtained_on = models.DateField(_("取得日期"))

    class Meta:
        ordering = ["-obtained_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["certificate_number"], name="workforce_one_certificate_number"
            )
        ]


class Posting(WorkerRecord):
    """A post the worker held from a date (the history of posts); the open one is current.
    ``grade_fixed`` is a grade set by decision (e.g. 套改定级) instead of the computed one, always
    inside the post's range."""

    worker = models.ForeignKey(Worker, on_delete=models.PROTECT, related_name="postings")
    post = models.CharField(_("岗位"), max_length=8, choices=Post.choices)
    title = models.CharField(_("职务名称"), max_length=40)
    starts_on = models.DateField(_("任职日期"))
    ends_on = models.DateField(_("离岗日期"), null=True, blank=True)
    grade_fixed = models.PositiveSmallIntegerField(_("核定岗位等级"), null=True, blank=True)
    grade_reason = models.CharField(_("核定理由"), max_length=200, blank=True)

    class Meta:
        ordering = ["-starts_on", "-id"]


class ProgressionPause(WorkerRecord):
    """A year that does not count towards yearly grade progression (不称职 in the annual
    assessment, a sanction), recorded by the district. Other apps add theirs through
    ``workforce.hooks.register_pause_source`` without writing here."""

    worker = models.ForeignKey(Worker, on_delete=models.PROTECT, related_name="pauses")
    year = models.PositiveSmallIntegerField(_("年度"))
    reason = models.CharField(_("原因"), max_length=200)

    class Meta:
        ordering = ["-year"]
        constraints = [
            models.UniqueConstraint(fields=["worker", "year"], name="workforce_one_pause_a_year")
        ]


# ---------------------------------------------------------------- grades (issue #16 item 3)


class GradeScheme(SourcedRule):
    """The rule table of grades (三岗十八级 by default; variants such as 四岗二十四级 by rows):
    each post's grade range, years of service per grade, the years a degree counts as, and the
    grades a social-work certificate adds (the highest one, not stacked)."""

    name = models.CharField(_("名称"), max_length=100)
    # {post: [lowest, highest]}; a post with no range is not part of the scheme.
    ranges = models.JSONField(_("各岗位等级范围"), default=dict)
    years_per_grade = models.PositiveSmallIntegerField(_("每晋升一级所需年限"), default=3)
    # {education: years counted as service}
    degree_years = models.JSONField(_("学历折算年限"), default=dict, blank=True)
    # {social-work level: grades added}
    certificate_grades = models.JSONField(_("职业资格加级"), default=dict, blank=True)

    class Meta:
        ordering = ["-effective_from", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["district", "effective_from"], name="workforce_one_scheme_per_start"
            )
        ]

    def __str__(self):
        return self.name


# ---------------------------------------------------------------- pay standards (item 4)


class PayScale(SourcedRule):
    """Pay standards, not payroll: the monthly post pay per grade (fen), the floor rule as each
    post's share of the city's previous-year average wage in non-private units (per mille:
    Nanjing 2018 — 正职 1000, others 800 in the central districts), and the welfare items
    (insurance, housing fund, allowances) as rows: {name, kind: "percent" (basis points of the
    pay) or "fixed" (fen a month), value}."""

    name = models.CharField(_("名称"), max_length=100)
    amounts = models.JSONField(_("各等级月岗位工资（分）"), default=dict)  # {"1": fen, …}
    floor_shares = models.JSONField(_("保底线（占上年平均工资的千分比）"), default=dict)
    welfare = models.JSONField(_("福利项目"), default=list, blank=True)

    class Meta:
        ordering = ["-effective_from", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["district", "effective_from"], name="workforce_one_pay_scale_per_start"
            )
        ]

    def __str__(self):
        return self.name


class AverageWage(DistrictRecord):
    """The city's average wage in non-private units for a year, entered by the district; the
    floor of year Y is computed from year Y-1's."""

    year = models.PositiveSmallIntegerField(_("年度"))
    annual_fen = models.BigIntegerField(_("年平均工资（分）"))
    source = models.CharField(_("数据来源"), max_length=300)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = MomentField(auto_now_add=True)

    class Meta:
        ordering = ["-year"]
        constraints = [
            models.UniqueConstraint(fields=["district", "year"], name="workforce_one_wage_a_year")
        ]


# ---------------------------------------------------------------- annual assessment (item 5)


class AssessmentResult(models.TextChoices):
    EXCELLENT = "excellent", _("优秀")
    COMPETENT = "competent", _("称职")
    BASIC = "basic", _("基本称职")
    INCOMPETENT = "incompetent", _("不称职")


class AssessmentRule(SourcedRule):
    """The annual assessment's rule row: the quota of 优秀 (per mille of the workers assessed,
    rounded down, at least one when the base allows any), raised for a community whose own
    assessment (oversight) scored at or above ``good_score_tenths``; the least 民主评议 score for
    优秀; the results that pause grade progression; the yearly performance pay per result (fen)."""

    name = models.CharField(_("名称"), max_length=100)
    excellent_permille = models.PositiveSmallIntegerField(_("优秀比例（千分比）"))
    excellent_permille_good = models.PositiveSmallIntegerField(
        _("社区考核良好时优秀比例（千分比）")
    )
    good_score_tenths = models.PositiveIntegerField(_("社区考核良好分数线（0.1分）"))
    min_review_for_excellent = models.PositiveSmallIntegerField(_("评为优秀所需民主评议最低分"))
    pausing = models.JSONField(_("暂停晋级的考核结果"), default=list)
    performance_pay = models.JSONField(_("各结果年度绩效工资（分）"), default=dict)

    class Meta:
        ordering = ["-effective_from", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["district", "effective_from"],
                name="workforce_one_assessment_rule_per_start",
            )
        ]

    def __str__(self):
        return self.name


class Assessment(CommunityRecord):
    """One community's annual assessment of its workers, recorded whole (a result for every
    worker in post on 31 December), with the inputs it was decided on: the community's own
    assessment score (oversight) and the residents' 民主评议 score, and the rule then in force."""

    year = models.PositiveSmallIntegerField(_("年度"))
    rule = models.ForeignKey(AssessmentRule, on_delete=models.PROTECT, related_name="+")
    community_score_tenths = models.PositiveIntegerField(_("社区考核得分（0.1分）"), null=True)
    review_score = models.PositiveSmallIntegerField(_("民主评议得分"), null=True)
    excellent_quota = models.PositiveSmallIntegerField(_("优秀名额"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = MomentField()

    class Meta:
        ordering = ["-year", "community", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "year"], name="workforce_one_assessment_a_year"
            )
        ]


class WorkerAssessment(CommunityRecord):
    assessment = models.ForeignKey(Assessment, on_delete=models.PROTECT, related_name="results")
    worker = models.ForeignKey(Worker, on_delete=models.PROTECT, related_name="assessments")
    year = models.PositiveSmallIntegerField(_("年度"))
    result = models.CharField(_("考核结果"), max_length=12, choices=AssessmentResult.choices)
    review_score = models.PositiveSmallIntegerField(_("个人民主评议得分"), null=True, blank=True)

    class Meta:
        ordering = ["-year", "worker"]
        constraints = [
            models.UniqueConstraint(fields=["worker", "year"], name="workforce_one_result_a_year")
        ]


# ---------------------------------------------------------------- surge work (item 6)


class SurgeRate(SourcedRule):
    """The hourly subsidy for surge work (突击性任务), in fen an hour."""

    name = models.CharField(_("名称"), max_length=100)
    hourly_fen = models.PositiveIntegerField(_("每小时补贴（分）"))

    class Meta:
        ordering = ["-effective_from", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["district", "effective_from"], name="workforce_one_surge_rate_per_start"
            )
        ]

    def __str__(self):
        return self.name


class SurgeTask(CommunityRecord):
    """An emergency task outside the admission gate (epidemic, flood, cold wave…): recorded by
    the community with its reason, the district's instruction and each worker's hours; approved
    (or refused) afterwards by the street or the district; its subsidy fixed at approval by the
    hourly rate then in force. Its hours count in the burden index from when they are recorded,
    whatever the approval (the district sees every task and its approval)."""

    class Kind(models.TextChoices):
        EPIDEMIC = "epidemic", _("疫情防控")
        FLOOD = "flood", _("防汛抗洪")
        COLD = "cold", _("寒潮冰雪")
        FIRE = "fire", _("火灾及安全事故")
        OTHER = "other", _("其他突发事件")

    class State(models.TextChoices):
        RECORDED = "recorded", _("待审核")
        APPROVED = "approved", _("已审核")
        REFUSED = "refused", _("未通过")

    kind = models.CharField(_("类别"), max_length=10, choices=Kind.choices)
    reason = models.CharField(_("事由"), max_length=300)
    instruction = models.CharField(_("区级指令"), max_length=300)
    started_on = models.DateField(_("开始日期"))
    ended_on = models.DateField(_("结束日期"))
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default="recorded")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = MomentField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = MomentField(null=True, blank=True)
    decision_note = models.CharField(_("审核意见"), max_length=300, blank=True)
    rate = models.ForeignKey(
        SurgeRate, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    subsidy_fen = models.PositiveIntegerField(_("补贴合计（分）"), null=True, blank=True)

    class Meta:
        ordering = ["-started_on", "-id"]

    @property
    def minutes(self) -> int:
        return sum(h.minutes for h in self.hours.all())

    @property
    def hours_worked(self) -> float:
        return self.minutes / 60


class SurgeHours(CommunityRecord):
    task = models.ForeignKey(SurgeTask, on_delete=models.PROTECT, related_name="hours")
    worker = models.ForeignKey(Worker, on_delete=models.PROTECT, related_name="surge_hours")
    minutes = models.PositiveIntegerField(_("工作时长（分钟）"))

    class Meta:
        ordering = ["task", "worker"]
        constraints = [
            models.UniqueConstraint(fields=["task", "worker"], name="workforce_one_hours_a_worker")
        ]


# ---------------------------------------------------------------- careers (item 8)


class CareerRule(SourcedRule):
    """What a worker needs to be eligible for the next post (其他 → 副职 → 正职): years in the
    current post, the latest annual assessments at 称职 or better, and (when required) the
    year's training hours met."""

    name = models.CharField(_("名称"), max_length=100)
    min_years_in_post = models.PositiveSmallIntegerField(_("现岗位最少年限"))
    assessments_needed = models.PositiveSmallIntegerField(_("须连续称职以上的年度数"))
    training_required = models.BooleanField(_("须完成当年培训学时"), default=True)

    class Meta:
        ordering = ["-effective_from", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["district", "effective_from"], name="workforce_one_career_rule_per_start"
            )
        ]

    def __str__(self):
        return self.name
