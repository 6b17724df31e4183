"""The services app's editable rules (a table of rows with their source), imported by
services.models. Rows without a district are the defaults (seeded by a migration from
services.rule_defaults); a district's own row overrides the default there."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.clock import MomentField
from core.models import Place


class ServiceRule(models.Model):
    """An editable rule of request handling (e.g. how sure routing must be to suggest), with
    the source that justifies its value."""

    district = models.ForeignKey(
        Place, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    code = models.CharField(_("代码"), max_length=40)
    name = models.CharField(_("规则"), max_length=100)
    value = models.IntegerField(_("取值"))
    unit = models.CharField(_("单位"), max_length=20, blank=True)
    source = models.CharField(_("依据"), max_length=300)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = MomentField(auto_now=True)

    class Meta:
        app_label = "services"
        verbose_name = _("诉求办理规则")
        verbose_name_plural = _("诉求办理规则")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(
                fields=["code"], condition=Q(district__isnull=True), name="services_rule_default"
            ),
            models.UniqueConstraint(
                fields=["district", "code"],
                condition=Q(district__isnull=False),
                name="services_rule_district",
            ),
        ]

    def __str__(self):
        return self.name
