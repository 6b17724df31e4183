"""Template filters of the admission gate."""

from django import template

register = template.Library()


@register.filter
def yuan(fen) -> str:
    """Integer fen shown as yuan: 120050 → "¥1,200.50"."""
    try:
        fen = int(fen)
    except (TypeError, ValueError):
        return "—"
    return f"¥{fen // 100:,}.{fen % 100:02d}"
