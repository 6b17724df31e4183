"""Abstract bases for the records an app keeps in a district's or a community's books.

Each gives the place columns (protected, no reverse accessor on Place) and ``place``, the place
that scopes the record: the one permissions are checked on and audit events are filed under
(``core.audit`` reads it when a write names no place).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.clock import MomentField
from core.models import Place


class DistrictRecord(models.Model):
    """A record of one district, which is its ``place``."""

    district = models.ForeignKey(Place, on_delete=models.PROTECT, related_name="+")
    place_field = "district"  # the column that holds the record's place

    class Meta:
        abstract = True

    @property
    def place(self):
        return getattr(self, self.place_field)


class CommunityRecord(DistrictRecord):
    """A record of one community (and of its district); the community is its ``place``."""

    community = models.ForeignKey(Place, on_delete=models.PROTECT, related_name="+")
    place_field = "community"

    class Meta:
        abstract = True


class SourcedRuleQuerySet(models.QuerySet):
    def in_force(self, day, **keys):
        """The row in force on ``day``: the latest ``effective_from`` on or before it among the
        rows matching ``keys`` (a district and the rule's own keys), or None."""
        rows = self.filter(effective_from__lte=day, **keys)
        return rows.order_by("-effective_from", "-id").first()


class SourcedRule(DistrictRecord):
    """An editable rule row of a district: its policy source, the day it takes effect and who
    entered it. Rules are never edited in place: a new row with a later start replaces the old
    one from that day, so any past decision can be explained by the rule then in force. Each
    subclass adds its values and the unique (district, its keys, effective_from) constraint."""

    source = models.CharField(_("政策依据"), max_length=300)
    effective_from = models.DateField(_("生效日期"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = MomentField(auto_now_add=True)

    objects = SourcedRuleQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["-effective_from", "-id"]
