"""Training of community workers (issue #16 item 7).

Rules are rows with their policy source and start date: the yearly hours required of every worker
and the induction a new hire owes (``TrainingRule``), and the content areas courses are offered in
(``ContentArea``). Needs surveys ask workers which areas they need; plans (induction for new hires,
periodic for staff) hold courses; a worker is enrolled on a course and their attendance is recorded
against that enrolment only (the database holds the link); an attendance may be certified by a
numbered certificate with a public verification code. Hours are integer 学时.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.clock import MomentField
from core.models import Place
from core.records import CommunityRecord, DistrictRecord, SourcedRule


class Record(DistrictRecord):
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = MomentField(auto_now_add=True)

    class Meta:
        abstract = True


class TrainingRule(SourcedRule):
    """The yearly training requirement in force from a date: 学时 a year for every worker in
    post, and for a worker who started community work within ``induction_months`` of the year's
    end, the induction (岗前培训) 学时 owed on top."""

    name = models.CharField(_("名称"), max_length=100)
    annual_hours = models.PositiveSmallIntegerField(_("每年培训学时要求"))
    induction_months = models.PositiveSmallIntegerField(_("新入职认定期（月）"))
    induction_hours = models.PositiveSmallIntegerField(_("岗前培训学时要求"))

    class Meta:
        ordering = ["-effective_from", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["district", "effective_from"], name="training_one_rule_per_start"
            )
        ]

    def __str__(self):
        return self.name


class ContentArea(Record):
    """A content area courses are offered in (办公软件, 心理疏导, 法律, 沟通 …), with its source."""

    name = models.CharField(_("内容领域"), max_length=40)
    source = models.CharField(_("依据"), max_length=300)
    effective_from = models.DateField(_("启用日期"))
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        ordering = ["order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["district", "name"], name="training_one_area_name")
        ]

    def __str__(self):
        return self.name


class Format(models.TextChoices):
    CLASSROOM = "classroom", _("课堂")
    CONTEST = "contest", _("技能比拼")
    SHARING = "sharing", _("经验分享")
    VISIT = "visit", _("参观学习")


class Survey(Record):
    """A needs survey of a year: each worker answers which content areas they need."""

    year = models.PositiveSmallIntegerField(_("年度"))
    title = models.CharField(_("标题"), max_length=100)
    closes_on = models.DateField(_("截止日期"))

    class Meta:
        ordering = ["-year", "-id"]

    def __str__(self):
        return self.title


class SurveyAnswer(CommunityRecord):
    survey = models.ForeignKey(Survey, on_delete=models.PROTECT, related_name="answers")
    worker = models.ForeignKey("workforce.Worker", on_delete=models.PROTECT, related_name="+")
    areas = models.ManyToManyField(ContentArea, related_name="+")
    note = models.CharField(_("其他需求"), max_length=200, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    answered_at = MomentField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["survey", "worker"], name="training_one_answer")
        ]


class Plan(Record):
    """A training plan of a year: induction (岗前培训, for new hires) or periodic (在岗轮训)."""

    class Kind(models.TextChoices):
        INDUCTION = "induction", _("岗前培训（新入职）")
        PERIODIC = "periodic", _("在岗轮训（定期）")

    kind = models.CharField(_("类别"), max_length=10, choices=Kind.choices)
    year = models.PositiveSmallIntegerField(_("年度"))
    title = models.CharField(_("名称"), max_length=100)
    # A street's own plan (its officers keep it); none: the district's.
    street = models.ForeignKey(
        Place, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-year", "kind", "id"]

    def __str__(self):
        return self.title

    @property
    def place(self):
        return self.street or self.district


class Course(Record):
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="courses")
    title = models.CharField(_("课程名称"), max_length=100)
    area = models.ForeignKey(ContentArea, on_delete=models.PROTECT, related_name="courses")
    format = models.CharField(_("形式"), max_length=10, choices=Format.choices)
    held_on = models.DateField(_("举办日期"))
    hours = models.PositiveSmallIntegerField(_("学时"))
    venue = models.CharField(_("地点"), max_length=100)
    capacity = models.PositiveSmallIntegerField(_("名额"))

    class Meta:
        ordering = ["held_on", "id"]

    def __str__(self):
        return self.title

    @property
    def place(self):
        return self.plan.place


class Enrolment(CommunityRecord):
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="enrolments")
    worker = models.ForeignKey("workforce.Worker", on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = MomentField(auto_now_add=True)

    class Meta:
        ordering = ["course__held_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["course", "worker"], name="training_one_enrolment")
        ]


class Attendance(CommunityRecord):
    """A worker's attendance of a course they were enrolled on, with the 学时 credited (at most
    the course's) in the year the course was held."""

    enrolment = models.OneToOneField(Enrolment, on_delete=models.PROTECT, related_name="attendance")
    worker = models.ForeignKey("workforce.Worker", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("年度"))
    hours = models.PositiveSmallIntegerField(_("计入学时"))
    passed = models.BooleanField(_("考核合格"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = MomentField(auto_now_add=True)

    class Meta:
        ordering = ["-year", "-id"]


class Certificate(CommunityRecord):
    """A numbered training certificate (培训结业证书) for an attendance that passed, checked by
    anyone through its verification code (the page shows no personal data beyond the name)."""

    attendance = models.OneToOneField(
        Attendance, on_delete=models.PROTECT, related_name="certificate"
    )
    worker = models.ForeignKey("workforce.Worker", on_delete=models.PROTECT, related_name="+")
    number = models.CharField(_("证书编号"), max_length=40, unique=True)
    verification_code = models.CharField(_("验证码"), max_length=16, unique=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    issued_at = MomentField(auto_now_add=True)

    class Meta:
        ordering = ["-issued_at", "-id"]
