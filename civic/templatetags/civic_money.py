"""Template filters of civic: amounts as yuan without the sign (column heads say 元)."""

from django import template

from core import money

register = template.Library()
register.filter("yuan", money.yuan)
