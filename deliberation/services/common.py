"""What the deliberation services share: permission checks, states, rules in force, shares."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from core.models import Place, PlaceLevel
from core.validation import require_perm
from deliberation.models import MeetingRule, SupportRule

NOT_CONVENER = _("只有本社区的社区工作者可以召集议事、登记会议和决定。")
NOT_RESIDENT = _("只有本社区的居民可以参与本社区的议事。")


def convener(actor, obj) -> None:
    require_perm(actor, "deliberation.convene", obj, NOT_CONVENER)


def resident(actor, obj) -> None:
    require_perm(actor, "deliberation.take_part", obj, NOT_RESIDENT)


def person_of(actor):
    person = getattr(actor, "person", None)
    if person is None:
        raise PermissionDenied(_("您的账号还没有关联居民信息，请先申请关联。"))
    return person


def require_state(obj, *states: str, message: str) -> None:
    state = getattr(obj, "status", None) if hasattr(obj, "status") else obj.state
    if state not in states:
        raise ValidationError(message, code="bad_state")


def community_place(place) -> Place:
    if not isinstance(place, Place) or place.level != PlaceLevel.COMMUNITY:
        raise ValidationError(_("请选择一个社区。"), code="community")
    return place


def district_place(place) -> Place:
    if not isinstance(place, Place) or place.level != PlaceLevel.DISTRICT:
        raise ValidationError(_("请选择一个区。"), code="district")
    return place


def meeting_rule_in_force(district_id: int, kind: str, day: datetime.date) -> MeetingRule | None:
    return MeetingRule.objects.in_force(day, district_id=district_id, kind=kind)


def support_rule_in_force(district_id: int, day: datetime.date) -> SupportRule | None:
    return SupportRule.objects.in_force(day, district_id=district_id)


def share_met(count: int, base: int, share) -> bool:
    """``count`` of ``base`` reaches the share (num, den, inclusive), exactly in integers:
    "以上" includes the share, "过半数" does not. Nothing is met of an empty base."""
    num, den, inclusive = share
    if base <= 0:
        return False
    return count * den >= num * base if inclusive else count * den > num * base


def share_text(share) -> str:
    """A share as the rule reads: 三分之二以上, 过半数, 2/5以上…"""
    num, den, inclusive = share
    if (num, den, inclusive) == (1, 2, False):
        return _("过半数")
    names = {(2, 3): _("三分之二"), (3, 4): _("四分之三"), (1, 2): _("二分之一"),
             (1, 3): _("三分之一")}  # fmt: skip
    name = names.get((num, den), f"{num}/{den}")
    return (
        _("%(share)s以上") % {"share": name} if inclusive else _("超过%(share)s") % {"share": name}
    )


def lives_in_community(person, community: Place) -> bool:
    place = getattr(person, "place", None)
    return place is not None and place.is_within(community)
