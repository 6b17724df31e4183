"""Deliberation (协商议事) and hearings (issue #18 item 6).

Residents of a community file proposals (``Proposal``) and support them, one support per
resident (``Support``, unique also in the database); a proposal that gathers the supports the
district's ``SupportRule`` asks for reaches the agenda. The community's workers (the community
Party organisation's staff) convene meetings (``Meeting``): a 协商议事会, a 听证会 or a 居民代表会议,
each with its notice (the period is the district's ``MeetingRule`` for that kind of meeting),
its agenda, the participants who registered (the community's 居民代表 are ``Representative``
rows), the minutes and the decisions (``Decision``), which count only when the meeting's quorum
(the same rule) was present and pass by the rule's share of those present. Every decision is
then tracked to completion (status, progress %, updates: Decidim's accountability) and published
with the minutes. Residents' conventions (居民公约) and rules of procedure (议事规则) are
``Document`` rows with numbered versions, each adopted by a decision of a meeting.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.clock import MomentField
from core.models import Person
from core.records import CommunityRecord, SourcedRule

USER = settings.AUTH_USER_MODEL


class MeetingKind(models.TextChoices):
    DELIBERATION = "deliberation", _("协商议事会")
    HEARING = "hearing", _("听证会")
    REPRESENTATIVES = "representatives", _("居民代表会议")


class MeetingRule(SourcedRule):
    """For one kind of meeting from a date: how many days its notice must precede it, the share
    of its base that must be present (the quorum) and the share of those present that passes a
    decision. A share is (numerator, denominator, inclusive): "以上" includes it, "过半数" not."""

    kind = models.CharField(_("会议类型"), max_length=16, choices=MeetingKind.choices)
    notice_days = models.PositiveSmallIntegerField(_("提前公告天数"))
    quorum_num = models.PositiveSmallIntegerField(_("到会比例（分子）"))
    quorum_den = models.PositiveSmallIntegerField(_("到会比例（分母）"))
    quorum_inclusive = models.BooleanField(_("到会比例含本数（以上）"), default=True)
    pass_num = models.PositiveSmallIntegerField(_("通过比例（分子）"))
    pass_den = models.PositiveSmallIntegerField(_("通过比例（分母）"))
    pass_inclusive = models.BooleanField(_("通过比例含本数（以上）"), default=False)

    class Meta:
        verbose_name = _("议事会议规则")
        ordering = ["kind", "-effective_from", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["district", "kind", "effective_from"], name="deliberation_rule_per_start"
            ),
            models.CheckConstraint(
                condition=Q(quorum_num__gt=0, pass_num__gt=0)
                & Q(quorum_num__lte=models.F("quorum_den"))
                & Q(pass_num__lte=models.F("pass_den")),
                name="deliberation_rule_fractions",
            ),
        ]

    def __str__(self):
        return self.get_kind_display()


class SupportRule(SourcedRule):
    """How many residents' supports put a proposal on the agenda, from a date."""

    supports = models.PositiveSmallIntegerField(_("列入议题所需支持人数"))

    class Meta:
        verbose_name = _("议题支持人数规则")
        ordering = ["-effective_from", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["district", "effective_from"], name="deliberation_support_rule_per_start"
            ),
            models.CheckConstraint(condition=Q(supports__gt=0), name="deliberation_supports_gt0"),
        ]

    def __str__(self):
        return str(self.supports)


class Representative(CommunityRecord):
    """A 居民代表 of the community for a term; ended, never deleted."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    elected_on = models.DateField(_("推选日期"))
    term_ends_on = models.DateField(_("任期届满"))
    ended_at = MomentField(null=True, blank=True)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = MomentField(auto_now_add=True)

    class Meta:
        verbose_name = _("居民代表")
        ordering = ["community", "person__name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "person"], condition=Q(ended_at__isnull=True),
                name="deliberation_one_active_representative",
            )
        ]  # fmt: skip

    def __str__(self):  # the audit log's name: no person (personal data)
        return f"RP{self.pk}"


class Proposal(CommunityRecord):
    class State(models.TextChoices):
        OPEN = "open", _("征集支持中")
        QUALIFIED = "qualified", _("已达到议题门槛")
        SCHEDULED = "scheduled", _("已列入会议议程")
        DECLINED = "declined", _("不予列入")
        WITHDRAWN = "withdrawn", _("已撤回")

    title = models.CharField(_("标题"), max_length=100)
    text = models.TextField(_("提议内容"))
    proposer = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    state = models.CharField(_("状态"), max_length=12, choices=State.choices, default="open")
    rule = models.ForeignKey(SupportRule, on_delete=models.PROTECT, related_name="+")
    threshold = models.PositiveSmallIntegerField(_("所需支持人数"))
    supports_count = models.PositiveIntegerField(_("支持人数"), default=0)
    qualified_at = MomentField(null=True, blank=True)
    meeting = models.ForeignKey(
        "Meeting", null=True, blank=True, on_delete=models.PROTECT, related_name="proposals"
    )
    reason = models.TextField(_("说明"), blank=True)
    created_at = MomentField(auto_now_add=True)

    class Meta:
        verbose_name = _("居民提议")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.title


class Support(models.Model):
    """One resident's support of a proposal (once per person, also in the database)."""

    proposal = models.ForeignKey(Proposal, on_delete=models.PROTECT, related_name="supports")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    at = MomentField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["proposal", "person"], name="deliberation_support_once")
        ]

    def __str__(self):
        return f"S{self.pk}"


