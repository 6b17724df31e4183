"""Template filters of the finance app."""

from django import template

register = template.Library()


@register.filter
def yuan(fen) -> str:
    """Integer fen shown as yuan: 120050 → "¥1,200.50"."""
    try:
        fen = int(fen)
    except (TypeError, ValueError):
        return "—"
    sign = "-" if fen < 0 else ""
    fen = abs(fen)
    return f"{sign}¥{fen // 100:,}.{fen % 100:02d}"
