"""Oversight (seed §5, §1; issue #17 items 1 and 2): the accountability chain and the yearly
assessment of communities.

The chain: a reminder (谈话提醒 / 函询 / 诫勉) to a staff member; a case of 问责 with its facts, the
rule broken and the decision, allowed only after a reminder where the district's sanction rule
says so; the person's reply and application for 容错, judged against the three distinctions
(三个区分开来) with the reasons written; rectification with a deadline, follow-ups and 销号
verified by a second officer. A sanction is in force from its decision for the months its rule
says, unless 容错 was granted. Every step is a ``CaseEvent`` the person concerned reads.

The assessment: a yearly scheme of weighted indicators (summing to 100) filed by the district's
oversight officers and approved by the coordinators; results per community computed from Linli's
data with each indicator's formula and explanation; one objection per community, answered.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.clock import MomentField
from core.models import Person
from core.records import CommunityRecord, DistrictRecord, SourcedRule

USER = settings.AUTH_USER_MODEL


class Sanction(models.TextChoices):
    NOTICE = "notice", _("通报")
    ADJUSTMENT = "adjustment", _("组织调整或组织处理")
    DISCIPLINE = "discipline", _("纪律处分")


class SanctionRule(SourcedRule):
    """Whether a sanction needs a preceding reminder and how long it is in force, from a date."""

    sanction = models.CharField(_("问责方式"), max_length=16, choices=Sanction.choices)
    requires_reminder = models.BooleanField(_("须先提醒"), default=True)
    months_in_force = models.PositiveSmallIntegerField(_("影响期（月）"))

    class Meta:
        ordering = ["sanction", "-effective_from", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["district", "sanction", "effective_from"],
                name="oversight_one_sanction_rule_per_start",
            )
        ]

    def __str__(self):
        return self.get_sanction_display()


class Reminder(DistrictRecord):
    class Kind(models.TextChoices):
        TALK = "talk", _("谈话提醒")
        LETTER = "letter", _("函询")
        ADMONISH = "admonish", _("诫勉")

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("方式"), max_length=10, choices=Kind.choices)
    facts = models.TextField(_("事由"))
    issued_on = models.DateField(_("日期"))
    issued_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    reply = models.TextField(_("本人说明"), blank=True)
    replied_at = MomentField(null=True, blank=True)
    created_at = MomentField(auto_now_add=True)

    class Meta:
        ordering = ["-issued_on", "-id"]

    def __str__(self):  # the audit log's name: no person, no matter (personal data)
        return f"R{self.pk}"


class Case(DistrictRecord):
    class State(models.TextChoices):
        DECIDED = "decided", _("已作出问责决定")
        TOLERANCE_ASKED = "tolerance_asked", _("容错申请待认定")
        RECTIFYING = "rectifying", _("整改中")
        RECTIFIED = "rectified", _("整改完成待销号")
        CLOSED = "closed", _("已销号")

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    state = models.CharField(_("状态"), max_length=16, choices=State.choices, default="decided")
    facts = models.TextField(_("事实"))
    rule_broken = models.CharField(_("违反的规定"), max_length=300)
    decision = models.TextField(_("问责决定"))
    sanction = models.CharField(_("问责方式"), max_length=16, choices=Sanction.choices)
    reminder = models.ForeignKey(
        Reminder, null=True, blank=True, on_delete=models.PROTECT, related_name="cases"
    )
    rule = models.ForeignKey(SanctionRule, on_delete=models.PROTECT, related_name="+")
    decided_on = models.DateField(_("决定日期"))
    in_force_until = models.DateField(_("影响期至"))
    opened_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    reply = models.TextField(_("本人申辩"), blank=True)
    # 容错: asked once; judged with a reason for each of the three distinctions.
    tolerance_reason = models.TextField(_("容错申请理由"), blank=True)
    tolerance_grounds = models.JSONField(_("申请依据"), default=list, blank=True)
    tolerance_granted = models.BooleanField(_("容错认定"), null=True, blank=True)
    tolerance_reasons = models.JSONField(_("认定理由"), default=dict, blank=True)
    rectification = models.TextField(_("整改要求"), blank=True)
    rectify_by = models.DateField(_("整改期限"), null=True, blank=True)
    closed_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closed_at = MomentField(null=True, blank=True)
    created_at = MomentField(auto_now_add=True)

    class Meta:
        ordering = ["-decided_on", "-id"]
        indexes = [models.Index(fields=["district", "decided_on"], name="oversight_case_decided")]

    def __str__(self):  # the audit log's name: no person, no sanction (personal data)
        return f"C{self.pk}"

    @property
    def in_force_for_progression(self) -> bool:
        return self.tolerance_granted is not True


class CaseEvent(DistrictRecord):
    """One step of a case, as the person concerned and the officers read it."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="events")
    step = models.CharField(max_length=32)
    text = models.TextField(blank=True)
    by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    at = MomentField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]


