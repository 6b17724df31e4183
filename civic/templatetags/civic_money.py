from django import template

from civic.money import yuan as _yuan

register = template.Library()


@register.filter
def yuan(amount_fen):
    """Fen shown as yuan: 1234567 → 12,345.67."""
    return _yuan(amount_fen)
