"""Template tags for the page parts every section shares (templates/includes/)."""

from django import template
from django.urls import reverse

register = template.Library()


@register.inclusion_tag("includes/tabs.html", takes_context=True)
def tabs(context, label, *pairs):
    """A section's tab bar: ``{% tabs _("准入") "admission:lists" _("清单") … %}`` gives the
    bar's name (for screen readers), then a URL name and a text for each tab.

    The tab whose address is the longest start of the page's path is the current one:
    ``aria-current="page"`` on its own page, ``"true"`` on a page under it (a batch under
    the imports, a person under the residents)."""
    if not pairs or len(pairs) % 2:
        raise template.TemplateSyntaxError("tabs takes a name, then a URL name and a text per tab")
    links = [(reverse(name), text) for name, text in zip(pairs[::2], pairs[1::2], strict=True)]
    request = context.get("request")
    path = request.path if request else ""
    under = [url for url, _text in links if path.startswith(url)]
    current = max(under, key=len) if under else None
    return {
        "label": label,
        "tabs": [
            {
                "url": url,
                "text": text,
                "current": ("page" if url == path else "true") if url == current else "",
            }
            for url, text in links
        ],
    }
