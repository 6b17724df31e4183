"""Abstract bases for the records an app keeps in a district's or a community's books.

Each gives the place columns (protected, no reverse accessor on Place) and ``place``, the place
that scopes the record: the one permissions are checked on and audit events are filed under
(``core.audit`` reads it when a write names no place).
"""

from django.db import models

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
