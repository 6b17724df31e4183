"""Template filters of the admission gate."""

from django import template

from core import money

register = template.Library()


register.filter("yuan", money.yuan_sign)
