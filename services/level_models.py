"""Where a request is handled (处置层级) and the street's call to departments (吹哨报到), imported by
services.models: the grid, the community, the street office or a district department.

A catalogue item names the level its requests start at (``ServiceItem.handling_level``); what a
level cannot settle goes up one level (网格 → 社区 → 街道); a street that cannot settle it alone
blows the whistle (吹哨) to one or more departments, which must report (报到) within the working
days the district's rule sets, and are rated by the street (services.services.levels).

A request of a compound may go to the compound's property company in force (物业,
``PropertyRouting``): the company signs, answers and closes it, or returns it to the community,
each by the working-day deadlines of the district's rule (services.services.property)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.clock import MomentField


class Level(models.TextChoices):
    GRID = "grid", _("网格")
    COMMUNITY = "community", _("社区")
    STREET = "street", _("街道")
    DEPARTMENT = "department", _("职能部门")
    PROPERTY = "property", _("物业")


class Whistle(models.Model):
    """One department called by the street to one request (吹哨), its report (报到) and the
    street's rating of it."""

    request = models.ForeignKey(
        "services.ServiceRequest", on_delete=models.PROTECT, related_name="whistles"
    )
    district = models.ForeignKey("core.Place", on_delete=models.PROTECT, related_name="+")
    department = models.ForeignKey(
        "core.Department", verbose_name=_("职能部门"), on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(_("吹哨事由"), max_length=1000)
    called_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    called_at = MomentField()
    due_at = models.DateTimeField(_("报到期限"))
    reported_at = models.DateTimeField(_("报到时间"), null=True, blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    report = models.TextField(_("报到情况"), blank=True)
    rating = models.CharField(
        _("街道评价"), max_length=16, blank=True,
        choices=[("satisfied", _("满意")), ("basic", _("基本满意")), ("unsatisfied", _("不满意"))],
    )  # fmt: skip
    rated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        app_label = "services"
        verbose_name = _("吹哨报到")
        verbose_name_plural = _("吹哨报到")
        ordering = ["called_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["request", "department"],
                condition=Q(reported_at__isnull=True),
                name="services_whistle_one_open",
            )
        ]
        indexes = [models.Index(fields=["department", "reported_at"])]

    def __str__(self):
        return f"{self.request_id} {self.department_id}"

    @property
    def on_time(self) -> bool | None:
        if self.reported_at is None:
            return None
        return self.reported_at <= self.due_at


class PropertyRouting(models.Model):
    """One routing of a request to a property company (转物业): by whom, its deadlines (to sign,
    to finish), what the company did, or its return to the community with the reason. The
    company and compound are owners' rows, named here by id only through the foreign key."""

    request = models.ForeignKey(
        "services.ServiceRequest", on_delete=models.PROTECT, related_name="property_routings"
    )
    district = models.ForeignKey("core.Place", on_delete=models.PROTECT, related_name="+")
    company = models.ForeignKey(
        "owners.PropertyCompany", verbose_name=_("物业服务企业"), on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    compound = models.ForeignKey(
        "owners.Compound", verbose_name=_("小区"), null=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    routed_by = models.ForeignKey(  # none: routed at submission by the catalogue item's level
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    routed_at = MomentField()
    accept_due = models.DateTimeField(_("签收期限"))
    due_at = models.DateTimeField(_("办结期限"))
    rule_source = models.CharField(_("时限依据"), max_length=300, blank=True)
    accepted_at = models.DateTimeField(_("签收时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    acted_by = models.ForeignKey(  # the company's staff member who signed or closed it last
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    returned_at = models.DateTimeField(_("退回时间"), null=True, blank=True)
    return_reason = models.TextField(_("退回理由"), blank=True)

    class Meta:
        app_label = "services"
        verbose_name = _("转物业办理")
        verbose_name_plural = _("转物业办理")
        ordering = ["routed_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["request"], condition=Q(returned_at__isnull=True),
                name="services_property_one_open",
            )
        ]  # fmt: skip
        indexes = [models.Index(fields=["company", "routed_at"])]

    def __str__(self):
        return f"{self.request_id} {self.company_id}"

    @property
    def on_time(self) -> bool | None:
        if self.closed_at is None:
            return None
        return self.closed_at <= self.due_at
