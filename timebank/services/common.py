"""What every write of the time bank checks first: minutes, idempotency keys, places."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core.models import Person, Place, PlaceLevel
from timebank.models import (
    MINUTES_PER_HOUR,
    format_minutes,
)

MAX_MINUTES = 1500 * MINUTES_PER_HOUR  # no single posting may exceed the storage cap


def clean_minutes(value) -> int:
    """A positive whole number of minutes, at most the storage cap."""
    if isinstance(value, bool) or not isinstance(value, int):
        try:
            if isinstance(value, bool) or isinstance(value, float):
                raise ValueError
            value = int(str(value).strip())
        except (TypeError, ValueError):
            raise ValidationError(_("时长应为整数分钟。"), code="minutes_invalid") from None
    if value <= 0:
        raise ValidationError(_("时长必须大于零分钟。"), code="minutes_not_positive")
    if value > MAX_MINUTES:
        raise ValidationError(
            _("单笔时长不能超过%(max)s。"), params={"max": format_minutes(MAX_MINUTES)},
            code="minutes_too_large",
        )  # fmt: skip
    return value


def clean_key(key) -> str:
    key = (key or "").strip() if isinstance(key, str) else ""
    if not key or len(key) > 255 or not key.isascii() or not key.isprintable():
        raise ValidationError(
            _("幂等键应为1–255个可打印的ASCII字符。"), code="idempotency_key_invalid"
        )
    return key


def community_of(place: Place) -> Place:
    if place.level == PlaceLevel.GRID:
        return place.parent
    if place.level == PlaceLevel.COMMUNITY:
        return place
    raise ValidationError(_("时间银行账户须开在社区或网格。"), code="place_level")


def home_community(person: Person, no_place_message) -> tuple[Person, Place]:
    """The person (fresh, with their place) and the community they belong to."""
    person = Person.objects.select_related("place").get(pk=person.pk)
    if person.place is None:
        raise ValidationError(no_place_message, code="no_place")
    return person, community_of(person.place)
