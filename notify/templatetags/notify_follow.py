"""{% follow_button obj %}: the follow / unfollow button for an object the reader sees."""

from django import template

from notify.follows import key_of
from notify.models import Follow

register = template.Library()


@register.inclusion_tag("notify/_follow_button.html", takes_context=True)
def follow_button(context, obj):
    request = context["request"]
    target = key_of(obj)
    following = Follow.objects.filter(user=request.user, target=target).exists()
    return {
        "target": target,
        "following": following,
        "next": request.get_full_path(),
        "csrf_token": context.get("csrf_token"),
    }
