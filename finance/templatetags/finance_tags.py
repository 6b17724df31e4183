"""Template filters of the finance app."""

from django import template

from core import money

register = template.Library()


register.filter("yuan", money.yuan_sign)