class Scheme(DistrictRecord):
    class State(models.TextChoices):
        DRAFT = "draft", _("草案")
        APPROVED = "approved", _("已批准")
        COMPUTED = "computed", _("已出结果")

    year = models.PositiveSmallIntegerField(_("年度"))
    name = models.CharField(_("名称"), max_length=100)
    weights = models.JSONField(_("权重"), default=dict)  # indicator key -> percent (sum 100)
    source = models.CharField(_("依据"), max_length=300)
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default="draft")
    drafted_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    approved_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = MomentField(null=True, blank=True)
    computed_at = MomentField(null=True, blank=True)
    created_at = MomentField(auto_now_add=True)

    class Meta:
        ordering = ["-year", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["district", "year"], name="oversight_one_scheme_a_year")
        ]

    def __str__(self):
        return self.name


class Result(CommunityRecord):
    class Answer(models.TextChoices):
        MAINTAINED = "maintained", _("维持原结果")
        ADJUSTED = "adjusted", _("调整得分")

    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="results")
    # None: no weighted indicator had data that year (not scored, listed last).
    score_tenths = models.PositiveIntegerField(_("得分（0.1分）"), null=True, blank=True)
    rank = models.PositiveSmallIntegerField(_("名次"), null=True, blank=True)
    # [{key, value, score, weight, used, explanation}] as computed, with the formula's key.
    indicators = models.JSONField(default=list)
    objection = models.TextField(_("异议"), blank=True)
    objected_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    objected_at = MomentField(null=True, blank=True)
    answer = models.TextField(_("答复"), blank=True)
    answer_kind = models.CharField(_("答复结论"), max_length=12, choices=Answer.choices, blank=True)
    adjusted_tenths = models.PositiveIntegerField(_("调整后得分（0.1分）"), null=True, blank=True)
    answered_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answered_at = MomentField(null=True, blank=True)

    class Meta:
        ordering = [models.F("rank").asc(nulls_last=True), "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["scheme", "community"], name="oversight_one_result_a_community"
            )
        ]

    @property
    def final_tenths(self) -> int | None:
        return self.adjusted_tenths if self.adjusted_tenths is not None else self.score_tenths

    @property
    def original_score(self) -> float | None:
        return None if self.score_tenths is None else self.score_tenths / 10

    @property
    def score(self) -> float | None:
        final = self.final_tenths
        return None if final is None else final / 10


# ---------------------------------------------------------------- residents' surveys


class Grade(models.TextChoices):
    SATISFIED = "satisfied", _("满意")
    BASIC = "basic", _("基本满意")
    UNSATISFIED = "unsatisfied", _("不满意")


class SurveyRule(SourcedRule):
    """How a survey's answers become a score out of 100 (the points of each answer, averaged
    over the questions and then over the residents), and the fewest answers for a score."""

    points_satisfied = models.PositiveSmallIntegerField(_("满意得分"), default=100)
    points_basic = models.PositiveSmallIntegerField(_("基本满意得分"), default=60)
    points_unsatisfied = models.PositiveSmallIntegerField(_("不满意得分"), default=0)
    min_answers = models.PositiveSmallIntegerField(_("最少有效答卷"), default=10)

    class Meta:
        ordering = ["-effective_from", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["district", "effective_from"], name="oversight_one_survey_rule_per_start"
            )
        ]

    def points(self, grade: str) -> int:
        return {
            Grade.SATISFIED: self.points_satisfied,
            Grade.BASIC: self.points_basic,
            Grade.UNSATISFIED: self.points_unsatisfied,
        }[grade]


class Survey(CommunityRecord):
    """A short survey of one community's residents for one year (民主评议 of the committee and
    its workers, or residents' satisfaction), sent to them through notify; each resident answers
    once; results are shown as counts only (anonymous)."""

    class Kind(models.TextChoices):
        REVIEW = "review", _("民主评议")
        SATISFACTION = "satisfaction", _("居民满意度调查")

    kind = models.CharField(_("类别"), max_length=12, choices=Kind.choices)
    year = models.PositiveSmallIntegerField(_("年度"))
    questions = models.JSONField(_("题目"), default=list)  # msgids, in order
    closes_on = models.DateField(_("截止日期"))
    sent_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    sent_at = MomentField()
    recipients = models.PositiveIntegerField(_("发送人数"), default=0)

    class Meta:
        ordering = ["-year", "kind", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "kind", "year"], name="oversight_one_survey_a_year"
            )
        ]

    def __str__(self):
        return f"{self.year} {self.get_kind_display()}"


class SurveyAnswer(models.Model):
    """One resident's answer. The respondent is kept only so a resident answers once; no page,
    export or API shows who answered what."""

    survey = models.ForeignKey(Survey, on_delete=models.PROTECT, related_name="answers")
    respondent = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    grades = models.JSONField(default=list)  # one Grade value per question, in order
    answered_at = MomentField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "respondent"], name="oversight_one_answer_a_resident"
            )
        ]

    def __str__(self):  # the audit log's name: never the respondent
        return f"A{self.pk}"
