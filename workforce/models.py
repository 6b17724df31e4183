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
from core.records import DistrictRecord


class StaffingRule(DistrictRecord):
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
    source = models.CharField(_("政策依据"), max_length=300)
    effective_from = models.DateField(_("生效日期"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = MomentField(auto_now_add=True)

    class Meta:
        ordering = ["-effective_from", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["district", "effective_from"], name="workforce_one_rule_per_start"
            )
        ]

    def __str__(self):
        return self.name
