"""What a resident sends with a request: answers to the item's form, a photo, coordinates."""

import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from core import images
from services.models import FieldType, ServiceItem
from services.services.common import MAX_PHOTO_BYTES, _text


def clean_answers(item: ServiceItem | None, raw: dict) -> dict:
    """Check answers against the item's typed fields: required present, numbers numbers,
    datetimes ISO 8601, list values among the keys. Unknown codes are refused."""
    if item is None:
        if raw:
            raise ValidationError(_("未选择事项时不能填写事项表单。"))
        return {}
    specs = {spec["code"]: spec for spec in item.fields}
    unknown = set(raw) - set(specs)
    if unknown:
        raise ValidationError(
            _("事项“%(item)s”没有这些字段：%(codes)s"),
            params={"item": item.name, "codes": ", ".join(sorted(unknown))},
        )
    cleaned = {}
    for code, spec in specs.items():
        values = _given(raw.get(code))
        if not values:
            if spec["required"]:
                raise ValidationError(_("请填写“%(label)s”。"), params={"label": spec["label"]})
            continue
        datatype = spec["datatype"]
        if datatype != FieldType.MULTI and len(values) > 1:
            raise ValidationError(_("“%(label)s”只能填一个值。"), params={"label": spec["label"]})
        cleaned[code] = _ANSWER_CLEANERS.get(datatype, _text_answer)(spec, values)
    return cleaned


def _given(value) -> list[str]:
    """What was answered, as a list of non-empty strings (one value or a list of them)."""
    values = value if isinstance(value, list) else ([] if value in (None, "") else [value])
    return [str(v).strip() for v in values if str(v).strip()]


def _choice_answer(spec: dict, values: list[str]):
    keys = {k for k, _n in spec["values"]}
    bad = [v for v in values if v not in keys]
    if bad:
        raise ValidationError(
            _("“%(label)s”的选项“%(value)s”无效。"),
            params={"label": spec["label"], "value": bad[0]},
        )
    return values if spec["datatype"] == FieldType.MULTI else values[0]


def _number_answer(spec: dict, values: list[str]) -> str:
    try:
        number = Decimal(values[0])
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite():
        raise ValidationError(_("“%(label)s”应为数字。"), params={"label": spec["label"]})
    return values[0]


def _datetime_answer(spec: dict, values: list[str]) -> str:
    try:
        parsed = parse_datetime(values[0])
    except ValueError:
        parsed = None
    if parsed is None:
        try:
            datetime.date.fromisoformat(values[0])
        except ValueError:
            raise ValidationError(
                _("“%(label)s”应为日期时间（如 2026-05-01T09:30）。"),
                params={"label": spec["label"]},
            ) from None
    return values[0]


def _text_answer(spec: dict, values: list[str]) -> str:
    limit = 200 if spec["datatype"] == FieldType.STRING else 2000
    return _text(values[0], spec["label"], max_length=limit)


_ANSWER_CLEANERS = {
    FieldType.SINGLE.value: _choice_answer,
    FieldType.MULTI.value: _choice_answer,
    FieldType.NUMBER.value: _number_answer,
    FieldType.DATETIME.value: _datetime_answer,
}


def clean_photo(photo):
    """An uploaded photo, taken in only as a real JPEG, PNG, GIF or WebP image of at most 5 MB:
    decoded and saved again without its metadata, under a generated name (core.images). Returns
    the file to store, or None; raises ValidationError (codes photo_size, photo_type,
    photo_pixels, photo_unreadable) before anything is written."""
    if photo is None:
        return None
    if photo.size > MAX_PHOTO_BYTES:
        raise ValidationError(_("照片不能超过5MB。"), code="photo_size")
    return images.reencode(photo, max_bytes=MAX_PHOTO_BYTES).as_file()


def _coordinate(value, label: str, limit: int) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value)).quantize(Decimal("0.000001"))
    except InvalidOperation:
        raise ValidationError(_("%(label)s应为数字。"), params={"label": label}) from None
    if not number.is_finite() or abs(number) > limit:
        raise ValidationError(_("%(label)s超出范围。"), params={"label": label})
    return number
