"""A place's outline (issue #14 item 4), imported by core.models: the district, street, community
and grid boundaries the maps draw as their base layer when no tile server is set.

One row per place, beside it rather than a column on it, so the many pages that load places
(every request row joins its place) never read polygons of thousands of points they do not draw.
Written only by core.boundaries.boundaries_import."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.clock import MomentField


class PlaceBoundary(models.Model):
    place = models.OneToOneField(
        "core.Place", verbose_name=_("地点"), on_delete=models.PROTECT, related_name="boundary"
    )
    district = models.ForeignKey("core.Place", on_delete=models.PROTECT, related_name="+")
    # A GeoJSON geometry: Polygon or MultiPolygon, positions [lng, lat] (WGS 84 or GCJ-02, as
    # the district's tiles use), checked by core.boundaries.clean_geometry.
    geometry = models.JSONField(_("边界"))
    source = models.CharField(_("来源"), max_length=200, blank=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    imported_at = MomentField()

    class Meta:
        app_label = "core"
        verbose_name = _("地点边界")
        verbose_name_plural = _("地点边界")

    def __str__(self):
        return f"{self.place_id}"