class Meeting(CommunityRecord):
    class State(models.TextChoices):
        DRAFT = "draft", _("拟定中")
        NOTICED = "noticed", _("已公告")
        HELD = "held", _("已召开")
        PUBLISHED = "published", _("已公布")
        CANCELLED = "cancelled", _("已取消")

    kind = models.CharField(_("会议类型"), max_length=16, choices=MeetingKind.choices)
    title = models.CharField(_("会议名称"), max_length=100)
    topic = models.TextField(_("议事事项"))
    venue = models.CharField(_("地点"), max_length=100)
    starts_at = models.DateTimeField(_("召开时间"))
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default="draft")
    # The rule in force when the notice went out, copied: later rule changes do not move it.
    rule = models.ForeignKey(
        MeetingRule, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    terms = models.JSONField(default=dict, blank=True)
    noticed_at = MomentField(null=True, blank=True)
    held_at = MomentField(null=True, blank=True)
    minutes = models.TextField(_("会议纪要"), blank=True)
    published_at = MomentField(null=True, blank=True)
    cancel_reason = models.TextField(_("取消原因"), blank=True)
    convened_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = MomentField(auto_now_add=True)

    class Meta:
        verbose_name = _("议事会议")
        ordering = ["-starts_at", "-id"]
        indexes = [models.Index(fields=["community", "state"], name="deliberation_meeting_state")]

    def __str__(self):
        return self.title


class AgendaItem(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="agenda")
    position = models.PositiveSmallIntegerField()
    title = models.CharField(_("议题"), max_length=100)
    proposal = models.OneToOneField(
        Proposal, null=True, blank=True, on_delete=models.PROTECT, related_name="agenda_item"
    )

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "position"], name="deliberation_agenda_pos")
        ]

    def __str__(self):
        return self.title


class ParticipantRole(models.TextChoices):
    REPRESENTATIVE = "representative", _("居民代表")
    RESIDENT = "resident", _("居民")
    STAKEHOLDER = "stakeholder", _("利害关系人")
    EXPERT = "expert", _("专家或有关单位")


class Participant(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="participants")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(_("身份"), max_length=16, choices=ParticipantRole.choices)
    attended = models.BooleanField(_("到会"), default=False)
    registered_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    registered_at = MomentField(auto_now_add=True)

    class Meta:
        ordering = ["role", "person__name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "person"], name="deliberation_register_once")
        ]

    def __str__(self):  # no person (personal data)
        return f"PT{self.pk}"


class Decision(CommunityRecord):
    class Status(models.TextChoices):
        REJECTED = "rejected", _("未通过")
        PLANNED = "planned", _("待实施")
        IN_PROGRESS = "in_progress", _("实施中")
        DONE = "done", _("已完成")
        DROPPED = "dropped", _("未能实施")

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="decisions")
    agenda_item = models.ForeignKey(
        AgendaItem, null=True, blank=True, on_delete=models.PROTECT, related_name="decisions"
    )
    title = models.CharField(_("决定事项"), max_length=100)
    text = models.TextField(_("决定内容"))
    votes_for = models.PositiveIntegerField(_("赞成"))
    votes_against = models.PositiveIntegerField(_("反对"))
    votes_abstain = models.PositiveIntegerField(_("弃权"))
    present = models.PositiveIntegerField(_("到会人数"))
    base = models.PositiveIntegerField(_("应到人数"))
    status = models.CharField(_("落实状态"), max_length=12, choices=Status.choices)
    progress = models.PositiveSmallIntegerField(_("进度（%）"), default=0)
    decided_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    decided_at = MomentField(auto_now_add=True)
    published_at = MomentField(null=True, blank=True)
    updated_at = MomentField(auto_now=True)

    class Meta:
        verbose_name = _("议事决定")
        ordering = ["-decided_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="deliberation_progress")
        ]

    def __str__(self):
        return self.title

    @property
    def passed(self) -> bool:
        return self.status != self.Status.REJECTED


class DecisionUpdate(models.Model):
    """One step of a decision's implementation, as published (Decidim's accountability)."""

    decision = models.ForeignKey(Decision, on_delete=models.PROTECT, related_name="updates")
    status = models.CharField(max_length=12, choices=Decision.Status.choices)
    progress = models.PositiveSmallIntegerField()
    text = models.TextField()
    by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    at = MomentField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self):
        return f"{self.get_status_display()} {self.progress}%"


class Document(CommunityRecord):
    """A residents' convention or the rules of procedure of the community: its versions."""

    class Kind(models.TextChoices):
        CONVENTION = "convention", _("居民公约")
        PROCEDURE = "procedure", _("议事规则")

    kind = models.CharField(_("类别"), max_length=12, choices=Kind.choices)
    title = models.CharField(_("名称"), max_length=100)
    created_at = MomentField(auto_now_add=True)

    class Meta:
        verbose_name = _("公约与规则")
        ordering = ["kind", "title", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "kind", "title"], name="deliberation_document_unique"
            )
        ]

    def __str__(self):
        return self.title


class DocumentVersion(models.Model):
    """One adopted text of a document, numbered from 1; adopted by a decision, never edited."""

    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveSmallIntegerField(_("版本"))
    text = models.TextField(_("条文"))
    decision = models.OneToOneField(Decision, on_delete=models.PROTECT, related_name="adopted")
    adopted_on = models.DateField(_("通过日期"))
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = MomentField(auto_now_add=True)

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="deliberation_version_no")
        ]

    def __str__(self):
        return f"{self.document} v{self.number}"
