"""The site's Content-Security-Policy (django-csp), and the one source it takes from settings.

The policy itself is ``CONTENT_SECURITY_POLICY`` in linli/settings.py: everything comes from this
server ('self': no CDN); inline ``<script>`` and ``<style>`` blocks run only with the response's
nonce (``{{ request.csp_nonce }}``); inline event handlers never run; no plugins, no framing,
no ``<base>`` elsewhere, forms post only here. ``style-src-attr 'unsafe-inline'`` lets style
*attributes* through (they cannot run script, and what they could load is held by img-src and
font-src): ECharts writes its tooltips' colour markers as ``style="…"`` HTML.

When a map tile server is configured (setting or environment variable ``LINLI_MAP_TILES``, a
Leaflet URL template such as ``https://{s}.tiles.example.gov/{z}/{x}/{y}.png``), its origin is
added to img-src, so the tiles load and nothing else from there does.
"""

import os
import re
from urllib.parse import urlsplit

from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings

# Characters a CSP host source may hold; anything else (a space, ";", ",", a quote) would
# change the policy, so such a setting adds no source at all.
_HOST = re.compile(r"^(\*\.)?[A-Za-z0-9.-]+(:[0-9]{1,5})?$")


def map_tiles() -> str:
    """The configured map tile URL template, or "" (none: the map is a coordinate grid)."""
    return getattr(settings, "LINLI_MAP_TILES", None) or os.environ.get("LINLI_MAP_TILES", "")


def tile_source(template: str) -> str | None:
    """The CSP source that lets the browser load tiles from ``template``: its scheme and host
    (a leading ``{s}.`` subdomain placeholder becomes ``*.``). None when the template is empty,
    on this server already (a path), or not something a policy can safely name."""
    template = (template or "").strip()
    parts = urlsplit(template)
    if not parts.netloc or "@" in parts.netloc:
        return None  # empty, or a path on this server ('self' covers it)
    if parts.scheme not in ("http", "https", ""):
        return None
    host = re.sub(r"^\{[a-z]+\}\.", "*.", parts.netloc)
    if not _HOST.match(host):
        return None
    # "//tiles.example/…" follows the page's scheme, and so does a source without one.
    return f"{parts.scheme}://{host}" if parts.scheme else host


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware, with the map tile server (read per request, as the map page
    reads it) added to img-src."""

    def get_policy_parts(self, request, response, report_only: bool = False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        source = tile_source(map_tiles())
        if source:
            update = dict(parts.update or {})
            update["img-src"] = [*update.get("img-src", ()), source]
            parts.update = update
        return parts
